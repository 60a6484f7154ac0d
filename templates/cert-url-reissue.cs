<h2 id="reissue-h">証明書取得URL再発行 <span class="en">A fresh retrieval URL for the user administrator</span></h2>
<?cs if:?Reissue.Done ?>
<?cs if:Reissue.Done == 1 ?>
<p id="reissue-result">シリアル番号 <?cs var:Reissue.Which ?>（<?cs var:Reissue.Subject ?>）の証明書取得URLを再発行し、利用管理者 <?cs var:Reissue.AdminName ?>（<?cs var:Reissue.AdminMail ?>）にメールで送りました。有効期限は <?cs var:Reissue.Expires ?> です。以前のURLは使えません。<br>
<span class="en">A new retrieval URL for certificate <?cs var:Reissue.Which ?> was mailed to the user administrator, <?cs var:Reissue.AdminMail ?>, valid until <?cs var:Reissue.Expires ?>; the old URL no longer works.</span></p>
<?cs else ?>
<p class="note" id="reissue-result"><?cs var:Reissue.Why ?></p>
<?cs /if ?>
<?cs /if ?>
<p>取得待ちの証明書（利用管理者がまだ取得していないもの）の証明書取得URLをなくした、または期限が切れたときに、新しいURLを同じ利用管理者に送ります。以前のURLはすぐに使えなくなります。<br>
<span class="en">For a certificate not yet retrieved whose URL was lost or expired: a new URL goes to the same user administrator, and the old one stops working at once.</span></p>
<form method="post" action="<?cs var:Upload.Screen ?>" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="<?cs var:Officer.Csrf ?>">
<label>シリアル番号（10進） <span class="en">serial number (decimal)</span>
<input type="text" name="reissue" required maxlength="49" pattern="[0-9]+" inputmode="numeric"></label>
<button type="submit" id="reissue">再発行</button>
</form>
