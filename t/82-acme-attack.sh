#!/bin/sh
# Attacks on ra's ACME zone (issue 15) from outside, from a malicious
# account and from a malicious officer, on a stack of our own: another
# account's (and another institution's) orders, authorizations,
# challenges, finalize, certificate and revocation; kid and key mixed,
# jwk where kid belongs, url headers that differ by host, port, case or
# path; one nonce on 10 parallel requests; one EAB key id on two
# parallel newAccounts; key-change hijack and replay; hostile JSON and
# JWS (sizes, nesting, duplicate members, types, padding, b64/crit, weak,
# forged and off-curve keys, P-384 as ES256); hostile identifiers and
# CSRs (another O, CA:TRUE, extra EKU, a key already certified, two
# finalizes at once); the validator as an SSRF tool; the officer's TSV
# with another institution's names.  Each refusal: its RFC 8555 problem,
# nothing issued or changed, audited (acme.refused).
. "$(dirname "$0")/lib.sh"
make -s -C "$top" t/tools/acmejws >/dev/null || bail "t/tools/acmejws does not build"
JWS=$top/t/tools/acmejws
stack_up
vpid=$(cat "$T/var/run/acmeval.pid")
kill "$vpid"
while kill -0 "$vpid" 2>/dev/null; do sleep 0.1; done
A=https://localhost:$RA_PORT/acme
D=$DESKDIR/desk.cgi
P=$RA_ACME_HTTP_PORT

b64u() { base64 -w0 "$1" | tr '+/' '-_' | tr -d '='; }
s64u() { printf '%s' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='; }
hdr() { sed -n "s/^$1: *//Ip" "$T/h" | tr -d '\r' | head -n 1; }
nonce() {
	curl -sS --cacert "$CACERT" -I -o /dev/null -D "$T/nh" "$A/new-nonce"
	sed -n 's/^Replay-Nonce: *//Ip' "$T/nh" | tr -d '\r'
}
post() {
	curl -sS --cacert "$CACERT" -o "$T/b" -D "$T/h" -w '%{http_code}' \
	    -H 'Content-Type: application/jose+json' --data-binary "$2" "$1"
}
body() { cat "$T/b"; }
ptype() { sed -n 's/.*"type":"urn:ietf:params:acme:error:\([A-Za-z]*\)".*/\1/p' "$T/b"; }
kpost() { post "$3" "$("$JWS" sign -k "$1" -K "$2" -u "$3" -n "$(nonce)" -p "$4")"; }
# rpost URL HEADER-JSON PAYLOAD KEY: any protected header, signed by KEY
rpost() { post "$1" "$("$JWS" raw -k "$4" -H "$2" -p "$3")"; }
issued() { sql "SELECT count(*) FROM ra.request WHERE kind = 'server'"; }
refusals() { sql "SELECT count(*) FROM ra.audit WHERE event = 'acme.refused' AND outcome = 'refused'"; }
# audited N DESC: N more acme.refused rows since the last call
R0=0
audited() {
	r=$(refusals)
	is "$((r - R0))" "$1" "$2"
	R0=$r
}
last_why() { audit_last acme.refused "detail->>'detail'"; }
field() { sed -n "s/.*\"$1\": \"\([^\"]*\)\".*/\1/p" "$T/b" | head -n 1; }

# --- two institutions, three applications (SQL set-up as in t/78) ------
"$D" institution-add --code nii --name-ja 国立情報学研究所 \
    --name-en "National Institute of Informatics" --st Tokyo --l Chiyoda-ku \
    --from 2026-01-01 --until 2030-12-31 >/dev/null &&
"$D" domain-add --institution nii --domain nii.ac.jp >/dev/null &&
"$D" domain-add --institution nii --domain nii.jp >/dev/null &&
"$D" officer-add --institution nii --name-ja 山田太郎 --romaji "Taro Yamada" \
    --mail taro@nii.ac.jp --phone 03-1234-5678 --domains nii.ac.jp,nii.jp \
    --interfaces 1,12 >/dev/null &&
"$D" institution-add --code kyoto --name-ja 京都大学 --name-en "Kyoto University" \
    --st Kyoto --l Kyoto-shi --from 2026-01-01 --until 2030-12-31 >/dev/null &&
"$D" domain-add --institution kyoto --domain kyoto-u.ac.jp >/dev/null &&
"$D" officer-add --institution kyoto --name-ja 京大花子 --romaji "Hanako Kyodai" \
    --mail hanako@kyoto-u.ac.jp --phone 075-123-4567 --domains kyoto-u.ac.jp \
    --interfaces 1,12 >/dev/null || bail "desk registration failed"
KYOTO=$(sql "SELECT institution_id FROM ra.institution WHERE code = 'kyoto'")
KOFF=$(sql "SELECT officer_id FROM ra.officer WHERE mail = 'hanako@kyoto-u.ac.jp'")
# eab_app KID HMACFILE FQDNS INSTITUTION OFFICER
eab_app() {
	openssl rand 32 >"$2"
	sql "INSERT INTO ra.acme_application (institution_id, officer_id,
	       admin_name, admin_org, admin_mail, fqdns, profile_id, eab_kid, eab_hmac)
	     VALUES ($4, $5, '山田花子', '情報基盤センター', 'hanako@nii.ac.jp', '$3', 41,
	             '$1', '\\x$(od -An -tx1 "$2" | tr -d ' \n')')"
}
kid() { openssl rand 24 | base64 -w0 | tr '+/' '-_' | tr -d '='; }
KID1=$(kid); KID2=$(kid); KID3=$(kid)
eab_app "$KID1" "$T/hmac1" '{www.nii.ac.jp,a.nii.ac.jp,b.nii.ac.jp,s1.nii.ac.jp,s2.nii.ac.jp,s3.nii.ac.jp,xn--wgv71a.nii.ac.jp,h1.nii.ac.jp}' 1 1
eab_app "$KID2" "$T/hmac2" '{www.kyoto-u.ac.jp}' "$KYOTO" "$KOFF"
eab_app "$KID3" "$T/hmac3" '{www.nii.jp}' 1 1
for k in rsa; do
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/$k.key" 2>/dev/null
done
for k in ec ec3 ec4 ec5 ec6; do
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/$k.key" 2>/dev/null
done
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$T/p384.key" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:512 -out "$T/rsa512.key" 2>/dev/null
cat >"$T/jwk.py" <<'PY'
# jwk.py: JWS pieces t/82 needs that acmejws does not make (stdlib only).
#   jwk.py ecjwk PUBDER CRV            the JWK of an EC public key (DER SPKI)
#   jwk.py e1 JWKJSON URL NONCE        a JWS by an RSA JWK with e=1 (forged:
#                                      the "signature" is the PKCS#1 encoding)
#   jwk.py offcurve JWKJSON URL NONCE  a JWS by an EC JWK whose y is not on P-256
import base64, hashlib, json, sys
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b'=').decode()
unb = lambda s: base64.urlsafe_b64decode(s + '=' * (-len(s) % 4))
cmd = sys.argv[1]
if cmd == 'ecjwk':
    der = open(sys.argv[2], 'rb').read()
    w = {'P-256': 32, 'P-384': 48}[sys.argv[3]]
    pt = der[-(2 * w + 1):]
    print(json.dumps({'kty': 'EC', 'crv': 'P-256' if len(sys.argv) > 4 else sys.argv[3],
                      'x': b64(pt[1:1 + w]), 'y': b64(pt[1 + w:])}, separators=(',', ':')))
    sys.exit(0)
