#!/bin/sh
# ra's own RFC 3161 time-stamp authority (tsa.cgi) and ⑨ タイムスタンプURL
# (tsurl.cgi), as signing tools and an RA officer meet them: openssl ts
# queries over plain HTTP, verified by openssl against the demo chain;
# SHA-256 and SHA-384 with their nonces, SHA-1 and MD5 refused; wrong
# methods, types and bodies refused and audited; serials unique and
# increasing in ra.tsa_stamp, also in a burst of parallel requests; a TSA
# key past its 15 months and certificates TSAs may not have, refused; the
# zone's user, which cannot read a CA key; the screen and its shell twin.
. "$(dirname "$0")/lib.sh"
stack_up
TSA=http://localhost:$RA_HTTP_PORT/tsa
CHAIN=$T/var/pki/tsa-chain.pem
TSADIR=$CGIDIR/tsa
Q='Content-Type: application/timestamp-query'
printf 'a document to stamp\n' >"$T/doc"

# post QUERY REPLY [URL]: "code content-type" of the answer.
post() {
	curl -sS --cacert "$CACERT" --data-binary @"$1" -H "$Q" -o "$2" \
	    -w '%{http_code} %{content_type}' "${3:-$TSA}"
}
# text REPLY: what openssl reads in an answer.
text() { openssl ts -reply -in "$1" -text 2>/dev/null; }
serial_of() { text "$1" | sed -n 's/^Serial number: 0x//p'; }

# --- granted stamps ---------------------------------------------------
openssl ts -query -data "$T/doc" -sha256 -cert | curl -sS --data-binary @- -H "$Q" "$TSA" |
    openssl ts -verify -data "$T/doc" -CAfile "$CHAIN" -in /dev/stdin >/dev/null 2>&1
ok $? "openssl ts -query | curl | openssl ts -verify: the time stamp verifies"

openssl ts -query -data "$T/doc" -sha256 -cert -out "$T/q256" 2>/dev/null
is "$(post "$T/q256" "$T/r256")" "200 application/timestamp-reply" "SHA-256 over HTTP: 200, a timestamp-reply"
openssl ts -verify -queryfile "$T/q256" -in "$T/r256" -CAfile "$CHAIN" >/dev/null 2>&1
ok $? "it answers the query: imprint and nonce (-queryfile), signature and chain"
r=$(text "$T/r256")
has "$r" "Status: Granted." "granted"
has "$r" "Policy OID: 2.999.3161.1" "with the policy OID of ra.conf (Tsa.Policy)"
has "$r" "Accuracy: 0x01 seconds" "and its accuracy (Tsa.Accuracy.Seconds)"
openssl ts -reply -in "$T/r256" -token_out -out "$T/tok256" 2>/dev/null
certs=$(openssl pkcs7 -inform DER -in "$T/tok256" -print_certs -noout 2>/dev/null)
has "$certs" "subject=C = JP, O = ra Demo, CN = ra Demo Time-Stamping Authority" \
    "certReq: the TSA certificate is in the token"
has "$certs" "subject=C = JP, O = ra Demo, CN = ra Demo Time-Stamping CA" "and its CA (Tsa.Chain)"
has "$(openssl cms -inform DER -in "$T/tok256" -cmsout -print 2>/dev/null)" \
    "id-smime-aa-signingCertificateV2" "the signer is named by ESSCertIDv2"
tsacert=$(openssl x509 -in "$T/var/pki/tsa.crt" -noout -ext extendedKeyUsage,keyUsage 2>/dev/null |
    sed 's/^ *//' | tr '\n' '|')
is "$tsacert" "X509v3 Key Usage: critical|Digital Signature|X509v3 Extended Key Usage: critical|Time Stamping|" \
    "the demo TSA certificate: critical EKU timeStamping, digitalSignature"
days=$(( ($(date -d "$(openssl x509 -in "$T/var/pki/tsa.crt" -noout -enddate | cut -d= -f2)" +%s) -
    $(date -d "$(openssl x509 -in "$T/var/pki/tsa.crt" -noout -startdate | cut -d= -f2)" +%s)) / 86400 ))
