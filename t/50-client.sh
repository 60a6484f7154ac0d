#!/bin/sh
# ③ client and S/MIME certificates by TSV: a Kyoto-style 15-column
# Shift_JIS file and a 14-column one issue with each download method; the
# mails an integrator parses; the PIN ZIP, the certificate URL that opens
# only after it, the bulk ZIP; one row per rule refused with its code; a
# weak column-15 PIN refused; renewal (M4) and revocation (M5).
. "$(dirname "$0")/lib.sh"
stack_up
D=$DESKDIR/desk.cgi
C=$OFFICERDIR/client.cgi
O="Kyoto University"
DN="O=$O,L=Kyoto,ST=Kyoto,C=JP"
cu="curl -sS --cacert $CACERT"
"$D" institution-add --code kyoto --name-ja 京都大学 --name-en "$O" --st Kyoto --l Kyoto \
    --from 2026-01-01 --until 2030-12-31 >/dev/null
"$D" domain-add --institution kyoto --domain kyoto-u.ac.jp >/dev/null
off=$("$D" officer-add --institution kyoto --name-ja 京大担当 --romaji "Kyodai Tanto" \
    --mail ra@kyoto-u.ac.jp --phone 075-000-0000 --domains kyoto-u.ac.jp \
    --interfaces 3,4,10 | sed -n 's/^officer \([0-9]*\) .*/\1/p')
sjis() { iconv -f UTF-8 -t CP932 >"$T/$1"; }
up() {	# up FILE ACTION MODE
	"$C" --officer "$off" --action "$2" --mode "$3" "$T/$1" 2>"$T/up.err"
}
count() { sql "SELECT count(*) FROM ra.request"; }
worker_stop		# this test drains the queue itself
drain() { as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null 2>>"$T/worker.log"; mails_settle; }
PIN2=Qx7_vKp2Rm9-LtZa4WbN8c

# A server file on the client screen: one line saying where it goes.
printf 'CN=www.kyoto-u.ac.jp,%s\t22\t\t\t\t\t-----BEGIN CERTIFICATE REQUEST-----MIIB-----END CERTIFICATE REQUEST-----\t京大 管理者\t情報環境機構\tadmin@kyoto-u.ac.jp\twww.kyoto-u.ac.jp\tApache\t\r\n' \
    "$DN" | sjis server-file.tsv
before=$(count)
up server-file.tsv issue abort >/dev/null
[ $? -ne 0 ]; ok $? "a server file on the client screen is refused"
is "$(grep -c "^[0-9][0-9]*:" "$T/up.err")" 1 "with one error line"
has "$(cat "$T/up.err")" "216:0,,このファイルはサーバ証明書の申請ファイル（13列、7列目がCSR）です。「サーバ証明書　発行・更新・失効」の画面でアップロードしてください" \
    "which says it is a server file and where to upload it"
is "$(count)" "$before" "nothing is queued"	# a column-15 PIN as Kyoto's tool makes them (22 base64url)
# The same frame with a code-signing profile (31) is a code-signing file.
printf 'CN=Kyoto Release,%s\t31\t\t\t\t\t-----BEGIN CERTIFICATE REQUEST-----MIIB-----END CERTIFICATE REQUEST-----\t京大 管理者\t情報環境機構\tadmin@kyoto-u.ac.jp\t\ttoken\t\r\n' \
    "$DN" | sjis codesign-file.tsv
up codesign-file.tsv issue abort >/dev/null
[ $? -ne 0 ]; ok $? "a code-signing file on the client screen is refused"
has "$(cat "$T/up.err")" "216:0,,このファイルはコード署名用証明書の申請ファイル（13列、7列目がCSR）です。「コード署名用証明書　発行・更新・失効」の画面でアップロードしてください" \
    "which says it is a code-signing file and where to upload it"
is "$(count)" "$before" "nothing is queued"

# One file, every method: P12個別, S/MIME ブラウザ個別, two P12一括 rows
# (one with its own PIN), and a 14-column row (made before column 15).
{ crow "CN=taro.001,$DN" 14 1 "" NIIcert20261201-001 "京大 太郎" taro@kyoto-u.ac.jp
  crow "CN=hanako@kyoto-u.ac.jp,OU=No 2,$DN" 16 3 "" NIIcert20261201-002 "京大 花子" hanako@kyoto-u.ac.jp
  crow "CN=jiro.003,OU=Graduate School of Informatics,$DN" 13 2 "" NIIcert20261201-003 "京大 次郎" jiro@kyoto-u.ac.jp "$PIN2"
  crow "CN=saburo.004,$DN" 13 2 "" NIIcert20261201-004 "京大 三郎" saburo@kyoto-u.ac.jp
  printf '\r\n'
  crow "CN=shiro.005,$DN" 5 1 "" NIIcert20261201-005 "京大 四郎" shiro@kyoto-u.ac.jp | sed 's/\t\r$/\r/'
} | sjis kyoto.tsv
is "$(iconv -f CP932 -t UTF-8 "$T/kyoto.tsv" | tr -d '\r' | awk -F'\t' 'NF { print NF }' | sort -u | tr '\n' ' ')" \
    "14 15 " "the file has 15-column rows and a 14-column one"
out=$(up kyoto.tsv issue abort)
ok $? "a Kyoto-style Shift_JIS CRLF file is accepted"
is "$(printf '%s\n' "$out" | grep -c '	OK	')" 5 "all five rows OK in the result TSV"
hasnt "$out" "$PIN2" "the result TSV does not echo a column-15 PIN"
is "$(sql "SELECT string_agg(kind || ':' || state || ':' || download_method, ' ' ORDER BY seq) FROM ra.request")" \
    "client:queued:1 smime:waiting:3 client:queued:2 client:queued:2 client:queued:1" \
    "queued by method; the browser row waits for 【発行】"
