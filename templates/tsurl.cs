<?cs def:info_tn(k) ?><?cs if:Lang == "en" ?><?cs call:e(k) ?><?cs else ?><?cs call:l(k) ?>
<span class="en" lang="en"><?cs call:e(k) ?></span><?cs /if ?><?cs /def ?><?cs
set:Page.Title = "tsurl.Title" ?>
<?cs include:"header.cs" ?>
<h1><?cs call:t("tsurl.Heading") ?></h1>
<p><?cs call:info_tn("tsurl.Intro") ?></p>
<?cs each:u = Tsurl ?>
<h2>URL: <code class="tsurl"><?cs var:u.URL ?></code><?cs if:u.Own == "1" ?> <span class="en"><?cs call:l("tsurl.Own") ?></span><?cs /if ?></h2>
<table class="tools">
<tr><th><?cs call:t("tsurl.Tool") ?></th><th><?cs call:t("tsurl.Use") ?></th><th><?cs call:t("tsurl.Command") ?></th></tr>
<?cs each:tool = u.Tool ?>
<?cs if:Lang == "en" ?><tr><td><?cs var:tool.Name ?></td><td><?cs var:tool.En ?></td>
<td><code class="cmd"><?cs alt:tool.CmdEn ?><?cs var:tool.Cmd ?><?cs /alt ?></code></td></tr>
<?cs else ?><tr><td><?cs var:tool.Name ?></td><td><?cs var:tool.Ja ?><br><span class="en" lang="en"><?cs var:tool.En ?></span></td>
<td><code class="cmd"><?cs var:tool.Cmd ?></code><?cs if:?tool.CmdEn ?><br><span class="en" lang="en"><?cs var:tool.CmdEn ?></span><?cs /if ?></td></tr>
<?cs /if ?><?cs /each ?>
</table>
<?cs /each ?>
<p><?cs call:info_tn("tsurl.Replace") ?></p>
<p><a href="menu.cgi"><?cs call:l("tsurl.Back") ?><?cs if:Lang != "en" ?> / <?cs call:e("tsurl.Back") ?><?cs /if ?></a></p>
<?cs include:"footer.cs" ?>
