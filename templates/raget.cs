<?cs set:Page.Title = "登録担当者用証明書取得" ?>
<?cs include:"header.cs" ?>
<h1>登録担当者用証明書取得 <span class="en">RA-officer certificate</span></h1>
<?cs if:Get.NameJa ?><p><?cs var:Get.InstitutionJa ?> <?cs var:Get.NameJa ?> 様</p><?cs /if ?>

<?cs if:Get.Step == "pin" || Get.Step == "badpin" ?>
<h2>【STEP1】アクセスPIN入力 <span class="en">Access PIN</span></h2>
<?cs if:Get.Step == "badpin" ?>
<p class="note" id="error">アクセスPINが正しくありません。あと <?cs var:Get.Left ?> 回誤るとこのURLはロックされます。<br>
<span class="en">Wrong access PIN. <?cs var:Get.Left ?> more and this URL is locked.</span></p>
<?cs /if ?>
<p>サービス窓口から受け取ったアクセスPINを入力してください。<br>
デジタル証明書の選択画面が表示された場合は、キャンセルしてください。</p>
<form method="post" action="raget.cgi">
<input type="hidden" name="t" value="<?cs var:Get.Token ?>">
<input type="hidden" name="step" value="pin">
<label>アクセスPIN(半角英数字) <span class="en">Access PIN</span>
<input type="password" name="pin" autocomplete="off" required maxlength="64"></label>
<button type="submit" id="next">次へ</button>
</form>

<?cs elif:Get.Step == "issue" || Get.Step == "renew" ?>
<h2>【STEP2】証明書発行 <span class="en">Issue</span></h2>
<?cs if:Get.Step == "renew" ?>
<p>クライアント認証に成功しました（登録担当者用証明書の更新）。</p>
<?cs else ?>
<p>アクセスPINの認証に成功しました。P12ファイル証明書PINを控えてから[発行]を押してください。</p>
<?cs /if ?>
<p class="note">P12ファイル証明書PIN：<strong id="p12pin"><?cs var:Get.Pass ?></strong><br>
「P12ファイル証明書PIN」は必ずお控えください。お控えいただかなかった場合、P12ファイルのインポートができなくなります。<br>
<span class="en">Write down this P12 password now, before you press 発行: it is needed to import the certificate.</span></p>
<p class="note">[発行]は1回のみ押してください。押したあとは、[発行]を複数回押したり、
[1つ戻る]を押したりしないでください。【STEP3】画面が表示されるまでお待ちください。<br>
<span class="en">Press 発行 once and wait for STEP3.</span></p>
<form method="post" action="raget.cgi">
<input type="hidden" name="t" value="<?cs var:Get.Token ?>">
<input type="hidden" name="s" value="<?cs var:Get.Nonce ?>">
<input type="hidden" name="step" value="issue">
<button type="submit" id="issue">発行</button>
</form>

<?cs elif:Get.Step == "done" || Get.Step == "again" || Get.Step == "notyet" ?>
<h2>【STEP3】証明書ダウンロード <span class="en">Download</span></h2>
<?cs if:Get.Step == "done" ?>
<p class="note">P12ファイル証明書PIN：<strong id="p12pin"><?cs var:Get.Pass ?></strong><br>
【発行】の前に表示したP12ファイル証明書PINです（この証明書取得URLでは、ダウンロードまで何度開いても同じです）。P12ファイルのインポートに必要です。<br>
<span class="en">The P12 password shown before 発行 (the same however often this URL is opened, until the download): it is needed to import the file.</span></p>
<?cs if:Get.Issued == "1" ?><p id="state">証明書の発行が完了しました。</p>
<?cs else ?><p id="state">証明書を発行しています。しばらくしてからダウンロードしてください。</p><?cs /if ?>
<?cs elif:Get.Step == "again" ?>
<p id="state">この証明書取得URLではすでに発行を受け付けています。【発行】の前に控えたP12ファイル証明書PINを入力してダウンロードしてください。<br>
<span class="en">Already issued for this URL: enter the P12 password you noted before 発行 to download.</span></p>
<?cs else ?>
<p class="note" id="state">まだダウンロードできません（発行処理中、ダウンロード済み、またはP12ファイル証明書PINの誤り）。<br>
<span class="en">Not available: still being issued, already downloaded, or a wrong P12 password.</span></p>
<?cs /if ?>
<form method="post" action="raget.cgi">
<input type="hidden" name="t" value="<?cs var:Get.Token ?>">
<input type="hidden" name="s" value="<?cs var:Get.Nonce ?>">
<input type="hidden" name="step" value="download">
<?cs if:Get.Step == "done" ?><input type="hidden" name="pass" value="<?cs var:Get.Pass ?>">
<?cs else ?><label>P12ファイル証明書PIN <input type="password" name="pass" autocomplete="off" required></label><?cs /if ?>
<p><label><input type="radio" name="format" value="modern" checked> 標準 (AES-256)</label>
<label><input type="radio" name="format" value="legacy"> 旧環境向け (3DES: 古いWindows・macOS・Java・Android)</label></p>
<button type="submit" id="download">ダウンロード</button>
</form>
<p>ダウンロードしたP12ファイルをブラウザにインポートしたあと、ブラウザを閉じてください。</p>

<?cs elif:Get.Step == "locked" ?>
<p class="note" id="error">アクセスPINの誤りが規定回数を超えたため、この証明書取得URLはロックされています。サービス窓口へご連絡ください。<br>
<span class="en">Too many wrong PINs: this URL is locked. Contact the service desk.</span></p>
<?cs elif:Get.Step == "nopin" ?>
<p class="note" id="error">アクセスPINはまだ発行されていません。サービス窓口へご連絡ください。<br>
<span class="en">No access PIN has been issued for this URL yet. Contact the service desk.</span></p>
<?cs elif:Get.Step == "renewcert" ?>
<p class="note" id="error">この証明書取得URLには、更新する登録担当者用証明書（現在ご利用中のもの）でアクセスしてください。<br>
<span class="en">Open this renewal URL with the RA-officer certificate it renews (the one you use now).</span></p>
<?cs elif:Get.Step == "stale" ?>
<p class="note" id="error">画面の有効期限が切れたか、正しくない操作です。証明書取得URLから操作をやり直してください。<br>
<span class="en">This page expired or the request was not valid. Start again from the URL in the mail.</span></p>
<?cs else ?>
<p class="note" id="error">この証明書取得URLは無効です（誤り、有効期限切れ、または使用済み）。サービス窓口へご連絡ください。<br>
<span class="en">This retrieval URL is not valid (wrong, expired or used). Contact the service desk.</span></p>
<?cs /if ?>
<?cs include:"footer.cs" ?>
