<?cs set:Page.Title = "cliget.Title" ?>
<?cs include:"header.cs" ?>
<?cs # pub_br2(k, ek): a Japanese page's l(k), a line break and its English
  e(k); an English page's e(ek) alone.  pub_t2(k, ek): t(k), or e(ek). ?><?cs
def:pub_br2(k, ek) ?><?cs if:Lang == "en" ?><?cs call:e(ek) ?><?cs else ?><?cs call:l(k) ?><br>
<span class="en" lang="en"><?cs call:e(k) ?></span><?cs /if ?><?cs /def ?><?cs
def:pub_br(k) ?><?cs call:pub_br2(k, k) ?><?cs /def ?><?cs
def:pub_t2(k, ek) ?><?cs if:Lang == "en" ?><?cs call:e(ek) ?><?cs else ?><?cs call:t(k) ?><?cs /if ?><?cs /def ?>
<h1><?cs call:t("cliget.Title") ?></h1>
<?cs if:Get.NameJa ?><p><?cs call:l("cliget.Greeting") ?></p><?cs /if ?>
<?cs def:formats() ?>
<?cs if:Lang == "en" ?><p><label><input type="radio" name="format" value="modern" checked> <?cs call:e("cliget.ModernEn") ?> (AES-256)</label>
<label><input type="radio" name="format" value="legacy"> <?cs call:e("cliget.LegacyEn") ?> (3DES: <?cs call:e("cliget.LegacyWho") ?>)</label></p>
<?cs else ?><p><label><input type="radio" name="format" value="modern" checked> <?cs call:l("cliget.Modern") ?> (AES-256) <span class="en" lang="en"><?cs call:e("cliget.Modern") ?></span></label>
<label><input type="radio" name="format" value="legacy"> <?cs call:l("cliget.Legacy") ?> (3DES: <?cs call:l("cliget.LegacyWho") ?>) <span class="en" lang="en"><?cs call:e("cliget.Legacy") ?></span></label></p>
<?cs /if ?>
<?cs /def ?>

<?cs if:Get.Step == "pin" || Get.Step == "badpin" ?>
<h2><?cs call:pub_t2("cliget.Step1", "cliget.Step1En") ?></h2>
<?cs if:Get.Step == "badpin" ?>
<p class="note" id="error"><?cs call:pub_br("cliget.BadPin") ?></p>
<?cs /if ?>
<p><?cs call:pub_br("cliget.EnterPin") ?></p>
<form method="post" action="cliget.cgi">
<input type="hidden" name="t" value="<?cs var:Get.Token ?>">
<input type="hidden" name="step" value="pin">
<label><?cs call:t("cliget.Pin") ?>
<input type="password" name="pin" autocomplete="off" required maxlength="128"></label>
<?cs if:Get.Method != 3 ?>
<p><?cs call:pub_br("cliget.PassIsPin") ?></p>
<?cs call:formats() ?>
<button type="submit" id="download"><?cs call:l("cliget.Download") ?></button>
<?cs else ?>
<button type="submit" id="next"><?cs call:l("cliget.Next") ?></button>
<?cs /if ?>
</form>

<?cs elif:Get.Step == "issue" ?>
<h2><?cs call:pub_t2("cliget.Step2", "cliget.Step2En") ?></h2>
<p><?cs call:l("cliget.PinOk") ?></p>
<p class="note" id="note-pass"><?cs call:pub_br2("cliget.NotePass", "cliget.NotePassEn") ?></p>
<p class="note"><?cs call:pub_br2("cliget.Once", "cliget.OnceEn") ?></p>
<form method="post" action="cliget.cgi">
<input type="hidden" name="t" value="<?cs var:Get.Token ?>">
<input type="hidden" name="s" value="<?cs var:Get.Nonce ?>">
<input type="hidden" name="step" value="issue">
<input type="hidden" name="pin" value="<?cs var:Get.Pin ?>">
<button type="submit" id="issue"><?cs call:l("cliget.Issue") ?></button>
</form>

<?cs elif:Get.Step == "done" || Get.Step == "notyet" ?>
<h2><?cs call:pub_t2("cliget.Step3", "cliget.Step3En") ?></h2>
<?cs if:Get.Step == "notyet" ?>
<p class="note" id="state"><?cs call:pub_br("cliget.NotYet") ?></p>
<?cs elif:Get.Issued == "1" ?><p id="state"><?cs call:l("cliget.Issued") ?></p>
<?cs else ?><p id="state"><?cs call:l("cliget.Issuing") ?></p><?cs /if ?>
<p><?cs call:l("cliget.Password") ?><?cs if:Lang != "en" ?><span class="en" lang="en"><?cs call:e("cliget.Password") ?></span><?cs /if ?></p>
<form method="post" action="cliget.cgi">
<input type="hidden" name="t" value="<?cs var:Get.Token ?>">
<input type="hidden" name="s" value="<?cs var:Get.Nonce ?>">
<input type="hidden" name="step" value="<?cs if:Get.Method == 3 ?>download<?cs else ?>pin<?cs /if ?>">
<input type="hidden" name="pin" value="<?cs var:Get.Pin ?>">
<?cs call:formats() ?>
<button type="submit" id="download"><?cs call:l("cliget.Download") ?></button>
</form>

<?cs elif:Get.Step == "bulk" ?>
<h2><?cs call:t("cliget.Bulk") ?></h2>
<p><?cs call:pub_br2("cliget.BulkText", "cliget.BulkTextEn") ?></p>
<form method="post" action="cliget.cgi">
<input type="hidden" name="t" value="<?cs var:Get.Token ?>">
<input type="hidden" name="step" value="bulk">
<?cs call:formats() ?>
<button type="submit" id="download"><?cs call:l("cliget.Download") ?></button>
</form>

<?cs elif:Get.Step == "locked" ?>
<p class="note" id="error"><?cs call:pub_br("cliget.Locked") ?></p>
<?cs elif:Get.Step == "nopin" ?>
<p class="note" id="error"><?cs call:pub_br("cliget.NoPin") ?></p>
<?cs elif:Get.Step == "stale" ?>
<p class="note" id="error"><?cs call:pub_br("cliget.Stale") ?></p>
<?cs elif:Get.Step == "used" ?>
<p class="note" id="error"><?cs call:pub_br("cliget.Used") ?></p>
<?cs else ?>
<p class="note" id="error"><?cs call:pub_br("cliget.Invalid") ?></p>
<?cs /if ?>
<?cs include:"footer.cs" ?>