[ "$days" -le 4100 ]; ok $? "and at most 135 months ($days days)"

openssl ts -query -data "$T/doc" -sha384 -out "$T/q384" 2>/dev/null
is "$(post "$T/q384" "$T/r384")" "200 application/timestamp-reply" "SHA-384: 200"
openssl ts -verify -queryfile "$T/q384" -in "$T/r384" -CAfile "$CHAIN" -untrusted "$T/var/pki/tsa.crt" \
    >/dev/null 2>&1
ok $? "the SHA-384 stamp verifies against its query"
n1=$(openssl ts -query -in "$T/q384" -text 2>/dev/null | sed -n 's/^Nonce: //p')
n2=$(text "$T/r384" | sed -n 's/^Nonce: //p')
[ -n "$n1" ] && [ "$n1" = "$n2" ]; ok $? "its nonce is echoed ($n1)"
has "$(text "$T/r384")" "Hash Algorithm: sha384" "and its imprint is SHA-384"
openssl pkcs7 -inform DER -in "$(openssl ts -reply -in "$T/r384" -token_out -out "$T/tok384" 2>/dev/null; echo "$T/tok384")" \
    -print_certs -noout 2>/dev/null | grep -q subject
[ $? -ne 0 ]; ok $? "no certReq: no certificate in the token"
openssl ts -verify -data "$T/doc" -in "$T/r384" -CAfile "$CHAIN" >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "(so it verifies only with the TSA certificate at hand)"

# The log: one row per answer, as the stamp says.
s256=$(serial_of "$T/r256")
is "$(sql "SELECT serial, status, imprint_alg, encode(imprint, 'hex'), policy, db_role FROM ra.tsa_stamp
           WHERE serial = $((0x$s256))")" \
    "$((0x$s256))|granted|sha256|$(sha256sum "$T/doc" | cut -c1-64)|2.999.3161.1|ra_tsa" \
    "ra.tsa_stamp: the serial, imprint, policy, status, written as ra_tsa"
is "$(sql "SELECT encode(token_sha256, 'hex') FROM ra.tsa_stamp WHERE serial = $((0x$s256))")" \
    "$(sha256sum "$T/tok256" | cut -c1-64)" "and the hash of the token handed out"
is "$(sql "SELECT nonce FROM ra.tsa_stamp WHERE imprint_alg = 'sha384'")" "${n1#0x}" "the nonce too"

# --- refusals ---------------------------------------------------------
for alg in sha1 md5; do
	openssl ts -query -data "$T/doc" -$alg -out "$T/q$alg" 2>/dev/null
	is "$(post "$T/q$alg" "$T/r$alg")" "200 application/timestamp-reply" "$alg: answered"
	r=$(text "$T/r$alg")
	has "$r" "Status: Rejected." "$alg: rejected"
	has "$r" "Failure info: unrecognized or unsupported algorithm identifier" "$alg: badAlg"
	is "$(sql "SELECT status || ' ' || failure || ' ' || (serial IS NULL) FROM ra.tsa_stamp WHERE imprint_alg = '$alg'")" \
	    "rejection badAlg true" "$alg: logged as refused, without a serial"
done
code=$(curl -sS -o "$T/get" -D "$T/get.h" -w '%{http_code}' "$TSA")
is "$code" 405 "GET: 405"
grep -qi '^Allow: POST' "$T/get.h"; ok $? "with Allow: POST"
has "$(cat "$T/get")" "POST" "and a body saying so"
is "$(curl -sS -o "$T/ct" -w '%{http_code}' --data-binary @"$T/q256" -H 'Content-Type: text/plain' "$TSA")" 415 \
    "another Content-Type: 415"
has "$(cat "$T/ct")" "application/timestamp-query" "naming the type wanted"
head -c 20000 /dev/zero >"$T/big"
is "$(curl -sS -o /dev/null -w '%{http_code}' --data-binary @"$T/big" -H "$Q" "$TSA")" 413 \
    "a body over Tsa.MaxRequestBytes: 413"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'web.refused' AND detail->>'script' = '/tsa'
           AND detail->>'db_role' = 'ra_tsa'")" 3 "each HTTP refusal audited, by ra_tsa"
