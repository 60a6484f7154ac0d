#!/bin/sh
# ③ certificates at the user's end: the PKCS#12 files ra hands out through
# the real flow (TSV, worker, mails, PIN ZIP, certificate URL, bulk ZIP)
# import into NSS and Java in both formats, modern and legacy; the client
# certificate logs in to a web server that requires one, with curl and
# with headless Chromium; the S/MIME certificate signs, verifies,
# encrypts and decrypts with openssl cms.
. "$(dirname "$0")/lib.sh"
stack_up
D=$DESKDIR/desk.cgi
C=$OFFICERDIR/client.cgi
O="Kyoto University"
DN="O=$O,L=Kyoto,ST=Kyoto,C=JP"
ADMIN=admin@kyoto-u.ac.jp
cu="curl -sS --cacert $CACERT"
"$D" institution-add --code kyoto --name-ja 京都大学 --name-en "$O" --st Kyoto --l Kyoto \
    --from 2026-01-01 --until 2030-12-31 >/dev/null
"$D" domain-add --institution kyoto --domain kyoto-u.ac.jp >/dev/null
off=$("$D" officer-add --institution kyoto --name-ja 京大担当 --romaji "Kyodai Tanto" \
    --mail ra@kyoto-u.ac.jp --phone 075-000-0000 --domains kyoto-u.ac.jp \
    --interfaces 3,4,10 | sed -n 's/^officer \([0-9]*\) .*/\1/p')
worker_stop		# this test drains the queue itself
up() {	# up FILE: issue every row, or none
	iconv -f UTF-8 -t CP932 >"$T/$1"
	"$C" --officer "$off" --action issue --mode abort "$T/$1" >"$T/$1.out" 2>"$T/up.err"
}
drain() { as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null 2>>"$T/worker.log"; mails_settle; }
BPIN1=Qx7_vKp2Rm9-LtZa4WbN8c	# column-15 PINs of the bulk rows, as Kyoto's tool makes them
BPIN2=Hq3TzW8_pLn5-VbR2cXs7d
BPIN3=uJ4nK9_wQe2-ZrT6yPm3Ha
BPIN4=Ws5eB8-nYk3_QdG7rLx2Uf

# Three P12個別 rows (two client, one S/MIME) and a P12一括 upload of two
# rows; a second P12一括 upload, so that one bulk ZIP comes in each format.
{ crow "CN=taro.001,$DN" 14 1 "" NIIcert20261201-001 "京大 太郎" taro@kyoto-u.ac.jp
  crow "CN=ichiro.002,OU=Graduate School of Informatics,$DN" 14 1 "" NIIcert20261201-002 "京大 一郎" ichiro@kyoto-u.ac.jp
  crow "CN=hanako@kyoto-u.ac.jp,$DN" 16 1 "" NIIcert20261201-003 "京大 花子" hanako@kyoto-u.ac.jp
  crow "CN=jiro.004,$DN" 13 2 "" NIIcert20261201-004 "京大 次郎" jiro@kyoto-u.ac.jp "$BPIN1"
  crow "CN=saburo.005,$DN" 13 2 "" NIIcert20261201-005 "京大 三郎" saburo@kyoto-u.ac.jp "$BPIN2"
} | up one.tsv
ok $? "the first client TSV is accepted"
{ crow "CN=shiro.006,$DN" 14 2 "" NIIcert20261201-006 "京大 四郎" shiro@kyoto-u.ac.jp "$BPIN3"
  crow "CN=goro.007,$DN" 14 2 "" NIIcert20261201-007 "京大 五郎" goro@kyoto-u.ac.jp "$BPIN4"
} | up two.tsv
ok $? "the second (P12一括) TSV is accepted"
drain
is "$(sql "SELECT count(*) FROM ra.certificate c JOIN ra.request r USING (request_id) WHERE r.kind IN ('client', 'smime')")" 7 \
    "the worker issued all seven"

# The M2 certificate URL, among the mails to $1, of the token condition $2.
m2_where() {
	for f in $(grep -l "^To: .*$1" "$T/var/mail/maildir/new/"* 2>/dev/null); do
		u=$(m2_url "$f")
		[ -n "$u" ] && url_is "$u" "$2" && { echo "$u"; return 0; }
	done
	return 1
}
# The PIN of row $2 of the PIN ZIP $1 (an accesspin.txt, CP932, CRLF).
zip_pin() {
	unzip -p "$1" accesspin.txt | iconv -f CP932 -t UTF-8 | tr -d '\r' |
	    awk -F'\t' -v n="$2" 'NR == n + 1 { print $3 }'
}

