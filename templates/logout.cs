<?cs set:Page.Title = "ログアウト" ?>
<?cs include:"header.cs" ?>
<h1>ログアウト <span class="en">Logged out</span></h1>
<p id="logged-out">ログアウトしました。セッションをクリアしました。<br>
証明書による認証はブラウザを閉じるまで残るため、必ずブラウザを閉じてください。<br>
<span class="en">You are logged out. Close the browser now: the certificate login lasts until it is closed.</span></p>
<?cs include:"footer.cs" ?>
