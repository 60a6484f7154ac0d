<?cs set:Page.Title = "raget.Title" ?>
<?cs include:"header.cs" ?>
<?cs # pub_br2(k, ek): a Japanese page's l(k), a line break and its English
  e(k); an English page's e(ek) alone.  pub_t2(k, ek): t(k), or e(ek).
  The lines with name="s" and id="p12pin" are read by t/lib.sh: keep them. ?><?cs
def:pub_br2(k, ek) ?><?cs if:Lang == "en" ?><?cs call:e(ek) ?><?cs else ?><?cs call:l(k) ?><br>
<span class="en" lang="en"><?cs call:e(k) ?></span><?cs /if ?><?cs /def ?><?cs
def:pub_br(k) ?><?cs call:pub_br2(k, k) ?><?cs /def ?><?cs
def:pub_t2(k, ek) ?><?cs if:Lang == "en" ?><?cs call:e(ek) ?><?cs else ?><?cs call:t(k) ?><?cs /if ?><?cs /def ?><?cs
def:pub_pass() ?><?cs call:l("raget.Pass") ?><?cs if:Lang == "en" ?> <?cs /if ?><strong id="p12pin"><?cs var:Get.Pass ?></strong><br><?cs /def ?>
<h1><?cs call:t("raget.Title") ?></h1>
<?cs if:Get.NameJa ?><p><?cs call:l("raget.Greeting") ?></p><?cs /if ?>

<?cs if:Get.Step == "pin" || Get.Step == "badpin" ?>
<h2><?cs call:pub_t2("raget.Step1", "raget.Step1En") ?></h2>
<?cs if:Get.Step == "badpin" ?>
<p class="note" id="error"><?cs call:pub_br("raget.BadPin") ?></p>
<?cs /if ?>
<p><?cs call:l("raget.EnterPin") ?></p>
<form method="post" action="raget.cgi">
<input type="hidden" name="t" value="<?cs var:Get.Token ?>">
<input type="hidden" name="step" value="pin">
<label><?cs call:t("raget.Pin") ?>
<input type="password" name="pin" autocomplete="off" required maxlength="64"></label>
<button type="submit" id="next"><?cs call:l("raget.Next") ?></button>
</form>

<?cs elif:Get.Step == "issue" || Get.Step == "renew" ?>
<h2><?cs call:pub_t2("raget.Step2", "raget.Step2En") ?></h2>
<?cs if:Get.Step == "renew" ?>
<p><?cs call:l("raget.RenewOk") ?></p>
<?cs else ?>
<p><?cs call:l("raget.PinOk") ?></p>
<?cs /if ?>
<p class="note"><?cs call:pub_pass() ?>
<?cs call:pub_br2("raget.KeepPass", "raget.KeepPassEn") ?></p>
<p class="note"><?cs call:pub_br2("raget.Once", "raget.OnceEn") ?></p>
<form method="post" action="raget.cgi">
<input type="hidden" name="t" value="<?cs var:Get.Token ?>">
<input type="hidden" name="s" value="<?cs var:Get.Nonce ?>">
<input type="hidden" name="step" value="issue">
<button type="submit" id="issue"><?cs call:l("raget.Issue") ?></button>
</form>

<?cs elif:Get.Step == "done" || Get.Step == "again" || Get.Step == "notyet" ?>
<h2><?cs call:pub_t2("raget.Step3", "raget.Step3En") ?></h2>
<?cs if:Get.Step == "done" ?>
<p class="note"><?cs call:pub_pass() ?>
<?cs call:pub_br2("raget.SamePass", "raget.SamePassEn") ?></p>
<?cs if:Get.Issued == "1" ?><p id="state"><?cs call:l("raget.Issued") ?></p>
<?cs else ?><p id="state"><?cs call:l("raget.Issuing") ?></p><?cs /if ?>
<?cs elif:Get.Step == "again" ?>
<p id="state"><?cs call:pub_br2("raget.Again", "raget.AgainEn") ?></p>
<?cs else ?>
<p class="note" id="state"><?cs call:pub_br("raget.NotYet") ?></p>
<?cs /if ?>
<form method="post" action="raget.cgi">
<input type="hidden" name="t" value="<?cs var:Get.Token ?>">
<input type="hidden" name="s" value="<?cs var:Get.Nonce ?>">
<input type="hidden" name="step" value="download">
<?cs if:Get.Step == "done" ?><input type="hidden" name="pass" value="<?cs var:Get.Pass ?>">
<?cs else ?><label><?cs call:l("raget.PassLabel") ?> <input type="password" name="pass" autocomplete="off" required></label><?cs /if ?>
<p><label><input type="radio" name="format" value="modern" checked> <?cs call:l("raget.Modern") ?> (AES-256)</label>
<label><input type="radio" name="format" value="legacy"> <?cs call:l("raget.Legacy") ?> (3DES: <?cs call:l("raget.LegacyWho") ?>)</label></p>
<button type="submit" id="download"><?cs call:l("raget.Download") ?></button>
</form>
<p><?cs call:l("raget.Close") ?></p>

<?cs elif:Get.Step == "locked" ?>
<p class="note" id="error"><?cs call:pub_br("raget.Locked") ?></p>
<?cs elif:Get.Step == "nopin" ?>
<p class="note" id="error"><?cs call:pub_br("raget.NoPin") ?></p>
<?cs elif:Get.Step == "renewcert" ?>
<p class="note" id="error"><?cs call:pub_br("raget.RenewCert") ?></p>
<?cs elif:Get.Step == "stale" ?>
<p class="note" id="error"><?cs call:pub_br("raget.Stale") ?></p>
<?cs else ?>
<p class="note" id="error"><?cs call:pub_br("raget.Invalid") ?></p>
<?cs /if ?>
<?cs include:"footer.cs" ?>