printf 'not a TimeStampReq at all' >"$T/junk"
is "$(post "$T/junk" "$T/rjunk")" "200 application/timestamp-reply" "garbage: still an RFC 3161 answer"
r=$(text "$T/rjunk")
has "$r" "Status: Rejected." "rejected"
has "$r" "Failure info: the data submitted has the wrong format" "badDataFormat"
is "$(sql "SELECT failure FROM ra.tsa_stamp WHERE imprint IS NULL AND status = 'rejection'")" badDataFormat "and logged"
# A requested policy too long for the log's column (cut at 127
# characters it would end in a dot): refused, and still a row.
longpol="1.22$(printf '.1%.0s' $(seq 70))"
openssl ts -query -data "$T/doc" -sha256 -tspolicy "$longpol" -out "$T/qpol" 2>/dev/null
is "$(post "$T/qpol" "$T/rpol")" "200 application/timestamp-reply" "a 144-character policy OID: answered"
has "$(text "$T/rpol")" "Status: Rejected." "rejected (unacceptedPolicy)"
is "$(sql "SELECT count(*) FROM ra.tsa_stamp WHERE failure = 'unacceptedPolicy' AND policy IS NULL")" 1 \
    "and logged, without the policy the column cannot hold"
is "$(post "$T/q256" "$T/r256b")" "200 application/timestamp-reply" "the TSA answers on after all that"

# HTTPS too, without a client certificate.
is "$(post "$T/q256" "$T/rs" "https://localhost:$RA_PORT/tsa")" "200 application/timestamp-reply" \
    "over HTTPS too, no client certificate"
openssl ts -verify -queryfile "$T/q256" -in "$T/rs" -CAfile "$CHAIN" >/dev/null 2>&1; ok $? "(verifies)"

# --- serials ----------------------------------------------------------
i=1
while [ $i -le 20 ]; do
	printf 'document %d\n' $i >"$T/d$i"
	openssl ts -query -data "$T/d$i" -sha256 -out "$T/pq$i" 2>/dev/null
	i=$((i + 1))
done
i=1
while [ $i -le 20 ]; do
	curl -sS --data-binary @"$T/pq$i" -H "$Q" -o "$T/pr$i" "$TSA" &
	i=$((i + 1))
done
wait
i=1; bad=0
while [ $i -le 20 ]; do
	openssl ts -verify -queryfile "$T/pq$i" -in "$T/pr$i" -CAfile "$CHAIN" \
	    -untrusted "$T/var/pki/tsa.crt" >/dev/null 2>&1 || bad=$((bad + 1))
	serial_of "$T/pr$i"
	i=$((i + 1))
done >"$T/serials"
is "$bad" 0 "20 parallel requests: 20 stamps that verify"
is "$(sort -u "$T/serials" | wc -l)" 20 "with 20 distinct serials"
is "$(sql "SELECT count(*) = count(DISTINCT serial) AND count(*) >= 25 FROM ra.tsa_stamp WHERE serial IS NOT NULL")" t \
    "ra.tsa_stamp: every granted serial once"
# One after another they increase (at once, only their uniqueness counts).
seq="$(serial_of "$T/r256") $(serial_of "$T/r384") $(serial_of "$T/r256b") $(serial_of "$T/rs")"
is "$(for s in $seq; do echo $((0x$s)); done | sort -n -c -u 2>&1 && echo sorted)" sorted \
    "serials increase request after request ($seq)"
is "$(sql "SELECT count(*) FROM (SELECT serial < lag(serial) OVER (ORDER BY stamp_id) AS down
           FROM ra.tsa_stamp WHERE serial IS NOT NULL AND serial <= $((0x$(serial_of "$T/rs")))) s WHERE down")" 0 \
    "and so does the log of the sequential ones"is "$(sql "SELECT count(*) FROM ra.tsa_stamp WHERE status = 'granted' AND (gen_time IS NULL OR token_sha256 IS NULL)")" 0 \
    "each with its time and token hash"