is "$(sql "SELECT subject_dn FROM ra.request WHERE kind = 'smime'")" "CN=hanako@kyoto-u.ac.jp" \
    "S/MIME: the subject is the mail alone"
stored=$(sql "SELECT convert_from(result_tsv, 'UTF8') FROM ra.batch")
has "$stored" "NIIcert20261201-003" "the stored result holds the row"
hasnt "$stored" "$PIN2" "but not its PIN"

# The browser row's mails went out with the upload; the others after issuance.
mails_settle
m1=$(mail_to admin@kyoto-u.ac.jp "[UPKI] アクセスPIN発行通知")
ok $? "M1 to the user administrator at upload (ブラウザ個別)"
hpin=$(m1_where admin@kyoto-u.ac.jp "r.kind = 'smime'")
ok $? "its URL is the S/MIME row's PIN URL"
m2=$(mail_to hanako@kyoto-u.ac.jp "[UPKI] クライアント証明書発行受付通知 / [UPKI] client certificate issue acceptance notice")
ok $? "M2 to the user, with its bilingual subject"
t=$(mail_text "$m1")
has "$t" "$(printf '*************************************************************\n本メールは、「UPKI電子証明書発行サービス \n電子証明書自動発行支援システム」より自動送信されています。\n*************************************************************\n\n京大 管理者様\n\n当サービスをご利用頂きありがとうございます。\nUPKI電子証明書発行サービスからのお知らせです。')" \
    "M1: the banner, the addressee and the greeting, byte for byte"
has "$t" "$(printf 'このメールに心当たりがない場合や不明点等ございましたら、\n学内の電子証明書発行部局へお問い合わせください。')" "M1: the closing"
has "$t" "　アクセスPIN取得URLは、アクセスPIN取得に成功した時点で自動的にアクセスできなくなります。" "M1: the single-use line"
t=$(mail_text "$m2")
is "$(printf '%s\n' "$t" | head -n 1)" "English follows Japanese." "M2 begins English follows Japanese."
for l in "【A.P12個別ダウンロード（通常はこちら）】" "1) 証明書取得URLに必要なアクセスPINの取得" \
    "　本メール受領後、利用管理者からアクセスPINが配付されるまでお待ちください。" \
    "2) クライアント証明書の取得" "◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆◆" \
    "【B.P12一括ダウンロード（利用管理者はこちら）】" "[A.P.12 individual download (Normally)]" \
    "[B.P12 batch download(for the usage manager)]" \
    "----------------------------------------------------------------" \
    'This e-mail is automatically sent by' '"UPKI Digital Certificate Issuance Service"' \
    "Thank you for using our service." "please contact your Digital certification issue department."; do
	printf '%s\n' "$t" | grep -qxF -- "$l"
	ok $? "M2 has the line: $l"
done
hcrt=$(m2_url "$m2")
has "$hpin" "/ra/pinget.cgi?t=" "the integrator's regular expression finds the PIN URL"
has "$hcrt" "/ra/cliget.cgi?t=" "and the certificate URL"
has "$(mail_text "$m2")" "certificate acquisition URL: $hcrt " "the English part gives the same URL"

# The certificate URL opens only once the PIN was fetched.
page=$($cu -w '%{http_code}' "$hcrt")
has "$page" "アクセスPINがまだ取得されていません" "the certificate URL refuses before the PIN was fetched"
has "$page" "403" "with 403"
page=$($cu "$hpin")
has "$page" 'id="download"' "the PIN URL shows a download button; a GET uses nothing up"
$cu -o "$T/pin-h.zip" -d "t=$(tok_of "$hpin")" "$URL/ra/pinget.cgi"
unzip -p "$T/pin-h.zip" accesspin.txt | iconv -f CP932 -t UTF-8 | tr -d '\r' >"$T/pin-h.txt"
ok $? "the PIN ZIP holds a CP932 accesspin.txt"
is "$(head -n 1 "$T/pin-h.txt")" "$(printf '氏名\tメールアドレス\tアクセスPIN\t主体者DN')" "its header line"
hp=$(awk -F'\t' 'NR == 2 { print $3 }' "$T/pin-h.txt")
is "$(awk -F'\t' 'NR == 2 { print $1 "|" $2 "|" $4 }' "$T/pin-h.txt")" \
    "京大 花子|hanako@kyoto-u.ac.jp|CN=hanako@kyoto-u.ac.jp" "name, mail and DN of the row"
is "$(printf '%s' "$hp" | wc -c)" 22 "a generated access PIN has 22 characters (128 bits)"
is "$($cu -o /dev/null -w '%{http_code}' -d "t=$(tok_of "$hpin")" "$URL/ra/pinget.cgi")" 410 \
    "the PIN URL is used up"
is "$(sql "SELECT count(*) FROM ra.pin_seal s JOIN ra.access_token t USING (token_id) WHERE t.purpose = 'pin_download' AND t.request_id = (SELECT request_id FROM ra.request WHERE kind = 'smime')")" 0 \
    "and its sealed PIN is gone"

