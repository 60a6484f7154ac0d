[UPKI] クライアント証明書更新通知
<?cs include:"mail/frame-banner-ja.cs" ?>
<?cs var:Mail.NameJa ?>様

<?cs include:"mail/frame-greeting-ja.cs" ?>
所属機関の登録担当者経由で申請されたクライアント証明書の更新を受け付け、新しい証明書を発行しました。
旧証明書は自動では失効しません。新しい証明書の取得後、旧証明書を失効してください。

【対象証明書DN】
<?cs var:Mail.DNBlock ?>

【新証明書シリアル番号】
　<?cs var:Mail.Serial ?>

【旧証明書のシリアル番号】
　<?cs var:Mail.OldSerial ?>

<?cs include:"mail/frame-closing-ja.cs" ?>