<?cs set:Page.Title = "クライアント証明書 発行・更新・失効" ?>
<?cs include:"header.cs" ?>
<h1>クライアント証明書　発行・更新・失効 <span class="en">Client and S/MIME certificates: issue, renew, revoke</span></h1>
<?cs if:?Result.Ok ?>
<?cs if:Result.File.0 ?>
<p class="note" id="file-error"><?cs each:e = Result.File ?><?cs var:e ?><br><?cs /each ?></p>
<?cs elif:Result.Ng == 0 && Result.Committed == 1 ?>
<p id="summary">ファイルのアップロード処理が完了しました。（<?cs var:Result.Ok ?>件）</p>
<ul id="notes">
<li>発行処理完了後、利用管理者にアクセスPIN取得用のワンタイムURLがメールで通知されます。<span class="en">Once issued, the user administrator gets a one-time URL for the access PIN.</span></li>
<li>利用者には証明書取得用のワンタイムURLがメールで通知されます。このURLはアクセスPINの取得後に有効になります。<span class="en">The user gets a one-time URL for the certificate; it works once the PIN was fetched.</span></li>
<li>ダウンロード完了後、登録担当者と利用管理者にダウンロード完了メールが通知されます。<span class="en">After the download, you and the user administrator get a mail.</span></li>
</ul>
<?cs elif:Result.Mode == "dryrun" ?>
<p id="summary">確認のみ（dry run）：OK <?cs var:Result.Ok ?>件、NG <?cs var:Result.Ng ?>件。何も申請されていません。</p>
<?cs elif:Result.Committed == 1 ?>
<p id="summary">エラーのない <?cs var:Result.Ok ?>件を処理しました。NG <?cs var:Result.Ng ?>件は処理されていません。</p>
<?cs else ?>
<p class="note" id="summary">発行処理が以下のエラーにより正常終了しませんでした。全件の処理を中止しました（NG <?cs var:Result.Ng ?>件）。</p>
<?cs /if ?>
<?cs if:subcount(Result.Rows) ?>
<table id="result">
<tr><th>SEQ</th><th>処理結果</th><th>エラー内容</th><th>機関名</th><th>所属名</th><th>氏名</th><th>メールアドレス</th></tr>
<?cs each:row = Result.Rows ?>
<tr><td><?cs var:row.Seq ?></td><td><?cs if:subcount(row.Errors) ?>NG<?cs else ?>OK<?cs /if ?></td>
<td><?cs each:e = row.Errors ?><?cs var:e ?><br><?cs /each ?></td>
<td><?cs var:Officer.InstitutionJa ?></td><td><?cs var:row.Affiliation ?></td><td><?cs var:row.Name ?></td><td><?cs var:row.Mail ?></td></tr>
<?cs /each ?>
</table>
<?cs /if ?>
<?cs if:Result.Batch ?><p><a id="result-tsv" href="client.cgi?batch=<?cs var:Result.Batch ?>">結果ファイル（TSV）をダウンロード</a></p><?cs /if ?>
<?cs if:Result.Batch ?><p><a id="progress-link" href="batch.cgi?id=<?cs var:Result.Batch ?>">処理状況（アップロード履歴）を見る</a> <span class="en">its progress, also under Recent uploads on the menu</span></p><?cs /if ?>
<?cs /if ?>

<form method="post" action="client.cgi" enctype="multipart/form-data">
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

<h2>証明書取得URLの再発行 <span class="en">A fresh certificate URL for a user</span></h2>
<?cs if:?Reissue.Done ?>
<?cs if:Reissue.Done == 1 ?>
<p id="reissue-result"><?cs var:Reissue.Which ?> の利用者に新しい証明書取得URLをメールで送りました。アクセスPINは前と同じです。<br>
<span class="en">A fresh certificate URL was mailed to the user; the access PIN is the same.</span></p>
<?cs else ?>
<p class="note" id="reissue-result"><?cs var:Reissue.Which ?>：<?cs var:Reissue.Why ?></p>
<?cs /if ?>
<?cs /if ?>
<p>メールをなくした、または証明書取得URLの期限が切れた利用者（P12個別・ブラウザ個別）に、同じアクセスPINで使える新しいURLを送ります。以前のURLは使えなくなります。<br>
<span class="en">For a user who lost the mail or whose URL expired: a new URL for the same access PIN; the old URL stops working.</span></p>
<form method="post" action="client.cgi" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="<?cs var:Officer.Csrf ?>">
<label>シリアル番号または利用者メールアドレス <span class="en">serial or user mail</span>
<input type="text" name="reissue" required maxlength="254"></label>
<button type="submit" id="reissue">再発行</button>
</form>
<p><a href="menu.cgi">メニューへ戻る</a></p>
<?cs include:"footer.cs" ?>
