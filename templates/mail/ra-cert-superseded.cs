[UPKI] 登録担当者用証明書失効完了通知 / [UPKI] RA-officer certificate revocation completion notification
English follows Japanese.

<?cs include:"mail/frame-banner-ja.cs" ?>
<?cs var:Mail.InstitutionJa ?>
<?cs var:Mail.NameJa ?>様

<?cs include:"mail/frame-greeting-ja.cs" ?>
登録担当者用証明書の更新にともない、以下の以前の登録担当者用証明書を失効しました。
<?cs if:Mail.By == "login" ?>新しい登録担当者用証明書（シリアル番号 <?cs var:Mail.NewSerial ?>）で初めてログインされたためです。
<?cs else ?>新しい登録担当者用証明書（シリアル番号 <?cs var:Mail.NewSerial ?>）の発行から<?cs var:Mail.GraceDays ?>日が経過したためです。
<?cs /if ?>今後は新しい登録担当者用証明書をご利用ください。

【失効証明書DN】
<?cs var:Mail.DNBlock ?>

【失効証明書シリアル番号】
　<?cs var:Mail.Serial ?>

【失効理由】
　<?cs var:Mail.ReasonJa ?>

【失効日時】
　<?cs var:Mail.RevokedAt ?>（日本時間）

<?cs include:"mail/frame-closing-ja.cs" ?>
<?cs include:"mail/frame-separator-en.cs" ?><?cs include:"mail/frame-banner-en.cs" ?>
<?cs include:"mail/frame-greeting-en.cs" ?>
Your RA-officer certificate has been renewed, so the earlier one below has
been revoked, <?cs if:Mail.By == "login" ?>as the new one (serial <?cs var:Mail.NewSerial ?>) has logged in for the
first time.<?cs else ?><?cs var:Mail.GraceDays ?> days after the new one (serial <?cs var:Mail.NewSerial ?>) was issued.<?cs /if ?>
Please use the new RA-officer certificate from now on.

【revoked certificate DN】
<?cs var:Mail.DNBlock ?>

【revoked certificate serial number】
　<?cs var:Mail.Serial ?>

【reason for revocation】
　<?cs var:Mail.ReasonEn ?>

【revocation time (JST)】
　<?cs var:Mail.RevokedAt ?>

<?cs include:"mail/frame-closing-en.cs" ?>
