<?cs if:Get.Kind == "code_signing" ?><?cs set:Page.Title = "certget.TitleCS" ?><?cs else ?><?cs set:Page.Title = "certget.Title" ?><?cs /if ?>
<?cs include:"header.cs" ?>
<h1><?cs call:t(Page.Title) ?></h1>
<?cs if:Get.Invalid ?>
<p class="note" id="error"><?cs if:Lang == "en" ?><?cs call:e("certget.Invalid") ?><?cs else ?><?cs call:l("certget.Invalid") ?><br>
<span class="en" lang="en"><?cs call:e("certget.Invalid") ?></span><?cs /if ?></p>
<?cs else ?>
<table>
<tr><th><?cs call:l("certget.Subject") ?></th><td id="subject"><?cs var:Get.Subject ?></td></tr>
<tr><th><?cs call:l("certget.Serial") ?></th><td id="serial"><?cs var:Get.Serial ?></td></tr>
<tr><th><?cs call:l("certget.NotAfter") ?></th><td><?cs var:Get.NotAfter ?></td></tr>
</table>
<ul>
<li><a id="pem" href="certget.cgi?t=<?cs var:Get.Token ?>&amp;f=pem"><?cs call:l("certget.Pem") ?></a></li>
<li><a id="chain" href="certget.cgi?t=<?cs var:Get.Token ?>&amp;f=chain"><?cs call:l("certget.Chain") ?></a></li>
<li><a id="p7b" href="certget.cgi?t=<?cs var:Get.Token ?>&amp;f=p7b">PKCS#7 (DER)</a></li>
</ul>
<p><?cs call:l("certget.Hour") ?><?cs if:Lang != "en" ?><span class="en" lang="en"><?cs call:e("certget.Hour") ?></span><?cs /if ?></p>
<?cs /if ?>
<?cs include:"footer.cs" ?>
