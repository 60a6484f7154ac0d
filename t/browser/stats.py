"""Screen ⑦ in headless Chromium, driven by Selenium and ChromeDriver from
Debian (python3-selenium, chromium-driver): the RA officer logs in with the
RA certificate the caller put in $HOME/.pki/nssdb (chosen by the managed
policy AutoSelectCertificateForUrls), opens ⑦ from the menu, and reads what
the browser drew of the chart: its bars, its month labels, its size, and
the first row of the table beside it.

Usage: /usr/bin/python3 stats.py BASE_URL SCREENSHOT
Prints one JSON object: bars, labels, width, height, cells.
"""
import json
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def main(base, shot):
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
              "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync",
              "--accept-lang=ja", "--window-size=1200,900"):
        opts.add_argument(a)
    # A fixed driver path: Selenium must never try to fetch one.
    drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    try:
        drv.set_page_load_timeout(60)
        wait = WebDriverWait(drv, 60)
        drv.get(base + "/ra/lra/login.cgi")
        wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "#if-7 a"))).click()
        chart = wait.until(EC.presence_of_element_located((By.ID, "stats-chart")))
        # What the browser laid out, not what the HTML says.
        box = drv.execute_script(
            "var r = arguments[0].getBoundingClientRect();"
            "return [Math.round(r.width), Math.round(r.height)];", chart)
        bars = drv.execute_script(
            "return document.querySelectorAll('#stats-chart g.month').length;")
        labels = drv.execute_script(
            "return Array.from(document.querySelectorAll('#stats-chart text.label'))"
            ".filter(function (t) { return t.getBBox().width > 0; })"
            ".map(function (t) { return t.textContent; });")
        cells = [td.text.strip() for td in
                 drv.find_elements(By.CSS_SELECTOR, "#stats tr.row:first-of-type td, #stats tr:nth-child(2) td")[:2]]
        height = drv.execute_script("return document.documentElement.scrollHeight")
        drv.set_window_size(1200, max(900, int(height)))
        drv.save_screenshot(shot)
        print(json.dumps({"bars": bars, "labels": labels, "width": box[0],
                          "height": box[1], "cells": cells},
                         ensure_ascii=False, separators=(",", ":")))
    finally:
        drv.quit()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: stats.py BASE_URL SCREENSHOT")
    main(*sys.argv[1:])
