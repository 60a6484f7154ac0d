<?cs def:info_tn(k) ?><?cs if:Lang == "en" ?><?cs call:e(k) ?><?cs else ?><?cs call:l(k) ?>
<span class="en" lang="en"><?cs call:e(k) ?></span><?cs /if ?><?cs /def ?><?cs
def:info_tbr(k) ?><?cs if:Lang == "en" ?><?cs call:e(k) ?><?cs else ?><?cs call:l(k) ?><br><span class="en" lang="en"><?cs call:e(k) ?></span><?cs /if ?><?cs /def ?><?cs
def:stats_en(k, ja) ?><?cs if:Lang == "en" && ?En[k] ?><?cs call:e(k) ?><?cs else ?><?cs var:ja ?><?cs /if ?><?cs /def ?><?cs
set:Page.Title = "stats.Title" ?>
<?cs include:"header.cs" ?>
<style>
main { max-width: 84em; }
.stats-wrap { display: flex; flex-wrap: wrap; gap: 1.5em; align-items: flex-start; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.error { color: #a00; font-weight: bold; }
</style>
<h1>⑦<?cs call:t("stats.Title") ?></h1>
<p><?cs if:Lang == "en" ?><?cs alt:Officer.NameEn ?><?cs var:Officer.NameJa ?><?cs /alt ?>, <?cs alt:Officer.InstitutionEn ?><?cs var:Officer.InstitutionJa ?><?cs /alt ?><?cs else ?><?cs var:Officer.InstitutionJa ?> <?cs var:Officer.NameJa ?> <?cs call:l("stats.Honorific") ?><?cs /if ?></p>
<form method="get" action="stats.cgi" id="period">
<label><?cs call:t("stats.Period") ?>
<input type="text" name="from" value="<?cs var:Stats.From ?>" size="8" placeholder="YYYY-MM" aria-label="<?cs call:l("stats.FromLabel") ?>"> <?cs call:l("stats.Through") ?>
<input type="text" name="to" value="<?cs var:Stats.To ?>" size="8" placeholder="YYYY-MM" aria-label="<?cs call:l("stats.ToLabel") ?>"></label>
<button type="submit"><?cs call:t("stats.Show") ?></button>
</form>
<?cs if:Stats.Error ?>
<?cs if:Lang == "en" ?><?cs set:Stats.ErrField = string.slice(Stats.Error, 0, string.find(Stats.Error, ":")) ?>
<p class="error" id="stats-error"><?cs call:e("stats.Error") ?><?cs
  if:(Stats.ErrField == "from" || Stats.ErrField == "to") && string.find(Stats.Error, "YYYY-MM") >= 0 ?> <?cs call:e("stats.ErrFormat") ?><?cs
  elif:Stats.ErrField == "from" && string.find(Stats.Error, "120") >= 0 ?> <?cs call:e("stats.ErrLong") ?><?cs
  elif:Stats.ErrField == "from" ?> <?cs call:e("stats.ErrOrder") ?><?cs /if ?></p>
<?cs else ?>
<p class="error" id="stats-error"><?cs call:l("stats.Error") ?></p>
<p class="en" lang="en"><?cs call:e("stats.Error") ?></p>
<?cs /if ?>
<?cs else ?>
<p><?cs call:info_tn("stats.Counted") ?></p>
<p><a id="tsv" href="stats.cgi?from=<?cs var:url_escape(Stats.From) ?>&amp;to=<?cs var:url_escape(Stats.To) ?>&amp;format=tsv"><?cs call:t("stats.Tsv") ?></a></p>
<h2><?cs call:t("stats.PerDomain") ?> (<?cs var:Stats.From ?><?cs call:l("stats.Through") ?><?cs var:Stats.To ?>)</h2>
<table id="stats">
<tr><th><?cs call:info_tbr("stats.Domain") ?></th><th><?cs call:info_tbr("stats.Kind") ?></th><th><?cs call:info_tbr("stats.Profile") ?></th>
<th><?cs call:info_tbr("stats.Issued") ?></th><th><?cs call:info_tbr("stats.New") ?></th><th><?cs call:info_tbr("stats.Renewed") ?></th>
<th><?cs call:info_tbr("stats.Valid") ?></th><th><?cs call:info_tbr("stats.Revoked") ?></th><th><?cs call:info_tbr("stats.Expired") ?></th><th><?cs call:info_tbr("stats.Waiting") ?></th></tr>
<?cs each:s = Stats.Rows ?>
<tr class="row"><td><?cs if:s.Domain ?><?cs var:s.Domain ?><?cs else ?><?cs call:l("stats.NoDomain") ?><?cs /if ?></td><td><?cs call:stats_en("stats.KindOf." + s.ProfileId, s.KindJa) ?></td><td><?cs var:s.ProfileId ?> <?cs call:stats_en("stats.ProfileOf." + s.ProfileId, s.ProfileJa) ?></td>
<td class="n issued"><?cs var:s.Issued ?></td><td class="n new"><?cs var:s.New ?></td><td class="n renewed"><?cs var:s.Renewed ?></td>
<td class="n valid"><?cs var:s.Valid ?></td><td class="n revoked"><?cs var:s.Revoked ?></td><td class="n expired"><?cs var:s.Expired ?></td><td class="n waiting"><?cs var:s.Waiting ?></td></tr>
<?cs /each ?>
<tr class="total"><th colspan="3"><?cs call:t("stats.Total") ?></th>
<td class="n issued"><?cs var:Stats.Total.Issued ?></td><td class="n new"><?cs var:Stats.Total.New ?></td><td class="n renewed"><?cs var:Stats.Total.Renewed ?></td>
<td class="n valid"><?cs var:Stats.Total.Valid ?></td><td class="n revoked"><?cs var:Stats.Total.Revoked ?></td><td class="n expired"><?cs var:Stats.Total.Expired ?></td><td class="n waiting"><?cs var:Stats.Total.Waiting ?></td></tr>
</table>
<h2><?cs call:t("stats.PerMonth") ?></h2>
<div class="stats-wrap">
<figure>
<?cs escape: "none" ?><?cs var:Stats.Svg ?><?cs /escape ?>
<figcaption><?cs call:t("stats.Chart") ?></figcaption>
</figure>
<table id="months">
<tr><th><?cs call:info_tbr("stats.Month") ?></th><th><?cs call:l("stats.Issued") ?></th><th><?cs call:l("stats.New") ?></th><th><?cs call:l("stats.Renewed") ?></th><th><?cs call:l("stats.Valid") ?></th><th><?cs call:l("stats.Revoked") ?></th><th><?cs call:l("stats.Expired") ?></th><th><?cs call:l("stats.Waiting") ?></th></tr>
<?cs each:m = Stats.Months ?>
<tr class="month"><td><?cs var:m.Month ?></td><td class="n issued"><?cs var:m.Issued ?></td><td class="n new"><?cs var:m.New ?></td><td class="n renewed"><?cs var:m.Renewed ?></td>
<td class="n valid"><?cs var:m.Valid ?></td><td class="n revoked"><?cs var:m.Revoked ?></td><td class="n expired"><?cs var:m.Expired ?></td><td class="n waiting"><?cs var:m.Waiting ?></td></tr>
<?cs /each ?>
</table>
</div>
<?cs /if ?>
<p><a href="menu.cgi"><?cs call:l("stats.Back") ?><?cs if:Lang != "en" ?> / <?cs call:e("stats.Back") ?><?cs /if ?></a></p>
<?cs include:"footer.cs" ?>