# ブラウザ個別: STEP1 PIN, STEP2 the note and 【発行】, STEP3 the P12.
page=$($cu -d "t=$(tok_of "$hcrt")&step=pin&pin=$hp" "$URL/ra/cliget.cgi")
has "$page" "【STEP2】" "STEP2 after the right PIN"
has "$page" "PKCS#12ファイルのパスワードは、いま入力したアクセスPINです" "what to keep is said before 【発行】"
is "$(sql "SELECT count(*) FROM ra.job j JOIN ra.request r USING (request_id) WHERE r.kind = 'smime'")" 0 \
    "no key is made before 【発行】"
s=$(printf '%s' "$page" | sed -n 's/.*name="s" value="\([^"]*\)".*/\1/p')
$cu -o "$T/issue1.html" -d "t=$(tok_of "$hcrt")&s=$s&step=issue&pin=$hp" "$URL/ra/cliget.cgi" &
$cu -o "$T/issue2.html" -d "t=$(tok_of "$hcrt")&s=$s&step=issue&pin=$hp" "$URL/ra/cliget.cgi" &
wait
has "$(cat "$T/issue1.html")" "【STEP3】" "【発行】 pressed twice at once: STEP3"
has "$(cat "$T/issue2.html")" "【STEP3】" "both answers are STEP3"
is "$(sql "SELECT count(*) FROM ra.job j JOIN ra.request r USING (request_id) WHERE r.kind = 'smime'")" 1 \
    "and the key is asked for once"
drain
is "$($cu -o "$T/hanako.p12" -w '%{http_code}' -d "t=$(tok_of "$hcrt")&s=$s&step=download&pin=$hp&format=modern" \
    "$URL/ra/cliget.cgi")" 200 "STEP3 downloads the P12"
openssl pkcs12 -in "$T/hanako.p12" -passin "pass:$hp" -nokeys -clcerts 2>/dev/null |
    openssl x509 -noout -text >"$T/hanako.txt"
ok $? "the P12 opens with the access PIN"
has "$(cat "$T/hanako.txt")" "Subject: CN = hanako@kyoto-u.ac.jp" "S/MIME subject: CN = the mail only"
has "$(cat "$T/hanako.txt")" "email:hanako@kyoto-u.ac.jp" "SAN rfc822Name = the mail"
has "$(grep -A1 'Extended Key Usage' "$T/hanako.txt")" "E-mail Protection" "EKU emailProtection"
hasnt "$(grep -A1 'Extended Key Usage' "$T/hanako.txt")" "Client" "and nothing else"
has "$(cat "$T/hanako.txt")" "Policy: 2.23.140.1.5.1.3" "the Mailbox-validated Strict policy"
nb=$(openssl pkcs12 -in "$T/hanako.p12" -passin "pass:$hp" -nokeys -clcerts 2>/dev/null | openssl x509 -noout -startdate -enddate |
    sed 's/.*=//' | while read -r d; do date -d "$d" +%s; done | tr '\n' ' ')
days=$(echo "$nb" | awk '{ print int(($2 - $1) / 86400 + 0.5) }')
[ "$days" -le 825 ]; ok $? "at most 825 days ($days)"
is "$($cu -o /dev/null -w '%{http_code}' -d "t=$(tok_of "$hcrt")&s=$s&step=download&pin=$hp&format=modern" \
    "$URL/ra/cliget.cgi")" 410 "the certificate URL is used up"
is "$(sql "SELECT count(*) FROM ra.p12_pending")" 4 "the downloaded key is deleted; four others wait"

# P12個別 (taro): mails after issuance, PIN ZIP, PIN form, P12.
tpin=$(m1_where admin@kyoto-u.ac.jp "r.cn = 'taro.001'")
ok $? "M1 for taro after issuance"
m2=$(mail_to taro@kyoto-u.ac.jp "[UPKI] クライアント証明書発行受付通知")
ok $? "M2 to taro after issuance"
tcrt=$(m2_url "$m2")
$cu -o "$T/pin-t.zip" -d "t=$(tok_of "$tpin")" "$URL/ra/pinget.cgi"
tp=$(unzip -p "$T/pin-t.zip" accesspin.txt | iconv -f CP932 -t UTF-8 | tr -d '\r' | awk -F'\t' 'NR == 2 { print $3 }')
[ -n "$tp" ]; ok $? "taro's PIN from his PIN ZIP"
page=$($cu -w '%{http_code}' -d "t=$(tok_of "$tcrt")&step=pin&pin=wrong-wrong-wrong&format=modern" "$URL/ra/cliget.cgi")
has "$page" "あと 4 回" "a wrong PIN is counted"
is "$($cu -o "$T/taro.p12" -w '%{http_code}' -d "t=$(tok_of "$tcrt")&step=pin&pin=$tp&format=legacy" \
    "$URL/ra/cliget.cgi")" 200 "the right PIN gives the P12 (legacy)"
openssl pkcs12 -in "$T/taro.p12" -passin "pass:$tp" -legacy -info -noout 2>"$T/taro.info"
has "$(cat "$T/taro.info")" "pbeWithSHA1And3-KeyTripleDES-CBC" "legacy is 3DES"
hasnt "$(cat "$T/taro.info")" "RC2" "never RC2"
openssl pkcs12 -in "$T/taro.p12" -passin "pass:$tp" -legacy -nokeys -clcerts 2>/dev/null | openssl x509 -noout -text >"$T/taro.txt"
has "$(cat "$T/taro.txt")" "Subject: C = JP, ST = Kyoto, L = Kyoto, O = Kyoto University, CN = taro.001" \
    "client subject: the TSV's DN with the institution's O, ST, L"
