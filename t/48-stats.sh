#!/bin/sh
# ⑦ 発行証明書統計照会 against a hand count.  Certificates come from the
# real path (server and client TSV uploads, the worker, a renewal and a
# revocation upload, downloads from the mailed URLs); time is moved
# through the data (issued_at, notBefore, notAfter), never waited for.  The officer has two
# domains (nii.ac.jp, soken.ac.jp); their institution has a third they
# are not registered for (nii-other.jp), and another institution has its
# own: neither may be counted.  The screen's table cells, the TSV (screen
# and shell, the same bytes) and the chart (in headless Chromium, a
# screenshot kept in t/artefacts/stats.png) must all say the same.
. "$(dirname "$0")/lib.sh"
stack_up
officer_with_cert 1,2,3,4,7,10
CU="curl -sS --cacert $CACERT --cert-type P12 --cert $OFFICER_P12:$OFFICER_PASS"
LRA=$URL/ra/lra
JAR=$T/jar
D=$DESKDIR/desk.cgi
O="National Institute of Informatics"
DN="O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP"
off=1
inst=$(sql "SELECT institution_id FROM ra.institution WHERE code = 'nii'")

# The officer's second domain; a third of the institution's, another
# officer's; another institution with its officer.
"$D" domain-add --institution nii --domain soken.ac.jp >/dev/null &&
"$D" domain-add --institution nii --domain nii-other.jp >/dev/null &&
sql "INSERT INTO ra.officer_domain (institution_id, officer_id, domain_id)
     SELECT institution_id, $off, domain_id FROM ra.domain WHERE name = 'soken.ac.jp'" &&
off2=$("$D" officer-add --institution nii --name-ja 別担当 --romaji "Betsu Tanto" --mail betsu@nii-other.jp \
    --phone 03-0000-0001 --domains nii-other.jp --interfaces 1,7,10 | sed -n 's/^officer \([0-9]*\) .*/\1/p') &&
institution_add kyoto "Kyoto University" Kyoto Kyoto &&
"$D" domain-add --institution kyoto --domain kyoto-u.ac.jp >/dev/null &&
offk=$("$D" officer-add --institution kyoto --name-ja 京大担当 --romaji "Kyodai Tanto" --mail ra@kyoto-u.ac.jp \
    --phone 075-000-0000 --domains kyoto-u.ac.jp --interfaces 1,7,10 | sed -n 's/^officer \([0-9]*\) .*/\1/p')
[ -n "$off2" ] && [ -n "$offk" ]; ok $? "domains and officers registered (officers $off2, $offk)"

csr() {	# csr NAME SUBJECT: a one-line PEM CSR, as the TSV tool writes it
	openssl req -new -newkey rsa:2048 -nodes -keyout "$T/$1.key" -subj "$2" 2>/dev/null | tr -d '\n'
}
srow() {	# srow CN DN-REST SERIAL: a server issue or renew row
	printf '%s\t21\t\t%s\t\t\t%s\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\t%s\tApache httpd 2.4\t\r\n' \
	    "CN=$1,$2" "$3" "$(csr "$1.$3" "/$(printf '%s\n' "$2" | tr ',' '\n' | tac | tr '\n' '/')CN=$1")" "$1"
}
up() {	# up OFFICER CGI FILE ACTION: a Shift_JIS upload from the shell
	iconv -f UTF-8 -t CP932 >"$T/$3" &&
	"$OFFICERDIR/$2" --officer "$1" --action "$4" --mode abort "$T/$3" >"$T/up.out" 2>"$T/up.err" ||
	    { awk -F'\t' '$(NF - 1) == "NG" { print "# " $NF }' "$T/up.out"; sed 's/^/# /' "$T/up.err"; return 1; }
}
drain() { as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null 2>>"$T/worker.log"; }
serial() { sql "SELECT serial FROM ra.certificate WHERE cn = '$1' ORDER BY cert_id DESC LIMIT 1"; }

# --- the data set -------------------------------------------------------
{ srow www.nii.ac.jp "$DN" ""; srow mail.nii.ac.jp "$DN" ""; srow old.nii.ac.jp "$DN" ""
  srow www.soken.ac.jp "$DN" ""; srow api.soken.ac.jp "$DN" ""; } | up $off server.cgi s1.tsv issue
