<?cs set:Page.Title = "発行証明書統計照会" ?>
<?cs include:"header.cs" ?>
<style>
main { max-width: 84em; }
.stats-wrap { display: flex; flex-wrap: wrap; gap: 1.5em; align-items: flex-start; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.error { color: #a00; font-weight: bold; }
</style>
<h1>⑦発行証明書統計照会 <span class="en">Issuance statistics</span></h1>
<p><?cs var:Officer.InstitutionJa ?> <?cs var:Officer.NameJa ?> 様</p>
<form method="get" action="stats.cgi" id="period">
<label>期間 <span class="en">Period</span>
<input type="text" name="from" value="<?cs var:Stats.From ?>" size="8" placeholder="YYYY-MM" aria-label="開始年月 from"> 〜
<input type="text" name="to" value="<?cs var:Stats.To ?>" size="8" placeholder="YYYY-MM" aria-label="終了年月 to"></label>
<button type="submit">表示 <span class="en">Show</span></button>
</form>
<?cs if:Stats.Error ?>
<p class="error" id="stats-error">入力に誤りがあります: <?cs var:Stats.Error ?></p>
<p class="en">The period is not valid.</p>
<?cs else ?>
<p>月は発行日（日本時間）で数えます。有効数・失効数・期限切れ数・取得待ちは、その月に発行した証明書の現在の状態です。
<span class="en">Certificates are counted in the month (JST) they were issued; the other columns say what they are now.</span></p>
<p><a id="tsv" href="stats.cgi?from=<?cs var:url_escape(Stats.From) ?>&amp;to=<?cs var:url_escape(Stats.To) ?>&amp;format=tsv">TSVダウンロード <span class="en">Download as TSV</span></a></p>
<h2>ドメイン・証明書種別ごと <span class="en">Per domain and kind</span> (<?cs var:Stats.From ?>〜<?cs var:Stats.To ?>)</h2>
<table id="stats">
<tr><th>ドメイン<br><span class="en">Domain</span></th><th>証明書種別<br><span class="en">Kind</span></th><th>プロファイル<br><span class="en">Profile</span></th>
<th>発行数<br><span class="en">Issued</span></th><th>新規<br><span class="en">New</span></th><th>更新<br><span class="en">Renewed</span></th>
<th>有効数<br><span class="en">Valid</span></th><th>失効数<br><span class="en">Revoked</span></th><th>期限切れ数<br><span class="en">Expired</span></th><th>取得待ち<br><span class="en">Awaiting download</span></th></tr>
<?cs each:s = Stats.Rows ?>
<tr class="row"><td><?cs if:s.Domain ?><?cs var:s.Domain ?><?cs else ?>（なし）<?cs /if ?></td><td><?cs var:s.KindJa ?></td><td><?cs var:s.ProfileId ?> <?cs var:s.ProfileJa ?></td>
<td class="n issued"><?cs var:s.Issued ?></td><td class="n new"><?cs var:s.New ?></td><td class="n renewed"><?cs var:s.Renewed ?></td>
<td class="n valid"><?cs var:s.Valid ?></td><td class="n revoked"><?cs var:s.Revoked ?></td><td class="n expired"><?cs var:s.Expired ?></td><td class="n waiting"><?cs var:s.Waiting ?></td></tr>
<?cs /each ?>
<tr class="total"><th colspan="3">合計 <span class="en">Total</span></th>
<td class="n issued"><?cs var:Stats.Total.Issued ?></td><td class="n new"><?cs var:Stats.Total.New ?></td><td class="n renewed"><?cs var:Stats.Total.Renewed ?></td>
<td class="n valid"><?cs var:Stats.Total.Valid ?></td><td class="n revoked"><?cs var:Stats.Total.Revoked ?></td><td class="n expired"><?cs var:Stats.Total.Expired ?></td><td class="n waiting"><?cs var:Stats.Total.Waiting ?></td></tr>
</table>
<h2>月別 <span class="en">Per month</span></h2>
<div class="stats-wrap">
<figure>
<?cs escape: "none" ?><?cs var:Stats.Svg ?><?cs /escape ?>
<figcaption>月別発行数（新規: 塗りつぶし、更新: 斜線） <span class="en">Issued per month (new: solid, renewal: hatched)</span></figcaption>
</figure>
<table id="months">
<tr><th>年月<br><span class="en">Month</span></th><th>発行数</th><th>新規</th><th>更新</th><th>有効数</th><th>失効数</th><th>期限切れ数</th><th>取得待ち</th></tr>
<?cs each:m = Stats.Months ?>
<tr class="month"><td><?cs var:m.Month ?></td><td class="n issued"><?cs var:m.Issued ?></td><td class="n new"><?cs var:m.New ?></td><td class="n renewed"><?cs var:m.Renewed ?></td>
<td class="n valid"><?cs var:m.Valid ?></td><td class="n revoked"><?cs var:m.Revoked ?></td><td class="n expired"><?cs var:m.Expired ?></td><td class="n waiting"><?cs var:m.Waiting ?></td></tr>
<?cs /each ?>
</table>
</div>
<?cs /if ?>
<p><a href="menu.cgi">メニューへ戻る / Back to the menu</a></p>
<?cs include:"footer.cs" ?>
