<?cs set:Page.Title = "アクセスPIN取得" ?>
<?cs include:"header.cs" ?>
<h1>アクセスPIN取得 <span class="en">Access PINs</span></h1>
<?cs if:Pin.NameJa ?><p><?cs var:Pin.InstitutionJa ?> <?cs var:Pin.NameJa ?> 様</p><?cs /if ?>
<?cs if:Pin.Step == "ready" ?>
<p>証明書取得URLに必要なアクセスPINを<?cs if:Pin.Bulk == 1 ?>（P12一括）<?cs /if ?>ZIPファイルでダウンロードします。
このURLはダウンロードに成功すると使用できなくなります。アクセスPINは、証明書取得URLの利用者にメールとは別の方法でお渡しください。<br>
<span class="en">Download the access PINs (a ZIP file). This URL works once. Hand each PIN to its user by another way than mail.</span></p>
<form method="post" action="pinget.cgi">
<input type="hidden" name="t" value="<?cs var:Pin.Token ?>">
<button type="submit" id="download">ダウンロード</button>
</form>
<?cs elif:Pin.Step == "used" ?>
<p class="note" id="error">このアクセスPIN取得URLはすでに使用されています。<br>
<span class="en">This access-PIN URL was used already.</span></p>
<?cs else ?>
<p class="note" id="error">このアクセスPIN取得URLは無効です（誤り、または有効期限切れ）。登録担当者へご連絡ください。<br>
<span class="en">This URL is not valid (wrong or expired). Contact your RA officer.</span></p>
<?cs /if ?>
<?cs include:"footer.cs" ?>