jwk, url, nonce = json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
if cmd == 'e1':
    jwk['e'] = 'AQ'
    alg = 'RS256'
else:
    y = bytearray(unb(jwk['y'])); y[-1] ^= 1
    jwk['y'] = b64(bytes(y))
    alg = 'ES256'
h = b64(json.dumps({'alg': alg, 'nonce': nonce, 'url': url, 'jwk': jwk},
                   separators=(',', ':')).encode())
p = b64(b'{"onlyReturnExisting":true}')
if cmd == 'e1':
    k = len(unb(jwk['n']))
    di = bytes.fromhex('3031300d060960864801650304020105000420') + \
        hashlib.sha256((h + '.' + p).encode()).digest()
    sig = b'\x00\x01' + b'\xff' * (k - len(di) - 3) + b'\x00' + di
else:
    sig = b'\x01' * 64
print(json.dumps({'protected': h, 'payload': p, 'signature': b64(sig)}))
PY
NA=$A/new-account
NO=$A/new-order
REG='{"termsOfServiceAgreed":true'
# newacct KEY KID HMACFILE: the status; Location in $T/h
newacct() {
	post "$NA" "$("$JWS" sign -k "$1" -u "$NA" -n "$(nonce)" \
	    -p "$REG,\"externalAccountBinding\":$("$JWS" eab -k "$1" -u "$NA" -K "$2" -m "$(b64u "$3")")}")"
}
is "$(newacct "$T/rsa.key" "$KID1" "$T/hmac1")" 201 "account A (nii, RS256)"
ACCT=$(hdr Location)
is "$(newacct "$T/ec.key" "$KID2" "$T/hmac2")" 201 "account B (Kyoto University, ES256)"
ACCTB=$(hdr Location)

# --- one EAB key id on two concurrent newAccounts with different keys ----
for k in ec3 ec4; do
	"$JWS" sign -k "$T/$k.key" -u "$NA" -n "$(nonce)" \
	    -p "$REG,\"externalAccountBinding\":$("$JWS" eab -k "$T/$k.key" -u "$NA" -K "$KID3" -m "$(b64u "$T/hmac3")")}" >"$T/na-$k.json"
done
for k in ec3 ec4; do
	curl -sS --cacert "$CACERT" -o "$T/na-$k.b" -w '%{http_code}\n' -H 'Content-Type: application/jose+json' \
	    --data-binary "@$T/na-$k.json" "$NA" >"$T/na-$k.st" &
done
wait
is "$(cat "$T/na-ec3.st" "$T/na-ec4.st" | sort | tr '\n' ' ')" "201 403 " \
    "one EAB key id, two newAccounts at once: one 201, one 403"
is "$(sql "SELECT count(*) FROM ra.acme_account a JOIN ra.acme_application p USING (application_id) WHERE p.eab_kid = '$KID3'")" 1 \
    "exactly one account for the key id"
if grep -q 201 "$T/na-ec3.st"; then KC3=$T/ec3.key; else KC3=$T/ec4.key; fi
ACCTC=$(sql "SELECT '$A/acct/' || account_id FROM ra.acme_account a JOIN ra.acme_application p USING (application_id) WHERE p.eab_kid = '$KID3'")
grep -h -q 'urn:ietf:params:acme:error:unauthorized' "$T/na-ec3.b" "$T/na-ec4.b"; ok $? "the other: unauthorized"
audited 1 "audited"

# --- kid and jwk where they do not belong, url headers -----------------
st=$(post "$NO" "$("$JWS" sign -k "$T/rsa.key" -u "$NO" -n "$(nonce)" -p '{"identifiers":[{"type":"dns","value":"www.nii.ac.jp"}]}')")
is "$st $(ptype)" "400 malformed" "a jwk-signed newOrder (kid-only): malformed"
st=$(kpost "$T/ec.key" "$ACCT" "$ACCT" "")
is "$st $(ptype)" "400 badSignatureAlgorithm" "kid of account A, signature of B's key: refused"
st=$(post "$NA" "$("$JWS" sign -k "$T/rsa.key" -K "$ACCT" -u "$NA" -n "$(nonce)" -p '{"onlyReturnExisting":true}')")
is "$st $(ptype)" "400 malformed" "a kid-signed newAccount (jwk-only): malformed"
h=localhost:$RA_PORT
for u in "https://LOCALHOST:$RA_PORT/acme/acct/1" "https://127.0.0.1:$RA_PORT/acme/acct/1" \
    "https://localhost:$((RA_PORT + 1))/acme/acct/1" "https://localhost/acme/acct/1" \
    "http://$h/acme/acct/1" "https://$h/ACME/acct/1" "https://$h/acme/acct/2/../1" \
    "https://$h/acme/acct/1/" "https://$h/acme/acct/01" "https://$h/acme/acct/1?x" \
    "https://$h/acme/acct/1#x" "https://$h/acme/./acct/1"; do
	st=$(post "$ACCT" "$("$JWS" sign -k "$T/rsa.key" -K "$ACCT" -u "$u" -n "$(nonce)")")
	is "$st $(ptype)" "403 unauthorized" "url $u for $ACCT: unauthorized"
done
audited 15 "each refused and audited"
st=$(post "$A/acct/01" "$("$JWS" sign -k "$T/rsa.key" -K "$ACCT" -u "$A/acct/01" -n "$(nonce)")")
is "$st" 404 "POST to /acme/acct/01 signed for it: 404 (no such resource)"
st=$(post "$A/acct/1/" "$("$JWS" sign -k "$T/rsa.key" -K "$ACCT" -u "$A/acct/1/" -n "$(nonce)")")
is "$st" 404 "nor /acme/acct/1/"
st=$(post "$A/acct/2/../1" "$("$JWS" sign -k "$T/rsa.key" -K "$ACCT" -u "$A/acct/1" -n "$(nonce)")")
is "$st" 200 "curl's /acme/acct/2/../1 is /acme/acct/1 by the time it is sent: 200 (one URL)"
st=$(post "$A/acct/%32" "$("$JWS" sign -k "$T/rsa.key" -K "$ACCT" -u "$A/acct/2" -n "$(nonce)")")
is "$st $(ptype)" "403 unauthorized" "/acme/acct/%32 (Apache decodes it to 2, B's) by A: unauthorized"
audited 3 "(the 404s and the 403 audited too)"