ok $? "five server certificates of the officer's two domains uploaded"
srow www.nii-other.jp "$DN" "" | up "$off2" server.cgi s2.tsv issue
ok $? "one of the domain the officer is not registered for, by its own officer"
srow www.kyoto-u.ac.jp "O=Kyoto University,L=Kyoto,ST=Kyoto,C=JP" "" | up "$offk" server.cgi s3.tsv issue
ok $? "one of another institution"
{ crow "CN=taro.001,$DN" 14 1 "" t48-client-1 "利用 太郎" taro@example.org
  crow "CN=hanako@soken.ac.jp,$DN" 16 1 "" t48-smime-1 "利用 花子" hanako@soken.ac.jp; } |
    up $off client.cgi c1.tsv issue
ok $? "a client certificate (a mail outside every domain) and an S/MIME one (soken.ac.jp)"
drain
is "$(sql "SELECT count(*) FROM ra.certificate WHERE state = 'issued' AND kind <> 'ra_officer'")" 9 \
    "the worker issued all nine"
# Fetched, by the user administrator from the URL of the mail (M6), as
# they would: the old www.nii.ac.jp and www.soken.ac.jp.
fetch() {	# fetch CN: download the certificate of CN from its mailed URL
	link=
	for m in $(grep -l '^To: yamada@nii.ac.jp' "$T/var/mail/maildir/new/"*); do
		body=$(mail_text "$m")
		# The DN block: one RDN a line, after a full-width space.
		printf '%s\n' "$body" | grep -qx "　CN=$1" &&
		    link=$(printf '%s\n' "$body" | grep -o 'https://[^ ]*certget.cgi?t=[A-Za-z0-9_-]*' | head -n 1)
		[ -n "$link" ] && break
	done
	[ -n "$link" ] && curl -sS --cacert "$CACERT" -o "$T/$1.pem" "$link&f=chain" && [ -s "$T/$1.pem" ]
}
mails_settle
fetch www.soken.ac.jp && fetch www.nii.ac.jp
ok $? "two certificates fetched from their retrieval URLs"
is "$(sql "SELECT string_agg(cn, ' ' ORDER BY cn) FROM ra.certificate WHERE retrieved_at IS NOT NULL
           AND kind <> 'ra_officer'")" "www.nii.ac.jp www.soken.ac.jp" "(which marks them fetched)"
A=$(serial www.nii.ac.jp)
srow www.nii.ac.jp "$DN" "$A" | up $off server.cgi r1.tsv renew
ok $? "www.nii.ac.jp renewed"
drain
A2=$(serial www.nii.ac.jp)
[ "$A2" != "$A" ] && [ -n "$A2" ]; ok $? "(the renewal is issued: $A -> $A2)"
B=$(serial mail.nii.ac.jp)
printf 'CN=mail.nii.ac.jp,%s\t\t\t%s\t0\tサーバ廃止のため\t\t\t\tyamada@nii.ac.jp\r\n' "$DN" "$B" |
    up $off server.cgi v1.tsv revoke
ok $? "mail.nii.ac.jp revoked"

# Time, moved through the data.  mid N: the middle of the JST month N
# months back; month N: its name, by date(1).
mid() { echo "((date_trunc('month', now() AT TIME ZONE 'Asia/Tokyo') - interval '$1 months'
               + interval '14 days') AT TIME ZONE 'Asia/Tokyo')"; }
month() { TZ=Asia/Tokyo date -d "$(TZ=Asia/Tokyo date +%Y-%m-15) -$1 months" +%Y-%m; }
at() {	# at CN WHEN [NOTAFTER]: issued (and valid from) WHEN
	sql "UPDATE ra.certificate SET issued_at = $2, not_before = $2${3:+, not_after = $3}
          WHERE cn = '$1' AND serial = $(serial "$1")"
}
sql "UPDATE ra.certificate SET issued_at = $(mid 3), not_before = $(mid 3) WHERE serial = $A"
at mail.nii.ac.jp "$(mid 2)"
at old.nii.ac.jp "$(mid 5)" "now() - interval '1 day'"
# The JST month boundary: the first instant of this month, and the last
# of the one before (both the same UTC day).
at www.soken.ac.jp "(date_trunc('month', now() AT TIME ZONE 'Asia/Tokyo') AT TIME ZONE 'Asia/Tokyo')"
at api.soken.ac.jp "(date_trunc('month', now() AT TIME ZONE 'Asia/Tokyo') AT TIME ZONE 'Asia/Tokyo'
                     - interval '1 microsecond')"
M0=$(month 0) M1=$(month 1) M2=$(month 2) M3=$(month 3) M5=$(month 5) M11=$(month 11)