# --- a signing tool: jarsigner -tsa (JDK, conf/packages) ------------
# A throw-away self-signed code-signing key: only the time stamp is tested.
keytool -genkeypair -keystore "$T/ks.p12" -storetype PKCS12 -storepass secret -alias me \
    -keyalg EC -groupname secp256r1 -dname CN=Tester -validity 30 -ext eku=codeSigning >/dev/null 2>&1 &&
printf 'hello\n' >"$T/a.txt" && (cd "$T" && jar cf app.jar a.txt) || bail "keytool or jar"
jarsigner -tsa "$TSA" -keystore "$T/ks.p12" -storepass secret "$T/app.jar" me >"$T/js.out" 2>&1
ok $? "jarsigner -tsa $TSA signs a jar"
v=$(jarsigner -verify -verbose "$T/app.jar" 2>&1)
has "$v" 'Timestamped by "CN=ra Demo Time-Stamping Authority, O=ra Demo, C=JP"' "jarsigner -verify: time-stamped by ra's TSA"
has "$v" "Timestamp digest algorithm: SHA-256" "with SHA-256"
has "$v" "jar verified." "and the jar verifies"

# --- the shell twin ---------------------------------------------------
"$TSADIR/tsa.cgi" reply <"$T/q256" >"$T/rsh" 2>"$T/rsh.err"
ok $? "tsa.cgi reply < query > reply: exit 0"
openssl ts -verify -queryfile "$T/q256" -in "$T/rsh" -CAfile "$CHAIN" >/dev/null 2>&1; ok $? "a stamp that verifies"
ssh=$(serial_of "$T/rsh")
is "$(sql "SELECT db_role FROM ra.tsa_stamp WHERE serial = $((0x${ssh:-0}))")" ra_tsa \
    "logged alike, as ra_tsa"
has "$("$TSADIR/tsa.cgi" check)" "state:           ready" "tsa.cgi check: ready"

# No stamp leaves unlogged: with the log closed to ra_tsa the serial is
# taken, the stamp made, its row refused, and the answer is a refusal.
before=$(sql "SELECT count(*) FROM ra.tsa_stamp")
sql "REVOKE INSERT (serial, gen_time, imprint_alg, imprint, nonce, policy, status, failure, status_text,
     token_sha256, tsa_cert_sha256) ON ra.tsa_stamp FROM ra_tsa"
is "$(post "$T/q256" "$T/rnolog")" "200 application/timestamp-reply" "the log refusing rows: still an answer"
r=$(text "$T/rnolog")
has "$r" "Status: Rejected." "a rejection, not a stamp"
has "$r" "time stamp could not be logged; not issued" "saying why"
hasnt "$r" "Serial number:" "with no token in it"
sql "GRANT INSERT (serial, gen_time, imprint_alg, imprint, nonce, policy, status, failure, status_text,
     token_sha256, tsa_cert_sha256) ON ra.tsa_stamp TO ra_tsa"
is "$(sql "SELECT count(*) FROM ra.tsa_stamp")" "$before" "(nothing was logged)"
sed "s|^  Tsa = .*|  Tsa = host=$T/nowhere dbname=ra user=ra_tsa|" "$RA_CONF" >"$T/nodb.conf"
RA_CONF=$T/nodb.conf "$TSADIR/tsa.cgi" reply <"$T/q256" >"$T/rnodb" 2>/dev/null
is $? 3 "without the database: tsa.cgi reply answers, not granted"
has "$(text "$T/rnodb")" "no serial number available (database unreachable)" "a systemFailure saying so"

