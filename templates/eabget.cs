<?cs set:Page.Title = "eabget.Title" ?>
<?cs include:"header.cs" ?>
<?cs # pub_br2(k, ek): a Japanese page's l(k), a line break and its English
  e(k); an English page's e(ek) alone.  pub_t2(k, ek): t(k), or e(ek). ?><?cs
def:pub_br2(k, ek) ?><?cs if:Lang == "en" ?><?cs call:e(ek) ?><?cs else ?><?cs call:l(k) ?><br>
<span class="en" lang="en"><?cs call:e(k) ?></span><?cs /if ?><?cs /def ?><?cs
def:pub_br(k) ?><?cs call:pub_br2(k, k) ?><?cs /def ?><?cs
def:pub_t2(k, ek) ?><?cs if:Lang == "en" ?><?cs call:e(ek) ?><?cs else ?><?cs call:t(k) ?><?cs /if ?><?cs /def ?>
<h1><?cs call:t("eabget.Title") ?></h1>
<?cs if:Eab.Invalid ?>
<p class="note" id="error"><?cs call:pub_br("eabget.Invalid") ?></p>
<?cs elif:Eab.State != "shown" ?>
<?cs if:Eab.State == "used" ?><?cs set:eab_why = "eabget.Used" ?><?cs elif:Eab.State == "closed" ?><?cs set:eab_why = "eabget.Closed" ?><?cs else ?><?cs set:eab_why = "eabget.Expired" ?><?cs /if ?>
<p class="note" id="used"><?cs if:Lang == "en" ?><?cs call:e(eab_why) ?>
<?cs call:e("eabget.AskEn") ?><?cs else ?><?cs call:l(eab_why) ?>
<?cs call:l("eabget.Ask") ?><br>
<span class="en" lang="en"><?cs call:e(eab_why) ?>
<?cs call:e("eabget.Ask") ?></span><?cs /if ?></p>
<?cs else ?>
<p class="note"><?cs call:pub_br("eabget.Once") ?></p>
<table>
<tr><th><?cs call:pub_t2("eabget.Admin", "eabget.AdminEn") ?></th><td><?cs var:Eab.AdminName ?></td></tr>
<tr><th>FQDN</th><td id="fqdns"><?cs var:Eab.FQDNs ?></td></tr>
<tr><th><?cs call:pub_t2("eabget.Directory", "eabget.DirectoryEn") ?></th><td><code id="directory"><?cs var:Eab.Directory ?></code></td></tr>
<tr><th><?cs call:pub_t2("eabget.Kid", "eabget.KidEn") ?></th><td><code id="kid"><?cs var:Eab.Kid ?></code></td></tr>
<tr><th><?cs call:t("eabget.Hmac") ?></th><td><code id="hmac"><?cs var:Eab.Hmac ?></code></td></tr>
</table>
<h2>certbot</h2>
<pre id="certbot">certbot certonly --server <?cs var:Eab.Directory ?> --eab-kid <?cs var:Eab.Kid ?> --eab-hmac-key <?cs var:Eab.Hmac ?> -d <?cs var:Eab.CN ?></pre>
<h2>lego</h2>
<pre id="lego">lego --server <?cs var:Eab.Directory ?> --eab --kid <?cs var:Eab.Kid ?> --hmac <?cs var:Eab.Hmac ?> --domains <?cs var:Eab.CN ?> --http run</pre>
<p><?cs call:pub_br("eabget.Domains") ?></p>
<?cs /if ?>
<?cs include:"footer.cs" ?>
