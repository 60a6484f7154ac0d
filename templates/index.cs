<?cs include:"header.cs" ?>
<h1>電子証明書自動発行支援システム <span class="en">Certificate issuance support system</span></h1>

<?cs if:Client.Subject ?>
<h2>提示された証明書 <span class="en">Certificate presented</span></h2>
<table>
<tr><th>主体者DN <span class="en">Subject</span></th><td id="client-subject"><?cs var:Client.Subject ?></td></tr>
<tr><th>発行者 <span class="en">Issuer</span></th><td id="client-issuer"><?cs var:Client.Issuer ?></td></tr>
<tr><th>シリアル番号 <span class="en">Serial</span></th><td id="client-serial"><?cs var:Client.Serial ?></td></tr>
</table>
<?cs /if ?>

<p><a href="lra/login.cgi" id="login">登録担当者ログイン</a> <span class="en">RA officer login (with your RA-officer certificate)</span></p>

<h2>参加機関 <span class="en">Participating institutions</span></h2>
<?cs if:subcount(Institutions) ?>
<table id="institutions">
<tr><th>機関名</th><th class="en">Institution</th></tr>
<?cs each:i = Institutions ?>
<tr><td><?cs var:i.NameJa ?></td><td><?cs var:i.NameEn ?></td></tr>
<?cs /each ?>
</table>
<?cs else ?>
<p>登録されている機関はありません。<span class="en">No institution is registered yet.</span></p>
<?cs /if ?>

<h2>システム状態 <span class="en">System status</span></h2>
<table>
<tr><th>現在時刻 <span class="en">Database time</span></th><td id="db-time"><?cs var:Status.Now ?></td></tr>
<tr><th>スキーマ版数 <span class="en">Schema version</span></th><td id="schema-version"><?cs var:Status.Schema ?></td></tr>
</table>
<?cs include:"footer.cs" ?>
