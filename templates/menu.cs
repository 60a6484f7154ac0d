<?cs set:Page.Title = "menu.Title" ?>
<?cs include:"header.cs" ?>
<h1><?cs call:t("menu.Title") ?></h1>
<p id="officer"><?cs if:Lang == "en" ?><?cs var:Officer.NameEn ?>, <?cs var:Officer.InstitutionEn ?><?cs else ?><?cs var:Officer.InstitutionJa ?> <?cs var:Officer.NameJa ?> <?cs call:l("menu.Honorific") ?><?cs /if ?></p>
<?cs each:v = Notice.Revoked ?>
<p class="note" id="superseded-<?cs var:v.Serial ?>"><?cs if:Lang == "en" ?><?cs call:e("menu.Superseded") ?><?cs else ?><?cs call:l("menu.Superseded") ?><br>
<span class="en" lang="en"><?cs call:e("menu.Superseded") ?></span><?cs /if ?></p>
<?cs /each ?>
<?cs if:Notice.Newer.Serial ?>
<p class="note" id="newer"><?cs if:Lang == "en" ?><?cs call:e("menu.Newer") ?><?cs else ?><?cs call:l("menu.Newer") ?><br>
<span class="en" lang="en"><?cs call:e("menu.Newer") ?></span><?cs /if ?></p>
<?cs /if ?>
<?cs if:Officer.InstitutionStatus == "suspended" ?>
<p class="note" id="suspended"><?cs call:t("menu.Suspended") ?></p>
<?cs /if ?>
<table id="menu">
<?cs if:Lang == "en" ?><tr><th>Group</th><th>Interface</th></tr>
<?cs else ?><tr><th>分類</th><th>インターフェース</th><th class="en" lang="en">Interface</th></tr>
<?cs /if ?><?cs each:m = Menu ?>
<tr id="if-<?cs var:m.No ?>"><td><?cs if:Lang == "en" ?><?cs call:e("menu.Group." + m.No) ?><?cs else ?><?cs var:m.Group ?><?cs /if ?></td>
<?cs if:m.No == 10 ?>
<td><form method="post" action="logout.cgi"><input type="hidden" name="csrf" value="<?cs var:Officer.Csrf ?>"><button type="submit" id="logout">⑩<?cs call:l("menu.Logout") ?></button></form></td>
<?cs elif:m.Screen ?>
<td><a href="<?cs var:m.Screen ?>"><?cs var:m.Mark ?><?cs if:Lang == "en" ?><?cs var:m.NameEn ?><?cs else ?><?cs var:m.NameJa ?><?cs /if ?></a></td>
<?cs else ?>
<td><?cs var:m.Mark ?><?cs if:Lang == "en" ?><?cs var:m.NameEn ?><?cs else ?><?cs var:m.NameJa ?><?cs /if ?> <span class="soon"><?cs call:l("menu.Soon") ?></span></td>
<?cs /if ?>
<?cs if:Lang != "en" ?><td class="en" lang="en"><?cs var:m.NameEn ?></td><?cs /if ?></tr>
<?cs /each ?>
</table>
<p><a id="batches" href="batch.cgi"><?cs call:l("menu.Batches") ?></a><?cs if:Lang != "en" ?> <span class="en" lang="en"><?cs call:e("menu.Batches") ?></span><?cs /if ?></p>
<?cs include:"footer.cs" ?>
