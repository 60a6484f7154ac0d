<?cs if:Mail.Action == "suspended" ?>登録担当者利用停止通知<?cs elif:Mail.Action == "retired" ?>登録担当者登録抹消通知<?cs else ?>登録担当者用証明書失効通知（紛失）<?cs /if ?>
<?cs include:"mail/frame-banner-ja.cs" ?>
<?cs var:Mail.InstitutionJa ?>
<?cs var:Mail.NameJa ?> 様

<?cs if:Mail.Action == "suspended" ?>サービス窓口は、あなたの登録担当者としての利用を停止しました。
利用停止の間はログインできません。<?cs elif:Mail.Action == "retired" ?>サービス窓口は、あなたの登録担当者としての登録を抹消しました。
今後、登録担当者としてログインすることはできません。<?cs else ?>登録担当者用証明書の紛失のお届けを受け付けました。
新しい証明書の取得URLは別のメールでお送りします。アクセスPINはサービス窓口から
本人確認のうえお知らせします。<?cs /if ?>
ログイン中の操作はすべて終了しました。

【失効した登録担当者用証明書のシリアル番号】
<?cs if:Mail.Serials ?><?cs var:Mail.Serials ?><?cs else ?>（なし）<?cs /if ?>
失効理由：<?cs if:Mail.Action == "suspended" ?>privilegeWithdrawn (9)<?cs elif:Mail.Action == "retired" ?>affiliationChanged (3)<?cs else ?>keyCompromise (1)<?cs /if ?>

お心当たりのない場合は、サービス窓口へご連絡ください。
<?cs include:"mail/frame-closing-ja.cs" ?>
--
<?cs if:Mail.Action == "suspended" ?>The service desk suspended you as an RA officer: no logins until resumed.<?cs elif:Mail.Action == "retired" ?>The service desk retired you as an RA officer: no more logins.<?cs else ?>Your RA certificate was reported lost and is revoked; a new retrieval URL follows in another mail.<?cs /if ?>
Your sessions are ended; RA certificates revoked: <?cs if:Mail.Serials ?><?cs var:Mail.Serials ?><?cs else ?>none<?cs /if ?>.