st=$(kpost "$T/rsa.key" "$A/acct/99999999999999999999" "$ACCT" "")
is "$st $(ptype)" "400 accountDoesNotExist" "a kid with a 20-digit account number: accountDoesNotExist"
st=$(rpost "$ACCT" "{\"alg\":\"RS256\",\"nonce\":\"$(nonce)\",\"url\":\"$ACCT\\u0000x\",\"kid\":\"$ACCT\"}" "" "$T/rsa.key")
is "$st $(ptype)" "400 malformed" "a url header with \\u0000: malformed"
st=$(curl -sS --cacert "$CACERT" -o "$T/b" -w '%{http_code}' -H 'Host: evil.example.org' "$A/directory")
hasnt "$st $(body)" "evil.example.org" "a Host header of another name changes none of the directory's URLs"
audited 2 "audited"

# --- one nonce on 10 parallel newOrders: exactly one accepted ------------
n=$(nonce)
orders0=$(sql "SELECT count(*) FROM ra.acme_order")
i=0
while [ $i -lt 10 ]; do
	"$JWS" sign -k "$T/rsa.key" -K "$ACCT" -u "$NO" -n "$n" \
	    -p '{"identifiers":[{"type":"dns","value":"s1.nii.ac.jp"}]}' >"$T/par$i.json"
	i=$((i + 1))
done
i=0
while [ $i -lt 10 ]; do
	curl -sS --cacert "$CACERT" -o "$T/par$i.b" -w '%{http_code}\n' -H 'Content-Type: application/jose+json' \
	    --data-binary "@$T/par$i.json" "$NO" >"$T/par$i.st" &
	i=$((i + 1))
done
wait
is "$(cat "$T"/par*.st | sort | uniq -c | awk '{printf "%s:%s ", $2, $1}')" "201:1 400:9 " \
    "one nonce, 10 newOrders at once: one 201, nine 400"
is "$(cat "$T"/par*.b | grep -o 'error:badNonce' | wc -l)" 9 "the nine: badNonce"
is "$(( $(sql "SELECT count(*) FROM ra.acme_order") - orders0 ))" 1 "one order made"
audited 9 "nine refusals audited"

# --- hostile JSON and JWS ----------------------------------------------
raw() { curl -sS --cacert "$CACERT" -o "$T/b" -D "$T/h" -w '%{http_code}' \
    -H 'Content-Type: application/jose+json' --data-binary "@$1" "$2"; }
head -c 200000 /dev/zero | tr '\0' a >"$T/huge"
is "$(raw "$T/huge" "$ACCT")" 413 "a body over LimitRequestBody (128 KiB): Apache's 413"
head -c 100000 /dev/zero | tr '\0' a >"$T/big"
st=$(raw "$T/big" "$ACCT")
is "$st $(ptype)" "400 malformed" "over acme.cgi's own 64 KiB: malformed"
has "$(last_why)" "larger than 65536" "audited as too large"
awk 'BEGIN { printf "{\"protected\":"; for (i = 0; i < 30000; i++) printf "["; for (i = 0; i < 30000; i++) printf "]"; printf "}" }' >"$T/deep"
st=$(raw "$T/deep" "$ACCT")
is "$st $(ptype)" "400 malformed" "30000 nested arrays: malformed (no stack overflow, no 500)"
P1=$(s64u "{\"alg\":\"RS256\",\"nonce\":\"$(nonce)\",\"url\":\"$ACCT\",\"kid\":\"$ACCT\"}")
awk 'BEGIN { printf "{\"protected\":\"x\",\"payload\":\"\",\"signature\":\"\",\"a\":"; for (i = 0; i < 10000; i++) printf "{\"a\":"; printf "1"; for (i = 0; i < 10000; i++) printf "}"; printf "}" }' >"$T/deep2"
st=$(raw "$T/deep2" "$ACCT")
is "$st $(ptype)" "400 malformed" "10000 nested objects: malformed"
# Duplicate members: PostgreSQL's jsonb keeps the last, as RFC 7515 4
# allows ("the lexically last"); the signature covers the header text
# that member holds, so the JWS checked is the JWS signed.
j=$("$JWS" sign -k "$T/rsa.key" -K "$ACCT" -u "$ACCT" -n "$(nonce)")
st=$(post "$ACCT" "{\"protected\":\"e30\",${j#\{}")
is "$st" 200 "\"protected\" twice: the last one is the one checked (jsonb keeps the last)"
j=$("$JWS" sign -k "$T/rsa.key" -K "$ACCT" -u "$ACCT" -n "$(nonce)")
st=$(post "$ACCT" "${j%\}},\"protected\":\"e30\"}")
is "$st $(ptype)" "400 malformed" "a forged \"protected\" after the signed one: malformed (that one is checked)"
st=$(rpost "$ACCT" "{\"alg\":\"none\",\"alg\":\"RS256\",\"nonce\":\"$(nonce)\",\"url\":\"$ACCT\",\"kid\":\"$ACCT\"}" "" "$T/rsa.key")
is "$st" 200 "\"alg\" twice (none, RS256): RS256 counts, signed over that text"
st=$(rpost "$ACCT" "{\"alg\":\"RS256\",\"alg\":\"none\",\"nonce\":\"$(nonce)\",\"url\":\"$ACCT\",\"kid\":\"$ACCT\"}" "" "$T/rsa.key")
is "$st $(ptype)" "400 badSignatureAlgorithm" "(RS256, none): none counts and is refused"
st=$(rpost "$ACCT" "{\"alg\":\"RS256\",\"nonce\":\"$(nonce)\",\"url\":\"$ACCT\",\"kid\":\"$ACCTB\",\"kid\":\"$ACCT\"}" "" "$T/rsa.key")
is "$st" 200 "\"kid\" twice: the last names the account, whose key signed"
for bad in '"url":1' '"url":null' '"url":["x"]' '"nonce":5' '"kid":{"a":1}' '"alg":["RS256"]' '"jwk":"x"'; do
	st=$(rpost "$ACCT" "{\"alg\":\"RS256\",\"nonce\":\"$(nonce)\",\"url\":\"$ACCT\",\"kid\":\"$ACCT\",$bad}" "" "$T/rsa.key")
	is "$st $(ptype)" "400 malformed" "a header with $bad: malformed"
