<?cs set:Page.Title = "pinget.Title" ?>
<?cs include:"header.cs" ?>
<?cs # pub_br2(k, ek): a Japanese page's l(k), a line break and its English
  e(k); an English page's e(ek) alone. ?><?cs
def:pub_br2(k, ek) ?><?cs if:Lang == "en" ?><?cs call:e(ek) ?><?cs else ?><?cs call:l(k) ?><br>
<span class="en" lang="en"><?cs call:e(k) ?></span><?cs /if ?><?cs /def ?><?cs
def:pub_br(k) ?><?cs call:pub_br2(k, k) ?><?cs /def ?>
<h1><?cs call:t("pinget.Title") ?></h1>
<?cs if:Pin.NameJa ?><p><?cs call:l("pinget.Greeting") ?></p><?cs /if ?>
<?cs if:Pin.Step == "ready" ?>
<p><?cs call:pub_br2("pinget.Ready", "pinget.ReadyEn") ?></p>
<form method="post" action="pinget.cgi">
<input type="hidden" name="t" value="<?cs var:Pin.Token ?>">
<button type="submit" id="download"><?cs call:l("pinget.Download") ?></button>
</form>
<?cs elif:Pin.Step == "used" ?>
<p class="note" id="error"><?cs call:pub_br("pinget.Used") ?></p>
<?cs else ?>
<p class="note" id="error"><?cs call:pub_br("pinget.Invalid") ?></p>
<?cs /if ?>
<?cs include:"footer.cs" ?>
