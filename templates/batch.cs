<?cs set:Page.Title = "アップロード履歴" ?>
<?cs if:Batches.Running == "1" ?><?cs set:Page.Refresh = "3" ?><?cs /if ?>
<?cs include:"header.cs" ?>
<?cs if:Batch.One == "1" ?>
<?cs with:b = Batches.0 ?>
<h1>処理状況 <span class="en">Progress</span>: <?cs var:b.What ?> <?cs var:b.Action ?>（受付番号 <?cs var:b.batch_id ?>）</h1>
<p><?cs var:b.created ?>（日本時間） <?cs var:b.filename ?> <span class="en">(<?cs var:b.WhatEn ?>, <?cs var:b.ActionEn ?>, uploaded <?cs var:b.created ?> JST)</span></p>
<?cs if:b.requests > 0 ?>
<p><label for="progress">処理済み <span class="en">Done</span></label>
<progress id="progress" max="<?cs var:b.requests ?>" value="<?cs var:b.Finished ?>"><?cs var:b.Percent ?>%</progress>
<span id="count"><?cs var:b.Finished ?> / <?cs var:b.requests ?></span>（<?cs var:b.Percent ?>%）</p>
<?cs /if ?>
<table id="batch">
<tr><th scope="row">ファイルの行数 <span class="en">Rows in the file</span></th><td id="rows"><?cs var:b.rows_total ?></td></tr>
<tr><th scope="row">受付 <span class="en">Accepted</span></th><td id="rows-ok"><?cs var:b.rows_ok ?></td></tr>
<tr><th scope="row">エラー <span class="en">Refused</span></th><td id="rows-ng"><?cs var:b.rows_ng ?></td></tr>
<tr><th scope="row">完了 <span class="en">Done</span></th><td id="done"><?cs var:b.done ?></td></tr>
<tr><th scope="row">処理待ち <span class="en">Queued</span></th><td id="queued"><?cs var:b.queued ?></td></tr>
<tr><th scope="row">失敗 <span class="en">Failed</span></th><td id="failed"><?cs var:b.failed ?></td></tr>
<tr><th scope="row">取消 <span class="en">Cancelled</span></th><td id="cancelled"><?cs var:b.cancelled ?></td></tr>
<tr><th scope="row">利用者の操作待ち <span class="en">Waiting for the user</span></th><td id="waiting"><?cs var:b.waiting ?></td></tr>
</table>
<?cs if:Batches.Running == "1" ?>
<p id="running">処理中です。この画面は3秒ごとに自動で更新されます。メニューへ戻っても処理は続きます。
<span class="en">The worker is still on it. This page reloads every 3 seconds; leaving it does not stop the batch.</span></p>
<?cs else ?>
<p id="finished">処理は終わりました。<?cs if:b.failed > 0 ?>失敗した申請はエラー内容を結果ファイルでご確認ください。<?cs /if ?>
<span class="en">The batch is finished.<?cs if:b.failed > 0 ?> See the result file for the failed requests.<?cs /if ?></span></p>
<?cs /if ?>
<?cs if:b.HasResult == "1" ?><p><a id="result-tsv" href="<?cs var:b.Screen ?>?batch=<?cs var:b.batch_id ?>">結果ファイル（TSV）をダウンロード</a> <span class="en">result file</span></p><?cs /if ?>
<?cs /with ?>
<p><a href="batch.cgi">アップロード履歴へ戻る <span class="en">Back to the recent uploads</span></a></p>
<?cs else ?>
<h1>アップロード履歴 <span class="en">Recent uploads</span></h1>
<p><?cs var:Officer.InstitutionJa ?> <?cs var:Officer.NameJa ?> 様：最近のアップロード（新しい順、最大20件）。
<span class="en">Your latest uploads, newest first (at most 20).</span></p>
<?cs if:Batches.0.batch_id ?>
<table id="batches">
<tr><th scope="col">受付番号 <span class="en">No.</span></th><th scope="col">日時（日本時間） <span class="en">JST</span></th>
<th scope="col">種類 <span class="en">Kind</span></th><th scope="col">ファイル <span class="en">File</span></th>
<th scope="col">受付 / エラー <span class="en">Accepted / refused</span></th><th scope="col">処理状況 <span class="en">Progress</span></th></tr>
<?cs each:b = Batches ?><?cs if:b.batch_id ?>
<tr id="batch-<?cs var:b.batch_id ?>"><td><a href="batch.cgi?id=<?cs var:b.batch_id ?>"><?cs var:b.batch_id ?></a></td>
<td><?cs var:b.created ?></td>
<td><?cs var:b.What ?> <?cs var:b.Action ?><br><span class="en"><?cs var:b.WhatEn ?>, <?cs var:b.ActionEn ?> (<?cs var:b.ModeEn ?>)</span></td>
<td><?cs var:b.filename ?></td>
<td><?cs var:b.rows_ok ?> / <?cs var:b.rows_ng ?></td>
<td><?cs if:b.requests > 0 ?><progress max="<?cs var:b.requests ?>" value="<?cs var:b.Finished ?>" aria-label="受付番号<?cs var:b.batch_id ?>の処理状況"><?cs var:b.Percent ?>%</progress> <?cs var:b.Finished ?> / <?cs var:b.requests ?><?cs else ?>―<?cs /if ?>
<?cs if:b.HasResult == "1" ?><br><a href="<?cs var:b.Screen ?>?batch=<?cs var:b.batch_id ?>">結果TSV <span class="en">result</span></a><?cs /if ?></td></tr>
<?cs /if ?><?cs /each ?>
</table>
<?cs else ?>
<p id="none">アップロードはまだありません。<span class="en">No uploads yet.</span></p>
<?cs /if ?>
<?cs /if ?>
<p><a href="menu.cgi">メニューへ戻る / Back to the menu</a></p>
<?cs include:"footer.cs" ?>
