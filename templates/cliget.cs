<?cs set:Page.Title = "クライアント証明書取得" ?>
<?cs include:"header.cs" ?>
<h1>クライアント証明書取得 <span class="en">Client certificate</span></h1>
<?cs if:Get.NameJa ?><p><?cs var:Get.InstitutionJa ?> <?cs var:Get.NameJa ?> 様</p><?cs /if ?>
<?cs def:formats() ?>
<p><label><input type="radio" name="format" value="modern" checked> 標準 (AES-256) <span class="en">standard</span></label>
<label><input type="radio" name="format" value="legacy"> 旧環境向け (3DES: 古いWindows・macOS・Java・Android) <span class="en">older systems</span></label></p>
<?cs /def ?>

<?cs if:Get.Step == "pin" || Get.Step == "badpin" ?>
<h2>【STEP1】アクセスPIN入力 <span class="en">Access PIN</span></h2>
<?cs if:Get.Step == "badpin" ?>
<p class="note" id="error">アクセスPINが正しくありません。あと <?cs var:Get.Left ?> 回誤るとこのURLはロックされます。<br>
<span class="en">Wrong access PIN. <?cs var:Get.Left ?> more and this URL is locked.</span></p>
<?cs /if ?>
<p>利用管理者から受け取ったアクセスPINを入力してください。<br>
<span class="en">Enter the access PIN your user administrator gave you.</span></p>
<form method="post" action="cliget.cgi">
<input type="hidden" name="t" value="<?cs var:Get.Token ?>">
<input type="hidden" name="step" value="pin">
<label>アクセスPIN(半角英数字) <span class="en">Access PIN</span>
<input type="password" name="pin" autocomplete="off" required maxlength="128"></label>
<?cs if:Get.Method != 3 ?>
<p>PKCS#12ファイルのパスワードは、このアクセスPINです。<br>
<span class="en">The PKCS#12 file's password is this access PIN.</span></p>
<?cs call:formats() ?>
<button type="submit" id="download">ダウンロード</button>
<?cs else ?>
<button type="submit" id="next">次へ</button>
<?cs /if ?>
</form>

<?cs elif:Get.Step == "issue" ?>
<h2>【STEP2】証明書発行 <span class="en">Issue</span></h2>
<p>アクセスPINの認証に成功しました。</p>
<p class="note" id="note-pass">PKCS#12ファイルのパスワードは、いま入力したアクセスPINです。アクセスPINを控えてから[発行]を押してください。<br>
<span class="en">The PKCS#12 file's password is the access PIN you just entered: keep it before you press 発行.</span></p>
<p class="note">[発行]は1回のみ押してください。押したあとは【STEP3】画面が表示されるまでお待ちください（最大30秒程度）。
もう一度押したり戻ったりしても、証明書は一つだけ発行されます。<br>
<span class="en">Press 発行 once and wait for STEP3; pressing again issues nothing more.</span></p>
<form method="post" action="cliget.cgi">
<input type="hidden" name="t" value="<?cs var:Get.Token ?>">
<input type="hidden" name="s" value="<?cs var:Get.Nonce ?>">
<input type="hidden" name="step" value="issue">
<input type="hidden" name="pin" value="<?cs var:Get.Pin ?>">
<button type="submit" id="issue">発行</button>
</form>

<?cs elif:Get.Step == "done" || Get.Step == "notyet" ?>
<h2>【STEP3】証明書ダウンロード <span class="en">Download</span></h2>
<?cs if:Get.Step == "notyet" ?>
<p class="note" id="state">まだダウンロードできません（発行処理中、またはダウンロード済み）。しばらくしてからもう一度押してください。<br>
<span class="en">Not available yet (still being issued, or already downloaded). Try again in a moment.</span></p>
<?cs elif:Get.Issued == "1" ?><p id="state">証明書の発行が完了しました。</p>
<?cs else ?><p id="state">証明書を発行しています。しばらくしてからダウンロードしてください。</p><?cs /if ?>
<p>PKCS#12ファイルのパスワードはアクセスPINです。<span class="en">The password is the access PIN.</span></p>
<form method="post" action="cliget.cgi">
<input type="hidden" name="t" value="<?cs var:Get.Token ?>">
<input type="hidden" name="s" value="<?cs var:Get.Nonce ?>">
<input type="hidden" name="step" value="<?cs if:Get.Method == 3 ?>download<?cs else ?>pin<?cs /if ?>">
<input type="hidden" name="pin" value="<?cs var:Get.Pin ?>">
<?cs call:formats() ?>
<button type="submit" id="download">ダウンロード</button>
</form>

<?cs elif:Get.Step == "bulk" ?>
<h2>P12一括ダウンロード <span class="en">All PKCS#12 files</span></h2>
<p>利用者全員分のPKCS#12ファイルとclient.txtをZIPファイルでダウンロードします。各PKCS#12ファイルのパスワードは、アクセスPIN取得URLで取得したその利用者のアクセスPINです。<br>
<span class="en">One ZIP with client.txt and every user's PKCS#12 file, each protected by that user's access PIN.</span></p>
<form method="post" action="cliget.cgi">
<input type="hidden" name="t" value="<?cs var:Get.Token ?>">
<input type="hidden" name="step" value="bulk">
<?cs call:formats() ?>
<button type="submit" id="download">ダウンロード</button>
</form>

<?cs elif:Get.Step == "locked" ?>
<p class="note" id="error">アクセスPINの誤りが規定回数を超えたため、この証明書取得URLはロックされています。登録担当者へご連絡ください。<br>
<span class="en">Too many wrong PINs: this URL is locked. Contact your RA officer.</span></p>
<?cs elif:Get.Step == "nopin" ?>
<p class="note" id="error">アクセスPINがまだ取得されていません。利用管理者がアクセスPINを取得した後にアクセスしてください。<br>
<span class="en">The access PIN has not been fetched yet: open this URL after your user administrator has fetched it.</span></p>
<?cs elif:Get.Step == "stale" ?>
<p class="note" id="error">画面の有効期限が切れたか、正しくない操作です。証明書取得URLから操作をやり直してください。<br>
<span class="en">This page expired or the request was not valid. Start again from the URL in the mail.</span></p>
<?cs elif:Get.Step == "used" ?>
<p class="note" id="error">この証明書取得URLはすでに使用されています。再度取得が必要な場合は登録担当者へご連絡ください。<br>
<span class="en">This URL was used already. Contact your RA officer to download again.</span></p>
<?cs else ?>
<p class="note" id="error">この証明書取得URLは無効です（誤り、または有効期限切れ）。登録担当者へご連絡ください。<br>
<span class="en">This URL is not valid (wrong or expired). Contact your RA officer.</span></p>
<?cs /if ?>
<?cs include:"footer.cs" ?>
