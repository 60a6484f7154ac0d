<?cs set:Page.Title = "運用状況" ?>
<?cs include:"header.cs" ?>
<h1>運用状況 <span class="en">Operations</span></h1>
<p>担当: <?cs var:Desk.Operator ?> ・ <a href="desk.cgi">サービス窓口へ戻る <span class="en">Back to the desk</span></a></p>
<?cs if:Desk.Said ?>
<pre class="note" id="result" data-ok="<?cs var:Desk.Ok ?>"><?cs var:Desk.Said ?></pre>
<?cs /if ?>
<p>cron の各ジョブ（conf/crontab）と同じ情報を <code>desk.cgi ops-status</code> がシェルで表示します（対応の必要があれば終了コード 1）。
<span class="en">The same view from a shell: <code>desk.cgi ops-status</code> (exit 1 when something needs the desk).</span></p>
<?cs each:s = Ops.Sec ?>
<h2 id="<?cs var:s.Name ?>"><?cs var:s.Ja ?> <span class="en"><?cs var:s.En ?></span><?cs if:s.Problem == "1" ?> <strong class="problem">要対応 <span class="en">needs the desk</span></strong><?cs /if ?></h2>
<?cs if:subcount(s.Row) == 0 ?><p>なし <span class="en">none</span></p><?cs else ?>
<table class="ops" id="table-<?cs var:s.Name ?>">
<tr><?cs each:c = s.Col ?><th><?cs var:c ?></th><?cs /each ?><?cs if:s.Name == "mail-failed" ?><th></th><?cs /if ?></tr>
<?cs each:row = s.Row ?>
<tr><?cs each:v = row ?><td><?cs var:v ?></td><?cs /each ?><?cs if:s.Name == "mail-failed" ?><td><form method="post" action="desk.cgi"><input type="hidden" name="view" value="ops"><input type="hidden" name="step" value="mail-resend"><input type="hidden" name="mail_id" value="<?cs var:row.0 ?>"><button type="submit">再送 <span class="en">Send again</span></button></form></td><?cs /if ?></tr>
<?cs /each ?>
</table>
<?cs /if ?>
<?cs /each ?>
<h2 id="audit">監査ログの連鎖 <span class="en">Audit chain</span><?cs if:Ops.AuditOk != "1" ?> <strong class="problem">要対応 <span class="en">needs the desk</span></strong><?cs /if ?></h2>
<p id="audit-status"><?cs var:Ops.Audit ?></p>
<?cs include:"footer.cs" ?>
