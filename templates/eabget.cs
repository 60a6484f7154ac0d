<?cs set:Page.Title = "ACME外部アカウント情報（EAB）取得" ?>
<?cs include:"header.cs" ?>
<h1>ACME外部アカウント情報（EAB）取得 <span class="en">ACME external account binding</span></h1>
<?cs if:Eab.Invalid ?>
<p class="note" id="error">このURLは無効です。登録担当者へお問い合わせください。<br>
<span class="en">This URL is not valid. Ask your RA officer.</span></p>
<?cs elif:Eab.State != "shown" ?>
<p class="note" id="used"><?cs if:Eab.State == "used" ?>このURLは使用済みです。EABの鍵は一度だけ表示されます。<?cs elif:Eab.State == "closed" ?>このACME利用申請は廃止されています。<?cs else ?>このURLは有効期限が切れています。<?cs /if ?>
再発行は<?cs var:Eab.InstitutionJa ?>の登録担当者 <?cs var:Eab.OfficerName ?>（<?cs var:Eab.OfficerMail ?>）へお問い合わせください。<br>
<span class="en"><?cs if:Eab.State == "used" ?>This URL was used: the EAB key is shown once.<?cs elif:Eab.State == "closed" ?>This ACME application is closed.<?cs else ?>This URL has expired.<?cs /if ?>
Ask your RA officer, <?cs var:Eab.OfficerName ?> &lt;<?cs var:Eab.OfficerMail ?>&gt;.</span></p>
<?cs else ?>
<p class="note">この画面は一度だけ表示されます。EAB鍵ID とHMAC鍵を今すぐ控えてください。<br>
<span class="en">This page is shown once: write the key id and HMAC key down now.</span></p>
<table>
<tr><th>利用管理者 <span class="en">user administrator</span></th><td><?cs var:Eab.AdminName ?></td></tr>
<tr><th>FQDN</th><td id="fqdns"><?cs var:Eab.FQDNs ?></td></tr>
<tr><th>ACMEディレクトリURL <span class="en">directory</span></th><td><code id="directory"><?cs var:Eab.Directory ?></code></td></tr>
<tr><th>EAB鍵ID <span class="en">key id</span></th><td><code id="kid"><?cs var:Eab.Kid ?></code></td></tr>
<tr><th>HMAC鍵 <span class="en">HMAC key</span></th><td><code id="hmac"><?cs var:Eab.Hmac ?></code></td></tr>
</table>
<h2>certbot</h2>
<pre id="certbot">certbot certonly --server <?cs var:Eab.Directory ?> --eab-kid <?cs var:Eab.Kid ?> --eab-hmac-key <?cs var:Eab.Hmac ?> -d <?cs var:Eab.CN ?></pre>
<h2>lego</h2>
<pre id="lego">lego --server <?cs var:Eab.Directory ?> --eab --kid <?cs var:Eab.Kid ?> --hmac <?cs var:Eab.Hmac ?> --domains <?cs var:Eab.CN ?> --http run</pre>
<p>鍵IDとHMAC鍵はアカウント作成（最初の1回）にだけ使います。-d / --domains は申請したFQDNから選んでください。<br>
<span class="en">The key id and HMAC key serve once, to create the account; name any of the FQDNs above with -d / --domains.</span></p>
<?cs /if ?>
<?cs include:"footer.cs" ?>
