<?cs set:Page.Title = "server.Title" ?>
<?cs include:"header.cs" ?>
<h1><?cs call:t("server.Heading") ?></h1>
<?cs include:"upload-body.cs" ?>
<?cs include:"footer.cs" ?>
