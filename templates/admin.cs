<?cs def:info_tc(k) ?><?cs if:Lang == "en" ?><?cs call:e(k) ?><?cs else ?><?cs call:l(k) ?><span class="en" lang="en"><?cs call:e(k) ?></span><?cs /if ?><?cs /def ?><?cs
def:info_tbn(k) ?><?cs if:Lang == "en" ?><?cs call:e(k) ?><?cs else ?><?cs call:l(k) ?><br>
<span class="en" lang="en"><?cs call:e(k) ?></span><?cs /if ?><?cs /def ?><?cs
def:info_t(k) ?><?cs if:Lang == "en" && ?En[k + "Alone"] ?><?cs call:e(k + "Alone") ?><?cs else ?><?cs call:t(k) ?><?cs /if ?><?cs /def ?><?cs
def:info_link(k) ?><?cs if:Lang == "en" ?><?cs call:e(k + "Alone") ?></a><?cs else ?><?cs call:l(k) ?></a> <span class="en" lang="en"><?cs call:e(k) ?></span><?cs /if ?><?cs /def ?><?cs
set:Page.Title = "admin.Title" ?>
<?cs include:"header.cs" ?>
<h1><?cs call:t("admin.Heading") ?></h1>
<?cs if:?Result.Ok ?>
<?cs if:Result.File.0 ?>
<p class="note" id="file-error"><?cs each:e = Result.File ?><?cs var:e ?><br><?cs /each ?></p>
<?cs elif:Result.Ng == 0 && Result.Committed == 1 ?>
<p id="summary"><?cs call:t("admin.Done") ?></p>
<ul id="notes">
<li><?cs call:info_tc("admin.LaterMail") ?></li>
</ul>
<?cs elif:Result.Mode == "dryrun" ?>
<p id="summary"><?cs call:info_t("admin.DryRun") ?></p>
<?cs elif:Result.Committed == 1 ?>
<p id="summary"><?cs call:info_t("admin.Partial") ?></p>
<?cs else ?>
<p class="note" id="summary"><?cs call:info_t("admin.Aborted") ?></p>
<?cs /if ?>
<?cs if:subcount(Result.Rows) ?>
<table id="result">
<tr><th>SEQ</th><th><?cs call:l("admin.Outcome") ?></th><th><?cs call:l("admin.Errors") ?></th><th><?cs call:l("admin.Affiliation") ?></th><th><?cs call:l("admin.Name") ?></th><th><?cs call:l("admin.Mail") ?></th></tr>
<?cs each:row = Result.Rows ?>
<tr><td><?cs var:row.Seq ?></td><td><?cs if:subcount(row.Errors) ?>NG<?cs else ?>OK<?cs /if ?></td>
<td><?cs each:e = row.Errors ?><?cs var:e ?><br><?cs /each ?></td>
<td><?cs var:row.Affiliation ?></td><td><?cs var:row.Name ?></td><td><?cs var:row.Mail ?></td></tr>
<?cs /each ?>
</table>
<?cs /if ?>
<?cs if:Result.Batch ?><p><a id="result-tsv" href="admin.cgi?batch=<?cs var:Result.Batch ?>"><?cs call:info_link("admin.ResultFile") ?></p><?cs /if ?>
<?cs if:Result.Batch ?><p><a id="progress-link" href="batch.cgi?id=<?cs var:Result.Batch ?>"><?cs call:info_link("admin.ProgressLink") ?></p><?cs /if ?>
<?cs /if ?>

<p><?cs call:info_tbn("admin.Format") ?></p>
<form method="post" action="admin.cgi" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="<?cs var:Officer.Csrf ?>">
<p><label><input type="radio" name="errorFlg" value="abort" checked> <?cs call:l("admin.ModeAbort") ?></label>
<label><input type="radio" name="errorFlg" value="partial"> <?cs call:l("admin.ModePartial") ?></label>
<label><input type="radio" name="errorFlg" value="dryrun"> <?cs call:l("admin.ModeDryRun") ?></label></p>
<p><label><?cs call:l("admin.File") ?> <input type="file" name="file" required></label></p>
<button type="submit" id="upload"><?cs call:l("admin.Upload") ?></button>
</form>
<p><a href="menu.cgi"><?cs call:l("admin.Back") ?></a></p>
<?cs include:"footer.cs" ?>