done
st=$(post "$ACCT" '{"protected":1,"payload":"","signature":""}')
is "$st $(ptype)" "400 malformed" "a number as protected: malformed"
st=$(post "$ACCT" '["protected","payload","signature"]')
is "$st $(ptype)" "400 malformed" "an array as the JWS: malformed"
st=$(post "$ACCT" "$(printf '{"protected":"e30","payload":"","signature":"","signatures":[]}')")
is "$st $(ptype)" "400 malformed" "a JWS with a fourth member (general serialization): malformed"
audited 15 "every one audited (all but Apache's 413)"
st=$(post "$ACCT" "$("$JWS" raw -E -k "$T/rsa.key" -H "$P1=" -p "")")
is "$st $(ptype)" "400 malformed" "a base64 protected header with padding: malformed"
P2=$(s64u "{\"alg\":\"RS256\",\"nonce\":\"$(nonce)\",\"url\":\"$ACCT\",\"kid\":\"$ACCT\"}" | tr -- '-_' '+/')
case $P2 in *[+/]*) ;; *) P2=$P2+ ;; esac
st=$(post "$ACCT" "$("$JWS" raw -E -k "$T/rsa.key" -H "$P2" -p "")")
is "$st $(ptype)" "400 malformed" "base64 with + and / (not base64url): malformed"
st=$(post "$ACCT" "$("$JWS" raw -E -k "$T/rsa.key" -H "$(s64u "{\"alg\":\"RS256\",\"nonce\":\"$(nonce)\",\"url\":\"$ACCT\",\"kid\":\"$ACCT\"}")" -p "e30=")")
is "$st $(ptype)" "400 malformed" "a payload with padding: malformed"
# RFC 7797's unencoded payload: ACME has none (RFC 8555 6.2), and a crit
# the server does not understand must be refused (RFC 7515 4.1.11).
st=$(post "$ACCT" "$("$JWS" raw -E -k "$T/rsa.key" -H "$(s64u "{\"alg\":\"RS256\",\"b64\":false,\"crit\":[\"b64\"],\"nonce\":\"$(nonce)\",\"url\":\"$ACCT\",\"kid\":\"$ACCT\"}")" -p "")")
is "$st $(ptype)" "400 malformed" "b64:false with crit: malformed"
st=$(rpost "$ACCT" "{\"alg\":\"RS256\",\"crit\":[\"exp\"],\"exp\":1,\"nonce\":\"$(nonce)\",\"url\":\"$ACCT\",\"kid\":\"$ACCT\"}" "" "$T/rsa.key")
is "$st $(ptype)" "400 malformed" "a crit extension not understood: malformed"
st=$(rpost "$ACCT" "{\"alg\":\"RS256\",\"b64\":false,\"nonce\":\"$(nonce)\",\"url\":\"$ACCT\",\"kid\":\"$ACCT\"}" "" "$T/rsa.key")
is "$st $(ptype)" "400 malformed" "b64 without crit: malformed"
audited 6 "audited"
# Keys: 512-bit RSA, e=1 (a forged signature: the PKCS#1 block itself),
# an EC point off the curve, a P-384 key as ES256.
ROE='{"onlyReturnExisting":true}'
st=$(post "$NA" "$("$JWS" sign -k "$T/rsa512.key" -u "$NA" -n "$(nonce)" -p "$ROE")")
is "$st $(ptype)" "400 badPublicKey" "an RSA key of 512 bits: badPublicKey"
st=$(post "$NA" "$(python3 "$T/jwk.py" e1 "$("$JWS" jwk -k "$T/rsa.key")" "$NA" "$(nonce)")")
is "$st $(ptype)" "400 badPublicKey" "RSA with e=1 and a forged signature: badPublicKey"
st=$(post "$NA" "$(python3 "$T/jwk.py" offcurve "$("$JWS" jwk -k "$T/ec.key")" "$NA" "$(nonce)")")
is "$st $(ptype)" "400 badPublicKey" "an EC point not on P-256: badPublicKey"
openssl pkey -in "$T/p384.key" -pubout -outform DER -out "$T/p384.der" 2>/dev/null
J384=$(python3 "$T/jwk.py" ecjwk "$T/p384.der" P-384)
st=$(rpost "$NA" "{\"alg\":\"ES256\",\"nonce\":\"$(nonce)\",\"url\":\"$NA\",\"jwk\":$J384}" "$ROE" "$T/p384.key")
is "$st $(ptype)" "400 badPublicKey" "a P-384 key with alg ES256: badPublicKey"
J384=$(python3 "$T/jwk.py" ecjwk "$T/p384.der" P-384 lie)
st=$(rpost "$NA" "{\"alg\":\"ES256\",\"nonce\":\"$(nonce)\",\"url\":\"$NA\",\"jwk\":$J384}" "$ROE" "$T/p384.key")
is "$st $(ptype)" "400 badPublicKey" "P-384 coordinates claimed as P-256: badPublicKey"
audited 5 "audited"
is "$(sql "SELECT count(*) FROM ra.acme_account")" 3 "no account made by any of them"

