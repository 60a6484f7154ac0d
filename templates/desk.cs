<?cs set:Page.Title = "サービス窓口" ?>
<?cs include:"header.cs" ?>
<h1>サービス窓口 <span class="en">Service desk</span></h1>
<p><a href="desk.cgi?view=ops" id="ops-link">運用状況 <span class="en">Operations</span></a></p>
<p>担当: <?cs var:Desk.Operator ?> <span class="en">(certificate SHA-256 <code id="self-sha256"><?cs var:Desk.OperatorSha256 ?></code>)</span></p>
<?cs if:Desk.Said ?>
<pre class="note" id="result" data-ok="<?cs var:Desk.Ok ?>"><?cs var:Desk.Said ?></pre>
<?cs /if ?>

<h2>参加機関 <span class="en">Institutions</span></h2>
<table id="institutions">
<tr><th>コード</th><th>機関名</th><th class="en">English name (O)</th><th>状態</th><th>ドメイン</th><th>登録担当者</th><th>状態変更 <span class="en">Change status</span></th></tr>
<?cs each:i = Desk.Inst ?>
<tr><td><?cs var:i.Code ?></td><td><?cs var:i.NameJa ?></td><td><?cs var:i.NameEn ?></td><td><?cs var:i.Status ?></td><td><?cs var:i.Domains ?></td><td><?cs var:i.Officers ?></td>
<td><form method="post" action="desk.cgi" class="status"><input type="hidden" name="step" value="status"><input type="hidden" name="institution" value="<?cs var:i.Code ?>">
<select name="status"><?cs each:s = Desk.Status ?><option value="<?cs var:s.Name ?>"<?cs if:s.Name == i.Status ?> selected<?cs /if ?>><?cs var:s.Ja ?> (<?cs var:s.Name ?>)</option><?cs /each ?></select>
<button type="submit">変更</button></form></td></tr>
<?cs /each ?>
</table>
<table id="status-effects">
<tr><th>状態 <span class="en">Status</span></th><th>登録担当者にできること <span class="en">What its officers can do</span></th><th>次の状態 <span class="en">May become</span></th></tr>
<tr><td>審査中 (review)</td><td>ログインできません。発行もされません。<span class="en">No logins; nothing is issued.</span></td><td>利用中、退会</td></tr>
<tr><td>利用中 (active)</td><td>すべての操作ができます。<span class="en">Everything.</span></td><td>利用停止、退会</td></tr>
<tr><td>利用停止 (suspended)</td><td>ログインと証明書情報のダウンロード（②④⑥⑦⑧）はできますが、申請（アップロード・⑤更新）はすべてエラー215で受け付けられません。受付済みの発行・更新の申請は利用再開まで発行されません（失効は常に受け付けます）。メニューに利用停止中と表示されます。<span class="en">Officers log in and download (②④⑥⑦⑧); every upload or application is refused (215); queued issue and renew requests wait until it is active again (revocation always goes through); the menu says it is suspended.</span></td><td>利用中、退会</td></tr>
<tr><td>退会 (withdrawn)</td><td>ログインできません。受付済みの発行・更新の申請は理由を付けて取り消されます。発行済みの証明書は、下の一括失効を行わない限り有効なままです。<span class="en">No logins; queued issue and renew requests are cancelled with the reason; certificates stay valid unless revoked in bulk below.</span></td><td>なし（最終） <span class="en">none: final</span></td></tr>
</table>
<p>利用期間外（利用開始前・利用終了後）の機関の登録担当者もログインできません。<span class="en">Outside its usage period no officer of the institution logs in either.</span></p>

<h3>機関情報変更 <span class="en">Change an institution</span></h3>
<p>入力した項目だけを変更します。英語名 (O) を変更すると、有効な登録担当者用証明書を持つ登録担当者全員に更新用の証明書取得URLをメールで送ります（証明書は旧い O を記載しているため）。以後発行するサーバ・クライアント証明書は新しい O になります。<span class="en">Only the fields filled in change. A new English name (O) mails every officer holding a live RA certificate a renewal URL, as the certificate names the old O; certificates issued from now on carry the new one.</span></p>
<form method="post" action="desk.cgi" id="institution-update"><input type="hidden" name="step" value="inst-update">
<label>機関コード <input name="institution" required></label>
<label>機関名 <input name="name_ja"></label> <label>英語名 (O) <input name="name_en"></label>
<label>ST <input name="st"></label> <label>L <input name="l"></label>
<label>利用開始 <input name="from" type="date"></label> <label>利用終了 <input name="until" type="date"></label>
<button type="submit">変更 <span class="en">Change</span></button></form>

