<?cs set:Page.Title = "タイムスタンプURL" ?>
<?cs include:"header.cs" ?>
<h1>タイムスタンプ利用情報　タイムスタンプURL <span class="en">Time-stamp URL</span></h1>
<p>コード署名の際は、以下のタイムスタンプURL（RFC 3161）を指定してください。署名にタイムスタンプを付けると、証明書の有効期限が過ぎた後も署名を検証できます。
<span class="en">When you sign code, give the signing tool the time-stamp URL below (RFC 3161). A time-stamped signature still verifies after the certificate has expired.</span></p>
<?cs each:u = Tsurl ?>
<h2>URL: <code class="tsurl"><?cs var:u.URL ?></code><?cs if:u.Own == "1" ?> <span class="en">(ra's own time-stamp authority / 本システムのタイムスタンプ局)</span><?cs /if ?></h2>
<table class="tools">
<tr><th>ツール <span class="en">Tool</span></th><th>用途 <span class="en">Use</span></th><th>コマンド・設定 <span class="en">Command or settings</span></th></tr>
<?cs each:t = u.Tool ?>
<tr><td><?cs var:t.Name ?></td><td><?cs var:t.Ja ?><br><span class="en"><?cs var:t.En ?></span></td>
<td><code class="cmd"><?cs var:t.Cmd ?></code><?cs if:?t.CmdEn ?><br><span class="en"><?cs var:t.CmdEn ?></span><?cs /if ?></td></tr>
<?cs /each ?>
</table>
<?cs /each ?>
<p>program.exe、app.jar、鍵の指定などは、お使いの環境に合わせて置き換えてください。鍵はハードウェアトークン等に保管してください。
<span class="en">Replace program.exe, app.jar and the key options with your own; keep the signing key in a hardware token or module.</span></p>
<p><a href="menu.cgi">メニューへ戻る / Back to the menu</a></p>
<?cs include:"footer.cs" ?>
