[UPKI] 有効期限の近い証明書の一覧（<?cs var:Mail.Days ?>日以内）
**********************************************************************
  本メールは「UPKI電子証明書発行サービス 電子証明書自動発行支援システム」
  より自動送信されています。
**********************************************************************

<?cs var:Mail.NameJa ?> 様

登録担当者として担当される証明書のうち、<?cs var:Mail.Days ?>日以内に有効期限を迎え、
まだ更新されていないものが<?cs var:Mail.Count ?>件あります。添付のTSV（Shift_JIS）を
ご確認のうえ、必要な更新を申請してください。
サーバ証明書は担当ドメイン配下のもの、クライアント・S/MIME・コード署名用証明書は
所属機関のものです。このお知らせは週に一度お送りします。

【添付ファイル】
　<?cs var:Mail.AttachName ?>
　（種別、主体者DN、シリアル番号、有効期限、残り日数、利用管理者氏名、
　　利用管理者メールアドレス）

(English: <?cs var:Mail.Count ?> certificate(s) of yours expire within
<?cs var:Mail.Days ?> days and are not renewed; the list is attached.)
