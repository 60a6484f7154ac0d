<?cs def:info_tn(k) ?><?cs if:Lang == "en" ?><?cs call:e(k) ?><?cs else ?><?cs call:l(k) ?>
<span class="en" lang="en"><?cs call:e(k) ?></span><?cs /if ?><?cs /def ?><?cs
def:info_t(k) ?><?cs if:Lang == "en" && ?En[k + "Alone"] ?><?cs call:e(k + "Alone") ?><?cs else ?><?cs call:t(k) ?><?cs /if ?><?cs /def ?><?cs
set:Page.Title = "batch.Title" ?>
<?cs if:Batches.Running == "1" ?><?cs set:Page.Refresh = "3" ?><?cs /if ?>
<?cs include:"header.cs" ?>
<?cs if:Batch.One == "1" ?>
<?cs with:b = Batches.0 ?>
<h1><?cs call:t("batch.Progress") ?>: <?cs call:l("batch.Which") ?></h1>
<p><?cs call:info_t("batch.Uploaded") ?></p>
<?cs if:b.requests > 0 ?>
<p><label for="progress"><?cs call:t("batch.Processed") ?></label>
<progress id="progress" max="<?cs var:b.requests ?>" value="<?cs var:b.Finished ?>"><?cs var:b.Percent ?>%</progress>
<span id="count"><?cs var:b.Finished ?> / <?cs var:b.requests ?></span><?cs if:Lang == "en" ?> <?cs /if ?><?cs call:l("batch.Percent") ?></p>
<?cs /if ?>
<table id="batch">
<tr><th scope="row"><?cs call:t("batch.Rows") ?></th><td id="rows"><?cs var:b.rows_total ?></td></tr>
<tr><th scope="row"><?cs call:t("batch.Accepted") ?></th><td id="rows-ok"><?cs var:b.rows_ok ?></td></tr>
<tr><th scope="row"><?cs call:t("batch.Refused") ?></th><td id="rows-ng"><?cs var:b.rows_ng ?></td></tr>
<tr><th scope="row"><?cs call:t("batch.Done") ?></th><td id="done"><?cs var:b.done ?></td></tr>
<tr><th scope="row"><?cs call:t("batch.Queued") ?></th><td id="queued"><?cs var:b.queued ?></td></tr>
<tr><th scope="row"><?cs call:t("batch.Failed") ?></th><td id="failed"><?cs var:b.failed ?></td></tr>
<tr><th scope="row"><?cs call:t("batch.Cancelled") ?></th><td id="cancelled"><?cs var:b.cancelled ?></td></tr>
<tr><th scope="row"><?cs call:t("batch.Waiting") ?></th><td id="waiting"><?cs var:b.waiting ?></td></tr>
</table>
<?cs if:Batches.Running == "1" ?>
<p id="running"><?cs call:info_tn("batch.Running") ?></p>
<?cs else ?>
<p id="finished"><?cs if:Lang == "en" ?><?cs call:e("batch.Finished") ?><?cs if:b.failed > 0 ?> <?cs call:e("batch.FailedSee") ?><?cs /if ?><?cs
else ?><?cs call:l("batch.Finished") ?><?cs if:b.failed > 0 ?><?cs call:l("batch.FailedSee") ?><?cs /if ?>
<span class="en" lang="en"><?cs call:e("batch.Finished") ?><?cs if:b.failed > 0 ?> <?cs call:e("batch.FailedSee") ?><?cs /if ?></span><?cs /if ?></p>
<?cs /if ?>
<?cs if:b.HasResult == "1" ?><p><a id="result-tsv" href="<?cs var:b.Screen ?>?batch=<?cs var:b.batch_id ?>"><?cs if:Lang == "en" ?><?cs call:e("batch.ResultFileAlone") ?></a><?cs else ?><?cs call:l("batch.ResultFile") ?></a> <span class="en" lang="en"><?cs call:e("batch.ResultFile") ?></span><?cs /if ?></p><?cs /if ?>
<?cs /with ?>
<p><a href="batch.cgi"><?cs call:t("batch.BackList") ?></a></p>
<?cs else ?>
<h1><?cs call:t("batch.Title") ?></h1>
<p><?cs if:Lang == "en" ?><?cs alt:Officer.NameEn ?><?cs var:Officer.NameJa ?><?cs /alt ?>, <?cs alt:Officer.InstitutionEn ?><?cs var:Officer.InstitutionJa ?><?cs /alt ?>: <?cs call:e("batch.Latest") ?><?cs else ?><?cs var:Officer.InstitutionJa ?> <?cs var:Officer.NameJa ?> <?cs call:l("batch.Honorific") ?>：<?cs call:l("batch.Latest") ?>
<span class="en" lang="en"><?cs call:e("batch.Latest") ?></span><?cs /if ?></p>
<?cs if:Batches.0.batch_id ?>
<table id="batches">
<tr><th scope="col"><?cs call:info_t("batch.No") ?></th><th scope="col"><?cs call:info_t("batch.When") ?></th>
<th scope="col"><?cs call:t("batch.Kind") ?></th><th scope="col"><?cs call:t("batch.File") ?></th>
<th scope="col"><?cs call:t("batch.OkNg") ?></th><th scope="col"><?cs call:t("batch.Progress") ?></th></tr>
<?cs each:b = Batches ?><?cs if:b.batch_id ?>
<tr id="batch-<?cs var:b.batch_id ?>"><td><a href="batch.cgi?id=<?cs var:b.batch_id ?>"><?cs var:b.batch_id ?></a></td>
<td><?cs var:b.created ?></td>
<td><?cs if:Lang == "en" ?><?cs var:b.WhatEn ?>, <?cs var:b.ActionEn ?> (<?cs var:b.ModeEn ?>)<?cs else ?><?cs var:b.What ?> <?cs var:b.Action ?><br><span class="en" lang="en"><?cs var:b.WhatEn ?>, <?cs var:b.ActionEn ?> (<?cs var:b.ModeEn ?>)</span><?cs /if ?></td>
<td><?cs var:b.filename ?></td>
<td><?cs var:b.rows_ok ?> / <?cs var:b.rows_ng ?></td>
<td><?cs if:b.requests > 0 ?><progress max="<?cs var:b.requests ?>" value="<?cs var:b.Finished ?>" aria-label="<?cs call:l("batch.ProgressOf") ?>"><?cs var:b.Percent ?>%</progress> <?cs var:b.Finished ?> / <?cs var:b.requests ?><?cs else ?>―<?cs /if ?>
<?cs if:b.HasResult == "1" ?><br><a href="<?cs var:b.Screen ?>?batch=<?cs var:b.batch_id ?>"><?cs call:info_t("batch.Result") ?></a><?cs /if ?></td></tr>
<?cs /if ?><?cs /each ?>
</table>
<?cs else ?>
<p id="none"><?cs call:l("batch.None") ?><?cs if:Lang != "en" ?><span class="en" lang="en"><?cs call:e("batch.None") ?></span><?cs /if ?></p>
<?cs /if ?>
<?cs /if ?>
<p><a href="menu.cgi"><?cs call:l("batch.Back") ?><?cs if:Lang != "en" ?> / <?cs call:e("batch.Back") ?><?cs /if ?></a></p>
<?cs include:"footer.cs" ?>
