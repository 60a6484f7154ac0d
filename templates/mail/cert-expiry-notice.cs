[UPKI] <?cs var:Mail.KindJa ?>の有効期限のお知らせ（<?cs var:Mail.Days ?>日前）
**********************************************************************
  本メールは「UPKI電子証明書発行サービス 電子証明書自動発行支援システム」
  より自動送信されています。
**********************************************************************

<?cs var:Mail.NameJa ?> 様

利用管理者としてご登録の<?cs var:Mail.KindJa ?>の有効期限が<?cs var:Mail.Days ?>日以内に迫っています。
引き続き利用される場合は、所属機関の登録担当者に更新を依頼してください。
更新された証明書について、このお知らせは届きません。

【対象証明書DN】
<?cs var:Mail.DNBlock ?>

【対象証明書シリアル番号】
　<?cs var:Mail.Serial ?>

【有効期限】
　<?cs var:Mail.NotAfter ?>（日本時間）

ご不明な点は学内の電子証明書発行部局へお問い合わせください。
(English: the certificate above expires within <?cs var:Mail.Days ?> days;
ask your RA officer to renew it.)
