[UPKI] 証明書一括失効通知 / [UPKI] bulk certificate revocation notice
English follows Japanese.

<?cs include:"mail/frame-banner-ja.cs" ?>
<?cs var:Mail.NameJa ?>様

<?cs include:"mail/frame-greeting-ja.cs" ?>
<?cs var:Mail.InstitutionJa ?>の<?cs var:Mail.StatusJa ?>に伴い、サービス窓口が
以下の証明書 <?cs var:Mail.Count ?> 件を一括して失効しました。

【失効理由】
　<?cs var:Mail.ReasonJa ?> (<?cs var:Mail.ReasonEn ?>)

【失効証明書（種別 シリアル番号 DN）】
<?cs var:Mail.List ?>
<?cs if:Mail.More != "0" ?>　ほか <?cs var:Mail.More ?> 件（全証明書情報一括ダウンロードで確認できます）
<?cs /if ?>
<?cs include:"mail/frame-closing-ja.cs" ?>
<?cs include:"mail/frame-separator-en.cs" ?><?cs include:"mail/frame-banner-en.cs" ?>
<?cs include:"mail/frame-greeting-en.cs" ?>
As <?cs var:Mail.InstitutionEn ?> is <?cs var:Mail.Status ?>, the service desk
has revoked the <?cs var:Mail.Count ?> certificate(s) listed above (kind, serial
number, DN).

【reason for revocation】
　<?cs var:Mail.ReasonEn ?>
<?cs if:Mail.More != "0" ?>
<?cs var:Mail.More ?> more are not listed: see the download of all certificate information.
<?cs /if ?>
<?cs include:"mail/frame-closing-en.cs" ?>
