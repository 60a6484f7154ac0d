<?cs set:Page.Title = "サーバ証明書 発行・更新・失効" ?>
<?cs include:"header.cs" ?>
<h1>サーバ証明書　発行・更新・失効 <span class="en">Server certificates: issue, renew, revoke</span></h1>
<?cs include:"upload-body.cs" ?>
<?cs include:"footer.cs" ?>
