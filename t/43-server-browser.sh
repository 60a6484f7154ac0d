#!/bin/sh
# Screen ① in a real browser: headless Chromium, driven by Selenium and
# ChromeDriver from Debian, logs in with the RA certificate, uploads a TSV
# with one good and one bad row, and shows the per-row result table; a
# screenshot is kept in t/artefacts/upload.png.
. "$(dirname "$0")/lib.sh"
command -v chromedriver >/dev/null || bail "chromedriver is not installed (conf/packages: chromium-driver)"
/usr/bin/python3 -c 'import selenium' 2>/dev/null ||
    bail "Selenium is not installed (conf/packages: python3-selenium)"
stack_up
officer_with_cert 1,2,10
chromium_with_cert || bail "the RA P12 does not import into Chromium's NSS database"
O="National Institute of Informatics"
csr=$(openssl req -new -newkey rsa:2048 -nodes -keyout "$T/w.key" \
    -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=www.nii.ac.jp" 2>/dev/null | tr -d '\n')
DN="CN=www.nii.ac.jp,O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP"
{ printf '%s\t21\t\t\t\t\t%s\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\twww.nii.ac.jp\tApache\t\r\n' "$DN" "$csr"
  printf 'CN=x.nii.ac.jp,O=Other,L=Chiyoda-ku,ST=Tokyo,C=JP\t21\t\t\t\t\t%s\t山田太郎\t所属\tyamada@nii.ac.jp\tx.nii.ac.jp\tApache\t\r\n' "$csr"
} | iconv -f UTF-8 -t CP932 >"$T/upload.tsv"

mkdir -p "$top/t/artefacts"
rm -f "$top/t/artefacts/upload.png"
rows=$(timeout -k 5 120 /usr/bin/python3 "$top/t/browser/upload.py" "$URL" \
    "$T/upload.tsv" "$top/t/artefacts/upload.png" 2>"$T/browser.err")
ok $? "Chromium logs in, opens ① from the menu and uploads the file"
[ $? -eq 0 ] || sed 's/^/# /' "$T/browser.err"
has "$rows" '["1","OK","","www.nii.ac.jp"]' "the table shows row 1 OK, with its CN"
has "$rows" '["2","NG","221:2,主体者DN,Oは機関の英語名' "and row 2 NG with its error"
[ -s "$top/t/artefacts/upload.png" ]
ok $? "a screenshot of the result is kept as t/artefacts/upload.png"
is "$(sql "SELECT count(*) FROM ra.request WHERE kind = 'server'")" 1 "the good row was queued"

done_testing
