<?cs set:Page.Title = "メニュー" ?>
<?cs include:"header.cs" ?>
<h1>メニュー <span class="en">Menu</span></h1>
<p><?cs var:Officer.InstitutionJa ?> <?cs var:Officer.NameJa ?> 様</p>
<?cs each:v = Notice.Revoked ?>
<p class="note" id="superseded-<?cs var:v.Serial ?>">この登録担当者用証明書でのログインにより、以前の登録担当者用証明書（シリアル番号 <?cs var:v.Serial ?>）を<?cs var:v.AtJa ?>に失効しました（失効理由：証明書の置き換え）。<br>
<span class="en">Logging in with this RA-officer certificate revoked your earlier one (serial <?cs var:v.Serial ?>) at <?cs var:v.At ?> (reason: superseded).</span></p>
<?cs /each ?>
<?cs if:Notice.Newer.Serial ?>
<p class="note" id="newer">新しい証明書が発行済みです（シリアル番号 <?cs var:Notice.Newer.Serial ?>）。ご利用中のこの登録担当者用証明書は、新しい証明書で初めてログインした時点で失効し、遅くとも<?cs var:Notice.Newer.AtJa ?>に失効します。新しい証明書をブラウザにインポートしてご利用ください。<br>
<span class="en">A new RA-officer certificate (serial <?cs var:Notice.Newer.Serial ?>) has been issued. The certificate you are using now is revoked when the new one first logs in, and on <?cs var:Notice.Newer.At ?> at the latest: import and use the new one.</span></p>
<?cs /if ?>
<?cs if:Officer.InstitutionStatus == "suspended" ?>
<p class="note" id="suspended">この機関は利用停止中です。証明書情報のダウンロードはできますが、申請（アップロード）は受け付けられず、受付済みの申請は利用再開まで発行されません。<span class="en">This institution is suspended: downloads work, but no upload or application is taken, and queued requests wait until it is active again.</span></p>
<?cs /if ?>
<table id="menu">
<tr><th>分類</th><th>インターフェース</th><th class="en">Interface</th></tr>
<?cs each:m = Menu ?>
<tr id="if-<?cs var:m.No ?>"><td><?cs var:m.Group ?></td>
<?cs if:m.No == 10 ?>
<td><form method="post" action="logout.cgi"><input type="hidden" name="csrf" value="<?cs var:Officer.Csrf ?>"><button type="submit" id="logout">⑩ログアウト</button></form></td>
<?cs elif:m.Screen ?>
<td><a href="<?cs var:m.Screen ?>"><?cs var:m.Mark ?><?cs var:m.NameJa ?></a></td>
<?cs else ?>
<td><?cs var:m.Mark ?><?cs var:m.NameJa ?> <span class="soon">（準備中 / not yet available）</span></td>
<?cs /if ?>
<td class="en"><?cs var:m.NameEn ?></td></tr>
<?cs /each ?>
</table>
<p><a id="batches" href="batch.cgi">アップロード履歴・処理状況</a> <span class="en">Recent uploads and their progress</span></p>
<?cs include:"footer.cs" ?>
