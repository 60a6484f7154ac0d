// The RA officer, in headless Chromium with their RA certificate, logs in,
// opens screen ①, uploads a TSV file and reads the per-row result table.
// Usage: node upload.mjs BASE_URL P12 PASSWORD TSV SCREENSHOT
// Prints the result table's rows as JSON.
import { chromium } from 'playwright-core';

const [base, p12, pass, tsv, shot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext({
    clientCertificates: [{ origin: new URL(base).origin, pfxPath: p12, passphrase: pass }],
  });
  const page = await context.newPage();
  await page.goto(`${base}/ra/lra/login.cgi`);
  await page.click('#if-1 a');
  await page.check('input[name="applyType"][value="1"]');
  await page.check('input[name="errorFlg"][value="partial"]');
  await page.setInputFiles('input[name="file"]', tsv);
  await page.click('#upload');
  await page.waitForSelector('#result');
  const rows = await page.$$eval('#result tr', trs => trs.slice(1).map(tr =>
    Array.from(tr.querySelectorAll('td')).map(td => td.innerText.trim())));
  await page.screenshot({ path: shot, fullPage: true });
  console.log(JSON.stringify(rows));
} finally {
  await browser.close();
}
