<?cs set:Page.Title = "alldl.Title" ?>
<?cs include:"header.cs" ?>
<h1><?cs call:t("alldl.Title") ?></h1>
<p><?cs if:Lang == "en" ?><?cs alt:Officer.NameEn ?><?cs var:Officer.NameJa ?><?cs /alt ?>, <?cs alt:Officer.InstitutionEn ?><?cs var:Officer.InstitutionJa ?><?cs /alt ?><?cs else ?><?cs var:Officer.InstitutionJa ?> <?cs var:Officer.NameJa ?> <?cs call:l("alldl.Honorific") ?><?cs /if ?></p>
<p><?cs if:Lang == "en" ?><?cs call:e("alldl.IntroAlone") ?><?cs else ?><?cs call:l("alldl.Intro") ?>
<span class="en" lang="en"><?cs call:e("alldl.Intro") ?></span><?cs /if ?></p>
<form method="get" action="alldl.cgi">
<input type="hidden" name="dl" value="1">
<p><?cs call:t("alldl.Encoding") ?><?cs if:Lang == "en" ?>:<?cs else ?>：<?cs /if ?>
<label><input type="radio" name="enc" value="sjis" checked> <?cs call:l("alldl.Sjis") ?></label>
<label><input type="radio" name="enc" value="utf8"> <?cs call:l("alldl.Utf8") ?></label></p>
<button type="submit" id="download"><?cs call:t("alldl.Download") ?></button>
</form>
<p><a href="menu.cgi"><?cs call:l("alldl.Back") ?></a></p>
<?cs include:"footer.cs" ?>
