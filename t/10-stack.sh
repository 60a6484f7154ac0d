#!/bin/sh
# make run / make stop, HTTPS through the private Apache, the front page
# from a template with data from PostgreSQL, client certificates, escaping.
. "$(dirname "$0")/lib.sh"
stack_up

get() { curl -sS --cacert "$CACERT" "$@"; }
code() { curl -sS -o /dev/null -w '%{http_code}' --cacert "$CACERT" "$@"; }

sql "INSERT INTO ra.institution (code, name_ja, name_en, st, l, status, usage_from, usage_until)
     VALUES ('nii', '国立情報学研究所', 'National Institute of Informatics', 'Tokyo', 'Chiyoda-ku',
             'active', '2026-01-01', '2030-12-31'),
            ('xss', '<script>alert(1)</script>', 'Escape Test University', 'Tokyo', 'Minato-ku',
             'active', '2026-01-01', '2030-12-31'),
            ('off', '休止大学', 'Suspended University', 'Osaka', 'Suita',
             'suspended', '2026-01-01', '2030-12-31')"

page=$(get "$URL/ra/index.cgi")
ok $? "front page over HTTPS with the demo CA"
has "$page" "国立情報学研究所" "institution read from PostgreSQL is shown (UTF-8)"
has "$page" "National Institute of Informatics" "its English name too"
hasnt "$page" "Suspended University" "suspended institutions are not listed"
latest=$(ls "$(dirname "$0")/../schema" | sed -n '$s/^0*\([0-9][0-9]*\)-.*/\1/p')
has "$page" "<td id=\"schema-version\">$latest</td>" "schema version comes from ra.schema_migration (the newest, $latest)"
hasnt "$page" "<script>alert(1)</script>" "a <script> value from the database is not raw"
has "$page" "&lt;script&gt;alert(1)&lt;/script&gt;" "it renders escaped, inert"

hdrs=$(curl -sS -D - -o /dev/null --cacert "$CACERT" "$URL/ra/index.cgi")
has "$hdrs" "Content-Type: text/html; charset=utf-8" "UTF-8 content type"
has "$hdrs" "X-Frame-Options: DENY" "security headers from httpd-ra.conf"
is "$(code "https://127.0.0.1:$RA_PORT/")" 302 "the bare URL on 127.0.0.1 redirects to the front page"

for cgi in ops ca worker; do
	is "$(code "$URL/ra/$cgi.cgi")" 404 "$cgi.cgi is not reachable from the web"
done
is "$(code "$URL/ra/lra/menu.cgi")" 403 "officer area without a certificate: 403 (Require expr)"

is "$(code --tlsv1.2 --tls-max 1.2 "$URL/ra/index.cgi")" 200 "TLS 1.2 is served"
# The client is told to allow TLS 1.1 (SECLEVEL=0), so a failure is the server's.
echo | openssl s_client -connect "127.0.0.1:$RA_PORT" -tls1_1 \
    -cipher 'DEFAULT:@SECLEVEL=0' >/dev/null 2>&1
[ $? -ne 0 ]
ok $? "TLS 1.1 is refused by the server"

# A client certificate from the RA-officer CA, made with openssl(1) so the
# test does not trust our own x509 code to check itself.
pki=$T/var/pki
cat >"$T/client.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
EXT
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/officer.key" -out "$T/officer.csr" \
    -subj "/C=JP/O=ra Demo/L=Academe-ops/CN=Taro Yamada" 2>/dev/null &&
openssl x509 -req -in "$T/officer.csr" -CA "$pki/ra-ca.crt" -CAkey "$pki/private/ra-ca.key" \
    -CAcreateserial -days 30 -extfile "$T/client.ext" -out "$T/officer.crt" 2>/dev/null
ok $? "client certificate issued by the demo RA-officer CA"

page=$(get --cert "$T/officer.crt" --key "$T/officer.key" "$URL/ra/index.cgi")
ok $? "a page with the certificate"
has "$page" "CN=Taro Yamada,L=Academe-ops,O=ra Demo,C=JP" "the page shows the verified subject"
has "$page" "CN=ra Demo RA Officer CA" "and its issuer"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/foreign.key" -out "$T/foreign.crt" \
    -days 30 -subj "/CN=Foreign" 2>/dev/null
get --cert "$T/foreign.crt" --key "$T/foreign.key" "$URL/ra/index.cgi" >/dev/null 2>&1
[ $? -ne 0 ]
ok $? "a certificate from an unknown CA is refused in the handshake"

# The attack run's transport findings: TRACE echoed the cookie, TLS 1.2
# offered static RSA and CBC/SHA-1, the Server header named versions.
is "$(curl -sS --cacert "$CACERT" -X TRACE -o /dev/null -w '%{http_code}' "$URL/ra/index.cgi")" 405 \
    "TRACE is refused (405)"
