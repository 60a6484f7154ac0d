<?cs set:Page.Title = "logout.Title" ?>
<?cs include:"header.cs" ?>
<h1><?cs call:t("logout.Title") ?></h1>
<p id="logged-out"><?cs if:Lang == "en" ?><?cs call:e("logout.Done") ?><?cs else ?><?cs call:l("logout.Done") ?><br>
<span class="en" lang="en"><?cs call:e("logout.Done") ?></span><?cs /if ?></p>
<?cs include:"footer.cs" ?>