has "$(grep -A1 'Extended Key Usage' "$T/taro.txt")" "TLS Web Client Authentication" "EKU clientAuth"
mails_settle
m3=$(mail_to ra@kyoto-u.ac.jp "[UPKI] クライアント証明書取得通知")
ok $? "M3 to the RA officer after the download"
grep -q '^To: .*admin@kyoto-u.ac.jp' "$m3" || grep -q '^Cc: .*admin@kyoto-u.ac.jp' "$m3"
ok $? "and to the user administrator"
t=$(mail_text "$m3")
dn=$(printf '%s\n' "$t" | sed -n '/^【対象証明書DN】$/,/^【/p' | sed -n '3,/^　---/p' | sed '$d' | sed 's/^　//' | paste -sd, -)
is "$dn" "CN=taro.001,O=Kyoto University,L=Kyoto,ST=Kyoto,C=JP" "M3: the DN rebuilt as an integrator does"
sn=$(printf '%s\n' "$t" | sed -n '/^【対象証明書シリアル番号】$/{n;s/^　//p}')
is "$sn" "$(sql "SELECT serial FROM ra.certificate WHERE cn = 'taro.001'")" "M3: the decimal serial"

# P12一括: one PIN ZIP and one ZIP of P12s for the user administrator.
bpin=$(m1_where admin@kyoto-u.ac.jp "t.batch_id IS NOT NULL")
ok $? "P12一括: one M1 for the upload"
m2=$(mail_to admin@kyoto-u.ac.jp "[UPKI] クライアント証明書発行受付通知")
ok $? "P12一括: M2 goes to the user administrator"
bcrt=$(m2_url "$m2")
is "$(sql "SELECT count(*) FROM ra.request WHERE download_method = 2 AND key_secret IS NOT NULL")" 0 \
    "once the upload is done its clear PINs are gone"
is "$($cu -o /dev/null -w '%{http_code}' -d "t=$(tok_of "$bcrt")&step=bulk&format=modern" "$URL/ra/cliget.cgi")" 403 \
    "the bulk URL refuses before the PIN ZIP was fetched"
$cu -o "$T/pin-b.zip" -d "t=$(tok_of "$bpin")" "$URL/ra/pinget.cgi"
unzip -p "$T/pin-b.zip" accesspin.txt | iconv -f CP932 -t UTF-8 | tr -d '\r' >"$T/pin-b.txt"
is "$(awk -F'\t' 'NR > 1 { print $2 }' "$T/pin-b.txt" | tr '\n' ' ')" "jiro@kyoto-u.ac.jp saburo@kyoto-u.ac.jp " \
    "the bulk PIN ZIP lists both rows, in file order"
is "$(awk -F'\t' 'NR == 2 { print $3 }' "$T/pin-b.txt")" "$PIN2" "the column-15 PIN is honoured"
$cu -o "$T/bulk.zip" -d "t=$(tok_of "$bcrt")&step=bulk&format=modern" "$URL/ra/cliget.cgi"
is "$(unzip -Z1 "$T/bulk.zip" | sort | tr '\n' ' ')" "NIIcert20261201-003.p12 NIIcert20261201-004.p12 client.txt " \
    "the bulk ZIP: client.txt and one <column 12>.p12 per row"
unzip -p "$T/bulk.zip" client.txt | iconv -f CP932 -t UTF-8 | tr -d '\r' >"$T/client.txt"
is "$(head -n 1 "$T/client.txt" | cut -f1-4)" "$(printf 'シリアル番号\t氏名\tメールアドレス\t主体者DN')" "client.txt's header"
is "$(awk -F'\t' 'NR == 2 { print $1 }' "$T/client.txt")" "$(sql "SELECT serial FROM ra.certificate WHERE cn = 'jiro.003'")" \
    "client.txt: the serial of the row"
unzip -p "$T/bulk.zip" NIIcert20261201-003.p12 >"$T/jiro.p12"
openssl pkcs12 -in "$T/jiro.p12" -passin "pass:$PIN2" -noout 2>/dev/null
ok $? "each P12 opens with its own row's PIN"
s4=$(awk -F'\t' 'NR == 3 { print $3 }' "$T/pin-b.txt")
unzip -p "$T/bulk.zip" NIIcert20261201-004.p12 | openssl pkcs12 -passin "pass:$s4" -noout 2>/dev/null
ok $? "the generated one too"
is "$($cu -o /dev/null -w '%{http_code}' -d "t=$(tok_of "$bcrt")&step=bulk&format=modern" "$URL/ra/cliget.cgi")" 410 \
    "the bulk URL is used up"