# The hand count, the default period (the last 12 months):
#   nii.ac.jp server  www (M3, new, superseded, fetched), its renewal (M0,
#                     awaiting), mail (M2, revoked), old (M5, expired)
#                     -> issued 4: new 3, renewed 1; valid 1, revoked 1,
#                        expired 1, awaiting 1
#   soken.ac.jp server www (M0 00:00 JST, fetched), api (M1 23:59:59 JST,
#                     awaiting) -> 2: 2, 0; 2, 0, 0, 1
#   soken.ac.jp smime hanako (M0, awaiting) -> 1: 1, 0; 1, 0, 0, 1
#   （なし） client   taro@example.org (M0, awaiting) -> 1: 1, 0; 1, 0, 0, 1
#   not counted       www.nii-other.jp, www.kyoto-u.ac.jp
# Columns: issued new renewed valid revoked expired awaiting.
ROW1='nii.ac.jp|サーバ証明書|4 3 1 1 1 1 1'
ROW2='soken.ac.jp|サーバ証明書|2 2 0 2 0 0 1'
ROW3='soken.ac.jp|S/MIME証明書|1 1 0 1 0 0 1'
ROW4='（なし）|クライアント証明書|1 1 0 1 0 0 1'
TOTAL='8 7 1 5 1 1 4'

$CU -c "$JAR" -o /dev/null "$LRA/login.cgi"
menu=$($CU -b "$JAR" "$LRA/menu.cgi")
has "$menu" 'href="stats.cgi"' "the menu links ⑦"
# cells PAGE: the table's rows as "domain|kind|issued new renewed ...".
cells() {
	printf '%s' "$1" | perl -0ne '
	    /<table id="stats">(.*?)<\/table>/s or exit;
	    for (split /<tr/, $1) {
		/^ class="row"/ or next;
		my @td = /<td[^>]*>(.*?)<\/td>/gs;
		print "$td[0]|$td[1]|@td[3..9]\n";
	    }'
}
page=$($CU -b "$JAR" "$LRA/stats.cgi")
has "$page" "<h1>⑦発行証明書統計照会" "⑦ opens"
is "$(cells "$page")" "$ROW1
$ROW2
$ROW3
$ROW4" "the table per domain and kind: the hand count, no other domain or institution"
is "$(printf '%s' "$page" | perl -0ne '/<tr class="total">(.*?)<\/tr>/s and print join " ", $1 =~ /<td[^>]*>(\d+)<\/td>/g')" \
    "$TOTAL" "the total row"
has "$page" "value=\"$M11\"" "the default period starts 11 months back ($M11)"
has "$page" "value=\"$M0\"" "and ends this month, JST ($M0)"
# The months' table: M0 4 (3 new, 1 renewed), M1 1, M2 1, M3 1, M5 1.
months() {
	printf '%s' "$1" | perl -0ne '
	    /<table id="months">(.*?)<\/table>/s or exit;
	    for (split /<tr/, $1) {
		my @td = /<td[^>]*>(.*?)<\/td>/gs or next;
		print "$td[0]:$td[1]/$td[2]/$td[3] " if $td[1];
	    }'
}
is "$(months "$page")" "$M5:1/1/0 $M3:1/1/0 $M2:1/1/0 $M1:1/1/0 $M0:4/3/1 " \
    "per month (JST): the last instant of last month is last month's, the first of this one this"

# The chart, in the page and alone.
svg=$(printf '%s' "$page" | perl -0ne 'print $1 if /(<svg.*?<\/svg>)/s')
is "$(printf '%s' "$svg" | grep -o '<g class="month"' | wc -l)" 12 "the chart has a bar for each of the 12 months"
has "$svg" "<title id=\"stats-chart-title\">月別発行数 $M11〜$M0" "it has a title"
has "$svg" "$M0: 新規 3, 更新 1。" "and a description with the numbers"
has "$svg" "data-month=\"$M0\" data-new=\"3\" data-renewed=\"1\"" "this month's bar: 3 new, 1 renewed"
has "$svg" "data-month=\"$M1\" data-new=\"1\" data-renewed=\"0\"" "last month's: 1 new"
is "$(printf '%s' "$svg" | grep -o '<text class="label"[^>]*>[0-9-]*<' | sed 's/.*>\(.*\)</\1/' | head -n 1)" "$M11" \
    "the months are written as text under the bars"
is "$(printf '%s' "$svg" | grep -o '<text class="count"[^>]*>4<' | wc -l)" 1 "and each bar's number over it"
hasnt "$svg" "<script" "no script in the chart"
hasnt "$svg" "href=\"http" "nothing fetched from outside"
ctype=$($CU -b "$JAR" -o "$T/chart.svg" -w '%{content_type}' "$LRA/stats.cgi?format=svg")
is "$ctype" "image/svg+xml; charset=utf-8" "format=svg serves the chart alone as image/svg+xml"
xmllint --noout "$T/chart.svg" 2>/dev/null || python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$T/chart.svg"
ok $? "and it is well-formed XML"