# --- identifiers ---------------------------------------------------------
order() { kpost "$T/rsa.key" "$ACCT" "$NO" "{\"identifiers\":[$1]}"; }
dns() { printf '{"type":"dns","value":"%s"}' "$1"; }
orders0=$(sql "SELECT count(*) FROM ra.acme_order")
st=$(order "$(dns www.nii.ac.jp.)")
is "$st $(ptype)" "400 rejectedIdentifier" "a trailing dot: rejectedIdentifier"
st=$(order "$(dns 日本.nii.ac.jp)")
is "$st $(ptype)" "400 rejectedIdentifier" "an IDN U-label: rejectedIdentifier (A-labels only)"
st=$(order "$(dns xn--wgv72a.nii.ac.jp)")
is "$st $(ptype)" "400 rejectedIdentifier" "punycode not in the application: rejectedIdentifier"
st=$(order '{"type":"ip","value":"127.0.0.1"}')
is "$st $(ptype)" "400 rejectedIdentifier" "type ip: rejectedIdentifier"
st=$(order "$(dns 127.0.0.1)")
is "$st $(ptype)" "400 rejectedIdentifier" "an address as a dns value: rejectedIdentifier"
st=$(order "$(dns www.kyoto-u.ac.jp)")
is "$st $(ptype)" "400 rejectedIdentifier" "another institution's name: rejectedIdentifier"
st=$(order '{"type":"dns","value":["www.nii.ac.jp"]}')
is "$st $(ptype)" "400 malformed" "a value that is not a string: malformed"
st=$(kpost "$T/rsa.key" "$ACCT" "$NO" '{"identifiers":{"type":"dns","value":"www.nii.ac.jp"}}')
is "$st $(ptype)" "400 malformed" "identifiers not an array: malformed"
nine=""
for h in www a b s1 s2 s3 xn--wgv71a h1 h2; do nine="$nine${nine:+,}$(dns $h.nii.ac.jp)"; done
st=$(order "$nine")
is "$st $(ptype)" "400 rejectedIdentifier" "nine names (the application's eight and one more): rejectedIdentifier"
has "$(body)" "at most 8" "at most 8 names"
st=$(order "$(dns www.nii.jp)")
is "$st $(ptype)" "400 rejectedIdentifier" "a name of another application of the institution: rejectedIdentifier"
st=$(order "$(dns "$(printf '%064d' 0 | tr 0 a).nii.ac.jp")")
is "$st $(ptype)" "400 rejectedIdentifier" "a 64-character label: rejectedIdentifier"
st=$(order "$(dns "$(printf '%0300d' 0 | tr 0 a)")")
is "$st $(ptype)" "400 rejectedIdentifier" "a 300-character value: rejectedIdentifier"
st=$(order '{"type":"dns","value":"www.nii.ac.jp\u0000.evil.org"}')
is "$st $(ptype)" "400 malformed" "a NUL inside a value (\\u0000): malformed (jsonb takes none)"
st=$(order '{"type":"DNS","value":"www.nii.ac.jp"}')
is "$st $(ptype)" "400 rejectedIdentifier" "type DNS (the type is case-sensitive): rejectedIdentifier"
audited 14 "each audited"
is "$(sql "SELECT count(*) FROM ra.acme_order") " "$orders0 " "no order made by any of them"
st=$(order "$(dns xn--wgv71a.nii.ac.jp),$(dns XN--WGV71A.nii.ac.jp)")
is "$st" 201 "punycode of the application, twice in two cases: 201"
is "$(sql "SELECT array_to_string(identifiers, ',') FROM ra.acme_order ORDER BY order_id DESC LIMIT 1")" \
    "xn--wgv71a.nii.ac.jp" "one identifier"
st=$(order "$(dns www.nii.ac.jp),$(dns a.nii.ac.jp)")
is "$st" 201 "A's order for www and a"
ORDER=$(hdr Location)
FIN=$(field finalize)
sed -n 's/.*"authorizations": \[\([^]]*\)\].*/\1/p' "$T/b" | tr -d ' "' | tr ',' '\n' >"$T/authz"
AUTHZ=$(head -n 1 "$T/authz")
kpost "$T/rsa.key" "$ACCT" "$AUTHZ" "" >/dev/null
CHALL=$(field url)

# --- another account (another institution's, and the same's) ------------
for u in "$ORDER" "$AUTHZ" "$CHALL"; do
	st=$(kpost "$T/ec.key" "$ACCTB" "$u" "")
	is "$st" 404 "B reads A's ${u#$A/}: 404"
	st=$(kpost "$KC3" "$ACCTC" "$u" "")
	is "$st" 404 "C (A's institution) neither: 404"