# One row per rule, in abort mode: nothing is queued.
before=$(count)
{ crow "CN=a.1,$DN" 14 4 "" p1 "甲" a1@kyoto-u.ac.jp
  crow "CN=a.2,$DN" 21 1 "" p2 "甲" a2@kyoto-u.ac.jp
  crow "CN=a 3!,$DN" 14 1 "" p3 "甲" a3@kyoto-u.ac.jp
  crow "CN=a.4,O=$O,L=Kyoto,ST=Kyoto,C=US" 14 1 "" p4 "甲" a4@kyoto-u.ac.jp
  crow "CN=a.5,O=Osaka University,L=Kyoto,ST=Kyoto,C=JP" 14 1 "" p5 "甲" a5@kyoto-u.ac.jp
  crow "CN=a.6,O=$O,L=Sakyo,ST=Kyoto,C=JP" 14 1 "" p6 "甲" a6@kyoto-u.ac.jp
  crow "CN=a.7,O=$O,C=JP" 14 1 "" p7 "甲" a7@kyoto-u.ac.jp
  crow "CN=other@kyoto-u.ac.jp,$DN" 16 1 "" p8 "甲" a8@kyoto-u.ac.jp
  crow "CN=a9@example.com,$DN" 16 1 "" p9 "甲" a9@example.com
  crow "CN=a.10,$DN" 14 2 "" p10 "甲" a10@kyoto-u.ac.jp "short-pin-1234"
  crow "CN=a.11,$DN" 14 2 "" p11 "甲" a11@kyoto-u.ac.jp "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
  crow "CN=a.12,$DN" 14 1 "" "../etc/p12" "甲" a12@kyoto-u.ac.jp
  crow "CN=a.13,$DN" 14 2 "" NIIcert20261201-003 "甲" a13@kyoto-u.ac.jp
  crow "CN=a.14,$DN" 14 2 "" NIIcert20261201-003 "甲" a14@kyoto-u.ac.jp
  crow "CN=taro.001,$DN" 14 1 "" p15 "甲" a15@kyoto-u.ac.jp
  crow "CN=a.16,$DN" 14 1 "" p16 "" a16@kyoto-u.ac.jp
  crow "CN=a.17,$DN" 14 1 "" p17 "甲" "not a mail"
  printf 'CN=a.18,%s\t14\t1\t\t\t\t\t甲\t乙\tadmin@kyoto-u.ac.jp\t甲\tp18\t丙\ta18@kyoto-u.ac.jp\t\textra\r\n' "$DN"
  crow "CN=a.19,$DN" 14 1 "" p19 "甲" a19@kyoto-u.ac.jp
  crow "CN=a.20,$DN" 14 1 "" "_dash" "甲" a20@kyoto-u.ac.jp
  crow "CN=a.21,$DN" 14 2 "" p21 "甲" a21@kyoto-u.ac.jp "Password1234567890abcd"
} | sjis rules.tsv
out=$(up rules.tsv issue abort)
[ $? -ne 0 ]; ok $? "a file with bad rows: non-zero exit"
is "$(count)" "$before" "abort mode: nothing is queued, not even the good row"
rule() {	# rule LINE CODE WHAT
	printf '%s\n' "$out" | sed -n "$1p" | grep -q "	NG	.*$2:$1,"
	ok $? "row $1 refused with $2: $3"
}
rule 1 240 "download method not 1, 2 or 3"
rule 2 225 "a server profile in a client file"
rule 3 206 "a CN with a character the DN rules forbid"
rule 4 220 "C not JP"
rule 5 221 "O not the institution's English name"
rule 6 222 "L not the registered value"
rule 7 222 "neither ST nor L"
rule 8 241 "S/MIME CN not the user's mail"
rule 9 224 "S/MIME mail outside the officer's domains"
rule 10 242 "a weak column-15 PIN (14 characters)"
rule 11 242 "a column-15 PIN of one repeated character"
rule 12 243 "a P12 name with a path"
rule 14 229 "a P12 name twice in one P12一括 ZIP"
rule 15 212 "a CN already issued (use renewal)"
rule 16 201 "the user's name missing"
rule 17 206 "the user's mail not a mail address"
rule 18 216 "more than 15 columns"
rule 20 243 "a P12 name that does not begin with a letter or digit"
rule 21 242 "a column-15 PIN with a run of neighbouring characters"
has "$(printf '%s\n' "$out" | sed -n 10p)" "アクセスPINの強度が足りません" "the weak-PIN error says why, in Japanese"
printf '%s\n' "$out" | sed -n 19p | grep -q '	OK	'
ok $? "the good row is OK, and still not queued"
out=$(up rules.tsv issue partial)
is "$(count)" "$((before + 2))" "partial mode queues only the good rows (13 and 19)"

# The OU tells apart two people of one CN (§2.1): a second taro.001.
crow "CN=taro.001,OU=No 9,$DN" 14 1 "" NIIcert20261201-009 "京大 太郎" taro9@kyoto-u.ac.jp | sjis twin.tsv
up twin.tsv issue abort >/dev/null
ok $? "the same CN with another OU is another DN: issued"
out=$(up twin.tsv issue abort)
has "$out" "212:1," "the very same DN again: 212"
# ... spelt with another space, it is X.509's same name: refused, not a third taro.
{ crow "CN=taro.001,OU=No  9,$DN" 14 1 "" NIIcert20261201-019 "京大 太郎" taro9@kyoto-u.ac.jp
  crow "CN=taro.001,OU=No 9 ,$DN" 14 1 "" NIIcert20261201-029 "京大 太郎" taro9@kyoto-u.ac.jp
} | sjis twin2.tsv
out=$(up twin2.tsv issue partial)
is "$(printf '%s\n' "$out" | grep -c '206:[12],主体者DN,主体者DNの値の先頭・末尾に空白、または連続した空白があります。')" 2 \
    "an OU with a doubled or trailing space: 206, not another DN"

# Renewal by serial: same DN, new key; M4 with both serials.
sn=$(sql "SELECT serial FROM ra.certificate WHERE cn = 'taro.001'")
crow "CN=taro.001,$DN" 14 1 "$sn" NIIcert20261202-001 "京大 太郎" taro@kyoto-u.ac.jp | sjis renew.tsv
out=$(up renew.tsv renew abort)
ok $? "a renewal row is accepted"
crow "CN=taro.001,OU=Other,$DN" 14 1 "$sn" x "京大 太郎" taro@kyoto-u.ac.jp | sjis renew2.tsv
out=$(up renew2.tsv renew abort)
has "$out" "232:1," "renewing with another OU: 232"
drain
m4=$(mail_to ra@kyoto-u.ac.jp "[UPKI] クライアント証明書更新通知")
ok $? "M4 to the RA officer"
t=$(mail_text "$m4")
new=$(sql "SELECT c.serial FROM ra.certificate c JOIN ra.request r USING (request_id) WHERE r.action = 'renew'")
is "$(printf '%s\n' "$t" | sed -n '/^【新証明書シリアル番号】$/{n;s/^　//p}')" "$new" "M4: the new serial"
is "$(printf '%s\n' "$t" | sed -n '/^【旧証明書のシリアル番号】$/{n;s/^　//p}')" "$sn" "M4: the old serial"
is "$(sql "SELECT superseded_by IS NOT NULL FROM ra.certificate WHERE serial = $sn")" t "the old one is superseded"

