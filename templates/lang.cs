<?cs # lang.cs: parsed before every page (lib/render.c).  A page names its
  strings by key ("menu.Title"); lang/ja.hdf and lang/en.hdf hold them as
  Ja.menu.Title and En.menu.Title.  Lang is "ja" or "en" (lib/lang.c).
  A Japanese page carries the English beside the Japanese, as the
  original did; an English page has the English alone.  A string may hold
  var: commands for the page's data, escaped as any other.  A key missing in
  a language shows as [[missing key]], which t/87 looks for.

  t(k)    inline: 日本語 <span class="en">English</span>, or English
  para(k) a paragraph each: <p>日本語</p><p class="en">English</p>, or <p>English</p>
  l(k)    the page's language alone (titles, buttons, a column of its own)
  e(k)    English alone (a Japanese page's English column) ?><?cs
def:str(tree, k) ?><?cs if:?tree[k] ?><?cs lvar:tree[k] ?><?cs else ?>[[missing <?cs var:k ?>]]<?cs /if ?><?cs /def ?><?cs
def:t(k) ?><?cs if:Lang == "en" ?><?cs call:str(En, k) ?><?cs else ?><?cs call:str(Ja, k) ?> <span class="en" lang="en"><?cs call:str(En, k) ?></span><?cs /if ?><?cs /def ?><?cs
def:para(k) ?><?cs if:Lang == "en" ?><p><?cs call:str(En, k) ?></p><?cs else ?><p><?cs call:str(Ja, k) ?></p>
<p class="en" lang="en"><?cs call:str(En, k) ?></p><?cs /if ?><?cs /def ?><?cs
def:l(k) ?><?cs if:Lang == "en" ?><?cs call:str(En, k) ?><?cs else ?><?cs call:str(Ja, k) ?><?cs /if ?><?cs /def ?><?cs
def:e(k) ?><?cs call:str(En, k) ?><?cs /def ?>