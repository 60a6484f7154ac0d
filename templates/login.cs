<?cs set:Page.Title = "クライアント認証の失敗" ?>
<?cs include:"header.cs" ?>
<h1>クライアント認証の失敗 <span class="en">Client authentication failed</span></h1>
<?cs if:Login.Why == "other" ?>
<p class="note" id="login-error">選択された証明書は登録担当者用証明書ではありません（個人認証用証明書など）。<br>
一旦ブラウザを閉じて開き直し、登録担当者用証明書（サブジェクトに「<?cs var:Login.Marker ?>」を含むもの）を選択してください。<br>
<span class="en">The certificate you chose is not an RA-officer certificate (a personal one?). Close the browser, open it again and choose your RA-officer certificate (its subject has <?cs var:Login.Marker ?>).</span></p>
<?cs elif:Login.Why == "usage" ?>
<p class="note" id="login-error">215: 機関状態が無効なため申請できません。機関の利用期間が終了しています。利用期間の延長はサービス窓口へ依頼してください。<br>
<span class="en">215: the institution's usage period has ended, so nothing can be requested or read. Ask the service desk to extend it.</span></p>
<?cs else ?>
<p class="note" id="login-error">登録担当者用証明書が失効されているか、証明書が無効です。選択した登録担当者用証明書が適切な証明書か再度確認してください。<br>
それでも問題が解決しない場合、サービス窓口へ登録担当者用証明書の再発行を依頼してください。<br>
<span class="en">Your RA-officer certificate is revoked or not valid, or your session ended. Check the certificate you chose; if that does not help, ask the service desk for a new one.</span></p>
<?cs /if ?>
<?cs include:"footer.cs" ?>
