"""Every screen of a list in headless Chromium, in one language, each kept
as a screenshot: t/87 runs it once per language and per certificate.

The language is chosen as a user chooses it: the first page opened is
BASE/ra/index.cgi?lang=LANG (the switch link's URL); every later page is opened
without it, so what the test sees in them is the remembered choice.
The certificate is the one the caller put in $HOME/.pki/nssdb, chosen by
the managed policy AutoSelectCertificateForUrls (t/lib.sh).

Usage: /usr/bin/python3 screens.py BASE OUTDIR LANG ALLOWED NAME=URL...
  URL is a path under BASE, or file:///... (a printed letter);
  NAME=upload:PATH:FILE uploads FILE on the screen at PATH (① and the
  like: applyType 1, errorFlg partial) and keeps the result page.
  ALLOWED: data that may be Japanese on an English page (names the
  database holds), separated by '|'.
Prints one JSON object per line: name, lang (<html lang>), title, url,
missing (a [[missing key]] on the page), japanese (the first Japanese
text of an English page once ALLOWED is taken out, or ""), chars
(length of the page's text), shot (the file).
"""
import json
import os
import re
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

# Kana, kanji and full-width forms; not the circled numbers ①..⑳, which
# name the interfaces in both languages.
JAPANESE = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff01-\uff5e]+")


def browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
              "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync",
              "--window-size=1100,800"):
        opts.add_argument(a)
    # A fixed driver path: Selenium must never try to fetch one.
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def upload(drv, base, spec):
    path, tsv = spec.split(":", 1)
    drv.get(base + path)
    drv.find_element(By.CSS_SELECTOR, 'input[name="applyType"][value="1"]').click()
    drv.find_element(By.CSS_SELECTOR, 'input[name="errorFlg"][value="partial"]').click()
    drv.find_element(By.NAME, "file").send_keys(tsv)
    drv.find_element(By.ID, "upload").click()


def look(drv, name, lang, allowed, shot):
    text = drv.execute_script("return document.body ? document.body.innerText : ''")
    # An upload's result rows are the result file's records as integrators
    # read them (code:row,column,message; the columns by the specification's
    # Japanese names, each message with its English): not page text.
    left = drv.execute_script(
        "var b = document.body.cloneNode(true);"
        "b.querySelectorAll('#result td').forEach(function (e) { e.remove(); });"
        "return b.innerText;")
    for a in allowed:
        left = left.replace(a, "")
    # The switch to Japanese is written in Japanese on purpose.
    left = left.replace("日本語", "")
    found = JAPANESE.search(left) if lang == "en" else None
    height = drv.execute_script("return document.documentElement.scrollHeight")
    drv.set_window_size(1100, max(800, min(int(height), 4000)))
    drv.save_screenshot(shot)
    drv.set_window_size(1100, 800)
    return {"name": name,
            "lang": drv.execute_script("return document.documentElement.lang"),
            "title": drv.title, "url": drv.current_url,
            "missing": "[[missing" in text,
            "japanese": found.group(0) if found else "",
            "chars": len(text), "shot": shot}


def main(base, outdir, lang, allowed, entries):
    allowed = [a for a in allowed.split("|") if a]
    os.makedirs(outdir, exist_ok=True)
    drv = browser()
    try:
        drv.set_page_load_timeout(60)
        drv.get(base + "/ra/index.cgi?lang=" + lang)
        for e in entries:
            name, url = e.split("=", 1)
            if url.startswith("upload:"):
                upload(drv, base, url[len("upload:"):])
            else:
                drv.get(url if url.startswith("file:") else base + url)
            shot = os.path.join(outdir, "%s.%s.png" % (name, lang))
            print(json.dumps(look(drv, name, lang, allowed, shot),
                             ensure_ascii=False, separators=(",", ":")),
                  flush=True)
    finally:
        drv.quit()


if __name__ == "__main__":
    if len(sys.argv) < 6:
        sys.exit("usage: screens.py BASE OUTDIR LANG ALLOWED NAME=URL...")
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