# --- the zone ---------------------------------------------------------
is "$(stat -c '%U:%G %a' "$TSADIR/tsa.cgi")" "ra-tsa:ra-tsa 6511" "tsa.cgi runs as ra-tsa"
is "$(stat -c '%U %a' "$TSADIR")" "www-data 500" "its directory is open to Apache's user alone"
is "$(ls "$TSADIR")" "tsa.cgi" "and holds tsa.cgi alone"
st() { curl -sS --cacert "$CACERT" -o /dev/null -w '%{http_code}' "$1"; }
is "$(st "$URL/ra/tsa.cgi") $(st "$URL/ra/lra/tsa.cgi") $(st "http://localhost:$RA_HTTP_PORT/ra/index.cgi")" \
    "404 403 403" "tsa.cgi is under /tsa alone (/ra/lra/ is gated first); the plain-HTTP host runs no screen"
is "$(stat -c '%U %a' "$T/var/pki/tsa/tsa.key")" "ra-tsa 400" "the TSA key: ra-tsa's, 0400"
for u in www-data ra-worker ra-officer; do
	runuser -u $u -- cat "$T/var/pki/tsa/tsa.key" >/dev/null 2>&1; [ $? -ne 0 ]
	ok $? "$u cannot read the TSA key"
done
runuser -u ra-tsa -- ls "$T/var/pki/private" >/dev/null 2>&1; [ $? -ne 0 ]
ok $? "ra-tsa cannot list the CA key directory"
runuser -u ra-tsa -- cat "$T/var/pki/private/tsa-ca.key" >/dev/null 2>&1; [ $? -ne 0 ]
ok $? "nor read its own CA's key"
sed "s|Key = $T/var/pki/tsa/tsa.key|Key = $T/var/pki/private/tsa-ca.key|" "$RA_CONF" >"$T/cakey.conf"
RA_CONF=$T/cakey.conf "$TSADIR/tsa.cgi" check >/dev/null 2>"$T/cakey.err"
[ $? -ne 0 ]; ok $? "tsa.cgi pointed at a CA key cannot open it"
has "$(cat "$T/cakey.err")" "Permission denied" "(permission denied)"
is "$(sql "SELECT count(*) FROM ra.tsa_stamp WHERE db_role <> 'ra_tsa'")" 0 \
    "every stamp came from ra_tsa (peer authentication: the Unix user ra-tsa)"
runuser -u ra-tsa -- psql -h "$T/var/pgsock" -U ra_tsa -d ra -Atq -c "SELECT 1 FROM ra.tsa_stamp" >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "ra_tsa cannot read the log it writes"
runuser -u ra-tsa -- psql -h "$T/var/pgsock" -U ra_tsa -d ra -Atq -c "SELECT 1 FROM ra.request LIMIT 1" >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "nor any request"
runuser -u ra-tsa -- psql -h "$T/var/pgsock" -U ra_tsa -d ra -Atq \
    -c "INSERT INTO ra.tsa_stamp (status, tsa_cert_sha256, db_role) VALUES ('rejection', '\\x00', 'ra_worker')" >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "nor choose the db_role a row is stamped with"

# --- TSA certificates a TSA may not use ---------------------------------
# A CA of the test's own, and TSA certificates from it with openssl ca,
# whose -startdate puts notBefore where the test wants it.
O=$T/old
mkdir -p "$O/key" && : >"$O/index.txt" && echo 01 >"$O/serial"
cat >"$O/ca.cnf" <<EOF
[ca]
default_ca = tca
[tca]
database = $O/index.txt
new_certs_dir = $O
serial = $O/serial
default_md = sha256
policy = pol
unique_subject = no
[pol]
commonName = supplied
[tsa]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
[noncrit]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = timeStamping
[noeku]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
EOF
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$O/ca.key" -out "$O/ca.crt" -days 3650 \
    -subj "/CN=Test TSA CA" 2>/dev/null &&
openssl req -new -newkey rsa:2048 -nodes -keyout "$O/key/tsa.key" -out "$O/tsa.csr" \
    -subj "/CN=Test TSA" 2>/dev/null || bail "test CA"
