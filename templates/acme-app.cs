<?cs set:Page.Title = "ACME利用情報 作成申請・アカウント管理" ?>
<?cs include:"header.cs" ?>
<h1>ACME利用情報　作成申請・アカウント管理 <span class="en">ACME: applications and accounts</span></h1>
<?cs if:?Change.Outcome ?>
<?cs if:Change.Outcome == "ok" ?>
<?cs if:Change.Op == "reissue" ?>
<p id="change">申請 <?cs var:Change.App ?> のEABを再発行し、新しいEAB取得URLを <?cs var:Change.Mail ?> へ送りました。以前のURLと鍵は使えません。 <span class="en">Application <?cs var:Change.App ?>: a new EAB and URL are mailed to <?cs var:Change.Mail ?>; the old ones no longer work.</span></p>
<?cs else ?>
<p id="change">申請 <?cs var:Change.App ?> を<?cs if:Change.Op == "suspend" ?>停止<?cs elif:Change.Op == "resume" ?>再開<?cs else ?>廃止<?cs /if ?>しました。 <span class="en">Application <?cs var:Change.App ?>: <?cs var:Change.Op ?> done.</span></p>
<?cs /if ?>
<?cs elif:Change.Outcome == "closed" ?>
<p class="note" id="change">申請 <?cs var:Change.App ?> は廃止済みです。廃止は取り消せません。 <span class="en">Application <?cs var:Change.App ?> is closed; closing is final.</span></p>
<?cs elif:Change.Outcome == "account" ?>
<p class="note" id="change">申請 <?cs var:Change.App ?> のEABでアカウントが作成済みのため、再発行できません。 <span class="en">Application <?cs var:Change.App ?>: an account was made with its EAB already.</span></p>
<?cs elif:Change.Outcome == "same" ?>
<p class="note" id="change">申請 <?cs var:Change.App ?> はすでにその状態です。 <span class="en">Application <?cs var:Change.App ?> is so already.</span></p>
<?cs else ?>
<p class="note" id="change">申請 <?cs var:Change.App ?> は操作できません（自機関・自ドメインの申請ではありません）。 <span class="en">Application <?cs var:Change.App ?> is not one you may change.</span></p>
<?cs /if ?>
<?cs /if ?>
<?cs if:?Result.Ok ?>
<?cs if:Result.File.0 ?>
<p class="note" id="file-error"><?cs each:e = Result.File ?><?cs var:e ?><br><?cs /each ?></p>
<?cs elif:Result.Ng == 0 && Result.Committed == 1 ?>
<p id="summary">ファイルのアップロード処理が完了しました。（<?cs var:Result.Ok ?>件） <span class="en"><?cs var:Result.Ok ?> application(s) accepted; each user administrator gets a one-time URL by mail.</span></p>
<?cs elif:Result.Mode == "dryrun" ?>
<p id="summary">確認のみ（dry run）：OK <?cs var:Result.Ok ?>件、NG <?cs var:Result.Ng ?>件。何も申請されていません。 <span class="en">Checked only: nothing was applied for.</span></p>
<?cs elif:Result.Committed == 1 ?>
<p id="summary">エラーのない <?cs var:Result.Ok ?>件を処理しました。NG <?cs var:Result.Ng ?>件は処理されていません。 <span class="en">The rows without errors were accepted; the others were not.</span></p>
<?cs else ?>
<p class="note" id="summary">申請処理が以下のエラーにより正常終了しませんでした。全件の処理を中止しました（NG <?cs var:Result.Ng ?>件）。 <span class="en">Nothing was applied for.</span></p>
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
<?cs if:Result.Batch ?><p><a id="result-tsv" href="acme-app.cgi?batch=<?cs var:Result.Batch ?>">結果ファイル（TSV）をダウンロード</a> <span class="en">result file</span></p><?cs /if ?>
<?cs if:Result.Batch ?><p><a id="progress-link" href="batch.cgi?id=<?cs var:Result.Batch ?>">処理状況（アップロード履歴）を見る</a> <span class="en">its progress, also under Recent uploads on the menu</span></p><?cs /if ?>
<?cs /if ?>

