登録担当者用証明書発行受付通知
**********************************************************************
  本メールは「UPKI電子証明書発行サービス 電子証明書自動発行支援システム」
  より自動送信されています。
**********************************************************************

<?cs var:Mail.InstitutionJa ?>
<?cs var:Mail.NameJa ?> 様

<?cs if:Mail.Why == "lost" ?>登録担当者用証明書の紛失のお届けを受け、その証明書を失効しました。
新しい登録担当者用証明書の取得方法をご案内します。<?cs elif:Mail.Why == "resumed" ?>登録担当者の利用停止を解除しました。利用停止の際に失効した証明書に代わる
新しい登録担当者用証明書の取得方法をご案内します。<?cs else ?>登録担当者として登録されましたので、登録担当者用証明書の取得方法をご案内します。<?cs /if ?>
本メールは登録担当者用証明書の取得が完了するまで大切に保管してください。

【登録担当者用証明書取得方法】
1) 証明書取得URLに必要なアクセスPINの取得
 本メール受領後、サービス窓口へご連絡ください。登録担当者ご本人であることを
 確認したうえで、アクセスPINをお送りします。

2) 登録担当者用証明書の取得
 次の証明書取得URLへアクセスし、アクセスPINを入力して登録担当者用証明書を
 取得してください。

証明書取得URL：<?cs var:Mail.URL ?>

 証明書取得URLの有効期限：<?cs var:Mail.Expires ?>（日本時間）
 このURLは本人専用です。他の方に知らせないでください。

--
This mail tells a newly registered RA officer (<?cs var:Mail.NameRomaji ?>)
where to fetch the RA-officer certificate; the access PIN comes from the
service desk after an identity check.