# The TSV: header, CRLF, Shift_JIS; from the screen and the shell alike.
$CU -b "$JAR" -o "$T/stats.tsv" -D "$T/stats.hdr" "$LRA/stats.cgi?format=tsv"
has "$(cat "$T/stats.hdr")" "charset=Shift_JIS" "the TSV is Shift_JIS"
has "$(cat "$T/stats.hdr")" "filename=\"stats-$M11-$M0.tsv\"" "named after its period"
"$OFFICERDIR/stats.cgi" --officer $off >"$T/stats.sh.tsv" 2>"$T/sh.err"
cmp -s "$T/stats.tsv" "$T/stats.sh.tsv"
ok $? "the shell's TSV (--officer) is the screen's"
is "$(perl -ne '$n++ unless /\A[^\r]*\r\n\z/; END { print $n + 0 }' "$T/stats.tsv")" 0 "every line ends in CRLF"
iconv -f CP932 -t UTF-8 "$T/stats.tsv" | tr -d '\r' >"$T/stats.u"
is "$(head -n 1 "$T/stats.u")" "$(printf '年月\tドメイン\t証明書種別\tプロファイルID\tプロファイル名\t発行数\t新規\t更新\t有効数\t失効数\t期限切れ数\t取得待ち')" \
    "the header row"
# tsvrow MONTH DOMAIN KIND: "issued new renewed valid revoked expired awaiting"
tsvrow() { awk -F'\t' -v m="$1" -v d="$2" -v k="$3" '$1 == m && $2 == d && $3 == k { print $6, $7, $8, $9, $10, $11, $12 }' "$T/stats.u"; }
is "$(tsvrow 合計 nii.ac.jp サーバ証明書)|$(tsvrow 合計 soken.ac.jp サーバ証明書)|$(tsvrow 合計 soken.ac.jp S/MIME証明書)|$(tsvrow 合計 （なし） クライアント証明書)" \
    "${ROW1##*|}|${ROW2##*|}|${ROW3##*|}|${ROW4##*|}" "the TSV's period totals: the hand count"
is "$(tsvrow 合計 （全体） （全体）)" "$TOTAL" "and its grand total"
is "$(tsvrow "$M3" nii.ac.jp サーバ証明書)" "1 1 0 0 0 0 0" "a month's line: www.nii.ac.jp, superseded"
is "$(tsvrow "$M0" （全体） （全体）)" "4 3 1 4 0 0 3" "every row of this month together (the chart's bar)"
is "$(grep -c 'nii-other\|kyoto' "$T/stats.u")" 0 "no line of the other domain or institution"

# The period filter.
p=$($CU -b "$JAR" "$LRA/stats.cgi?from=$M2&to=$M1")
is "$(cells "$p")" "nii.ac.jp|サーバ証明書|1 1 0 0 1 0 0
soken.ac.jp|サーバ証明書|1 1 0 1 0 0 1" "from $M2 to $M1: only mail.nii.ac.jp and api.soken.ac.jp"
is "$(printf '%s' "$p" | grep -o '<g class="month"' | wc -l)" 2 "and a chart of two months"
p=$($CU -b "$JAR" "$LRA/stats.cgi?from=$M0&to=$M0")
is "$(cells "$p" | cut -d'|' -f1,3 | tr '\n' ' ')" "nii.ac.jp|1 0 1 1 0 0 1 soken.ac.jp|1 1 0 1 0 0 0 soken.ac.jp|1 1 0 1 0 0 1 （なし）|1 1 0 1 0 0 1 " \
    "this month alone: from its first instant in JST"
"$OFFICERDIR/stats.cgi" --officer $off --from "$M2" --to "$M1" | iconv -f CP932 -t UTF-8 | tr -d '\r' >"$T/p.u"
is "$(awk -F'\t' '$1 == "合計" && $2 == "（全体）" { print $6, $9, $10 }' "$T/p.u")" "2 1 1" "the shell takes the period too"
code=$($CU -b "$JAR" -o "$T/bad.html" -w '%{http_code}' "$LRA/stats.cgi?from=2026-13&to=$M0")
is "$code" 400 "a month 13 is refused (400)"
has "$(cat "$T/bad.html")" "from: 年月は YYYY-MM" "naming the field and the form wanted"
code=$($CU -b "$JAR" -o "$T/bad.html" -w '%{http_code}' "$LRA/stats.cgi?from=$M0&to=$M2")
is "$code" 400 "a period that ends before it starts is refused"
has "$(cat "$T/bad.html")" "開始年月が終了年月より後です" "saying so"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'web.refused' AND detail->>'script' LIKE '%/stats.cgi'
           AND detail->>'why' LIKE '%年月%'")" 2 "both refusals are audited, with the reason"