# Revocation: Kyoto's layout; reason 0 needs a comment; M5 to three.
rrow() { printf '%s\t\t\t%s\t%s\t%s\t\t\t\tadmin@kyoto-u.ac.jp\t\t\t\t%s\t\r\n' "$1" "$2" "$3" "$4" "$5"; }
hs=$(sql "SELECT serial FROM ra.certificate WHERE cn = 'hanako@kyoto-u.ac.jp'")
rrow "CN=hanako@kyoto-u.ac.jp,OU=No 2,$DN" "$hs" 0 "" hanako@kyoto-u.ac.jp | sjis rev0.tsv
out=$(up rev0.tsv revoke abort)
has "$out" "201:1,失効理由コメント" "reason 0 without a comment: 201"
rrow "CN=hanako@kyoto-u.ac.jp,OU=No 2,$DN" "$hs" 0 "退職のため" hanako@kyoto-u.ac.jp | sjis rev.tsv
out=$(up rev.tsv revoke abort)
ok $? "the S/MIME certificate is revoked by its TSV row"
is "$(sql "SELECT reason FROM ra.revocation r JOIN ra.certificate c USING (cert_id) WHERE c.serial = $hs")" 0 "reason kept"
out=$(up rev.tsv revoke abort)
has "$out" "234:1," "revoking it again: 234"
mails_settle
m5=$(mail_to hanako@kyoto-u.ac.jp "[UPKI] クライアント証明書失効完了通知 / [UPKI] client certificate revocation completion notification")
ok $? "M5 reaches the user"
grep -q 'ra@kyoto-u.ac.jp' "$m5" && grep -q 'admin@kyoto-u.ac.jp' "$m5"
ok $? "and the RA officer and the user administrator"
t=$(mail_text "$m5")
is "$(printf '%s\n' "$t" | sed -n '/^【失効理由】$/{n;p}')" "　その他" "M5: 【失効理由】　その他"
is "$(printf '%s\n' "$t" | sed -n '/^【reason for revocation】$/{n;p}')" "　unspecified" "M5: 【reason for revocation】　unspecified"
is "$(printf '%s\n' "$t" | sed -n '/^【失効証明書シリアル番号】$/{n;s/^　//p}')" "$hs" "M5: the serial"
has "$t" "$(printf '【revoked certificate DN】\n　---------------------------------------------\n　CN=hanako@kyoto-u.ac.jp\n　---------------------------------------------')" \
    "M5: the English DN block"

# An officer acts on mailboxes under their own domains only.
"$D" domain-add --institution kyoto --domain kyoto-med.jp >/dev/null
off2=$("$D" officer-add --institution kyoto --name-ja 医学部担当 --romaji "Igaku Tanto" \
    --mail ra@kyoto-med.jp --phone 075-000-0001 --domains kyoto-med.jp \
    --interfaces 3 | sed -n 's/^officer \([0-9]*\) .*/\1/p')
rrow "CN=hanako@kyoto-u.ac.jp,OU=No 2,$DN" "$hs" 1 "" hanako@kyoto-u.ac.jp | sjis rev2.tsv
out=$("$C" --officer "$off2" --action revoke --mode abort "$T/rev2.tsv" 2>/dev/null)
has "$out" "224:1," "another domain's officer cannot act on an S/MIME mailbox: 224"

"$D" officer-add --institution kyoto --name-ja 医学部担当2 --romaji "Igaku Ni" --mail ra2@kyoto-med.jp \
    --phone 075-000-0002 --domains kyoto-med.jp --interfaces 3 >/dev/null
crow "CN=mori@kyoto-u.ac.jp,$DN" 15 1 "" mori "森" mori@kyoto-u.ac.jp | sjis mori.tsv
up mori.tsv issue abort >/dev/null
drain
"$C" --officer "$off2" --reissue mori@kyoto-u.ac.jp >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "nor give it a fresh certificate URL"
"$C" --officer "$off" --reissue mori@kyoto-u.ac.jp >/dev/null 2>&1
ok $? "the mailbox's own officer can"

# Revoked before it was downloaded: the key and the URLs go with it.
mpin=$(m1_where admin@kyoto-u.ac.jp "r.cn = 'mori@kyoto-u.ac.jp'")
ms=$(sql "SELECT serial FROM ra.certificate WHERE cn = 'mori@kyoto-u.ac.jp'")
rrow "CN=mori@kyoto-u.ac.jp,$DN" "$ms" 1 "" mori@kyoto-u.ac.jp | sjis revm.tsv
up revm.tsv revoke abort >/dev/null
ok $? "a certificate not yet downloaded is revoked"
is "$(sql "SELECT count(*) FROM ra.p12_pending p JOIN ra.certificate c USING (cert_id) WHERE c.cn = 'mori@kyoto-u.ac.jp'")" 0 \
    "its waiting key is deleted"
