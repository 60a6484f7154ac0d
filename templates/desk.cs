<?cs set:Page.Title = "desk.Title" ?>
<?cs include:"header.cs" ?>
<h1><?cs call:t("desk.Title") ?></h1>
<p><a href="desk.cgi?view=ops" id="ops-link"><?cs call:t("desk.Ops") ?></a></p>
<p><?cs call:l("desk.Operator") ?> <?cs if:Lang == "en" ?><?cs call:e("desk.OperatorCert") ?><?cs else ?><span class="en" lang="en"><?cs call:e("desk.OperatorCert") ?></span><?cs /if ?></p>
<?cs if:Desk.Said ?>
<pre class="note" id="result" data-ok="<?cs var:Desk.Ok ?>"><?cs var:Desk.Said ?></pre>
<?cs /if ?>

<h2><?cs call:t("desk.Institutions") ?></h2>
<table id="institutions">
<tr><th><?cs call:l("desk.Code") ?></th><th><?cs call:l("desk.NameJa") ?></th><th<?cs if:Lang != "en" ?> class="en" lang="en"<?cs /if ?>><?cs call:e("desk.NameEn") ?></th><th><?cs call:l("desk.Status") ?></th><th><?cs call:l("desk.Domain") ?></th><th><?cs call:l("desk.Officers") ?></th><th><?cs call:t("desk.ChangeStatus") ?></th></tr>
<?cs each:i = Desk.Inst ?>
<tr><td><?cs var:i.Code ?></td><td><?cs var:i.NameJa ?></td><td><?cs var:i.NameEn ?></td><td><?cs var:i.Status ?></td><td><?cs var:i.Domains ?></td><td><?cs var:i.Officers ?></td>
<td><form method="post" action="desk.cgi" class="status"><input type="hidden" name="step" value="status"><input type="hidden" name="institution" value="<?cs var:i.Code ?>">
<select name="status"><?cs each:s = Desk.Status ?><option value="<?cs var:s.Name ?>"<?cs if:s.Name == i.Status ?> selected<?cs /if ?>><?cs if:Lang == "en" ?><?cs var:s.Name ?><?cs else ?><?cs var:s.Ja ?> (<?cs var:s.Name ?>)<?cs /if ?></option><?cs /each ?></select>
<button type="submit"><?cs call:l("desk.Change") ?></button></form></td></tr>
<?cs /each ?>
</table>
<table id="status-effects">
<tr><th><?cs call:t("desk.Status") ?></th><th><?cs call:t("desk.StatusCan") ?></th><th><?cs call:t("desk.StatusNext") ?></th></tr>
<tr><td><?cs call:l("desk.StReview") ?></td><td><?cs call:t("desk.StReviewCan") ?></td><td><?cs call:l("desk.StReviewNext") ?></td></tr>
<tr><td><?cs call:l("desk.StActive") ?></td><td><?cs call:t("desk.StActiveCan") ?></td><td><?cs call:l("desk.StActiveNext") ?></td></tr>
<tr><td><?cs call:l("desk.StSuspended") ?></td><td><?cs call:t("desk.StSuspendedCan") ?></td><td><?cs call:l("desk.StSuspendedNext") ?></td></tr>
<tr><td><?cs call:l("desk.StWithdrawn") ?></td><td><?cs call:t("desk.StWithdrawnCan") ?></td><td><?cs call:t("desk.StWithdrawnNext") ?></td></tr>
</table>
<p><?cs call:t("desk.Period") ?></p>

<h3><?cs call:t("desk.InstUpdate") ?></h3>
<p><?cs call:t("desk.InstUpdateNote") ?></p>
<form method="post" action="desk.cgi" id="institution-update"><input type="hidden" name="step" value="inst-update">
<label><?cs call:l("desk.InstCode") ?> <input name="institution" required></label>
<label><?cs call:l("desk.NameJa") ?> <input name="name_ja"></label> <label><?cs call:l("desk.NameO") ?> <input name="name_en"></label>
<label>ST <input name="st"></label> <label>L <input name="l"></label>
<label><?cs call:l("desk.From") ?> <input name="from" type="date"></label> <label><?cs call:l("desk.Until") ?> <input name="until" type="date"></label>
<button type="submit"><?cs call:t("desk.Change") ?></button></form>

<h3><?cs call:t("desk.InstRevoke") ?></h3>
<p><?cs call:t("desk.InstRevokeNote") ?></p>
<form method="post" action="desk.cgi" id="institution-revoke"><input type="hidden" name="step" value="inst-revoke">
<label><?cs call:l("desk.InstCode") ?> <input name="institution" required></label>
<label><?cs call:l("desk.Reason") ?> <select name="reason"><?cs each:x = Desk.Reason ?><option value="<?cs var:x.Code ?>"><?cs if:Lang == "en" ?><?cs var:x.Name ?> (<?cs var:x.Code ?>)<?cs else ?><?cs var:x.Ja ?> (<?cs var:x.Name ?>, <?cs var:x.Code ?>)<?cs /if ?></option><?cs /each ?></select></label>
<label><?cs call:l("desk.Kind") ?> <select name="kind"><option value="all"><?cs call:l("desk.KindAll") ?></option><?cs each:k = Desk.Kind ?><option value="<?cs var:k ?>"><?cs var:k ?></option><?cs /each ?></select></label>
<label><?cs call:t("desk.Confirm") ?> <input name="confirm" required autocomplete="off"></label>
<button type="submit"><?cs call:t("desk.Revoke") ?></button></form>

