[UPKI] クライアント証明書発行受付通知 / [UPKI] client certificate issue acceptance notice
English follows Japanese.

<?cs include:"mail/frame-banner-ja.cs" ?>
<?cs var:Mail.NameJa ?>様

<?cs include:"mail/frame-greeting-ja.cs" ?>
所属機関の登録担当者経由で申請されたクライアント証明書を配付します。
本日から１ヶ月以内（日本時間 <?cs var:Mail.Expires ?>まで）に証明書取得URLから証明書を取得してください。

【A.P12個別ダウンロード（通常はこちら）】
1) 証明書取得URLに必要なアクセスPINの取得
　本メール受領後、利用管理者からアクセスPINが配付されるまでお待ちください。
2) クライアント証明書の取得
　以下の証明書取得URLへアクセスし、アクセスPINを入力すると証明書のダウンロードが始まります。
　PKCS#12ファイルのパスワードはアクセスPINです。
<?cs if:Mail.Bulk != "1" ?>証明書取得URL：<?cs var:Mail.URL ?> 
<?cs /if ?>●証明書取得URLは大切な情報です。第三者に知られないよう取り扱いにはご注意ください。
　証明書取得URLは、証明書の取得に成功した時点で自動的にアクセスできなくなります。
　再度取得が必要な場合は、登録担当者へご連絡ください。
◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆
【B.P12一括ダウンロード（利用管理者はこちら）】
　利用管理者の方は手順が異なります。アクセスPIN取得URLからアクセスPINを取得した後、
　以下の証明書取得URLから利用者全員分のPKCS#12ファイルをZIPファイルで取得してください。
<?cs if:Mail.Bulk == "1" ?>証明書取得URL：<?cs var:Mail.URL ?> 
<?cs /if ?>
<?cs include:"mail/frame-closing-ja.cs" ?>
<?cs include:"mail/frame-separator-en.cs" ?><?cs include:"mail/frame-banner-en.cs" ?>
Dear <?cs var:Mail.NameJa ?>,

<?cs include:"mail/frame-greeting-en.cs" ?>
The client certificate applied for via the RA officer of your institution is ready.
Please download it from the certificate acquisition URL within one month (by <?cs var:Mail.Expires ?> JST).

[A.P.12 individual download (Normally)]
1) Obtain the access PIN needed for the certificate acquisition URL
   Please wait until your usage manager hands you the access PIN.
2) Download the client certificate
   Open the certificate acquisition URL and enter the access PIN; the download starts.
   The password of the PKCS#12 file is the access PIN.
<?cs if:Mail.Bulk != "1" ?>certificate acquisition URL: <?cs var:Mail.URL ?> 
<?cs /if ?>* The certificate acquisition URL is sensitive information. It stops working once the
  certificate was downloaded; to download again, contact your RA officer.

[B.P12 batch download(for the usage manager)]
   Usage managers obtain the access PINs first, then all PKCS#12 files as one ZIP file here.
<?cs if:Mail.Bulk == "1" ?>certificate acquisition URL: <?cs var:Mail.URL ?> 
<?cs /if ?>
<?cs include:"mail/frame-closing-en.cs" ?>