<?cs set:Page.Title = "利用管理者情報 更新" ?>
<?cs include:"header.cs" ?>
<h1>利用管理者情報　更新 <span class="en">Update user administrators</span></h1>
<?cs if:?Result.Ok ?>
<?cs if:Result.File.0 ?>
<p class="note" id="file-error"><?cs each:e = Result.File ?><?cs var:e ?><br><?cs /each ?></p>
<?cs elif:Result.Ng == 0 && Result.Committed == 1 ?>
<p id="summary">ファイルのアップロード処理が完了しました。（<?cs var:Result.Ok ?>件） <span class="en">The user administrators of <?cs var:Result.Ok ?> certificate(s) were updated.</span></p>
<ul id="notes">
<li>以後の失効完了通知、リマインダ等のメールは新しい利用管理者に送られます。<span class="en">Later mails (revocation, reminders) go to the new user administrator.</span></li>
</ul>
<?cs elif:Result.Mode == "dryrun" ?>
<p id="summary">確認のみ（dry run）：OK <?cs var:Result.Ok ?>件、NG <?cs var:Result.Ng ?>件。何も更新されていません。 <span class="en">Checked only: nothing was changed.</span></p>
<?cs elif:Result.Committed == 1 ?>
<p id="summary">エラーのない <?cs var:Result.Ok ?>件を更新しました。NG <?cs var:Result.Ng ?>件は更新されていません。 <span class="en">The rows without errors were updated; the others were not.</span></p>
<?cs else ?>
<p class="note" id="summary">更新処理が以下のエラーにより正常終了しませんでした。全件の処理を中止しました（NG <?cs var:Result.Ng ?>件）。 <span class="en">Nothing was updated.</span></p>
<?cs /if ?>
<?cs if:subcount(Result.Rows) ?>
<table id="result">
<tr><th>SEQ</th><th>処理結果</th><th>エラー内容</th><th>利用管理者所属</th><th>利用管理者氏名</th><th>利用管理者メールアドレス</th></tr>
<?cs each:row = Result.Rows ?>
<tr><td><?cs var:row.Seq ?></td><td><?cs if:subcount(row.Errors) ?>NG<?cs else ?>OK<?cs /if ?></td>
<td><?cs each:e = row.Errors ?><?cs var:e ?><br><?cs /each ?></td>
<td><?cs var:row.Affiliation ?></td><td><?cs var:row.Name ?></td><td><?cs var:row.Mail ?></td></tr>
<?cs /each ?>
</table>
<?cs /if ?>
<?cs if:Result.Batch ?><p><a id="result-tsv" href="admin.cgi?batch=<?cs var:Result.Batch ?>">結果ファイル（TSV）をダウンロード</a> <span class="en">result file</span></p><?cs /if ?>
<?cs if:Result.Batch ?><p><a id="progress-link" href="batch.cgi?id=<?cs var:Result.Batch ?>">処理状況（アップロード履歴）を見る</a> <span class="en">its progress, also under Recent uploads on the menu</span></p><?cs /if ?>
<?cs /if ?>

<p>申請ファイルは1行に1証明書、タブ区切りの5列です：主体者DN、シリアル番号（10進）、利用管理者氏名、利用管理者所属、利用管理者メールアドレス（すべて必須）。<br>
<span class="en">One certificate a line, five TAB-separated columns, all required: subject DN, serial (decimal), the new user administrator's name, affiliation and mail.</span></p>
<form method="post" action="admin.cgi" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="<?cs var:Officer.Csrf ?>">
<p><label><input type="radio" name="errorFlg" value="abort" checked> エラーが有れば全件処理を中止</label>
<label><input type="radio" name="errorFlg" value="partial"> エラーのない行を処理</label>
<label><input type="radio" name="errorFlg" value="dryrun"> 確認のみ（更新しない）</label></p>
<p><label>申請ファイル (.tsv / .txt) <input type="file" name="file" required></label></p>
<button type="submit" id="upload">アップロード</button>
</form>
<p><a href="menu.cgi">メニューへ戻る</a></p>
<?cs include:"footer.cs" ?>
