<!DOCTYPE html>
<html lang="ja">
<head><meta charset="utf-8"><title>アクセスPIN通知書 / Access PIN letter</title>
<style>body{font-family:serif;margin:3em;} .pin{font:bold 2em monospace;letter-spacing:.2em;border:1px solid #000;padding:.3em .6em;display:inline-block;}</style>
</head>
<body>
<h1>アクセスPIN通知書</h1>
<p><?cs var:Letter.InstitutionJa ?><br><?cs var:Letter.NameJa ?> 様 (<?cs var:Letter.NameRomaji ?>)</p>
<p>登録担当者用証明書の取得に必要なアクセスPINをお知らせします。<br>
メールでお知らせした証明書取得URLにアクセスし、次のアクセスPINを入力してください。</p>
<p class="pin"><?cs var:Letter.PIN ?></p>
<p>証明書取得URLの有効期限：<?cs var:Letter.Expires ?></p>
<p>このアクセスPINは本人専用です。第三者に知られないよう厳重に管理し、証明書の取得後は破棄してください。</p>
<hr>
<p lang="en">Your access PIN for the RA-officer certificate retrieval URL that was mailed to you.
Keep it secret; destroy this letter once you have the certificate.</p>
</body></html>
