[UPKI] ACME利用情報発行通知 / [UPKI] ACME external account binding notice
English follows Japanese.

<?cs include:"mail/frame-banner-ja.cs" ?>
<?cs var:Mail.NameJa ?> 様

<?cs include:"mail/frame-greeting-ja.cs" ?>
所属機関の登録担当者経由で申請されたACME利用情報（EAB）を発行しました。
<?cs if:Mail.Reissued == 1 ?>登録担当者がEABとEAB取得URLを再発行しました。以前のURLと鍵は使えません。
<?cs /if ?>次のEAB取得URLから、<?cs var:Mail.Expires ?>（日本時間）までにEAB鍵IDとHMAC鍵を取得してください。

EAB取得URL：<?cs var:Mail.URL ?>

【申請番号】
　<?cs var:Mail.Application ?>

【対象FQDN】
　<?cs var:Mail.FQDNs ?>

【利用方法】
1) EAB取得URLへアクセスすると、ACMEディレクトリURL、EAB鍵ID、HMAC鍵が表示
   されます。表示は一度だけです。すぐに控えてください。
2) ACMEクライアントでアカウントを作成し、証明書を取得します。例：
   certbot certonly --server ディレクトリURL --eab-kid 鍵ID --eab-hmac-key HMAC鍵 -d <?cs var:Mail.CN ?>
   lego --server ディレクトリURL --eab --kid 鍵ID --hmac HMAC鍵 --domains <?cs var:Mail.CN ?> --http run
   （取得画面に、値を埋めたコマンド例があります。）
●EAB取得URLは大切な情報です。第三者に知られないよう取り扱いにはご注意ください。
　取得済みの場合や有効期限切れの場合は、登録担当者へご連絡ください。

<?cs include:"mail/frame-closing-ja.cs" ?>
<?cs include:"mail/frame-separator-en.cs" ?><?cs include:"mail/frame-banner-en.cs" ?>
Dear <?cs var:Mail.NameJa ?>,

<?cs include:"mail/frame-greeting-en.cs" ?>
The ACME external account binding (EAB) applied for via the RA officer of your
institution is ready. Please fetch the EAB key id and HMAC key from the EAB
URL by <?cs var:Mail.Expires ?> JST.
<?cs if:Mail.Reissued == 1 ?>Your RA officer issued them anew: the earlier URL and key no longer work.
<?cs /if ?>
EAB URL: <?cs var:Mail.URL ?>

[Application] <?cs var:Mail.Application ?>
[FQDNs] <?cs var:Mail.FQDNs ?>

[How to use it]
1) The EAB URL shows the ACME directory URL, the EAB key id and the HMAC key,
   once only: write them down at once.
2) Create the account and get certificates with an ACME client, for example:
   certbot certonly --server DIRECTORY --eab-kid KEY_ID --eab-hmac-key HMAC_KEY -d <?cs var:Mail.CN ?>
   lego --server DIRECTORY --eab --kid KEY_ID --hmac HMAC_KEY --domains <?cs var:Mail.CN ?> --http run
   (The page shows them with the values filled in.)
* The EAB URL is sensitive information. If it was used or has expired,
  contact your RA officer.

<?cs include:"mail/frame-closing-en.cs" ?>
