<!DOCTYPE html>
<html lang="<?cs alt:Lang ?>ja<?cs /alt ?>">
<head><meta charset="utf-8"><title><?cs if:Lang == "en" ?><?cs call:e("pin_letter.Title") ?><?cs else ?><?cs call:l("pin_letter.Title") ?> / <?cs call:e("pin_letter.Title") ?><?cs /if ?></title>
<style>body{font-family:serif;margin:3em;} .pin{font:bold 2em monospace;letter-spacing:.2em;border:1px solid #000;padding:.3em .6em;display:inline-block;}</style>
</head>
<body>
<h1><?cs call:l("pin_letter.Title") ?></h1>
<p><?cs var:Letter.InstitutionJa ?><br><?cs call:l("pin_letter.Name") ?></p>
<p><?cs call:l("pin_letter.Intro") ?></p>
<p class="pin"><?cs var:Letter.PIN ?></p>
<p><?cs call:l("pin_letter.Expires") ?></p>
<p><?cs call:l("pin_letter.Keep") ?></p>
<?cs if:Lang != "en" ?><hr>
<p lang="en"><?cs call:e("pin_letter.Summary") ?></p>
<?cs /if ?></body></html>
