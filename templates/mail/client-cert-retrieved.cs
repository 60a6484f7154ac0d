[UPKI] クライアント証明書取得通知
<?cs include:"mail/frame-banner-ja.cs" ?>
<?cs var:Mail.NameJa ?>様
<?cs if:Mail.AdminName ?><?cs var:Mail.AdminName ?>様
<?cs /if ?>

<?cs include:"mail/frame-greeting-ja.cs" ?>
所属機関の利用者がクライアント証明書の取得を完了しました。

【対象証明書DN】
<?cs var:Mail.DNBlock ?>

【対象証明書シリアル番号】
　<?cs var:Mail.Serial ?>

●P12一括ダウンロードの場合は、先頭の一件のDNを表示しています。

<?cs include:"mail/frame-closing-ja.cs" ?>