<h2 id="reissue-h"><?cs call:t("cert_url_reissue.Heading") ?></h2>
<?cs if:?Reissue.Done ?>
<?cs if:Reissue.Done == 1 ?>
<p id="reissue-result"><?cs if:Lang == "en" ?><?cs call:e("cert_url_reissue.Done") ?><?cs else ?><?cs call:l("cert_url_reissue.Done") ?><br>
<span class="en" lang="en"><?cs call:e("cert_url_reissue.Done") ?></span><?cs /if ?></p>
<?cs else ?>
<p class="note" id="reissue-result"><?cs var:Reissue.Why ?></p>
<?cs /if ?>
<?cs /if ?>
<p><?cs if:Lang == "en" ?><?cs call:e("cert_url_reissue.About") ?><?cs else ?><?cs call:l("cert_url_reissue.About") ?><br>
<span class="en" lang="en"><?cs call:e("cert_url_reissue.About") ?></span><?cs /if ?></p>
<form method="post" action="<?cs var:Upload.Screen ?>" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="<?cs var:Officer.Csrf ?>">
<label><?cs call:t("cert_url_reissue.Serial") ?>
<input type="text" name="reissue" required maxlength="49" pattern="[0-9]+" inputmode="numeric"></label>
<button type="submit" id="reissue"><?cs call:l("cert_url_reissue.Reissue") ?></button>
</form>