chown -R ra-tsa "$O/key" && chmod 0700 "$O/key"
# mk NAME EXTENSIONS START END: a TSA certificate and a config using it.
mk() {
	openssl ca -batch -notext -config "$O/ca.cnf" -cert "$O/ca.crt" -keyfile "$O/ca.key" \
	    -in "$O/tsa.csr" -out "$O/$1.crt" -extensions "$2" -startdate "$3" -enddate "$4" \
	    >/dev/null 2>&1 || bail "openssl ca $1"
	sed -e "s|Key = .*|Key = $O/key/tsa.key|" -e "s|Cert = .*|Cert = $O/$1.crt|" \
	    -e "s|Chain = .*|Chain = $O/ca.crt|" "$RA_CONF" >"$O/$1.conf"
}
ago() { date -u -d "$1" +%Y%m%d%H%M%SZ; }
mk old tsa "$(ago '16 months ago')" "$(ago '+5 years')"
RA_CONF=$O/old.conf "$TSADIR/tsa.cgi" reply <"$T/q256" >"$T/rold" 2>"$T/rold.err"
is $? 3 "a key 16 months past notBefore: tsa.cgi reply answers, exit 3 (not granted)"
r=$(text "$T/rold")
has "$r" "Status: Rejected." "a rejection"
has "$r" "TSA key is older than 15 months after its certificate's notBefore" "saying why"
has "$r" "Failure info: the request cannot be handled due to system failure" "systemFailure"
is "$(sql "SELECT status || ' ' || failure FROM ra.tsa_stamp WHERE status_text LIKE 'TSA key is older than 15 months%'")" \
    "rejection systemFailure" "logged as such"
has "$(RA_CONF=$O/old.conf "$TSADIR/tsa.cgi" check)" "REFUSING: key too old" "tsa.cgi check says so"
RA_CONF=$O/old.conf "$TSADIR/tsa.cgi" check >/dev/null 2>&1
is $? 3 "and exits 3, not 0 (the TSA may not sign)"
mk young tsa "$(ago '14 months ago')" "$(ago '+5 years')"
RA_CONF=$O/young.conf "$TSADIR/tsa.cgi" reply <"$T/q256" >"$T/ryoung" 2>/dev/null
ok $? "14 months after notBefore: still granted"
openssl ts -verify -queryfile "$T/q256" -in "$T/ryoung" -CAfile "$O/ca.crt" >/dev/null 2>&1; ok $? "(and verifies)"
mk noncrit noncrit "$(ago 'now')" "$(ago '+2 years')"
RA_CONF=$O/noncrit.conf "$TSADIR/tsa.cgi" reply <"$T/q256" >/dev/null 2>"$T/nc.err"
is $? 1 "EKU timeStamping not critical: tsa.cgi does not start"
has "$(cat "$T/nc.err")" "extendedKeyUsage is not critical" "and says why"
mk noeku noeku "$(ago 'now')" "$(ago '+2 years')"
RA_CONF=$O/noeku.conf "$TSADIR/tsa.cgi" check >/dev/null 2>"$T/ne.err"
is $? 1 "no EKU: does not start"
has "$(cat "$T/ne.err")" "no extendedKeyUsage" "and says why"
mk long tsa "$(ago 'now')" "$(ago '+136 months')"
RA_CONF=$O/long.conf "$TSADIR/tsa.cgi" check >/dev/null 2>"$T/lg.err"
is $? 1 "valid for 136 months: does not start"
has "$(cat "$T/lg.err")" "valid for more than 135 months" "and says why"
# 31 March + 135 months is 30 June: a day more is too long, though
# timegm alone reads "31 June" as 1 July.
mk endmonth tsa 20200331000000Z 20310701000000Z
RA_CONF=$O/endmonth.conf "$TSADIR/tsa.cgi" check >/dev/null 2>"$T/em.err"
is $? 1 "31 March to 1 July 11 years on (a day past 135 months): does not start"
has "$(cat "$T/em.err")" "valid for more than 135 months" "and says why"
mk endmonth2 tsa 20200331000000Z 20310630000000Z
has "$(RA_CONF=$O/endmonth2.conf "$TSADIR/tsa.cgi" check 2>&1)" "REFUSING: key too old" \
    "31 March to 30 June 11 years on (135 months): starts (its 2020 key too old to sign)"
