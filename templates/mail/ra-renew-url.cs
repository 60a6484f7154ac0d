登録担当者用証明書更新のご案内
**********************************************************************
  本メールは「UPKI電子証明書発行サービス 電子証明書自動発行支援システム」
  より自動送信されています。
**********************************************************************

<?cs var:Mail.InstitutionJa ?>
<?cs var:Mail.NameJa ?> 様

<?cs if:Mail.Why == "o-changed" ?>機関の英語名（証明書の O）が変更されました。ご利用中の登録担当者用証明書は
変更前の英語名を記載しているため、更新が必要です。<?cs else ?>ご利用中の登録担当者用証明書の有効期限（<?cs var:Mail.NotAfter ?>）が近づいています。<?cs /if ?>
次の証明書取得URLへ、現在ご利用中の登録担当者用証明書を選択してアクセスし、
新しい証明書を取得してください。

証明書取得URL：<?cs var:Mail.URL ?>

 証明書取得URLの有効期限：<?cs var:Mail.Expires ?>（日本時間）

新しい証明書を取得したら、ブラウザにインポートし、新しい証明書でログインしてください。
現在ご利用中の登録担当者用証明書は、新しい証明書で初めてログインした時点で失効します
（失効理由：証明書の置き換え）。新しい証明書でログインしない場合も、新しい証明書の
発行から<?cs var:Mail.GraceDays ?>日後に失効します。

--
<?cs if:Mail.Why == "o-changed" ?>Your institution's English name (the O of certificates) has changed, and
your RA-officer certificate still names the old one: it must be renewed.
<?cs /if ?>Your RA-officer certificate expires on <?cs var:Mail.NotAfter ?>.  Open the
URL above with your current RA-officer certificate to get a new one, import
it and log in with it.  Your current certificate is revoked (superseded) when
the new one first logs in, or <?cs var:Mail.GraceDays ?> days after the new one is issued,
whichever comes first.
