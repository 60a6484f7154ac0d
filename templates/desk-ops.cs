<?cs set:Page.Title = "desk_ops.Title" ?>
<?cs include:"header.cs" ?>
<h1><?cs call:t("desk_ops.Title") ?></h1>
<p><?cs call:l("desk_ops.Operator") ?> <a href="desk.cgi"><?cs call:t("desk_ops.Back") ?></a></p>
<?cs if:Desk.Said ?>
<pre class="note" id="result" data-ok="<?cs var:Desk.Ok ?>"><?cs var:Desk.Said ?></pre>
<?cs /if ?>
<p><?cs call:t("desk_ops.Shell") ?></p>
<?cs each:s = Ops.Sec ?>
<h2 id="<?cs var:s.Name ?>"><?cs if:Lang == "en" ?><?cs var:s.En ?><?cs else ?><?cs var:s.Ja ?> <span class="en" lang="en"><?cs var:s.En ?></span><?cs /if ?><?cs if:s.Problem == "1" ?> <strong class="problem"><?cs call:t("desk_ops.Problem") ?></strong><?cs /if ?></h2>
<?cs if:subcount(s.Row) == 0 ?><p><?cs call:t("desk_ops.None") ?></p><?cs else ?>
<table class="ops" id="table-<?cs var:s.Name ?>">
<tr><?cs each:c = s.Col ?><th><?cs var:c ?></th><?cs /each ?><?cs if:s.Name == "mail-failed" ?><th></th><?cs /if ?></tr>
<?cs each:row = s.Row ?>
<tr><?cs each:v = row ?><td><?cs var:v ?></td><?cs /each ?><?cs if:s.Name == "mail-failed" ?><td><form method="post" action="desk.cgi"><input type="hidden" name="view" value="ops"><input type="hidden" name="step" value="mail-resend"><input type="hidden" name="mail_id" value="<?cs var:row.0 ?>"><button type="submit"><?cs call:t("desk_ops.Resend") ?></button></form></td><?cs /if ?></tr>
<?cs /each ?>
</table>
<?cs /if ?>
<?cs /each ?>
<h2 id="audit"><?cs call:t("desk_ops.Audit") ?><?cs if:Ops.AuditOk != "1" ?> <strong class="problem"><?cs call:t("desk_ops.Problem") ?></strong><?cs /if ?></h2>
<p id="audit-status"><?cs var:Ops.Audit ?></p>
<?cs include:"footer.cs" ?>