printf '%s\n' '[noku]' 'basicConstraints = critical,CA:FALSE' \
    'extendedKeyUsage = critical,timeStamping' '[ekuplus]' \
    'basicConstraints = critical,CA:FALSE' 'keyUsage = critical,digitalSignature' \
    'extendedKeyUsage = critical,timeStamping,1.2.3.4' >>"$O/ca.cnf"
mk noku noku "$(ago 'now')" "$(ago '+2 years')"
RA_CONF=$O/noku.conf "$TSADIR/tsa.cgi" check >/dev/null 2>"$T/nk.err"
is $? 1 "no keyUsage at all: does not start"
has "$(cat "$T/nk.err")" "no keyUsage with digitalSignature" "and says why"
mk ekuplus ekuplus "$(ago 'now')" "$(ago '+2 years')"
RA_CONF=$O/ekuplus.conf "$TSADIR/tsa.cgi" check >/dev/null 2>"$T/ep.err"
is $? 1 "EKU timeStamping and a purpose OpenSSL does not know: does not start"
has "$(cat "$T/ep.err")" "extendedKeyUsage must be timeStamping alone" "and says why"

# --- ⑨ タイムスタンプURL ---------------------------------------------------
officer_with_cert 9,10
CU="curl -sS --cacert $CACERT --cert-type P12 --cert $OFFICER_P12:$OFFICER_PASS"
JAR=$T/jar
LRA=$URL/ra/lra
off=$(sql "SELECT officer_id FROM ra.officer WHERE mail = 'taro@nii.ac.jp'")
$CU -c "$JAR" -o /dev/null "$LRA/login.cgi"
has "$($CU -b "$JAR" "$LRA/menu.cgi")" 'href="tsurl.cgi"' "the menu links ⑨"
page=$($CU -b "$JAR" "$LRA/tsurl.cgi")
has "$page" "タイムスタンプURL" "⑨: the screen"
has "$page" "<code class=\"tsurl\">$TSA</code>" "shows ra's own URL (Pki.PublicURL/tsa) by default"
has "$page" "signtool sign /fd sha256 /tr $TSA /td sha256" "signtool's command"
has "$page" "jarsigner -tsa $TSA" "jarsigner's"
has "$page" "osslsigncode sign" "osslsigncode's"
has "$page" "-ts $TSA" "with -ts"
has "$page" "サーバーの URL に $TSA" "Acrobat's settings, in Japanese"
has "$page" "Time Stamp Servers &gt; New" "and in English"
sh=$("$OFFICERDIR/tsurl.cgi")
ok $? "tsurl.cgi from a shell"
for s in "URL: $TSA" "/tr $TSA /td sha256" "jarsigner -tsa $TSA" "-ts $TSA" "サーバーの URL に $TSA"; do
	has "$sh" "$s" "the shell twin prints: $s"
done
printf 'Tsa.URL.1 = http://tsa.example.ac.jp/rfc3161\nTsa.URL.2 = https://tsa2.example.ac.jp/tsa\n' >>"$RA_CONF"
page=$($CU -b "$JAR" "$LRA/tsurl.cgi")
has "$page" "/tr http://tsa.example.ac.jp/rfc3161 /td sha256" "a configured list: the first URL"
has "$page" "-tsa https://tsa2.example.ac.jp/tsa" "and the second"
hasnt "$page" "<code class=\"tsurl\">$TSA</code>" "in place of ra's own"
printf 'Tsa.URL.3 = http://x.example/a b"\n' >>"$RA_CONF"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/tsurl.cgi")" 500 "a URL with a space or quote: refused (500)"
has "$(tail -n 5 "$T/var/log/apache-error.log")" "Tsa.URL 3 is not a plain http:// or https:// URL" \
    "naming the entry in the log"
sql "DELETE FROM ra.officer_permission WHERE officer_id = $off AND interface = 9"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/tsurl.cgi")" 403 "without permission ⑨: 403"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'web.refused' AND detail->>'script' = '/ra/lra/tsurl.cgi'
           AND detail->>'error' = 'access denied'")" 1 "and audited"

done_testing