done
st=$(kpost "$T/ec.key" "$ACCTB" "$CHALL" '{}')
is "$st" 404 "B answers A's challenge: 404"
is "$(sql "SELECT status FROM ra.acme_challenge WHERE challenge_id = ${CHALL##*/}")" pending "it stays pending"
st=$(kpost "$T/ec.key" "$ACCTB" "$ACCT" "")
is "$st $(ptype)" "403 unauthorized" "B reads account A: unauthorized"
st=$(kpost "$T/ec.key" "$ACCTB" "$ACCT" '{"status":"deactivated"}')
is "$st $(ptype)" "403 unauthorized" "B deactivates account A: unauthorized"
st=$(kpost "$T/ec.key" "$ACCTB" "$ACCT" '{"contact":["mailto:evil@example.com"]}')
is "$st $(ptype)" "403 unauthorized" "B changes A's contact: unauthorized"
st=$(kpost "$T/ec.key" "$ACCTB" "$ACCT/orders" "")
is "$st $(ptype)" "403 unauthorized" "B lists A's orders: unauthorized"
is "$(sql "SELECT status || ' ' || coalesce(contact::text, '-') FROM ra.acme_account WHERE account_id = ${ACCT##*/}")" \
    "valid {}" "account A unchanged"
audited 11 "every refusal audited"
sql "UPDATE ra.acme_challenge ch SET status = 'valid', validated_at = now(), requested_at = now()
       FROM ra.acme_authz z WHERE z.authz_id = ch.authz_id AND z.order_id = ${ORDER##*/};
     UPDATE ra.acme_authz SET status = 'valid' WHERE order_id = ${ORDER##*/}"
# A hostile CSR: another institution's O, CA:TRUE, codeSigning, an OCSP must-staple.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/www.key" \
    -subj "/C=JP/O=Kyoto University/CN=www.nii.ac.jp" \
    -addext "subjectAltName=DNS:www.nii.ac.jp,DNS:a.nii.ac.jp" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -addext "extendedKeyUsage=serverAuth,codeSigning" -outform DER -out "$T/www.der" 2>/dev/null
CSR=$(b64u "$T/www.der")
st=$(kpost "$T/ec.key" "$ACCTB" "$FIN" "{\"csr\":\"$CSR\"}")
is "$st" 404 "B finalizes A's ready order: 404"
is "$(issued)" 0 "nothing queued"
# Two finalizes at once: one request.
for i in 1 2; do
	"$JWS" sign -k "$T/rsa.key" -K "$ACCT" -u "$FIN" -n "$(nonce)" -p "{\"csr\":\"$CSR\"}" >"$T/fin$i.json"
done
for i in 1 2; do
	curl -sS --cacert "$CACERT" -o "$T/fin$i.b" -w '%{http_code}\n' -H 'Content-Type: application/jose+json' \
	    --data-binary "@$T/fin$i.json" "$FIN" >"$T/fin$i.st" &
done
wait
is "$(cat "$T/fin1.st" "$T/fin2.st" | sort | tr '\n' ' ')" "200 403 " "two finalizes at once: one 200, one 403"
grep -h -q 'error:orderNotReady' "$T/fin1.b" "$T/fin2.b"; ok $? "the other: orderNotReady"
is "$(sql "SELECT count(*) FROM ra.request WHERE attrs->>'acme_order' = '${ORDER##*/}'")" 1 "exactly one request queued"
i=0
until kpost "$T/rsa.key" "$ACCT" "$ORDER" "" >/dev/null && grep -q '"status": "valid"' "$T/b" ||
    [ $i -ge 60 ]; do sleep 0.5; i=$((i + 1)); done
has "$(body)" '"status": "valid"' "issued"
CERT=$(field certificate)
kpost "$T/rsa.key" "$ACCT" "$CERT" "" >/dev/null
awk '/BEGIN/{n++} n==1' "$T/b" >"$T/leaf.pem"
x=$(openssl x509 -in "$T/leaf.pem" -noout -subject -ext basicConstraints,extendedKeyUsage,keyUsage 2>/dev/null)
has "$x" "O = National Institute of Informatics" "the certificate's O is the institution's, not the CSR's"
hasnt "$x" "Kyoto" "nothing of the CSR's subject"
hasnt "$x" "CA:TRUE" "no CA:TRUE"
hasnt "$x" "Code Signing" "no codeSigning"
hasnt "$x" "Certificate Sign" "no keyCertSign"
st=$(kpost "$T/ec.key" "$ACCTB" "$CERT" "")
is "$st" 404 "B downloads A's certificate: 404"
st=$(kpost "$KC3" "$ACCTC" "$CERT" "")
is "$st" 404 "C neither"
CDER=$(openssl x509 -in "$T/leaf.pem" -outform DER | base64 -w0 | tr '+/' '-_' | tr -d '=')
st=$(kpost "$T/ec.key" "$ACCTB" "$A/revoke-cert" "{\"certificate\":\"$CDER\"}")
is "$st $(ptype)" "403 unauthorized" "B revokes A's certificate: unauthorized"
st=$(kpost "$KC3" "$ACCTC" "$A/revoke-cert" "{\"certificate\":\"$CDER\"}")
is "$st $(ptype)" "403 unauthorized" "C (same institution, another application) neither"
st=$(post "$A/revoke-cert" "$("$JWS" sign -k "$T/ec5.key" -u "$A/revoke-cert" -n "$(nonce)" -p "{\"certificate\":\"$CDER\"}")")
is "$st $(ptype)" "403 unauthorized" "a jwk that is not the certificate's key: unauthorized"
RC=$A/revoke-cert
for r in -1 8 11 '"4"' 4.5 99999999999999999999 null; do
	st=$(kpost "$T/rsa.key" "$ACCT" "$RC" "{\"certificate\":\"$CDER\",\"reason\":$r}")
	is "$st $(ptype)" "400 badRevocationReason" "the owner revokes with reason $r: badRevocationReason"
done
st=$(kpost "$T/rsa.key" "$ACCT" "$RC" "{\"certificate\":\"$CDER=\"}")
is "$st $(ptype)" "400 malformed" "a padded certificate: malformed"
st=$(kpost "$T/rsa.key" "$ACCT" "$RC" "{\"certificate\":\"${CDER}AAAA\"}")
is "$st $(ptype)" "400 malformed" "a certificate with bytes after its DER: malformed"
st=$(kpost "$T/rsa.key" "$ACCT" "$RC" "{\"certificate\":[\"$CDER\"]}")
is "$st $(ptype)" "400 malformed" "a certificate that is not a string: malformed"
is "$(sql "SELECT count(*) FROM ra.revocation")" 0 "nothing revoked"
# B's own order, finalized with the key A's certificate has.
st=$(kpost "$T/ec.key" "$ACCTB" "$NO" "{\"identifiers\":[$(dns www.kyoto-u.ac.jp)]}")
ORDERB=$(hdr Location)
FINB=$(field finalize)
sql "UPDATE ra.acme_challenge ch SET status = 'valid', validated_at = now(), requested_at = now()
       FROM ra.acme_authz z WHERE z.authz_id = ch.authz_id AND z.order_id = ${ORDERB##*/};
     UPDATE ra.acme_authz SET status = 'valid' WHERE order_id = ${ORDERB##*/}"
openssl req -new -key "$T/www.key" -subj "/CN=www.kyoto-u.ac.jp" -outform DER -out "$T/reuse.der" 2>/dev/null
st=$(kpost "$T/ec.key" "$ACCTB" "$FINB" "{\"csr\":\"$(b64u "$T/reuse.der")\"}")
is "$st $(ptype)" "400 badCSR" "B's CSR with the key of A's certificate: badCSR"
csrb() { openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
    -subj "$1" ${2:+-addext "$2"} -outform DER -out "$T/c.der" 2>/dev/null; b64u "$T/c.der"; }
st=$(kpost "$T/ec.key" "$ACCTB" "$FINB" "{\"csr\":\"$(csrb /CN=www.kyoto-u.ac.jp subjectAltName=DNS:www.kyoto-u.ac.jp,IP:127.0.0.1)\"}")
is "$st $(ptype)" "400 badCSR" "a CSR with an IP address in its SAN: badCSR"
st=$(kpost "$T/ec.key" "$ACCTB" "$FINB" "{\"csr\":\"$(csrb /CN=www.kyoto-u.ac.jp subjectAltName=DNS:www.kyoto-u.ac.jp,email:a@kyoto-u.ac.jp)\"}")
is "$st $(ptype)" "400 badCSR" "an e-mail address in its SAN: badCSR"
st=$(kpost "$T/ec.key" "$ACCTB" "$FINB" "{\"csr\":\"$(csrb /CN=www.nii.ac.jp subjectAltName=DNS:www.kyoto-u.ac.jp)\"}")
is "$st $(ptype)" "400 badCSR" "a CN of another institution's name: badCSR"
csrb /CN=www.kyoto-u.ac.jp >/dev/null
od -An -v -tx1 "$T/c.der" | tr -d ' \n' | sed 's/..$/00/' >"$T/c.hex"
python3 -c "import sys; open(sys.argv[2], 'wb').write(bytes.fromhex(open(sys.argv[1]).read()))" "$T/c.hex" "$T/c2.der"
st=$(kpost "$T/ec.key" "$ACCTB" "$FINB" "{\"csr\":\"$(b64u "$T/c2.der")\"}")
is "$st $(ptype)" "400 badCSR" "a CSR whose signature does not verify: badCSR"
st=$(kpost "$T/ec.key" "$ACCTB" "$FINB" '{"csr":"MIIB"}')
is "$st $(ptype)" "400 badCSR" "a truncated CSR: badCSR"
st=$(kpost "$T/ec.key" "$ACCTB" "$FINB" '{"csr":12}')
is "$st $(ptype)" "400 malformed" "a number as csr: malformed"
is "$(issued)" 1 "nothing more queued"
audited 24 "every refusal audited"

# --- the application's name after the officer, then the institution, lost its domain
st=$(kpost "$KC3" "$ACCTC" "$NO" "{\"identifiers\":[$(dns www.nii.jp)]}")
is "$st" 201 "C orders www.nii.jp while the officer holds nii.jp"
ORDERC=$(hdr Location)
FINC=$(field finalize)
sql "UPDATE ra.acme_challenge ch SET status = 'valid', validated_at = now(), requested_at = now()
       FROM ra.acme_authz z WHERE z.authz_id = ch.authz_id AND z.order_id = ${ORDERC##*/};
     UPDATE ra.acme_authz SET status = 'valid' WHERE order_id = ${ORDERC##*/}"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
    -subj "/CN=www.nii.jp" -outform DER -out "$T/niijp.der" 2>/dev/null
sql "DELETE FROM ra.officer_domain WHERE domain_id = (SELECT domain_id FROM ra.domain WHERE name = 'nii.jp')"
st=$(kpost "$KC3" "$ACCTC" "$NO" "{\"identifiers\":[$(dns www.nii.jp)]}")
is "$st $(ptype)" "400 rejectedIdentifier" "the officer who approved it no longer holds nii.jp: rejectedIdentifier"
st=$(kpost "$KC3" "$ACCTC" "$FINC" "{\"csr\":\"$(b64u "$T/niijp.der")\"}")
is "$st $(ptype)" "403 unauthorized" "the order made before, ready, finalized now: unauthorized"
is "$(issued)" 1 "nothing queued"
sql "DELETE FROM ra.domain WHERE name = 'nii.jp'"
st=$(kpost "$KC3" "$ACCTC" "$NO" "{\"identifiers\":[$(dns www.nii.jp)]}")
is "$st $(ptype)" "400 rejectedIdentifier" "the institution no longer has nii.jp: rejectedIdentifier"
audited 3 "each audited"

# --- key-change: another account's, replayed ------------------------------
KC=$A/key-change
is "$(sql "SELECT count(*) FROM ra.acme_account WHERE jwk->>'x' = '$("$JWS" jwk -k "$T/ec.key" | sed 's/.*"x":"\([^"]*\)".*/\1/')'")" 1 "(B's key)"
inner=$("$JWS" sign -k "$T/ec5.key" -u "$KC" -p "{\"account\":\"$ACCTB\",\"oldKey\":$("$JWS" jwk -k "$T/ec.key")}")
st=$(kpost "$T/rsa.key" "$ACCT" "$KC" "$inner")
is "$st $(ptype)" "403 unauthorized" "A rolls over B's account (B's public oldKey, an inner naming B): unauthorized"
st=$(kpost "$T/ec.key" "$ACCTB" "$ACCTB" "")
is "$st" 200 "B's key still signs for B"
inner=$("$JWS" sign -k "$T/ec.key" -u "$KC" -p "{\"account\":\"$ACCT\",\"oldKey\":$("$JWS" jwk -k "$T/rsa.key")}")
st=$(kpost "$T/rsa.key" "$ACCT" "$KC" "$inner")
is "$st $(ptype)" "409 malformed" "A rolls over to B's key (inner signed by it): 409"
inner=$("$JWS" sign -k "$T/ec6.key" -u "$KC" -p "{\"account\":\"$ACCT\",\"oldKey\":$("$JWS" jwk -k "$T/rsa.key")}")
outer=$("$JWS" sign -k "$T/rsa.key" -K "$ACCT" -u "$KC" -n "$(nonce)" -p "$inner")
st=$(post "$KC" "$outer")
is "$st" 200 "A rolls over to a new key"
st=$(post "$KC" "$outer")
is "$st $(ptype)" "400 badNonce" "the same key-change again: badNonce"
st=$(kpost "$T/ec6.key" "$ACCT" "$KC" "$inner")
is "$st $(ptype)" "403 unauthorized" "the inner JWS replayed under a fresh outer: unauthorized (oldKey is not the key now)"
inner=$("$JWS" sign -k "$T/rsa.key" -u "$KC" -p "{\"account\":\"$ACCT\",\"oldKey\":$("$JWS" jwk -k "$T/ec6.key")}")
st=$(kpost "$T/rsa.key" "$ACCT" "$KC" "$inner")
is "$st $(ptype)" "400 badSignatureAlgorithm" "the old key cannot roll it back"
st=$(kpost "$T/ec6.key" "$ACCT" "$ACCT" "")
is "$st" 200 "the new key signs for A"
audited 5 "every refusal audited"
# B and C roll over to one new key at the same time: one of them gets it.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/ec7.key" 2>/dev/null
for w in "ec:$ACCTB" "${KC3##*/}:$ACCTC"; do
	k=$T/${w%%:*}; k=${k%.key}.key; u=${w#*:}
	inner=$("$JWS" sign -k "$T/ec7.key" -u "$KC" -p "{\"account\":\"$u\",\"oldKey\":$("$JWS" jwk -k "$k")}")
	"$JWS" sign -k "$k" -K "$u" -u "$KC" -n "$(nonce)" -p "$inner" >"$T/kc-${u##*/}.json"
done
for u in "$ACCTB" "$ACCTC"; do
	curl -sS --cacert "$CACERT" -o "$T/kc-${u##*/}.b" -w '%{http_code}\n' -H 'Content-Type: application/jose+json' \
	    --data-binary "@$T/kc-${u##*/}.json" "$KC" >"$T/kc-${u##*/}.st" &
done
wait
is "$(cat "$T/kc-${ACCTB##*/}.st" "$T/kc-${ACCTC##*/}.st" | sort | tr '\n' ' ')" "200 409 " \
    "two accounts roll over to one key at once: one 200, one 409"
is "$(sql "SELECT count(*) FROM ra.acme_account WHERE jwk->>'x' = '$("$JWS" jwk -k "$T/ec7.key" | sed 's/.*"x":"\([^"]*\)".*/\1/')'")" 1 \
    "one account has it"
audited 1 "the loser audited"

# --- the validator as an SSRF tool ------------------------------------------
# A challenge server on Acme.Http01Port answering each token with what
# $W/TOKEN.redirect or .size says, and a trap on another local port
# (standing for PostgreSQL's or any local service's) that logs every
# connection: the validator must never reach it.
W=$T/www
mkdir -p "$W"
TRAP=$(free_port)
cat >"$T/srv.py" <<'PY'
import os, socket, sys, threading, http.server
root, port, trap, log = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def log_message(self, *a):
        pass
    def do_GET(self):
        base = os.path.join(root, os.path.basename(self.path))
        if os.path.exists(base + '.redirect'):
            self.send_response(302)
            self.send_header('Location', open(base + '.redirect').read().strip())
            self.send_header('Content-Length', '0')
            self.end_headers()
            return
        n = int(open(base + '.size').read()) if os.path.exists(base + '.size') else 0
        self.send_response(200)
        self.send_header('Content-Length', str(n))
        self.end_headers()
        try:
            while n > 0:
                self.wfile.write(b'a' * min(n, 65536))
                n -= 65536
        except OSError:
            pass
def trapper():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', trap))
    s.listen(8)
    while True:
        c, a = s.accept()
        with open(log, 'a') as f:
            f.write('connection\n')
        c.close()
threading.Thread(target=trapper, daemon=True).start()
http.server.ThreadingHTTPServer(('127.0.0.1', port), H).serve_forever()
PY
/usr/bin/python3 "$T/srv.py" "$W" "$P" "$TRAP" "$T/trap.log" 2>"$T/srv.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null; stack_down' EXIT
i=0
until curl -s -o /dev/null "http://127.0.0.1:$P/" || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
# chal NAME: order NAME, answer its challenge; prints "CHALLENGE_ID TOKEN"
chal() {
	order "$(dns "$1")" >/dev/null
	kpost "$T/ec6.key" "$ACCT" "$(sed -n 's/.*"authorizations": \["\([^"]*\)".*/\1/p' "$T/b")" "" >/dev/null
	u=$(field url)
	t=$(field token)
	kpost "$T/ec6.key" "$ACCT" "$u" '{}' >/dev/null
	echo "${u##*/} $t"
}
order() { kpost "$T/ec6.key" "$ACCT" "$NO" "{\"identifiers\":[$1]}"; }
set -- $(chal b.nii.ac.jp); c1=$1
echo "http://localhost:$TRAP/" >"$W/$2.redirect"
set -- $(chal s2.nii.ac.jp); c2=$1
echo "http://localhost:5432/" >"$W/$2.redirect"
set -- $(chal s3.nii.ac.jp); c3=$1
echo "http://10.1.2.3/.well-known/acme-challenge/$2" >"$W/$2.redirect"
set -- $(chal h1.nii.ac.jp); c4=$1
echo "http://evil.example.org:$P/.well-known/acme-challenge/$2" >"$W/$2.redirect"
set -- $(chal a.nii.ac.jp); c5=$1
echo 8000000 >"$W/$2.size"
set -- $(chal www.nii.ac.jp); c6=$1
echo "http://localhost:$RA_PORT/acme/directory" >"$W/$2.redirect"
is "$(sql "SELECT count(*) FROM ra.acme_challenge WHERE status = 'processing'")" 6 "six challenges answered"
t0=$(date +%s)
runuser -u ra-acmeval -- env RA_CONF="$RA_CONF" "$TOOLSDIR/acmeval.cgi" once >/dev/null 2>"$T/once.err"
ok $? "acmeval.cgi once"
ok "$([ $(( $(date +%s) - t0 )) -lt 30 ]; echo $?)" "within the fetch timeouts"
vs() { sql "SELECT status || ' ' || (error->>'type') FROM ra.acme_challenge WHERE challenge_id = $1"; }
is "$(vs "$c1")" "invalid urn:ietf:params:acme:error:connection" "a redirect to another local port: invalid (connection)"
is "$(vs "$c2")" "invalid urn:ietf:params:acme:error:connection" "a redirect to http://localhost:5432/ (PostgreSQL's port): invalid"
is "$(vs "$c3")" "invalid urn:ietf:params:acme:error:connection" "a redirect to a non-loopback address: invalid"
is "$(vs "$c4")" "invalid urn:ietf:params:acme:error:dns" "a redirect to a name outside the map: invalid (dns)"
ok "$(sql "SELECT status FROM ra.acme_challenge WHERE challenge_id = $c5" | grep -qx invalid; echo $?)" \
    "an 8 MB answer: invalid ($(sql "SELECT error->>'type' FROM ra.acme_challenge WHERE challenge_id = $c5"))"
is "$(vs "$c6")" "invalid urn:ietf:params:acme:error:connection" "a redirect to the RA's own HTTPS port: invalid"
is "$(cat "$T/trap.log" 2>/dev/null | wc -l)" 0 "the trap port was never connected to"
is "$(sql "SELECT count(*) FROM ra.acme_authz z JOIN ra.acme_challenge ch USING (authz_id)
           WHERE ch.challenge_id IN ($c1, $c2, $c3, $c4, $c5, $c6) AND z.status = 'invalid'")" 6 \
    "their authorizations invalid"

# --- the officer side: another institution's names in a TSV ---------------
APP=$OFFICERDIR/acme-app.cgi
printf '山田花子\t情報基盤センター\thanako@nii.ac.jp\twww.kyoto-u.ac.jp\t41\r\n' | iconv -f UTF-8 -t CP932 >"$T/k.tsv"
apps0=$(sql "SELECT count(*) FROM ra.acme_application")
"$APP" --officer 1 --mode abort "$T/k.tsv" >"$T/k.out" 2>/dev/null
is "$?" 1 "nii's officer uploads an application for www.kyoto-u.ac.jp: NG"
has "$(cat "$T/k.out")" "www.kyoto-u.ac.jpは登録担当者のドメイン配下ではありません。" "outside the officer's domains"
printf '山田花子\t情報基盤センター\thanako@nii.ac.jp\twww.nii.ac.jp\t41\r\n' | iconv -f UTF-8 -t CP932 >"$T/n.tsv"
"$APP" --officer "$KOFF" --mode abort "$T/n.tsv" >"$T/n.out" 2>/dev/null
is "$?" 1 "Kyoto's officer uploads one for www.nii.ac.jp: NG"
has "$(cat "$T/n.out")" "www.nii.ac.jpは登録担当者のドメイン配下ではありません。" "outside that officer's domains"
is "$(sql "SELECT string_agg(outcome || ' ' || officer_id || ' ' || (detail->>'ng') || ' ' || (detail->>'committed'), ',' ORDER BY audit_id)
           FROM ra.audit WHERE event = 'acme.upload'")" "fail 1 1 false,fail $KOFF 1 false" \
    "both uploads audited (as ①'s: fail, one NG row, nothing committed)"
is "$(sql "SELECT count(*) FROM ra.acme_application")" "$apps0" "no application made"
"$APP" --officer "$KOFF" suspend 1 2>/dev/null
is "$? $(sql "SELECT status FROM ra.acme_application WHERE application_id = 1")" "1 active" \
    "Kyoto's officer suspends nii's application (shell): refused, unchanged"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'acme.application_status' AND outcome = 'refused' AND officer_id = $KOFF")" 1 \
    "audited"

# --- in sum ---------------------------------------------------------------
is "$(issued) $(sql "SELECT count(*) FROM ra.certificate WHERE kind = 'server'")" "1 1" \
    "one request, one certificate: A's, for its own order"
"$TOOLSDIR/ops.cgi" audit-verify >/dev/null
ok $? "the audit chain is intact"
done_testing