<h3>証明書一括失効 <span class="en">Revoke an institution's certificates</span></h3>
<p>利用停止または退会の機関の有効な証明書を、選んだ種別についてすべて失効します。次回のCRLに載り、登録担当者と利用管理者に一覧をメールで送ります。確認のため機関コードを2回入力してください。<span class="en">For a suspended or withdrawn institution only: every live certificate of the kind chosen is revoked, listed in the next CRL, and its officers and user administrators are mailed the list. Type the institution code twice.</span></p>
<form method="post" action="desk.cgi" id="institution-revoke"><input type="hidden" name="step" value="inst-revoke">
<label>機関コード <input name="institution" required></label>
<label>失効理由 <select name="reason"><?cs each:x = Desk.Reason ?><option value="<?cs var:x.Code ?>"><?cs var:x.Ja ?> (<?cs var:x.Name ?>, <?cs var:x.Code ?>)</option><?cs /each ?></select></label>
<label>種別 <select name="kind"><option value="all">すべて (all)</option><?cs each:k = Desk.Kind ?><option value="<?cs var:k ?>"><?cs var:k ?></option><?cs /each ?></select></label>
<label>確認: 機関コードをもう一度 <span class="en">Confirm: the code again</span> <input name="confirm" required autocomplete="off"></label>
<button type="submit">一括失効 <span class="en">Revoke</span></button></form>

<h2>OU許可リスト <span class="en">OU allow lists</span></h2>
<table id="allowlists">
<tr><th>機関コード</th><th>ドメイン</th><th>OU</th><th>OU追加 <span class="en">Add an OU</span></th></tr>
<?cs each:d = Desk.Dom ?>
<tr class="domain"><td><?cs var:d.Code ?></td><td><?cs var:d.Name ?></td>
<td><?cs each:o = d.Ou ?><form method="post" action="desk.cgi" class="ou"><input type="hidden" name="step" value="ou-remove"><input type="hidden" name="domain" value="<?cs var:d.Name ?>"><input type="hidden" name="ou" value="<?cs var:o ?>"><span class="ou"><?cs var:o ?></span> <button type="submit">削除</button></form><?cs /each ?></td>
<td><form method="post" action="desk.cgi"><input type="hidden" name="step" value="ou"><input type="hidden" name="domain" value="<?cs var:d.Name ?>"><input name="ou" required> <button type="submit">追加</button></form></td></tr>
<?cs /each ?>
</table>

<h2>機関情報登録 <span class="en">Register an institution</span></h2>
<form method="post" action="desk.cgi"><input type="hidden" name="step" value="institution">
<label>コード <input name="code" required></label>
<label>機関名 <input name="name_ja" required></label>
<label>英語名 (O) <input name="name_en" required></label>
<label>ST <input name="st" required></label> <label>L <input name="l" required></label>
<label>利用開始 <input name="from" type="date" required></label> <label>利用終了 <input name="until" type="date" required></label>
<button type="submit">登録</button></form>

<h2>ドメイン・OU許可リスト <span class="en">Domains and the OU allow list</span></h2>
<form method="post" action="desk.cgi"><input type="hidden" name="step" value="domain">
<label>機関コード <input name="institution" required></label> <label>ドメイン <input name="domain" required></label>
<button type="submit">ドメイン登録</button></form>
<form method="post" action="desk.cgi"><input type="hidden" name="step" value="ou">
<label>ドメイン <input name="domain" required></label> <label>OU <input name="ou" required></label>
<button type="submit">OU登録</button></form>

<h2>登録担当者登録 <span class="en">Register an RA officer</span></h2>
<form method="post" action="desk.cgi"><input type="hidden" name="step" value="officer">
<label>機関コード <input name="institution" required></label>
<label>氏名 <input name="name_ja" required></label> <label>氏名(英字) <input name="romaji" required></label>
<label>メールアドレス <input name="mail" type="email" required></label> <label>電話番号 <input name="phone" required></label>
<label>ドメイン (カンマ区切り) <input name="domains" required></label>
<label>インターフェース (例 1,2,10) <input name="interfaces" required></label>
<button type="submit">登録（証明書取得URLをメール送信）</button></form>

