<?cs set:Page.Title = "全証明書情報一括ダウンロード" ?>
<?cs include:"header.cs" ?>
<h1>全証明書情報一括ダウンロード <span class="en">Download all certificate information</span></h1>
<p><?cs var:Officer.InstitutionJa ?> <?cs var:Officer.NameJa ?> 様</p>
<p>登録されたドメインのサーバ証明書と、機関のクライアント証明書・S/MIME証明書・コード署名用証明書の情報を、
一つのファイル（46列、ヘッダ行付き、②④と同じ形式）でダウンロードします。
<span class="en">Server certificates of your domains and your institution's client, S/MIME and code-signing
certificates, in the 46-column layout of ② and ④, with a header row.</span></p>
<form method="get" action="alldl.cgi">
<input type="hidden" name="dl" value="1">
<p>文字コード <span class="en">Encoding</span>：
<label><input type="radio" name="enc" value="sjis" checked> Shift_JIS（通常はこちら / usual）</label>
<label><input type="radio" name="enc" value="utf8"> UTF-8（他のツールで開く場合 / for other tools）</label></p>
<button type="submit" id="download">ダウンロード <span class="en">Download</span></button>
</form>
<p><a href="menu.cgi">メニューへ戻る</a></p>
<?cs include:"footer.cs" ?>