# P12個別: the user administrator's PIN ZIP (M1), then the user's URL (M2)
# with that PIN.  get1 NAME CN MAIL FORMAT -> $T/NAME.p12, $T/NAME.pin
get1() {
	pu=$(m1_where "$ADMIN" "r.cn = '$2'")
	cert=$(m2_where "$3" "r.cn = '$2'")
	[ -n "$pu" ] && [ -n "$cert" ] || return 1
	$cu -o "$T/$1-pin.zip" -d "t=$(tok_of "$pu")" "$URL/ra/pinget.cgi" || return 1
	zip_pin "$T/$1-pin.zip" 1 >"$T/$1.pin"
	[ -s "$T/$1.pin" ] || return 1
	[ "$($cu -o "$T/$1.p12" -w '%{http_code}' \
	    -d "t=$(tok_of "$cert")&step=pin&pin=$(cat "$T/$1.pin")&format=$4" \
	    "$URL/ra/cliget.cgi")" = 200 ]
}
get1 taro taro.001 taro@kyoto-u.ac.jp modern
ok $? "taro's P12 (client, P12個別) downloaded as modern"
get1 ichiro ichiro.002 ichiro@kyoto-u.ac.jp legacy
ok $? "ichiro's P12 (client, P12個別) downloaded as legacy"
get1 hanako hanako@kyoto-u.ac.jp hanako@kyoto-u.ac.jp modern
ok $? "hanako's P12 (S/MIME, P12個別) downloaded as modern"

# P12一括: the bulk PIN ZIP, then the ZIP of P12s, one per upload and format.
# getbulk BATCH-CN FORMAT NAME=P12NAME... (in file order) -> $T/NAME.p12, $T/NAME.pin
getbulk() {
	b=$(sql "SELECT batch_id FROM ra.request WHERE cn = '$1'")
	pu=$(m1_where "$ADMIN" "t.batch_id = $b")
	cert=$(m2_where "$ADMIN" "t.batch_id = $b")
	[ -n "$pu" ] && [ -n "$cert" ] || return 1
	$cu -o "$T/bulk$b-pin.zip" -d "t=$(tok_of "$pu")" "$URL/ra/pinget.cgi" || return 1
	[ "$($cu -o "$T/bulk$b.zip" -w '%{http_code}' -d "t=$(tok_of "$cert")&step=bulk&format=$2" \
	    "$URL/ra/cliget.cgi")" = 200 ] || return 1
	shift 2
	n=1
	for nm; do
		zip_pin "$T/bulk$b-pin.zip" $n >"$T/${nm%%=*}.pin"
		unzip -p "$T/bulk$b.zip" "${nm#*=}.p12" >"$T/${nm%%=*}.p12" || return 1
		n=$((n + 1))
	done
}
getbulk jiro.004 modern jiro=NIIcert20261201-004 saburo=NIIcert20261201-005
ok $? "the first bulk ZIP downloaded as modern"
getbulk shiro.006 legacy shiro=NIIcert20261201-006 goro=NIIcert20261201-007
ok $? "the second bulk ZIP downloaded as legacy"
is "$(cat "$T/jiro.pin") $(cat "$T/saburo.pin") $(cat "$T/shiro.pin") $(cat "$T/goro.pin")" \
    "$BPIN1 $BPIN2 $BPIN3 $BPIN4" "the bulk PIN ZIPs hand out the column-15 PINs"


# 1. The P12s import where users put them.  Modern and legacy are what
# the names say, and OpenSSL 3 opens both without its legacy provider.
p12() {	# p12 NAME OPENSSL-PKCS12-ARGS...
	n_=$1
	shift
	openssl pkcs12 -in "$T/$n_.p12" -passin "pass:$(cat "$T/$n_.pin")" "$@"
}
PAIRS="taro:taro.001:modern ichiro:ichiro.002:legacy hanako:hanako@kyoto-u.ac.jp:modern
       jiro:jiro.004:modern saburo:saburo.005:modern shiro:shiro.006:legacy goro:goro.007:legacy"
