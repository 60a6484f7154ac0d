<?cs set:Page.Title = "error.Title" ?>
<?cs include:"header.cs" ?>
<h1><?cs call:t("error.Title") ?></h1>
<?cs if:Error.Why == "origin" ?>
<?cs call:para("error.Origin") ?>
<?cs elif:Error.Status == 403 ?>
<?cs call:para("error.Forbidden") ?>
<?cs elif:Error.Status == 404 ?>
<?cs call:para("error.NotFound") ?>
<?cs elif:Error.Status == 400 || Error.Status == 405 ?>
<?cs call:para("error.BadRequest") ?>
<?cs elif:Error.Code == 215 ?>
<?cs call:para("error.Inactive") ?>
<?cs elif:Error.Status == 503 ?>
<?cs call:para("error.Unavailable") ?>
<?cs else ?>
<?cs call:para("error.System") ?>
<?cs /if ?>
<p>(<?cs var:Error.Status ?>)</p>
<?cs include:"footer.cs" ?>
