<?cs set:Page.Title = "login.Title" ?>
<?cs include:"header.cs" ?>
<h1><?cs call:t("login.Title") ?></h1>
<?cs if:Login.Why == "other" ?>
<p class="note" id="login-error"><?cs if:Lang == "en" ?><?cs call:e("login.Other") ?><?cs else ?><?cs call:l("login.Other") ?><br>
<span class="en" lang="en"><?cs call:e("login.Other") ?></span><?cs /if ?></p>
<?cs elif:Login.Why == "usage" ?>
<p class="note" id="login-error"><?cs if:Lang == "en" ?><?cs call:e("login.Usage") ?><?cs else ?><?cs call:l("login.Usage") ?><br>
<span class="en" lang="en"><?cs call:e("login.Usage") ?></span><?cs /if ?></p>
<?cs else ?>
<p class="note" id="login-error"><?cs if:Lang == "en" ?><?cs call:e("login.Invalid") ?><?cs else ?><?cs call:l("login.Invalid") ?><br>
<span class="en" lang="en"><?cs call:e("login.Invalid") ?></span><?cs /if ?></p>
<?cs /if ?>
<?cs include:"footer.cs" ?>
