<?cs if:?Result.Ok ?>
<?cs if:Result.File.0 ?>
<p class="note" id="file-error"><?cs each:e = Result.File ?><?cs var:e ?><br><?cs /each ?></p>
<?cs elif:Result.Ng == 0 && Result.Committed == 1 ?>
<p id="summary"><?cs call:l("upload_body.Done") ?></p>
<?cs elif:Result.Mode == "dryrun" ?>
<p id="summary"><?cs call:l("upload_body.DryRun") ?></p>
<?cs elif:Result.Committed == 1 ?>
<p id="summary"><?cs call:l("upload_body.Partial") ?></p>
<?cs else ?>
<p class="note" id="summary"><?cs call:l("upload_body.Aborted") ?></p>
<?cs /if ?>
<?cs if:subcount(Result.Rows) ?>
<table id="result">
<tr><th>SEQ</th><th><?cs call:l("upload_body.Outcome") ?></th><th><?cs call:l("upload_body.Errors") ?></th><?cs if:Upload.ShowCn == 1 ?><th>CN</th><?cs /if ?></tr>
<?cs each:row = Result.Rows ?>
<tr><td><?cs var:row.Seq ?></td><td><?cs if:subcount(row.Errors) ?>NG<?cs else ?>OK<?cs /if ?></td>
<td><?cs each:e = row.Errors ?><?cs var:e ?><br><?cs /each ?></td><?cs if:Upload.ShowCn == 1 ?><td class="cn"><?cs var:row.Cn ?></td><?cs /if ?></tr>
<?cs /each ?>
</table>
<?cs /if ?>
<?cs if:Result.Batch ?><p><a id="result-tsv" href="<?cs var:Upload.Screen ?>?batch=<?cs var:Result.Batch ?>"><?cs call:l("upload_body.ResultTsv") ?></a></p><?cs /if ?>
<?cs if:Result.Batch ?><p><a id="progress-link" href="batch.cgi?id=<?cs var:Result.Batch ?>"><?cs call:l("upload_body.Progress") ?></a><?cs if:Lang != "en" ?> <span class="en" lang="en"><?cs call:e("upload_body.ProgressNote") ?></span><?cs /if ?></p><?cs /if ?>
<?cs /if ?>

<form method="post" action="<?cs var:Upload.Screen ?>" enctype="multipart/form-data">
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
<?cs if:Upload.Reissue == 1 ?><?cs include:"cert-url-reissue.cs" ?><?cs /if ?>
<p><a href="menu.cgi"><?cs call:l("upload_body.Back") ?></a></p>