for x in $PAIRS; do
	n=${x%%:*}; cn=${x#*:}; cn=${cn%:*}; f=${x##*:}
	info=$(p12 "$n" -info -noout 2>&1)
	if [ "$f" = modern ]; then
		has "$info" "Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC" "$n: modern key bag is AES-256 under PBKDF2"
		has "$info" "MAC: sha256" "$n: modern MAC is SHA-256"
	else
		has "$info" "Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC" "$n: legacy key bag is 3DES"
		hasnt "$info" "RC2" "$n: legacy has no RC2"
	fi
	p12 "$n" -nokeys -clcerts -out "$T/$n.crt" 2>/dev/null &&
	    p12 "$n" -nocerts -nodes -out "$T/$n.key" 2>/dev/null &&
	    p12 "$n" -cacerts -nokeys -out "$T/$n-ca.pem" 2>/dev/null
	ok $? "$n: OpenSSL 3 opens the $f P12 without -legacy"

	# NSS (Firefox, Thunderbird, Chromium on Linux).
	db=sql:$T/nss-$n
	mkdir -p "$T/nss-$n"
	certutil -N -d "$db" --empty-password
	pk12util -i "$T/$n.p12" -d "$db" -W "$(cat "$T/$n.pin")" >"$T/nss-$n.out" 2>&1
	ok $? "$n: pk12util imports the $f P12"
	is "$(certutil -K -d "$db" 2>/dev/null | sed -n 's/^< *[0-9]*> *rsa *[0-9a-f]* *//p')" "$cn" \
	    "$n: NSS holds one RSA key, for $cn"
	is "$(certutil -L -d "$db" | awk -v cn="$cn" '$1 == cn { print $NF }')" "u,u,u" \
	    "$n: and the certificate is a user certificate (has its key)"

	# Java (keytool, and so every JSSE client).
	jout=$(keytool -list -v -storetype PKCS12 -keystore "$T/$n.p12" -storepass "$(cat "$T/$n.pin")" 2>&1)
	ok $? "$n: keytool lists the $f P12"
	has "$jout" "Your keystore contains 1 entry" "$n: Java sees one entry"
	has "$jout" "$(printf 'Alias name: %s\n' "$cn")" "$n: named after the CN"
	has "$jout" "Entry type: PrivateKeyEntry" "$n: a PrivateKeyEntry"
	has "$jout" "Certificate chain length: 3" "$n: with the chain up to the root"
done
pk12util -i "$T/taro.p12" -d "sql:$T/nss-ichiro" -W "$(cat "$T/ichiro.pin")" >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "pk12util refuses a P12 under another user's PIN (the checks above can fail)"
keytool -list -storetype PKCS12 -keystore "$T/taro.p12" -storepass "$(cat "$T/ichiro.pin")" >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "and so does keytool"

# NSS's own usage check: with the demo root trusted for client and mail
# (T: issues client certificates; C: e-mail), the client certificate is
# valid for SSL client and not for e-mail, the S/MIME one the other way.
certutil -A -d "sql:$T/nss-taro" -n "ra Demo Root CA - ra Demo" -t "CT,C," -i "$CACERT"
certutil -A -d "sql:$T/nss-hanako" -n "ra Demo Root CA - ra Demo" -t "CT,C," -i "$CACERT"
certutil -V -d "sql:$T/nss-taro" -n taro.001 -u C >/dev/null 2>&1
ok $? "NSS: taro's certificate is valid for SSL client"
certutil -V -d "sql:$T/nss-taro" -n taro.001 -u S >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "NSS: and not for e-mail signing"
certutil -V -d "sql:$T/nss-hanako" -n hanako@kyoto-u.ac.jp -u S >/dev/null 2>&1
ok $? "NSS: hanako's certificate is valid for e-mail signing"
certutil -V -d "sql:$T/nss-hanako" -n hanako@kyoto-u.ac.jp -u R >/dev/null 2>&1
ok $? "NSS: and as an e-mail recipient"
certutil -V -d "sql:$T/nss-hanako" -n hanako@kyoto-u.ac.jp -u C >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "NSS: and not for SSL client"

done_testing
