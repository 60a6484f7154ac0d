<?cs if:Get.Kind == "code_signing" ?><?cs set:Page.Title = "コード署名用証明書取得" ?><?cs else ?><?cs set:Page.Title = "サーバ証明書取得" ?><?cs /if ?>
<?cs include:"header.cs" ?>
<?cs if:Get.Kind == "code_signing" ?>
<h1>コード署名用証明書取得 <span class="en">Code-signing certificate</span></h1>
<?cs else ?>
<h1>サーバ証明書取得 <span class="en">Server certificate</span></h1>
<?cs /if ?>
<?cs if:Get.Invalid ?>
<p class="note" id="error">この証明書取得URLは無効です（誤り、有効期限切れ、または使用済み）。登録担当者へお問い合わせください。<br>
<span class="en">This URL is not valid (wrong, expired or used). Ask your RA officer.</span></p>
<?cs else ?>
<table>
<tr><th>主体者DN</th><td id="subject"><?cs var:Get.Subject ?></td></tr>
<tr><th>シリアル番号</th><td id="serial"><?cs var:Get.Serial ?></td></tr>
<tr><th>有効期限</th><td><?cs var:Get.NotAfter ?></td></tr>
</table>
<ul>
<li><a id="pem" href="certget.cgi?t=<?cs var:Get.Token ?>&amp;f=pem">証明書 (PEM)</a></li>
<li><a id="chain" href="certget.cgi?t=<?cs var:Get.Token ?>&amp;f=chain">証明書と中間CA証明書 (PEM)</a></li>
<li><a id="p7b" href="certget.cgi?t=<?cs var:Get.Token ?>&amp;f=p7b">PKCS#7 (DER)</a></li>
</ul>
<p>最初のダウンロードから1時間でこのURLは無効になります。<span class="en">The URL stops working an hour after the first download.</span></p>
<?cs /if ?>
<?cs include:"footer.cs" ?>
