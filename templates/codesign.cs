<?cs set:Page.Title = "codesign.Title" ?>
<?cs include:"header.cs" ?>
<h1><?cs call:t("codesign.Heading") ?></h1>
<p><?cs if:Lang == "en" ?><?cs call:e("codesign.Rules") ?><?cs else ?><?cs call:l("codesign.Rules") ?><br>
<span class="en" lang="en"><?cs call:e("codesign.Rules") ?></span><?cs /if ?></p>
<table id="key-protection">
<?cs if:Lang == "en" ?><tr><th><?cs call:e("codesign.Code") ?></th><th><?cs call:e("codesign.Protection") ?></th><th><?cs call:e("codesign.Basis") ?></th></tr>
<?cs each:k = KeyProtection ?>
<tr><td><code><?cs var:k.Code ?></code></td><td><?cs var:k.NameEn ?></td><td><?cs var:k.Basis ?></td></tr>
<?cs /each ?>
<?cs else ?><tr><th><?cs call:t("codesign.Code") ?></th><th><?cs call:l("codesign.Protection") ?></th><th class="en" lang="en"><?cs call:e("codesign.Protection") ?></th><th><?cs call:t("codesign.Basis") ?></th></tr>
<?cs each:k = KeyProtection ?>
<tr><td><code><?cs var:k.Code ?></code></td><td><?cs var:k.NameJa ?></td><td class="en" lang="en"><?cs var:k.NameEn ?></td><td><?cs var:k.Basis ?></td></tr>
<?cs /each ?>
<?cs /if ?></table>
<p><a id="download" href="codesigndl.cgi"><?cs call:l("codesign.Download") ?></a><?cs if:Lang != "en" ?> <span class="en" lang="en"><?cs call:e("codesign.Download") ?></span><?cs /if ?></p>
<?cs include:"upload-body.cs" ?>
<?cs include:"footer.cs" ?>
