<?cs if:?Result.Ok ?>
<?cs if:Result.File.0 ?>
<p class="note" id="file-error"><?cs each:e = Result.File ?><?cs var:e ?><br><?cs /each ?></p>
<?cs elif:Result.Ng == 0 && Result.Committed == 1 ?>
<p id="summary">ファイルのアップロード処理が完了しました。（<?cs var:Result.Ok ?>件）</p>
<?cs elif:Result.Mode == "dryrun" ?>
<p id="summary">確認のみ（dry run）：OK <?cs var:Result.Ok ?>件、NG <?cs var:Result.Ng ?>件。何も申請されていません。</p>
<?cs elif:Result.Committed == 1 ?>
<p id="summary">エラーのない <?cs var:Result.Ok ?>件を処理しました。NG <?cs var:Result.Ng ?>件は処理されていません。</p>
<?cs else ?>
<p class="note" id="summary">発行処理が以下のエラーにより正常終了しませんでした。全件の処理を中止しました（NG <?cs var:Result.Ng ?>件）。</p>
<?cs /if ?>
<?cs if:subcount(Result.Rows) ?>
<table id="result">
<tr><th>SEQ</th><th>処理結果</th><th>エラー内容</th><?cs if:Upload.ShowCn == 1 ?><th>CN</th><?cs /if ?></tr>
<?cs each:row = Result.Rows ?>
<tr><td><?cs var:row.Seq ?></td><td><?cs if:subcount(row.Errors) ?>NG<?cs else ?>OK<?cs /if ?></td>
<td><?cs each:e = row.Errors ?><?cs var:e ?><br><?cs /each ?></td><?cs if:Upload.ShowCn == 1 ?><td class="cn"><?cs var:row.Cn ?></td><?cs /if ?></tr>
<?cs /each ?>
</table>
<?cs /if ?>
<?cs if:Result.Batch ?><p><a id="result-tsv" href="<?cs var:Upload.Screen ?>?batch=<?cs var:Result.Batch ?>">結果ファイル（TSV）をダウンロード</a></p><?cs /if ?>
<?cs if:Result.Batch ?><p><a id="progress-link" href="batch.cgi?id=<?cs var:Result.Batch ?>">処理状況（アップロード履歴）を見る</a> <span class="en">its progress, also under Recent uploads on the menu</span></p><?cs /if ?>
<?cs /if ?>

<form method="post" action="<?cs var:Upload.Screen ?>" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="<?cs var:Officer.Csrf ?>">
<p>処理内容：
<label><input type="radio" name="applyType" value="1" checked> 発行</label>
<label><input type="radio" name="applyType" value="2"> 更新</label>
<label><input type="radio" name="applyType" value="3"> 失効</label></p>
<p><label><input type="radio" name="errorFlg" value="abort" checked> エラーが有れば全件処理を中止</label>
<label><input type="radio" name="errorFlg" value="partial"> エラーのない行を処理</label>
<label><input type="radio" name="errorFlg" value="dryrun"> 確認のみ（申請しない）</label></p>
<p><label>申請ファイル (.tsv / .txt) <input type="file" name="file" required></label></p>
<button type="submit" id="upload">アップロード</button>
</form>
<?cs if:Upload.Reissue == 1 ?><?cs include:"cert-url-reissue.cs" ?><?cs /if ?>
<p><a href="menu.cgi">メニューへ戻る</a></p>