<h2>ACME利用情報作成申請 <span class="en">Apply for ACME use</span></h2>
<p>申請ファイルは1行に1申請、タブ区切りの5列です：利用管理者氏名、利用管理者所属、利用管理者メールアドレス、FQDN（空白またはカンマ区切りで1〜8個、最初がCN）、証明書プロファイルID（空欄は41）。<br>
<span class="en">One application a line, five TAB-separated columns: the user administrator's name, affiliation and mail, the FQDNs (1 to 8, space or comma separated, the first is the CN) and the profile ID (empty: 41).</span></p>
<form method="post" action="acme-app.cgi" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="<?cs var:Officer.Csrf ?>">
<p><label><input type="radio" name="errorFlg" value="abort" checked> エラーが有れば全件処理を中止</label>
<label><input type="radio" name="errorFlg" value="partial"> エラーのない行を処理</label>
<label><input type="radio" name="errorFlg" value="dryrun"> 確認のみ（申請しない）</label></p>
<p><label>申請ファイル (.tsv / .txt) <input type="file" name="file" required></label></p>
<button type="submit" id="upload">アップロード</button>
</form>

<h2>ACMEアカウント <span class="en">ACME accounts</span></h2>
<?cs if:subcount(Acme.Apps) ?>
<table id="apps">
<tr><th>申請番号</th><th>状態</th><th>FQDN</th><th>利用管理者</th><th>アカウント</th><th>注文</th><th>証明書</th><th>操作</th></tr>
<?cs each:a = Acme.Apps ?>
<tr id="app-<?cs var:a.application_id ?>"><td><?cs var:a.application_id ?></td>
<td class="state"><?cs var:a.state_ja ?> <span class="en"><?cs var:a.state_en ?></span></td>
<td><?cs var:a.fqdns ?></td>
<td><?cs var:a.admin_name ?>（<?cs var:a.admin_org ?>）<br><?cs var:a.admin_mail ?></td>
<td><?cs if:a.account_id ?>作成 <?cs var:a.account_created ?><br>鍵 <code><?cs var:a.jwk_sha256 ?></code><br><?cs var:a.contact ?><br>本日の検証失敗 <span class="failures"><?cs var:a.failures_today ?></span> <span class="en">failed validations today</span><?cs else ?>（未作成 <span class="en">none yet</span>）<?cs /if ?></td>
<td><?cs each:o = a.Orders ?><?cs var:o.identifiers ?>: <?cs var:o.status ?> (<?cs var:o.created ?>)<br><?cs /each ?></td>
<td><?cs each:c = a.Certs ?><?cs var:c.serial ?> <?cs var:c.cn ?> 〜<?cs var:c.not_after ?><?cs if:c.revoked == "yes" ?> 失効済<?cs /if ?><br><?cs /each ?></td>
<td><?cs if:a.status != "closed" ?>
<form method="post" action="acme-app.cgi"><input type="hidden" name="csrf" value="<?cs var:Officer.Csrf ?>"><input type="hidden" name="app" value="<?cs var:a.application_id ?>">
<?cs if:a.status == "active" ?><button type="submit" name="op" value="suspend">停止</button><?cs else ?><button type="submit" name="op" value="resume">再開</button><?cs /if ?>
<?cs if:!a.account_id ?><button type="submit" name="op" value="reissue">EAB再発行 <span class="en">new EAB</span></button><?cs /if ?>
<button type="submit" name="op" value="close">廃止（取り消せません） <span class="en">close for good</span></button></form>
<?cs /if ?></td></tr>
<?cs /each ?>
</table>
<?cs else ?>
<p id="no-apps">ACME利用申請はまだありません。 <span class="en">No ACME applications yet.</span></p>
<?cs /if ?>
<p><a href="menu.cgi">メニューへ戻る</a></p>
<?cs include:"footer.cs" ?>