<h2><?cs call:t("desk.Allowlists") ?></h2>
<table id="allowlists">
<tr><th><?cs call:l("desk.InstCode") ?></th><th><?cs call:l("desk.Domain") ?></th><th>OU</th><th><?cs call:t("desk.OuAdd") ?></th></tr>
<?cs each:d = Desk.Dom ?>
<tr class="domain"><td><?cs var:d.Code ?></td><td><?cs var:d.Name ?></td>
<td><?cs each:o = d.Ou ?><form method="post" action="desk.cgi" class="ou"><input type="hidden" name="step" value="ou-remove"><input type="hidden" name="domain" value="<?cs var:d.Name ?>"><input type="hidden" name="ou" value="<?cs var:o ?>"><span class="ou"><?cs var:o ?></span> <button type="submit"><?cs call:l("desk.Remove") ?></button></form><?cs /each ?></td>
<td><form method="post" action="desk.cgi"><input type="hidden" name="step" value="ou"><input type="hidden" name="domain" value="<?cs var:d.Name ?>"><input name="ou" required> <button type="submit"><?cs call:l("desk.Add") ?></button></form></td></tr>
<?cs /each ?>
</table>

<h2><?cs call:t("desk.InstAdd") ?></h2>
<form method="post" action="desk.cgi"><input type="hidden" name="step" value="institution">
<label><?cs call:l("desk.Code") ?> <input name="code" required></label>
<label><?cs call:l("desk.NameJa") ?> <input name="name_ja" required></label>
<label><?cs call:l("desk.NameO") ?> <input name="name_en" required></label>
<label>ST <input name="st" required></label> <label>L <input name="l" required></label>
<label><?cs call:l("desk.From") ?> <input name="from" type="date" required></label> <label><?cs call:l("desk.Until") ?> <input name="until" type="date" required></label>
<button type="submit"><?cs call:l("desk.Register") ?></button></form>

<h2><?cs call:t("desk.DomainsOu") ?></h2>
<form method="post" action="desk.cgi"><input type="hidden" name="step" value="domain">
<label><?cs call:l("desk.InstCode") ?> <input name="institution" required></label> <label><?cs call:l("desk.Domain") ?> <input name="domain" required></label>
<button type="submit"><?cs call:l("desk.DomainAdd") ?></button></form>
<form method="post" action="desk.cgi"><input type="hidden" name="step" value="ou">
<label><?cs call:l("desk.Domain") ?> <input name="domain" required></label> <label>OU <input name="ou" required></label>
<button type="submit"><?cs call:l("desk.OuRegister") ?></button></form>

<h2><?cs call:t("desk.OfficerAdd") ?></h2>
<form method="post" action="desk.cgi"><input type="hidden" name="step" value="officer">
<label><?cs call:l("desk.InstCode") ?> <input name="institution" required></label>
<label><?cs call:l("desk.Name") ?> <input name="name_ja" required></label> <label><?cs call:l("desk.Romaji") ?> <input name="romaji" required></label>
<label><?cs call:l("desk.Mail") ?> <input name="mail" type="email" required></label> <label><?cs call:l("desk.Phone") ?> <input name="phone" required></label>
<label><?cs call:l("desk.Domains") ?> <input name="domains" required></label>
<label><?cs call:l("desk.Interfaces") ?> <input name="interfaces" required></label>
<button type="submit"><?cs call:l("desk.OfficerRegister") ?></button></form>

