<?cs set:Page.Title = "client.Title" ?>
<?cs include:"header.cs" ?>
<h1><?cs call:t("client.Heading") ?></h1>
<?cs if:?Result.Ok ?>
<?cs if:Result.File.0 ?>
<p class="note" id="file-error"><?cs each:e = Result.File ?><?cs var:e ?><br><?cs /each ?></p>
<?cs elif:Result.Ng == 0 && Result.Committed == 1 ?>
<p id="summary"><?cs call:l("upload_body.Done") ?></p>
<ul id="notes">
<li><?cs call:t("client.NoteAdmin") ?></li>
<li><?cs call:t("client.NoteUser") ?></li>
<li><?cs call:t("client.NoteDownload") ?></li>
</ul>
<?cs elif:Result.Mode == "dryrun" ?>
<p id="summary"><?cs call:l("upload_body.DryRun") ?></p>
<?cs elif:Result.Committed == 1 ?>
<p id="summary"><?cs call:l("upload_body.Partial") ?></p>
<?cs else ?>
<p class="note" id="summary"><?cs call:l("upload_body.Aborted") ?></p>
<?cs /if ?>
<?cs if:subcount(Result.Rows) ?>
<table id="result">
<tr><th>SEQ</th><th><?cs call:l("upload_body.Outcome") ?></th><th><?cs call:l("upload_body.Errors") ?></th><th><?cs call:l("client.Institution") ?></th><th><?cs call:l("client.Affiliation") ?></th><th><?cs call:l("client.Name") ?></th><th><?cs call:l("client.Mail") ?></th></tr>
<?cs each:row = Result.Rows ?>
<tr><td><?cs var:row.Seq ?></td><td><?cs if:subcount(row.Errors) ?>NG<?cs else ?>OK<?cs /if ?></td>
<td><?cs each:e = row.Errors ?><?cs var:e ?><br><?cs /each ?></td>
<td><?cs if:Lang == "en" ?><?cs var:Officer.InstitutionEn ?><?cs else ?><?cs var:Officer.InstitutionJa ?><?cs /if ?></td><td><?cs var:row.Affiliation ?></td><td><?cs var:row.Name ?></td><td><?cs var:row.Mail ?></td></tr>
<?cs /each ?>
</table>
<?cs /if ?>
<?cs if:Result.Batch ?><p><a id="result-tsv" href="client.cgi?batch=<?cs var:Result.Batch ?>"><?cs call:l("upload_body.ResultTsv") ?></a></p><?cs /if ?>
<?cs if:Result.Batch ?><p><a id="progress-link" href="batch.cgi?id=<?cs var:Result.Batch ?>"><?cs call:l("upload_body.Progress") ?></a><?cs if:Lang != "en" ?> <span class="en" lang="en"><?cs call:e("upload_body.ProgressNote") ?></span><?cs /if ?></p><?cs /if ?>
<?cs /if ?>

<form method="post" action="client.cgi" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="<?cs var:Officer.Csrf ?>">
<p><?cs call:l("upload_body.Action") ?>
<label><input type="radio" name="applyType" value="1" checked> <?cs call:l("upload_body.Issue") ?></label>
<label><input type="radio" name="applyType" value="2"> <?cs call:l("upload_body.Renew") ?></label>
<label><input type="radio" name="applyType" value="3"> <?cs call:l("upload_body.Revoke") ?></label></p>
<p><label><input type="radio" name="errorFlg" value="abort" checked> <?cs call:l("upload_body.ModeAbort") ?></label>
<label><input type="radio" name="errorFlg" value="partial"> <?cs call:l("upload_body.ModePartial") ?></label>
<label><input type="radio" name="errorFlg" value="dryrun"> <?cs call:l("upload_body.ModeDryRun") ?></label></p>
<p><label><?cs call:l("upload_body.File") ?> <input type="file" name="file" required></label></p>
<button type="submit" id="upload"><?cs call:l("upload_body.Upload") ?></button>
</form>

<h2><?cs call:t("client.ReissueHeading") ?></h2>
<?cs if:?Reissue.Done ?>
<?cs if:Reissue.Done == 1 ?>
<p id="reissue-result"><?cs if:Lang == "en" ?><?cs call:e("client.ReissueDone") ?><?cs else ?><?cs call:l("client.ReissueDone") ?><br>
<span class="en" lang="en"><?cs call:e("client.ReissueDone") ?></span><?cs /if ?></p>
<?cs else ?>
<p class="note" id="reissue-result"><?cs var:Reissue.Which ?><?cs call:l("client.ReissueSep") ?><?cs if:Lang == "en" ?> <?cs /if ?><?cs var:Reissue.Why ?></p>
<?cs /if ?>
<?cs /if ?>
<p><?cs if:Lang == "en" ?><?cs call:e("client.ReissueAbout") ?><?cs else ?><?cs call:l("client.ReissueAbout") ?><br>
<span class="en" lang="en"><?cs call:e("client.ReissueAbout") ?></span><?cs /if ?></p>
<form method="post" action="client.cgi" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="<?cs var:Officer.Csrf ?>">
<label><?cs call:t("client.ReissueWhich") ?>
<input type="text" name="reissue" required maxlength="254"></label>
<button type="submit" id="reissue"><?cs call:l("client.Reissue") ?></button>
</form>
<p><a href="menu.cgi"><?cs call:l("upload_body.Back") ?></a></p>
<?cs include:"footer.cs" ?>
