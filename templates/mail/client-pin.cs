[UPKI] アクセスPIN発行通知
<?cs include:"mail/frame-banner-ja.cs" ?>
<?cs var:Mail.NameJa ?>様

<?cs include:"mail/frame-greeting-ja.cs" ?>
所属機関の登録担当者経由で申請された証明書のアクセスPINを配付します。
本日から１ヶ月以内に以下のアクセスPIN取得URLへアクセスし、アクセスPINの取得を行ってください。
<?cs var:Mail.URL ?> 
（有効期限：<?cs var:Mail.Expires ?> 日本時間）

●アクセスPIN取得URLは大切な情報です。第三者に知られないよう取り扱いにはご注意ください。
　アクセスPIN取得URLは、アクセスPIN取得に成功した時点で自動的にアクセスできなくなります。
●取得したアクセスPINは、証明書取得URLを受け取った利用者に、メールとは別の方法でお渡しください。

<?cs include:"mail/frame-closing-ja.cs" ?>