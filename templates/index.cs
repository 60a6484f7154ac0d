<?cs include:"header.cs" ?>
<h1><?cs call:t("index.Title") ?></h1>

<?cs if:Client.Subject ?>
<h2><?cs call:t("index.Presented") ?></h2>
<table>
<tr><th><?cs call:t("index.Subject") ?></th><td id="client-subject"><?cs var:Client.Subject ?></td></tr>
<tr><th><?cs call:t("index.Issuer") ?></th><td id="client-issuer"><?cs var:Client.Issuer ?></td></tr>
<tr><th><?cs call:t("index.Serial") ?></th><td id="client-serial"><?cs var:Client.Serial ?></td></tr>
</table>
<?cs /if ?>

<p><a href="lra/login.cgi" id="login"><?cs call:l("index.Login") ?></a><?cs if:Lang != "en" ?> <span class="en" lang="en"><?cs call:e("index.LoginNote") ?></span><?cs /if ?></p>

<h2><?cs call:t("index.Institutions") ?></h2>
<?cs if:subcount(Institutions) ?>
<table id="institutions">
<tr><th><?cs call:l("index.NameJa") ?></th><th<?cs if:Lang != "en" ?> class="en" lang="en"<?cs /if ?>><?cs call:e("index.NameEn") ?></th></tr>
<?cs each:i = Institutions ?>
<tr><td><?cs var:i.NameJa ?></td><td><?cs var:i.NameEn ?></td></tr>
<?cs /each ?>
</table>
<?cs else ?>
<p><?cs call:t("index.NoInstitution") ?></p>
<?cs /if ?>

<h2><?cs call:t("index.Status") ?></h2>
<table>
<tr><th><?cs call:t("index.DbTime") ?></th><td id="db-time"><?cs var:Status.Now ?></td></tr>
<tr><th><?cs call:t("index.Schema") ?></th><td id="schema-version"><?cs var:Status.Schema ?></td></tr>
</table>
<?cs include:"footer.cs" ?>
