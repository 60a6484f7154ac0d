<?cs def:info_tbn(k) ?><?cs if:Lang == "en" ?><?cs call:e(k) ?><?cs else ?><?cs call:l(k) ?><br>
<span class="en" lang="en"><?cs call:e(k) ?></span><?cs /if ?><?cs /def ?><?cs
def:info_t(k) ?><?cs if:Lang == "en" && ?En[k + "Alone"] ?><?cs call:e(k + "Alone") ?><?cs else ?><?cs call:t(k) ?><?cs /if ?><?cs /def ?><?cs
def:info_link(k) ?><?cs if:Lang == "en" ?><?cs call:e(k + "Alone") ?></a><?cs else ?><?cs call:l(k) ?></a> <span class="en" lang="en"><?cs call:e(k) ?></span><?cs /if ?><?cs /def ?><?cs
set:Page.Title = "acme_app.Title" ?>
<?cs include:"header.cs" ?>
<h1><?cs call:t("acme_app.Heading") ?></h1>
<?cs if:?Change.Outcome ?>
<?cs if:Change.Outcome == "ok" ?>
<?cs if:Change.Op == "reissue" ?>
<p id="change"><?cs call:t("acme_app.Reissued") ?></p>
<?cs else ?>
<p id="change"><?cs if:Change.Op == "suspend" ?><?cs call:l("acme_app.Suspended") ?><?cs elif:Change.Op == "resume" ?><?cs call:l("acme_app.Resumed") ?><?cs else ?><?cs call:l("acme_app.Closed") ?><?cs /if ?><?cs if:Lang != "en" ?> <span class="en" lang="en"><?cs call:e("acme_app.Changed") ?></span><?cs /if ?></p>
<?cs /if ?>
<?cs elif:Change.Outcome == "closed" ?>
<p class="note" id="change"><?cs call:t("acme_app.IsClosed") ?></p>
<?cs elif:Change.Outcome == "account" ?>
<p class="note" id="change"><?cs call:info_t("acme_app.HasAccount") ?></p>
<?cs elif:Change.Outcome == "same" ?>
<p class="note" id="change"><?cs call:t("acme_app.Same") ?></p>
<?cs else ?>
<p class="note" id="change"><?cs call:t("acme_app.NotYours") ?></p>
<?cs /if ?>
<?cs /if ?>
<?cs if:?Result.Ok ?>
<?cs if:Result.File.0 ?>
<p class="note" id="file-error"><?cs each:e = Result.File ?><?cs var:e ?><br><?cs /each ?></p>
<?cs elif:Result.Ng == 0 && Result.Committed == 1 ?>
<p id="summary"><?cs call:t("acme_app.Done") ?></p>
<?cs elif:Result.Mode == "dryrun" ?>
<p id="summary"><?cs call:info_t("acme_app.DryRun") ?></p>
<?cs elif:Result.Committed == 1 ?>
<p id="summary"><?cs call:info_t("acme_app.Partial") ?></p>
<?cs else ?>
<p class="note" id="summary"><?cs call:info_t("acme_app.Aborted") ?></p>
<?cs /if ?>
<?cs if:subcount(Result.Rows) ?>
<table id="result">
<tr><th>SEQ</th><th><?cs call:l("acme_app.Outcome") ?></th><th><?cs call:l("acme_app.Errors") ?></th><th><?cs call:l("acme_app.Affiliation") ?></th><th><?cs call:l("acme_app.Name") ?></th><th><?cs call:l("acme_app.Mail") ?></th></tr>
<?cs each:row = Result.Rows ?>
<tr><td><?cs var:row.Seq ?></td><td><?cs if:subcount(row.Errors) ?>NG<?cs else ?>OK<?cs /if ?></td>
<td><?cs each:e = row.Errors ?><?cs var:e ?><br><?cs /each ?></td>
<td><?cs var:row.Affiliation ?></td><td><?cs var:row.Name ?></td><td><?cs var:row.Mail ?></td></tr>
<?cs /each ?>
</table>
<?cs /if ?>
<?cs if:Result.Batch ?><p><a id="result-tsv" href="acme-app.cgi?batch=<?cs var:Result.Batch ?>"><?cs call:info_link("acme_app.ResultFile") ?></p><?cs /if ?>
<?cs if:Result.Batch ?><p><a id="progress-link" href="batch.cgi?id=<?cs var:Result.Batch ?>"><?cs call:info_link("acme_app.ProgressLink") ?></p><?cs /if ?>
<?cs /if ?>