<h2><?cs call:t("desk.OfficerList") ?></h2>
<p><?cs call:t("desk.OfficerNote") ?></p>
<table id="officers">
<tr><th><?cs call:l("desk.No") ?></th><th><?cs call:l("desk.Inst") ?></th><th><?cs call:l("desk.Name") ?></th><th><?cs call:l("desk.MailPhone") ?></th><th><?cs call:l("desk.Status") ?></th><th><?cs call:l("desk.Domain") ?></th><th><?cs call:l("desk.Interface") ?></th><th><?cs call:t("desk.LiveCerts") ?></th><th><?cs call:t("desk.LiveUrls") ?></th><th><?cs call:t("desk.Actions") ?></th></tr>
<?cs each:o = Desk.Off ?>
<tr id="officer-<?cs var:o.Id ?>"><td><?cs var:o.Id ?></td><td><?cs var:o.Code ?></td><td><?cs if:Lang == "en" ?><?cs var:o.Romaji ?> (<?cs var:o.NameJa ?>)<?cs else ?><?cs var:o.NameJa ?> (<?cs var:o.Romaji ?>)<?cs /if ?></td><td><?cs var:o.Mail ?><br><?cs var:o.Phone ?></td><td class="status"><?cs var:o.Status ?></td><td><?cs var:o.Domains ?></td><td><?cs var:o.Interfaces ?></td><td class="certs"><?cs var:o.Certs ?></td><td><?cs var:o.Urls ?></td>
<td><?cs if:o.Status != "retired" ?><form method="post" action="desk.cgi" class="officer-actions"><input type="hidden" name="officer" value="<?cs var:o.Id ?>">
<?cs if:o.Status == "active" ?><button type="submit" name="step" value="pin"><?cs call:l("desk.PinIssue") ?></button> <button type="submit" name="step" value="reissue"><?cs call:l("desk.Reissue") ?></button> <button type="submit" name="step" value="renew-reissue"><?cs call:t("desk.RenewReissue") ?></button> <button type="submit" name="step" value="officer-lost"><?cs call:t("desk.Lost") ?></button> <button type="submit" name="step" value="officer-suspend"><?cs call:t("desk.Suspend") ?></button><?cs /if ?>
<?cs if:o.Status == "suspended" ?><button type="submit" name="step" value="officer-resume"><?cs call:t("desk.Resume") ?></button><?cs /if ?>
<button type="submit" name="step" value="officer-retire"><?cs call:t("desk.OfficerRetire") ?></button></form><?cs /if ?></td></tr>
<?cs /each ?>
</table>

<h3><?cs call:t("desk.OfficerUpdate") ?></h3>
<p><?cs call:t("desk.OfficerUpdateNote") ?></p>
<form method="post" action="desk.cgi"><input type="hidden" name="step" value="officer-update">
<label><?cs call:l("desk.OfficerNo") ?> <input name="officer" required></label>
<label><?cs call:l("desk.Name") ?> <input name="name_ja"></label> <label><?cs call:l("desk.Romaji") ?> <input name="romaji"></label>
<label><?cs call:l("desk.Mail") ?> <input name="mail" type="email"></label> <label><?cs call:l("desk.Phone") ?> <input name="phone"></label>
<label><?cs call:l("desk.Domains") ?> <input name="domains"></label>
<label><?cs call:l("desk.Interfaces") ?> <input name="interfaces"></label>
<button type="submit"><?cs call:t("desk.Change") ?></button></form>

<h2><?cs call:t("desk.Pin") ?></h2>
<p><?cs call:l("desk.PinNote") ?></p>
<form method="post" action="desk.cgi"><input type="hidden" name="step" value="pin">
<label><?cs call:l("desk.OfficerNo") ?> <input name="officer" required></label> <button type="submit"><?cs call:l("desk.PinIssue") ?></button></form>
<form method="post" action="desk.cgi"><input type="hidden" name="step" value="reset">
<label><?cs call:l("desk.OfficerNo") ?> <input name="officer" required></label> <button type="submit"><?cs call:l("desk.Unlock") ?></button></form>
<form method="post" action="desk.cgi"><input type="hidden" name="step" value="reissue">
<label><?cs call:l("desk.OfficerNo") ?> <input name="officer" required></label> <button type="submit"><?cs call:t("desk.ReissueExpired") ?></button></form>
<h2><?cs call:t("desk.Operators") ?></h2>
<table id="operators">
<tr><th><?cs call:l("desk.Name") ?></th><th><?cs call:l("desk.Fingerprint") ?></th><th><?cs call:l("desk.Unix") ?></th><th><?cs call:l("desk.Status") ?></th><th><?cs call:l("desk.Created") ?></th><th><?cs call:l("desk.Retired") ?></th><th></th></tr>
<?cs each:o = Desk.Op ?>
<tr><td><?cs var:o.Name ?></td><td><code><?cs var:o.Sha256 ?></code></td><td><?cs var:o.Unix ?></td><td><?cs var:o.Status ?></td><td><?cs var:o.Created ?></td><td><?cs var:o.Retired ?></td>
<td><?cs if:o.Status == "active" && o.Sha256 != Desk.OperatorSha256 ?><form method="post" action="desk.cgi"><input type="hidden" name="step" value="operator-retire"><input type="hidden" name="fingerprint" value="<?cs var:o.Sha256 ?>"><button type="submit"><?cs call:t("desk.OperatorRetire") ?></button></form><?cs /if ?></td></tr>
<?cs /each ?>
</table>
<form method="post" action="desk.cgi"><input type="hidden" name="step" value="operator-add">
<label><?cs call:t("desk.Name") ?> <input name="name_ja" required></label>
<label><?cs call:t("desk.OperatorPem") ?><br><textarea name="cert_pem" rows="6" cols="66" required></textarea></label>
<button type="submit"><?cs call:t("desk.OperatorAdd") ?></button></form>
<?cs include:"footer.cs" ?>