is "$($cu -o /dev/null -w '%{http_code}' -d "t=$(tok_of "$mpin")" "$URL/ra/pinget.cgi")" 410 "its PIN URL is used up"

# The public zone's role: no key as a table, no hash as a token, no job.
pub() { psql -h "$T/var/pgsock" -U ra_public -d ra -Atq -c "$1" 2>&1; }
is "$(pub "SELECT count(*) FROM ra.p12_pending")" 0 "ra_public sees no waiting client key as a table"
crow "CN=late.030,$DN" 14 3 "" p30 "遅刻" late30@kyoto-u.ac.jp | sjis late30.tsv
up late30.tsv issue abort >/dev/null
h=$(sql "SELECT encode(t.token_sha256, 'hex') FROM ra.access_token t JOIN ra.request r USING (request_id)
          WHERE r.cn = 'late.030' AND t.purpose = 'p12_download'")
is "$(pub "SELECT ra.client_url_issue('$h', 'Attacker-Chosen-Pass1')")" f "the stored hash is no token: 【発行】 refused"
rid=$(sql "SELECT request_id FROM ra.request WHERE cn = 'late.030'")
has "$(pub "INSERT INTO ra.job (request_id) VALUES ($rid)")" "row-level security" "ra_public cannot queue a client request's job"

# P12一括 with one key past its time: the ZIP holds the others.
{ crow "CN=b.1,$DN" 13 2 "" bulk-1 "乙一" b1@kyoto-u.ac.jp
  crow "CN=b.2,$DN" 13 2 "" bulk-2 "乙二" b2@kyoto-u.ac.jp
} | sjis bulk2.tsv
up bulk2.tsv issue abort >/dev/null
drain
sql "UPDATE ra.p12_pending SET expires_at = now() - interval '1 second'
      WHERE cert_id = (SELECT cert_id FROM ra.certificate WHERE cn = 'b.1')"
bpin=$(m1_where admin@kyoto-u.ac.jp "t.batch_id = (SELECT batch_id FROM ra.request WHERE cn = 'b.2')")
bcrt=$(m2_url "$(mail_to admin@kyoto-u.ac.jp "[UPKI] クライアント証明書発行受付通知")")
$cu -o /dev/null -d "t=$(tok_of "$bpin")" "$URL/ra/pinget.cgi"
$cu -o "$T/bulk2.zip" -d "t=$(tok_of "$bcrt")&step=bulk&format=legacy" "$URL/ra/cliget.cgi"
is "$(unzip -Z1 "$T/bulk2.zip" | sort | tr '\n' ' ')" "bulk-2.p12 client.txt " "the expired row is left out, the other delivered"
has "$(sql "SELECT string_agg(DISTINCT detail->>'request_id', ',') FROM ra.audit WHERE event = 'client.download' AND outcome = 'ok'")" \
    "$(sql "SELECT request_id FROM ra.request WHERE cn = 'taro.001' AND action = 'issue' AND ou = ''")" \
    "a download's audit row names its request"
"$C" --officer "$off" --reissue taro@kyoto-u.ac.jp --action issue "$T/twin.tsv" >/dev/null 2>&1
is "$?" 2 "--reissue with an upload's options: a usage error"

# Cron: a ブラウザ個別 row whose URLs expired before 【発行】 is cancelled
# (its CN is free again), and the sealed PINs of expired URLs go.  Time
# moves through the data: the URLs are made a month old.
crow "CN=late.020,$DN" 14 3 "" p20 "遅刻" late@kyoto-u.ac.jp | sjis late.tsv
up late.tsv issue abort >/dev/null
is "$(sql "SELECT state FROM ra.request WHERE cn = 'late.020'")" waiting "a browser row waits for 【発行】"
sql "UPDATE ra.access_token SET created_at = now() - interval '32 days', expires_at = now() - interval '1 day'
      WHERE request_id = (SELECT request_id FROM ra.request WHERE cn = 'late.020')"
out=$(as_worker "$TOOLSDIR/worker.cgi" expire)
has "$out" "1 browser request(s) cancelled" "worker.cgi expire cancels it"
is "$(sql "SELECT state FROM ra.request WHERE cn = 'late.020'")" cancelled "the request is cancelled"
is "$(sql "SELECT count(*) FROM ra.pin_seal s JOIN ra.access_token t USING (token_id) WHERE t.expires_at <= now()")" 0 \
    "no sealed PIN of an expired URL is left"
up late.tsv issue abort >/dev/null
ok $? "the same CN can be applied for again"

# ④ read by position, as an integrator reads clientAll.tsv (§10.1).
"$OFFICERDIR/clientdl.cgi" --officer "$off" | iconv -f CP932 -t UTF-8 | tr -d '\r' >"$T/clientAll.tsv"
col() { awk -F'\t' -v dn="$1" -v c="$2" '$4 == dn { print $c }' "$T/clientAll.tsv"; }
is "$(awk -F'\t' '{ print NF }' "$T/clientAll.tsv" | sort -u)" 46 "④: 46 columns on every line"
is "$(col "CN=shiro.005,$DN" 12)" 4 "④: not downloaded yet: state 4 (取得待ち)"
is "$(col "CN=jiro.003,OU=Graduate School of Informatics,$DN" 12)" 5 "④: downloaded in the bulk ZIP: state 5"
is "$(col "CN=taro.001,$DN" 12 | sort | tr '\n' ' ')" "4 6 " "④: taro's renewed certificate 6, its successor 4"
is "$(col "CN=hanako@kyoto-u.ac.jp" 12)" 7 "④: the revoked S/MIME certificate: state 7"
is "$(col "CN=shiro.005,$DN" 24)" "$(sql "SELECT serial FROM ra.certificate WHERE cn = 'shiro.005'")" "④: the decimal serial in column 24"
col "CN=shiro.005,$DN" 23 | sed 's/-----BEGIN CERTIFICATE-----/&\n/; s/-----END/\n&/' >"$T/shiro.pem"
na=$(openssl x509 -in "$T/shiro.pem" -noout -enddate | sed 's/notAfter=//')
is "$(col "CN=shiro.005,$DN" 27)" "$(TZ=Asia/Tokyo date -d "$na" '+%Y-%m-%d %H:%M:%S')" \
    "④: notAfter in column 27, JST, from the PEM in column 23"
is "$(col "CN=shiro.005,$DN" 28)" "$(sql "SELECT to_char(max(expires_at) AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI:SS')
      FROM ra.access_token t JOIN ra.request r USING (request_id) WHERE r.cn = 'shiro.005' AND t.purpose = 'p12_download'")" \
    "④: the certificate URL's expiry in column 28"
[ -n "$(col "CN=saburo.004,$DN" 28)" ]; ok $? "④: a P12一括 row has its bulk URL's expiry"
is "$(col "CN=shiro.005,$DN" 45)" 1 "④: download method in column 45"
is "$(col "CN=shiro.005,$DN" 29)" "" "④: the access PIN column stays empty"

# Server profile 3 (§10.2): a server row as the integrators' tool writes
# it (13 fields, the CSR's base64 without its BEGIN/END lines, empty
# dNSName, UTF-8) issues.
body=$(openssl req -new -newkey rsa:2048 -nodes -keyout "$T/srv.key" \
    -subj "/C=JP/ST=Kyoto/L=Kyoto/O=$O/CN=www.kyoto-u.ac.jp" 2>/dev/null | sed '1d;$d' | tr -d '\n')
printf 'CN=www.kyoto-u.ac.jp,%s\t3\t\t\t\t\t%s\t京大 管理者\t情報環境機構\tadmin@kyoto-u.ac.jp\twww.kyoto-u.ac.jp\tApache\t\n' \
    "$DN" "$body" >"$T/srv3.tsv"
"$OFFICERDIR/server.cgi" --officer "$off" --action issue --mode abort "$T/srv3.tsv" >/dev/null 2>"$T/srv3.err"
ok $? "a real-format server row with profile 3 is accepted"
drain
is "$(sql "SELECT c.state || ' ' || c.profile_id FROM ra.certificate c WHERE c.cn = 'www.kyoto-u.ac.jp'")" "issued 3" \
    "and issued under profile 3"

# A drain whose jobs all keep failing stops with an error, instead of
# claiming them for ever: here the worker may not seal PINs, so the two
# one-row P12一括 uploads cannot be finished.
sql "REVOKE INSERT ON ra.pin_seal FROM ra_worker"
crow "CN=stuck.1,$DN" 13 2 "" stuck-1 "止" s1@kyoto-u.ac.jp | sjis stuck1.tsv
crow "CN=stuck.2,$DN" 13 2 "" stuck-2 "止" s2@kyoto-u.ac.jp | sjis stuck2.tsv
up stuck1.tsv issue abort >/dev/null && up stuck2.tsv issue abort >/dev/null
timeout 120 runuser -u ra-worker -- env RA_CONF="$RA_CONF" "$TOOLSDIR/worker.cgi" drain >/dev/null 2>"$T/stuck.err"
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; ok $? "drain gives up on jobs that cannot be finished (exit $rc)"
is "$(sql "SELECT count(*) FROM ra.request WHERE cn LIKE 'stuck.%' AND state = 'queued'")" 2 "and they stay queued"
sql "GRANT INSERT ON ra.pin_seal TO ra_worker"
drain
is "$(sql "SELECT count(*) FROM ra.request WHERE cn LIKE 'stuck.%' AND state = 'done'")" 2 "once the right is back they go through"

# 14-column rows (before column 15 existed) with the other two methods.
{ crow "CN=old14.2,$DN" 13 2 "" old14-2 "旧二" o2@kyoto-u.ac.jp | sed 's/\t\r$/\r/'
  crow "CN=old14.3,$DN" 13 3 "" old14-3 "旧三" o3@kyoto-u.ac.jp | sed 's/\t\r$/\r/'
} | sjis old14.tsv
is "$(iconv -f CP932 -t UTF-8 "$T/old14.tsv" | tr -d '\r' | awk -F'\t' '{ print NF }' | sort -u)" 14 "(14 columns)"
up old14.tsv issue abort >/dev/null
ok $? "14-column rows with P12一括 and ブラウザ個別 are accepted"
drain
is "$(sql "SELECT string_agg(state, ' ' ORDER BY cn) FROM ra.request WHERE cn LIKE 'old14.%'")" "done waiting" \
    "the P12一括 row is issued, the browser row waits for 【発行】"
m1_where admin@kyoto-u.ac.jp "t.batch_id = (SELECT batch_id FROM ra.request WHERE cn = 'old14.2')" >/dev/null
ok $? "the P12一括 upload's PIN URL is mailed"
m1_where admin@kyoto-u.ac.jp "r.cn = 'old14.3'" >/dev/null
ok $? "and the browser row's"

# Server profile 3 (§10.2) is the server RSA profile.
is "$(sql "SELECT kind || ' ' || array_to_string(key_algs, ',') || ' ' || key_gen FROM ra.profile WHERE profile_id = 3")" \
    "server rsa2048,rsa3072,rsa4096 csr" "profile 3 is the server RSA profile"

done_testing
