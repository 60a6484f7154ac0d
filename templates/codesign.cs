<?cs set:Page.Title = "コード署名用証明書 発行・更新・失効" ?>
<?cs include:"header.cs" ?>
<h1>コード署名用証明書　発行・更新・失効 <span class="en">Code-signing certificates: issue, renew, revoke</span></h1>
<p>CSRによる申請のみ受け付けます（鍵はハードウェアで生成・保管してください）。鍵はRSA 3072ビット以上またはECDSA P-256/P-384、有効期間は460日以内です。主体者DNにOUは指定できません。FQDN（11列目）とdNSName（13列目）は空欄、12列目に次の鍵保護方式のコードを記入してください。<br>
<span class="en">CSR only (the key made and kept in hardware); RSA 3072 bits or more, or ECDSA P-256/P-384; at most 460 days; no OU. Columns 11 (FQDN) and 13 (dNSName) stay empty; column 12 names how the key is protected, one of the codes below.</span></p>
<table id="key-protection">
<tr><th>コード <span class="en">Code</span></th><th>鍵保護方式</th><th class="en">Key protection</th><th>根拠 <span class="en">Basis</span></th></tr>
<?cs each:k = KeyProtection ?>
<tr><td><code><?cs var:k.Code ?></code></td><td><?cs var:k.NameJa ?></td><td class="en"><?cs var:k.NameEn ?></td><td><?cs var:k.Basis ?></td></tr>
<?cs /each ?>
</table>
<p><a id="download" href="codesigndl.cgi">コード署名用証明書情報一括ダウンロード</a> <span class="en">Download certificate information</span></p>
<?cs include:"upload-body.cs" ?>
<?cs include:"footer.cs" ?>
