"""Screen ① in headless Chromium, driven by Selenium and ChromeDriver from
Debian (python3-selenium, chromium-driver): the RA officer logs in with the
RA certificate the caller put in $HOME/.pki/nssdb (chosen by the managed
policy AutoSelectCertificateForUrls), opens ① from the menu, uploads a TSV
file and reads the per-row result table.

Usage: /usr/bin/python3 upload.py BASE_URL TSV SCREENSHOT
Prints the result table's rows as JSON (one list of cell texts per row).
"""
import json
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def main(base, tsv, shot):
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
              "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync",
              "--window-size=1100,900"):
        opts.add_argument(a)
    # A fixed driver path: Selenium must never try to fetch one.
    drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    try:
        drv.set_page_load_timeout(60)
        wait = WebDriverWait(drv, 60)
        drv.get(base + "/ra/lra/login.cgi")
        wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "#if-1 a"))).click()
        wait.until(EC.presence_of_element_located((By.NAME, "file")))
        drv.find_element(By.CSS_SELECTOR, 'input[name="applyType"][value="1"]').click()
        drv.find_element(By.CSS_SELECTOR, 'input[name="errorFlg"][value="partial"]').click()
        drv.find_element(By.NAME, "file").send_keys(tsv)
        drv.find_element(By.ID, "upload").click()
        wait.until(EC.presence_of_element_located((By.ID, "result")))
        rows = [[td.text.strip() for td in tr.find_elements(By.TAG_NAME, "td")]
                for tr in drv.find_elements(By.CSS_SELECTOR, "#result tr")[1:]]
        height = drv.execute_script("return document.documentElement.scrollHeight")
        drv.set_window_size(1100, max(900, int(height)))
        drv.save_screenshot(shot)
        print(json.dumps(rows, ensure_ascii=False, separators=(",", ":")))
    finally:
        drv.quit()


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: upload.py BASE_URL TSV SCREENSHOT")
    main(*sys.argv[1:])
