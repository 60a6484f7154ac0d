[UPKI] クライアント証明書失効完了通知 / [UPKI] client certificate revocation completion notification
English follows Japanese.

<?cs include:"mail/frame-banner-ja.cs" ?>
<?cs var:Mail.NameJa ?>様
<?cs if:Mail.AdminName ?><?cs var:Mail.AdminName ?>様
<?cs /if ?><?cs if:Mail.UserName ?><?cs var:Mail.UserName ?>様
<?cs /if ?>

<?cs include:"mail/frame-greeting-ja.cs" ?>
以下のクライアント証明書を失効しました。

【失効証明書DN】
<?cs var:Mail.DNBlock ?>

【失効証明書シリアル番号】
　<?cs var:Mail.Serial ?>

【失効理由】
　<?cs var:Mail.ReasonJa ?>

<?cs include:"mail/frame-closing-ja.cs" ?>
<?cs include:"mail/frame-separator-en.cs" ?><?cs include:"mail/frame-banner-en.cs" ?>
<?cs include:"mail/frame-greeting-en.cs" ?>
The following client certificate has been revoked.

【revoked certificate DN】
<?cs var:Mail.DNBlock ?>

【revoked certificate serial number】
　<?cs var:Mail.Serial ?>

【reason for revocation】
　<?cs var:Mail.ReasonEn ?>

<?cs include:"mail/frame-closing-en.cs" ?>