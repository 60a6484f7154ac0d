<?cs set:Page.Title = "エラー" ?>
<?cs include:"header.cs" ?>
<h1>エラー <span class="en">Error</span></h1>
<?cs if:Error.Why == "origin" ?>
<p>送信元 (Origin: <?cs var:Error.Origin ?>) がこのシステムの URL と異なるため、受け付けませんでした。<a href="<?cs var:Error.URL ?>"><?cs var:Error.URL ?></a> を開き直して操作してください。</p>
<p class="en">Refused: the form was sent from <?cs var:Error.Origin ?>, which is not this system's address. Open <a href="<?cs var:Error.URL ?>"><?cs var:Error.URL ?></a> and try again there.</p>
<?cs elif:Error.Status == 403 ?>
<p>この画面を利用する権限がありません。</p>
<p class="en">You are not allowed to use this screen.</p>
<?cs elif:Error.Status == 404 ?>
<p>指定されたページは存在しません。</p>
<p class="en">The page does not exist.</p>
<?cs elif:Error.Status == 400 || Error.Status == 405 ?>
<p>要求が正しくありません。</p>
<p class="en">The request is not valid.</p>
<?cs elif:Error.Code == 215 ?>
<p>215: 機関状態が無効なため申請できません。</p>
<p class="en">Your institution is not active (review unfinished or usage period over), so no application can be made.</p>
<?cs elif:Error.Status == 503 ?>
<p>システムが一時的に利用できません。しばらくしてから再度お試しください。</p>
<p class="en">The system is temporarily unavailable. Please try again later.</p>
<?cs else ?>
<p>システムエラーが発生しました。問題が続く場合はサービス窓口へお問い合わせください。</p>
<p class="en">A system error occurred. If it persists, contact the service desk.</p>
<?cs /if ?>
<p>(<?cs var:Error.Status ?>)</p>
<?cs include:"footer.cs" ?>