"$OFFICERDIR/stats.cgi" --officer $off --from 1999-01 >/dev/null 2>"$T/err"
[ $? -ne 0 ] && grep -q 'from:' "$T/err"; ok $? "the shell refuses a bad period too, naming it"

# Another institution's and the other officer's views.
"$OFFICERDIR/stats.cgi" --officer "$offk" | iconv -f CP932 -t UTF-8 | tr -d '\r' >"$T/k.u"
is "$(awk -F'\t' '$1 == "合計" && $2 != "（全体）" { print $2, $3, $6 }' "$T/k.u")" "kyoto-u.ac.jp サーバ証明書 1" \
    "Kyoto's officer counts Kyoto's one certificate, none of NII's"
"$OFFICERDIR/stats.cgi" --officer "$off2" | iconv -f CP932 -t UTF-8 | tr -d '\r' >"$T/o2.u"
is "$(awk -F'\t' '$1 == "合計" && $2 != "（全体）" { print $2 "/" $3 "/" $6 }' "$T/o2.u" | tr '\n' ' ')" \
    "nii-other.jp/サーバ証明書/1 soken.ac.jp/S/MIME証明書/1 （なし）/クライアント証明書/1 " \
    "the other officer: their domain's server certificate and the institution's client ones"

# A domain registered later takes the certificates under it; removed,
# gives them back (017's triggers).
"$D" domain-add --institution nii --domain api.soken.ac.jp >/dev/null
"$OFFICERDIR/stats.cgi" --officer $off | iconv -f CP932 -t UTF-8 | tr -d '\r' >"$T/d.u"
is "$(awk -F'\t' '$1 == "合計" && $3 == "サーバ証明書" { print $2 ":" $6 }' "$T/d.u" | tr '\n' ' ')" \
    "api.soken.ac.jp:1 nii.ac.jp:4 soken.ac.jp:1 " "api.soken.ac.jp registered: its certificate is counted under it"
sql "DELETE FROM ra.domain WHERE name = 'api.soken.ac.jp'"
"$OFFICERDIR/stats.cgi" --officer $off | iconv -f CP932 -t UTF-8 | tr -d '\r' >"$T/d.u"
is "$(awk -F'\t' '$1 == "合計" && $3 == "サーバ証明書" { print $2 ":" $6 }' "$T/d.u" | tr '\n' ' ')" \
    "nii.ac.jp:4 soken.ac.jp:2 " "removed: under soken.ac.jp again"

# The chart in a real browser.
if command -v chromedriver >/dev/null && /usr/bin/python3 -c 'import selenium' 2>/dev/null; then
	chromium_with_cert || bail "the RA P12 does not import into Chromium's NSS database"
	mkdir -p "$top/t/artefacts"
	rm -f "$top/t/artefacts/stats.png"
	seen=$(timeout -k 5 120 /usr/bin/python3 "$top/t/browser/stats.py" "$URL" \
	    "$top/t/artefacts/stats.png" 2>"$T/browser.err")
	ok $? "Chromium logs in, opens ⑦ from the menu and draws the chart"
	[ $? -eq 0 ] || sed 's/^/# /' "$T/browser.err"
	has "$seen" '"bars":12' "it shows 12 bars"
	has "$seen" "\"labels\":[\"$M11\"," "with the months as text"
	has "$seen" '"height":' "laid out with a size"
	hasnt "$seen" '"height":0' "not an empty box"
	has "$seen" "\"cells\":[\"nii.ac.jp\",\"サーバ証明書\"" "the table beside it"
	[ -s "$top/t/artefacts/stats.png" ]
	ok $? "a screenshot is kept as t/artefacts/stats.png"
else
	echo "# skipped the browser: chromedriver or Selenium missing (conf/packages)"
fi

# Permission, audit.
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'stats.view' AND officer_id = $off AND outcome = 'ok'")" \
    "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'stats.view' AND officer_id = $off")" "each view is audited"
sql "DELETE FROM ra.officer_permission WHERE officer_id = $off AND interface = 7"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/stats.cgi")" 403 "without permission ⑦: 403"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/stats.cgi?format=tsv")" 403 "and no TSV"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'web.refused' AND detail->>'script' LIKE '%/stats.cgi'
           AND detail->>'error' = 'access denied'")" 2 "both refusals audited"
hasnt "$($CU -b "$JAR" "$LRA/menu.cgi")" 'href="stats.cgi"' "and the menu no longer shows ⑦"

done_testing