hdr=$(curl -sS --cacert "$CACERT" -D - -o /dev/null "$URL/ra/index.cgi" | tr -d '\r' | grep -i '^Server:')
is "$hdr" "Server: Apache" "the Server header names no versions"
tls12() {	# tls12 CIPHER: whether the server agrees to it under TLS 1.2
	echo | timeout 10 openssl s_client -connect "127.0.0.1:$RA_PORT" -servername localhost \
	    -tls1_2 -cipher "$1" >/dev/null 2>&1
}
tls12 AES128-SHA; [ $? -ne 0 ]; ok $? "TLS 1.2 without forward secrecy (static RSA) is refused"
tls12 ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA; [ $? -ne 0 ]; ok $? "CBC with SHA-1 is refused"
tls12 ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256
ok $? "ECDHE with AES-GCM is accepted"

# Zones: each prefix reaches its own programs only; the shell tools none.
st() { curl -sS --cacert "$CACERT" --cert "$T/officer.crt" --key "$T/officer.key" \
    -o /dev/null -w '%{http_code}' "$URL$1"; }
is "$(st /ra/server.cgi) $(st /ra/desk.cgi) $(st /ra/lra/desk.cgi) $(st /ra/desk/server.cgi)" \
    "404 404 404 404" "a zone's programs answer under their own prefix only"
codes=
for p in /ra/ /ra/lra/ /ra/desk/; do
	for b in ops ca worker mail; do codes="$codes $(st "$p$b.cgi")"; done
done
is "$codes" "$(printf ' 404%.0s' 1 2 3 4 5 6 7 8 9 10 11 12)" \
    "the shell tools answer under no prefix, with a verified certificate too"
is "$(st /ra/lra/menu.cgi)" 403 "(the officer zone itself is there: its gate answers)"

# The Unix side of the zones: each zone's programs are set-ID to its own
# user, which peer authentication maps to the zone's role alone; Apache's
# user may run every zone's programs, a zone's user none (nor its own).
for z in public:"$PUBLICDIR/raget.cgi" officer:"$OFFICERDIR/server.cgi" desk:"$DESKDIR/desk.cgi"; do
	prog=${z#*:}; user=ra-${z%%:*}
	is "$(stat -c '%U:%G %a' "$prog")" "$user:$user 6511" "${prog##*/} runs as $user"
	is "$(stat -c '%U %a' "${prog%/*}")" "www-data 500" "and its directory is open to Apache's user alone"
done
runuser -u www-data -- test -x "$OFFICERDIR/server.cgi"
ok $? "Apache's user can run an officer program"
for who in ra-public:"$OFFICERDIR/server.cgi" ra-public:"$DESKDIR/desk.cgi" \
    ra-officer:"$DESKDIR/desk.cgi" ra-desk:"$OFFICERDIR/login.cgi" ra-public:"$PUBLICDIR/raget.cgi"; do
	runuser -u "${who%%:*}" -- test -x "${who#*:}"; [ $? -ne 0 ]
	ok $? "${who%%:*} cannot run ${who#*:}"
done
curl -sS --cacert "$CACERT" -o /dev/null "$URL/ra/index.cgi?bogus=1"
curl -sS --cacert "$CACERT" --cert "$T/officer.crt" --key "$T/officer.key" -o /dev/null \
    "$URL/ra/lra/login.cgi?bogus=1"
is "$(sql "SELECT string_agg(DISTINCT (detail->>'script') || '=' || (detail->>'db_role'), ' ')
           FROM ra.audit WHERE event = 'web.refused' AND detail->>'error' IS NOT NULL
            AND detail->>'script' IN ('/ra/index.cgi', '/ra/lra/login.cgi')")" \
    "/ra/index.cgi=ra_public /ra/lra/login.cgi=ra_officer" \
    "a screen started by Apache talks to the database as its zone's role"

shell=$("$PUBLICDIR/index.cgi")
ok $? "index.cgi runs from a shell"
has "$shell" "国立情報学研究所" "and prints the same page"
hasnt "$shell" "Status:" "without CGI headers"

# make run names the VAR it was started with, so its stop command is right.
has "$(cat "$T/run.log")" "stop with:  make stop VAR=$T/var" "make run says how to stop this stack (its VAR)"

# make stop leaves nothing behind.
make -s -C "$top" stop VAR="$T/var" >/dev/null 2>&1
ok $? "make stop"
left=$(ps -eo pid=,args= | grep -F "$T/" | grep -v grep || true)
is "$left" "" "no process of the stack is left"
curl -sS -o /dev/null --max-time 5 --cacert "$CACERT" "$URL/" 2>/dev/null
[ $? -ne 0 ]
ok $? "nothing answers on the port any more"

done_testing
