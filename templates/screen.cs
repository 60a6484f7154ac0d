<?cs set:Page.Title = "screen.Title" ?>
<?cs include:"header.cs" ?>
<h1><?cs call:t("screen.Title") ?></h1>
<p><?cs call:t("screen.Soon") ?></p>
<p><a href="menu.cgi"><?cs call:l("screen.Back") ?><?cs if:Lang != "en" ?> / <?cs call:e("screen.Back") ?><?cs /if ?></a></p>
<?cs include:"footer.cs" ?>