<h2><?cs call:t("acme_app.Apply") ?></h2>
<p><?cs call:info_tbn("acme_app.Format") ?></p>
<form method="post" action="acme-app.cgi" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="<?cs var:Officer.Csrf ?>">
<p><label><input type="radio" name="errorFlg" value="abort" checked> <?cs call:l("acme_app.ModeAbort") ?></label>
<label><input type="radio" name="errorFlg" value="partial"> <?cs call:l("acme_app.ModePartial") ?></label>
<label><input type="radio" name="errorFlg" value="dryrun"> <?cs call:l("acme_app.ModeDryRun") ?></label></p>
<p><label><?cs call:l("acme_app.File") ?> <input type="file" name="file" required></label></p>
<button type="submit" id="upload"><?cs call:l("acme_app.Upload") ?></button>
</form>

<h2><?cs call:t("acme_app.Accounts") ?></h2>
<?cs if:subcount(Acme.Apps) ?>
<table id="apps">
<tr><th><?cs call:l("acme_app.AppNo") ?></th><th><?cs call:l("acme_app.State") ?></th><th>FQDN</th><th><?cs call:l("acme_app.Admin") ?></th><th><?cs call:l("acme_app.Account") ?></th><th><?cs call:l("acme_app.Orders") ?></th><th><?cs call:l("acme_app.Certs") ?></th><th><?cs call:l("acme_app.Ops") ?></th></tr>
<?cs each:a = Acme.Apps ?>
<tr id="app-<?cs var:a.application_id ?>"><td><?cs var:a.application_id ?></td>
<td class="state"><?cs if:Lang == "en" ?><?cs var:a.state_en ?><?cs else ?><?cs var:a.state_ja ?> <span class="en" lang="en"><?cs var:a.state_en ?></span><?cs /if ?></td>
<td><?cs var:a.fqdns ?></td>
<td><?cs var:a.admin_name ?><?cs if:Lang == "en" ?> (<?cs var:a.admin_org ?>)<?cs else ?>（<?cs var:a.admin_org ?>）<?cs /if ?><br><?cs var:a.admin_mail ?></td>
<td><?cs if:a.account_id ?><?cs call:l("acme_app.Created") ?> <?cs var:a.account_created ?><br><?cs call:l("acme_app.Key") ?> <code><?cs var:a.jwk_sha256 ?></code><br><?cs var:a.contact ?><br><?cs if:Lang == "en" ?><?cs call:e("acme_app.FailuresAlone") ?> <span class="failures"><?cs var:a.failures_today ?></span><?cs else ?><?cs call:l("acme_app.Failures") ?> <span class="failures"><?cs var:a.failures_today ?></span> <span class="en" lang="en"><?cs call:e("acme_app.Failures") ?></span><?cs /if ?><?cs else ?><?cs if:Lang == "en" ?>(<?cs call:e("acme_app.NoAccount") ?>)<?cs else ?>（<?cs call:t("acme_app.NoAccount") ?>）<?cs /if ?><?cs /if ?></td>
<td><?cs each:o = a.Orders ?><?cs var:o.identifiers ?>: <?cs var:o.status ?> (<?cs var:o.created ?>)<br><?cs /each ?></td>
<td><?cs each:c = a.Certs ?><?cs call:l("acme_app.Cert") ?><?cs if:c.revoked == "yes" ?> <?cs call:l("acme_app.Revoked") ?><?cs /if ?><br><?cs /each ?></td>
<td><?cs if:a.status != "closed" ?>
<form method="post" action="acme-app.cgi"><input type="hidden" name="csrf" value="<?cs var:Officer.Csrf ?>"><input type="hidden" name="app" value="<?cs var:a.application_id ?>">
<?cs if:a.status == "active" ?><button type="submit" name="op" value="suspend"><?cs call:l("acme_app.Suspend") ?></button><?cs else ?><button type="submit" name="op" value="resume"><?cs call:l("acme_app.Resume") ?></button><?cs /if ?>
<?cs if:!a.account_id ?><button type="submit" name="op" value="reissue"><?cs call:info_t("acme_app.Reissue") ?></button><?cs /if ?>
<button type="submit" name="op" value="close"><?cs call:info_t("acme_app.Close") ?></button></form>
<?cs /if ?></td></tr>
<?cs /each ?>
</table>
<?cs else ?>
<p id="no-apps"><?cs call:t("acme_app.NoApps") ?></p>
<?cs /if ?>
<p><a href="menu.cgi"><?cs call:l("acme_app.Back") ?></a></p>
<?cs include:"footer.cs" ?>