<h2>登録担当者 <span class="en">RA officers</span></h2>
<p>利用停止・登録抹消・紛失は、その登録担当者のログインを直ちに終了し、有効な登録担当者用証明書をすべて失効します（理由: 利用停止 privilegeWithdrawn、抹消 affiliationChanged、紛失 keyCompromise）。紛失・利用再開では新しい証明書取得URLをメールで送ります。アクセスPINは本人確認後に発行してください。
<span class="en">Suspending, retiring or a lost certificate ends the officer's sessions at once and revokes every live RA certificate of theirs. Lost and resume mail a new retrieval URL; issue the access PIN after the identity check.</span></p>
<table id="officers">
<tr><th>番号</th><th>機関</th><th>氏名</th><th>メール / 電話</th><th>状態</th><th>ドメイン</th><th>インターフェース</th><th>有効な登録担当者用証明書 <span class="en">live RA certificates</span></th><th>証明書取得URL <span class="en">live URLs</span></th><th>操作 <span class="en">Actions</span></th></tr>
<?cs each:o = Desk.Off ?>
<tr id="officer-<?cs var:o.Id ?>"><td><?cs var:o.Id ?></td><td><?cs var:o.Code ?></td><td><?cs var:o.NameJa ?> (<?cs var:o.Romaji ?>)</td><td><?cs var:o.Mail ?><br><?cs var:o.Phone ?></td><td class="status"><?cs var:o.Status ?></td><td><?cs var:o.Domains ?></td><td><?cs var:o.Interfaces ?></td><td class="certs"><?cs var:o.Certs ?></td><td><?cs var:o.Urls ?></td>
<td><?cs if:o.Status != "retired" ?><form method="post" action="desk.cgi" class="officer-actions"><input type="hidden" name="officer" value="<?cs var:o.Id ?>">
<?cs if:o.Status == "active" ?><button type="submit" name="step" value="pin">アクセスPIN発行</button> <button type="submit" name="step" value="reissue">証明書取得URL再発行</button> <button type="submit" name="step" value="renew-reissue">更新URL再発行 <span class="en">Renewal URL again</span></button> <button type="submit" name="step" value="officer-lost">紛失 <span class="en">Lost</span></button> <button type="submit" name="step" value="officer-suspend">利用停止 <span class="en">Suspend</span></button><?cs /if ?>
<?cs if:o.Status == "suspended" ?><button type="submit" name="step" value="officer-resume">利用再開 <span class="en">Resume</span></button><?cs /if ?>
<button type="submit" name="step" value="officer-retire">登録抹消 <span class="en">Retire</span></button></form><?cs /if ?></td></tr>
<?cs /each ?>
</table>

<h3>登録担当者情報変更 <span class="en">Change an officer</span></h3>
<p>入力した項目だけを変更します。ドメインとインターフェースは入力した一覧で置き換えます。<span class="en">Only the fields filled in change; domains and interfaces are replaced by the lists given.</span></p>
<form method="post" action="desk.cgi"><input type="hidden" name="step" value="officer-update">
<label>登録担当者番号 <input name="officer" required></label>
<label>氏名 <input name="name_ja"></label> <label>氏名(英字) <input name="romaji"></label>
<label>メールアドレス <input name="mail" type="email"></label> <label>電話番号 <input name="phone"></label>
<label>ドメイン (カンマ区切り) <input name="domains"></label>
<label>インターフェース (例 1,2,10) <input name="interfaces"></label>
<button type="submit">変更 <span class="en">Change</span></button></form>

<h2>アクセスPIN <span class="en">Access PIN</span></h2>
<p>本人確認を行ってから発行してください。PINはこの画面に一度だけ表示されます。</p>
<form method="post" action="desk.cgi"><input type="hidden" name="step" value="pin">
<label>登録担当者番号 <input name="officer" required></label> <button type="submit">アクセスPIN発行</button></form>
<form method="post" action="desk.cgi"><input type="hidden" name="step" value="reset">
<label>登録担当者番号 <input name="officer" required></label> <button type="submit">ロック解除</button></form>
<form method="post" action="desk.cgi"><input type="hidden" name="step" value="reissue">
<label>登録担当者番号 <input name="officer" required></label> <button type="submit">証明書取得URL再発行（期限切れ・未取得） <span class="en">Retrieval URL again (expired or never fetched)</span></button></form>
<h2>窓口担当者 <span class="en">Desk operators</span></h2>
<table id="operators">
<tr><th>氏名</th><th>証明書 SHA-256 <span class="en">fingerprint</span></th><th>シェルのログイン名</th><th>状態</th><th>登録</th><th>退任</th><th></th></tr>
<?cs each:o = Desk.Op ?>
<tr><td><?cs var:o.Name ?></td><td><code><?cs var:o.Sha256 ?></code></td><td><?cs var:o.Unix ?></td><td><?cs var:o.Status ?></td><td><?cs var:o.Created ?></td><td><?cs var:o.Retired ?></td>
<td><?cs if:o.Status == "active" && o.Sha256 != Desk.OperatorSha256 ?><form method="post" action="desk.cgi"><input type="hidden" name="step" value="operator-retire"><input type="hidden" name="fingerprint" value="<?cs var:o.Sha256 ?>"><button type="submit">退任 <span class="en">Retire</span></button></form><?cs /if ?></td></tr>
<?cs /each ?>
</table>
<form method="post" action="desk.cgi"><input type="hidden" name="step" value="operator-add">
<label>氏名 <span class="en">Name</span> <input name="name_ja" required></label>
<label>クライアント証明書 (PEM, ra が発行したもの) <span class="en">Client certificate issued by ra (PEM)</span><br><textarea name="cert_pem" rows="6" cols="66" required></textarea></label>
<button type="submit">窓口担当者登録 <span class="en">Register</span></button></form>
<?cs include:"footer.cs" ?>
