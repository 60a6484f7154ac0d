<?cs set:Page.Title = "準備中" ?>
<?cs include:"header.cs" ?>
<h1>準備中 <span class="en">Not yet available</span></h1>
<p>この機能（<?cs var:Screen.No ?>）は準備中です。<span class="en">This function is not available yet.</span></p>
<p><a href="menu.cgi">メニューへ戻る / Back to the menu</a></p>
<?cs include:"footer.cs" ?>
