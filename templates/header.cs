<!DOCTYPE html>
<html lang="<?cs alt:Lang ?>ja<?cs /alt ?>">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<?cs if:Page.Refresh ?><meta http-equiv="refresh" content="<?cs var:Page.Refresh ?>"><?cs /if ?>
<title><?cs if:Page.Title ?><?cs call:l(Page.Title) ?> - <?cs /if ?><?cs if:Lang == "en" ?><?cs var:Site.NameEn ?><?cs else ?><?cs var:Site.Name ?><?cs /if ?></title>
<style>
body { font-family: sans-serif; margin: 0; color: #222; }
header { background: #1d3c6e; color: #fff; padding: .6em 1em; }
header .en { font-size: .8em; opacity: .8; }
header { position: relative; }
header .lang { position: absolute; right: 1em; top: .8em; }
header .lang a { color: #fff; }
main { padding: 1em; max-width: 60em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #bbb; padding: .25em .6em; text-align: left; }
th { background: #eef; }
.en { color: #555; }
.note { background: #ffd; border: 1px solid #cc9; padding: .5em; }
footer { padding: 1em; font-size: .8em; color: #666; }
a:focus, button:focus, input:focus, select:focus { outline: 3px solid #f90; outline-offset: 1px; }
progress { width: 20em; height: 1.2em; }
</style>
</head>
<body>
<header>
<?cs if:Lang == "en" ?><div><?cs var:Site.NameEn ?></div>
<?cs else ?><div><?cs var:Site.Name ?></div>
<div class="en" lang="en"><?cs var:Site.NameEn ?></div>
<?cs /if ?><nav class="lang"><?cs if:Lang == "en" ?><a id="lang-switch" href="<?cs var:Page.LangSwitch ?>" lang="ja" hreflang="ja">日本語</a><?cs else ?><a id="lang-switch" href="<?cs var:Page.LangSwitch ?>" lang="en" hreflang="en">English</a><?cs /if ?></nav>
</header>
<main>
