#!/bin/sh
# ra's ACME server (acme.cgi, RFC 8555) with a client of our own
# (t/tools/acmejws signs RS256 and ES256): the directory and nonces; newAccount
# refused without EAB, with a wrong HMAC, with a reused key id; a replayed
# nonce, a bad signature, alg none and HS256; an order outside the
# application; finalize before ready and with a CSR that does not match;
# then, with the challenge marked valid by SQL (the stack's validator
# stopped: t/79 and t/81 test it), the certificate issued by the worker, its chain verified against
# the demo root, revoked by the account and in the next CRL.  Nothing is
# issued for any refused request.
. "$(dirname "$0")/lib.sh"
make -s -C "$top" t/tools/acmejws >/dev/null || bail "t/tools/acmejws does not build"
JWS=$top/t/tools/acmejws
stack_up
# The stack's validator (acmeval.cgi run) would fetch each answered
# challenge from a port nothing listens on here and fail it; this test
# marks challenges valid by SQL, so it stops that daemon (t/79 tests the
# validator, t/81 the two together with certbot and lego).
vpid=$(cat "$T/var/run/acmeval.pid")
kill "$vpid"
while kill -0 "$vpid" 2>/dev/null; do sleep 0.1; done
A=https://localhost:$RA_PORT/acme
ACME=$CGIDIR/acme/acme.cgi
D=$DESKDIR/desk.cgi

b64u() { base64 -w0 "$1" | tr '+/' '-_' | tr -d '='; }
hdr() { sed -n "s/^$1: *//Ip" "$T/h" | tr -d '\r' | head -n 1; }
nonce() {
	curl -sS --cacert "$CACERT" -I -o /dev/null -D "$T/nh" "$A/new-nonce"
	sed -n 's/^Replay-Nonce: *//Ip' "$T/nh" | tr -d '\r'
}
# post URL BODY: the status; headers in $T/h, body in $T/b
post() {
	curl -sS --cacert "$CACERT" -o "$T/b" -D "$T/h" -w '%{http_code}' \
	    -H 'Content-Type: application/jose+json' --data-binary "$2" "$1"
}
body() { cat "$T/b"; }
ptype() { sed -n 's/.*"type":"urn:ietf:params:acme:error:\([A-Za-z]*\)".*/\1/p' "$T/b"; }
# kpost KEY KID URL PAYLOAD: a JWS by account KID (a URL)
kpost() { post "$3" "$("$JWS" sign -k "$1" -K "$2" -u "$3" -n "$(nonce)" -p "$4")"; }
issued() { sql "SELECT count(*) FROM ra.request WHERE kind = 'server'"; }

# --- an institution, its officer and an ACME application (SQL set-up
# until the officer part's TSV upload is merged) -----------------------
"$D" institution-add --code nii --name-ja 国立情報学研究所 \
    --name-en "National Institute of Informatics" --st Tokyo --l Chiyoda-ku \
    --from 2026-01-01 --until 2030-12-31 >/dev/null &&
"$D" domain-add --institution nii --domain nii.ac.jp >/dev/null &&
"$D" officer-add --institution nii --name-ja 山田太郎 --romaji "Taro Yamada" \
    --mail taro@nii.ac.jp --phone 03-1234-5678 --domains nii.ac.jp \
    --interfaces 1,12 >/dev/null || bail "desk registration failed"
# eab_app KID HMACFILE FQDNS: an application with a fresh EAB
eab_app() {
	openssl rand 32 >"$2"
	sql "INSERT INTO ra.acme_application (institution_id, officer_id,
	       admin_name, admin_org, admin_mail, fqdns, profile_id, eab_kid, eab_hmac)
	     VALUES (1, 1, '山田花子', '情報基盤センター', 'hanako@nii.ac.jp', '$3', 41,
	             '$1', '\\x$(od -An -tx1 "$2" | tr -d ' \n')')"
}
KID1=$(openssl rand 24 | base64 -w0 | tr '+/' '-_' | tr -d '=')
KID2=$(openssl rand 24 | base64 -w0 | tr '+/' '-_' | tr -d '=')
eab_app "$KID1" "$T/hmac1" '{www.nii.ac.jp,mail.nii.ac.jp}'
eab_app "$KID2" "$T/hmac2" '{lab.nii.ac.jp}'
H1=$(b64u "$T/hmac1")
H2=$(b64u "$T/hmac2")
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/rsa.key" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/ec.key" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/ec2.key" 2>/dev/null

# --- directory and nonces --------------------------------------------
st=$(curl -sS --cacert "$CACERT" -o "$T/b" -D "$T/h" -w '%{http_code}' "$A/directory")
is "$st" 200 "GET /acme/directory: 200"
has "$(body)" "\"newAccount\": \"$A/new-account\"" "it names newAccount under Acme.BaseURL"
has "$(body)" '"externalAccountRequired": true' "and requires an external account binding"
ok "$([ -n "$(hdr Replay-Nonce)" ]; echo $?)" "every answer has a Replay-Nonce"
is "$(hdr Cache-Control)" no-store "and Cache-Control no-store"
is "$(hdr Link)" "<$A/directory>;rel=\"index\"" "and the directory's Link"
n1=$(nonce)
is "$(printf '%s' "$n1" | tr -d 'A-Za-z0-9_-' | wc -c) ${#n1}" "0 22" "HEAD new-nonce: a 22-character base64url nonce"
is "$(curl -sS --cacert "$CACERT" -o /dev/null -w '%{http_code}' "$A/new-nonce")" 204 \
    "GET new-nonce: 204"
out=$(RA_CONF=$RA_CONF "$ACME" GET /acme/directory)
has "$out" "Status: 200" "acme.cgi GET /acme/directory from a shell: the same answer"
has "$out" "\"newOrder\": \"$A/new-order\"" "with the same body"
is "$(post "$A/new-order" '{}' >/dev/null; ptype)" malformed "a JWS that is not one: malformed"
is "$(post "$A/new-order" "$(printf '{"protected":"\377"}')" >/dev/null; ptype)" malformed \
    "a body that is not UTF-8: malformed"
is "$(curl -sS --cacert "$CACERT" -o "$T/b" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary '{}' "$A/new-account")" 415 "another Content-Type than application/jose+json: 415"

# --- newAccount refusals -------------------------------------------------
NA=$A/new-account
REG='{"termsOfServiceAgreed":true,"contact":["mailto:hanako@nii.ac.jp"]'
n=$(nonce)
st=$(post "$NA" "$("$JWS" sign -k "$T/rsa.key" -u "$NA" -n "$n" -p "$REG}")")
is "$st $(ptype)" "400 externalAccountRequired" "newAccount without EAB: externalAccountRequired"
st=$(post "$NA" "$("$JWS" sign -k "$T/rsa.key" -u "$NA" -n "$n" -p "$REG}")")
is "$st $(ptype)" "400 badNonce" "the same nonce again (replayed): badNonce"
ok "$([ -n "$(hdr Replay-Nonce)" ] && [ "$(hdr Replay-Nonce)" != "$n" ]; echo $?)" \
    "with a fresh Replay-Nonce to retry with"
# A wrong HMAC is unauthorized, not malformed: the binding is well formed,
# the key id exists, but this client does not hold its HMAC key.
eab=$("$JWS" eab -k "$T/rsa.key" -u "$NA" -K "$KID1" -m "$H1" -x)
st=$(post "$NA" "$("$JWS" sign -k "$T/rsa.key" -u "$NA" -n "$(nonce)" -p "$REG,\"externalAccountBinding\":$eab}")")
is "$st $(ptype)" "403 unauthorized" "EAB with a wrong HMAC: unauthorized"
eab=$("$JWS" eab -k "$T/ec.key" -u "$NA" -K "$KID1" -m "$H1")
st=$(post "$NA" "$("$JWS" sign -k "$T/rsa.key" -u "$NA" -n "$(nonce)" -p "$REG,\"externalAccountBinding\":$eab}")")
is "$st $(ptype)" "400 malformed" "EAB binding another key than the account's: malformed"
eab=$("$JWS" eab -k "$T/rsa.key" -u "$NA" -K "$KID1" -m "$H1")
st=$(post "$NA" "$("$JWS" sign -k "$T/rsa.key" -u "$NA" -n "$(nonce)" -p "$REG,\"externalAccountBinding\":$eab}" -x)")
is "$st $(ptype)" "400 malformed" "a bad JWS signature: malformed (RFC 8555 6.2)"
st=$(post "$NA" "$("$JWS" sign -k "$T/rsa.key" -u "$NA" -n "$(nonce)" -p "$REG,\"externalAccountBinding\":$eab}" -a none)")
is "$st $(ptype)" "400 badSignatureAlgorithm" "alg none: badSignatureAlgorithm"
st=$(post "$NA" "$("$JWS" sign -k "$T/rsa.key" -u "$NA" -n "$(nonce)" -p "$REG,\"externalAccountBinding\":$eab}" -a HS256)")
is "$st $(ptype)" "400 badSignatureAlgorithm" "an HS256 outer JWS: badSignatureAlgorithm"
st=$(post "$NA" "$("$JWS" sign -k "$T/rsa.key" -u "$A/new-order" -n "$(nonce)" -p "$REG,\"externalAccountBinding\":$eab}")")
is "$st $(ptype)" "403 unauthorized" "a url header that is not the request's: unauthorized"
is "$(sql "SELECT count(*) FROM ra.acme_account") $(sql "SELECT count(*) FROM ra.acme_application WHERE eab_used_at IS NOT NULL")" \
    "0 0" "no account made, no key id spent by any of them"

# --- newAccount (RS256), again, and the key id reused ------------------
st=$(post "$NA" "$("$JWS" sign -k "$T/rsa.key" -u "$NA" -n "$(nonce)" -p "$REG,\"externalAccountBinding\":$eab}")")
ACCT=$(hdr Location)
is "$st" 201 "newAccount with the EAB: 201"
is "$ACCT" "$A/acct/1" "Location: the account URL"
has "$(body)" '"status": "valid"' "the account is valid"
is "$(sql "SELECT eab_used_at IS NOT NULL FROM ra.acme_application WHERE eab_kid = '$KID1'")" t \
    "the key id is spent"
# RFC 8555 7.3.1 answers a known key with 200 and the Location (which
# Apache's CGI would turn into a 302: httpd-acme.conf puts it back), and
# the shell shows the same.
st=$(post "$NA" "$("$JWS" sign -k "$T/rsa.key" -u "$NA" -n "$(nonce)" -p '{"onlyReturnExisting":true}')")
is "$st $(hdr Location) $(hdr ACME-Location)" "200 $ACCT " "the same key again: 200 and its account's Location"
"$JWS" sign -k "$T/rsa.key" -u "$NA" -n "$(nonce)" -p '{"onlyReturnExisting":true}' >"$T/again.json"
out=$(RA_CONF=$RA_CONF "$ACME" POST /acme/new-account "$T/again.json" | tr -d '\r')
has "$out" "Status: 200" "acme.cgi POST /acme/new-account FILE from a shell: 200"
has "$out" "Location: $ACCT" "with the account's Location"
# A reused key id is unauthorized: the binding is valid (right HMAC), but
# the database already spent the key id on the first account.
eab=$("$JWS" eab -k "$T/ec.key" -u "$NA" -K "$KID1" -m "$H1")
st=$(post "$NA" "$("$JWS" sign -k "$T/ec.key" -u "$NA" -n "$(nonce)" -p "$REG,\"externalAccountBinding\":$eab}")")
is "$st $(ptype)" "403 unauthorized" "a reused EAB key id: unauthorized"
st=$(post "$NA" "$("$JWS" sign -k "$T/ec.key" -u "$NA" -n "$(nonce)" -p '{"onlyReturnExisting":true}')")
is "$st $(ptype)" "400 accountDoesNotExist" "onlyReturnExisting for an unknown key: accountDoesNotExist"
# The second application's account, ES256 (lego's).
eab=$("$JWS" eab -k "$T/ec.key" -u "$NA" -K "$KID2" -m "$H2")
st=$(post "$NA" "$("$JWS" sign -k "$T/ec.key" -u "$NA" -n "$(nonce)" -p "{\"termsOfServiceAgreed\":true,\"externalAccountBinding\":$eab}")")
ACCT2=$(hdr Location)
is "$st $ACCT2" "201 $A/acct/2" "an ES256 account with the second key id: 201"
is "$(sql "SELECT encode(jwk_sha256, 'base64') FROM ra.acme_account WHERE account_id = 2" | tr '+/' '-_' | tr -d '=')" \
    "$("$JWS" thumb -k "$T/ec.key")" "its stored thumbprint is RFC 7638's"
st=$(kpost "$T/ec.key" "$ACCT" "$ACCT" "")
is "$st $(ptype)" "400 badSignatureAlgorithm" "a JWS by one account's key naming another account: refused"

# --- orders ---------------------------------------------------------
NO=$A/new-order
st=$(kpost "$T/rsa.key" "$ACCT" "$NO" '{"identifiers":[{"type":"dns","value":"lab.nii.ac.jp"}]}')
is "$st $(ptype)" "400 rejectedIdentifier" "an FQDN of another application: rejectedIdentifier"
has "$(body)" "lab.nii.ac.jp" "naming it"
st=$(kpost "$T/rsa.key" "$ACCT" "$NO" '{"identifiers":[{"type":"dns","value":"*.nii.ac.jp"}]}')
is "$(ptype)" rejectedIdentifier "a wildcard: rejectedIdentifier"
st=$(kpost "$T/rsa.key" "$ACCT" "$NO" '{"identifiers":[{"type":"dns","value":"WWW.nii.ac.jp"}]}')
ORDER=$(hdr Location)
is "$st" 201 "newOrder for www.nii.ac.jp (upper case in): 201"
has "$(body)" '"value": "www.nii.ac.jp"' "lower-cased"
has "$(body)" '"status": "pending"' "pending"
FIN=$(sed -n 's/.*"finalize": "\([^"]*\)".*/\1/p' "$T/b")
AUTHZ=$(sed -n 's/.*"authorizations": \["\([^"]*\)".*/\1/p' "$T/b")
is "$FIN" "$A/finalize/1" "its finalize URL"
st=$(kpost "$T/rsa.key" "$ACCT" "$AUTHZ" "")
is "$st" 200 "the authorization (POST-as-GET)"
CHALL=$(sed -n 's/.*"url": "\([^"]*\)".*/\1/p' "$T/b")
TOKEN=$(sed -n 's/.*"token": "\([^"]*\)".*/\1/p' "$T/b")
has "$(body)" '"type": "http-01"' "one http-01 challenge"
is "${#TOKEN}" 43 "its token: 32 random bytes, base64url"
st=$(kpost "$T/ec.key" "$ACCT2" "$AUTHZ" "")
is "$st" 404 "another account does not see it"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/www.key" \
    -subj "/" -addext "subjectAltName=DNS:www.nii.ac.jp" -outform DER -out "$T/www.der" 2>/dev/null
CSR=$(b64u "$T/www.der")
st=$(kpost "$T/rsa.key" "$ACCT" "$FIN" "{\"csr\":\"$CSR\"}")
is "$st $(ptype)" "403 orderNotReady" "finalize before the order is ready: orderNotReady"
st=$(kpost "$T/rsa.key" "$ACCT" "$CHALL" '{}')
is "$st" 200 "the challenge answered"
# (Apache merges the CGI's two Link lines into one, comma-separated.)
grep -i "^Link:" "$T/h" | grep -qF "<$AUTHZ>;rel=\"up\""; ok $? "with Link rel=up to its authorization"
is "$(sql "SELECT status, requested_at IS NOT NULL FROM ra.acme_challenge WHERE challenge_id = 1")" \
    "processing|t" "the challenge is processing for the validator"
# Set-up in place of the validator: the challenge passed.
sql "UPDATE ra.acme_challenge SET status = 'valid', validated_at = now() WHERE challenge_id = 1;
     UPDATE ra.acme_authz SET status = 'valid' WHERE authz_id = 1"
st=$(kpost "$T/rsa.key" "$ACCT" "$ORDER" "")
has "$(body)" '"status": "ready"' "all authorizations valid: the order is ready"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
    -subj "/CN=www.nii.ac.jp" -addext "subjectAltName=DNS:www.nii.ac.jp,DNS:mail.nii.ac.jp" \
    -outform DER -out "$T/bad.der" 2>/dev/null
st=$(kpost "$T/rsa.key" "$ACCT" "$FIN" "{\"csr\":\"$(b64u "$T/bad.der")\"}")
is "$st $(ptype)" "400 badCSR" "a CSR with a name the order lacks: badCSR"
has "$(body)" "mail.nii.ac.jp" "naming it"
openssl req -new -newkey rsa:1024 -nodes -keyout /dev/null -subj "/CN=www.nii.ac.jp" \
    -outform DER -out "$T/weak.der" 2>/dev/null
st=$(kpost "$T/rsa.key" "$ACCT" "$FIN" "{\"csr\":\"$(b64u "$T/weak.der")\"}")
is "$st $(ptype)" "400 badCSR" "an RSA-1024 CSR: badCSR (the profile's key algorithms)"
is "$(issued)" 0 "nothing queued for any refused request"

# --- the happy path ------------------------------------------------------
st=$(kpost "$T/rsa.key" "$ACCT" "$FIN" "{\"csr\":\"$CSR\"}")
is "$st" 200 "finalize with a matching CSR (no CN, SAN only, as certbot): 200"
has "$(body)" '"status": "processing"' "the order is processing"
is "$(sql "SELECT action, admin_name || ' ' || admin_mail, attrs->>'acme_order', subject_dn, array_to_string(san_dns, ',')
           FROM ra.request WHERE kind = 'server'")" \
    "issue|山田花子 hanako@nii.ac.jp|1|CN=www.nii.ac.jp,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP|www.nii.ac.jp" \
    "a request: issue, for the application's user administrator, tagged with the order, the institution's subject"
st=$(kpost "$T/rsa.key" "$ACCT" "$FIN" "{\"csr\":\"$CSR\"}")
is "$st $(ptype)" "403 orderNotReady" "finalize twice: orderNotReady"
i=0
until kpost "$T/rsa.key" "$ACCT" "$ORDER" "" >/dev/null && grep -q '"status": "valid"' "$T/b" ||
    [ $i -ge 60 ]; do sleep 0.5; i=$((i + 1)); done
has "$(body)" '"status": "valid"' "the worker issued it: the order is valid"
CERT=$(sed -n 's/.*"certificate": "\([^"]*\)".*/\1/p' "$T/b")
has "$CERT" "$A/cert/" "with its certificate URL"
is "$(sql "SELECT count(*) FROM ra.mail WHERE template = 'server-cert-url'")" 0 \
    "no retrieval-URL mail for it: the client fetches the certificate"
st=$(kpost "$T/ec.key" "$ACCT2" "$CERT" "")
is "$st" 404 "another account cannot download it"
st=$(kpost "$T/rsa.key" "$ACCT" "$CERT" "")
is "$st $(hdr Content-Type)" "200 application/pem-certificate-chain" "the owner downloads the chain"
ok "$([ -n "$(hdr Replay-Nonce)" ]; echo $?)" "with a Replay-Nonce too"
is "$(grep -c 'BEGIN CERTIFICATE' "$T/b")" 2 "leaf and issuing CA, not the root"
awk '/BEGIN/{n++} n==1' "$T/b" >"$T/leaf.pem"
awk '/BEGIN/{n++} n>=2' "$T/b" >"$T/chain.pem"
v=$(openssl verify -CAfile "$CACERT" -untrusted "$T/chain.pem" "$T/leaf.pem" 2>&1)
is "$v" "$T/leaf.pem: OK" "openssl verify against the demo root: OK"
has "$(openssl x509 -in "$T/leaf.pem" -noout -ext subjectAltName)" "DNS:www.nii.ac.jp" \
    "the certificate names www.nii.ac.jp"
days=$(( ($(date -d "$(openssl x509 -in "$T/leaf.pem" -noout -enddate | cut -d= -f2)" +%s) - $(date +%s)) / 86400 ))
[ "$days" -le 89 ]; ok $? "valid at most the profile's 89 days ($days)"

# --- a second order for the same name: a renewal of that certificate ----
st=$(kpost "$T/rsa.key" "$ACCT" "$NO" '{"identifiers":[{"type":"dns","value":"www.nii.ac.jp"}]}')
ORDER2=$(hdr Location)
FIN2=$(sed -n 's/.*"finalize": "\([^"]*\)".*/\1/p' "$T/b")
is "$st $ORDER2" "201 $A/order/2" "a second order for www.nii.ac.jp"
sql "UPDATE ra.acme_challenge ch SET status = 'valid', validated_at = now(), requested_at = now()
       FROM ra.acme_authz z WHERE z.authz_id = ch.authz_id AND z.order_id = 2;
     UPDATE ra.acme_authz SET status = 'valid' WHERE order_id = 2"
st=$(kpost "$T/rsa.key" "$ACCT" "$FIN2" "{\"csr\":\"$CSR\"}")
is "$st $(ptype)" "400 badCSR" "the same key again: badCSR (a new key pair each time)"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/www2.key" \
    -subj "/CN=www.nii.ac.jp" -addext "subjectAltName=DNS:www.nii.ac.jp" -outform DER -out "$T/www2.der" 2>/dev/null
st=$(kpost "$T/rsa.key" "$ACCT" "$FIN2" "{\"csr\":\"$(b64u "$T/www2.der")\"}")
is "$st" 200 "finalize with a new key (CN and SAN, as lego)"
is "$(sql "SELECT action || ' ' || target_cert_id FROM ra.request WHERE attrs->>'acme_order' = '2'")" \
    "renew 1" "queued as the renewal of the first certificate (a host name is issued once)"
i=0
until kpost "$T/rsa.key" "$ACCT" "$ORDER2" "" >/dev/null && grep -q '"status": "valid"' "$T/b" ||
    [ $i -ge 60 ]; do sleep 0.5; i=$((i + 1)); done
has "$(body)" '"status": "valid"' "the renewal is issued"

# --- a request the worker fails: the order is invalid with its error ------
st=$(kpost "$T/rsa.key" "$ACCT" "$NO" '{"identifiers":[{"type":"dns","value":"mail.nii.ac.jp"}]}')
ORDER3=$(hdr Location)
FIN3=$(sed -n 's/.*"finalize": "\([^"]*\)".*/\1/p' "$T/b")
sql "UPDATE ra.acme_challenge ch SET status = 'valid', validated_at = now(), requested_at = now()
       FROM ra.acme_authz z WHERE z.authz_id = ch.authz_id AND z.order_id = 3;
     UPDATE ra.acme_authz SET status = 'valid' WHERE order_id = 3"
worker_stop
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
    -subj "/" -addext "subjectAltName=DNS:mail.nii.ac.jp" -outform DER -out "$T/mail.der" 2>/dev/null
st=$(kpost "$T/rsa.key" "$ACCT" "$FIN3" "{\"csr\":\"$(b64u "$T/mail.der")\"}")
is "$st $ORDER3" "200 $A/order/3" "an order for mail.nii.ac.jp finalized (worker stopped)"
sql "UPDATE ra.request SET state = 'failed', done_at = now(), error = 'lint: refused for the test'
      WHERE attrs->>'acme_order' = '3'"
worker_restart
st=$(kpost "$T/rsa.key" "$ACCT" "$ORDER3" "")
has "$(body)" '"status": "invalid"' "its request failed: the order is invalid"
has "$(body)" "lint: refused for the test" "with the request's error"

# --- revokeCert ---------------------------------------------------------------
RC=$A/revoke-cert
CDER=$(openssl x509 -in "$T/leaf.pem" -outform DER | base64 -w0 | tr '+/' '-_' | tr -d '=')
st=$(kpost "$T/ec.key" "$ACCT2" "$RC" "{\"certificate\":\"$CDER\",\"reason\":4}")
is "$st $(ptype)" "403 unauthorized" "revokeCert by an account that did not order it: unauthorized"
st=$(kpost "$T/rsa.key" "$ACCT" "$RC" "{\"certificate\":\"$CDER\",\"reason\":7}")
is "$st $(ptype)" "400 badRevocationReason" "reason 7: badRevocationReason"
st=$(kpost "$T/rsa.key" "$ACCT" "$RC" "{\"certificate\":\"$CDER\",\"reason\":4}")
is "$st" 200 "revokeCert by the ordering account: 200"
serial=$(sql "SELECT serial FROM ra.certificate WHERE kind = 'server' ORDER BY cert_id LIMIT 1")
is "$(sql "SELECT reason FROM ra.revocation WHERE serial = $serial")" 4 "ra.revocation has it, reason 4"
st=$(post "$RC" "$("$JWS" sign -k "$T/www.key" -u "$RC" -n "$(nonce)" -p "{\"certificate\":\"$CDER\"}")")
is "$st $(ptype)" "400 alreadyRevoked" "again, signed by the certificate's own key (jwk): alreadyRevoked"
as_worker "$TOOLSDIR/worker.cgi" crl >/dev/null 2>&1
hex=$(openssl x509 -in "$T/leaf.pem" -noout -serial | sed 's/serial=//')
openssl crl -inform DER -in "$T/var/crl/server-ca.crl" -noout -text 2>/dev/null | grep -q "Serial Number: $hex"
ok $? "worker.cgi crl: the server CA's CRL lists it"
o=$(openssl ocsp -issuer "$T/chain.pem" -cert "$T/leaf.pem" -CAfile "$CACERT" \
    -url "http://localhost:$RA_HTTP_PORT/ocsp" 2>&1)
has "$o" "$T/leaf.pem: revoked" "and ra's OCSP responder says revoked"

# --- key roll-over, suspension, deactivation, the daily failures ---------
KC=$A/key-change
inner=$("$JWS" sign -k "$T/ec2.key" -u "$KC" -p "{\"account\":\"$ACCT\",\"oldKey\":$("$JWS" jwk -k "$T/rsa.key")}")
st=$(kpost "$T/rsa.key" "$ACCT" "$KC" "$inner")
is "$st" 200 "key-change: the inner JWS by the new key (ES256) rolls the account over"
st=$(kpost "$T/ec2.key" "$ACCT" "$ACCT" "")
is "$st" 200 "the new key signs for the account"
st=$(kpost "$T/rsa.key" "$ACCT" "$ACCT" "")
is "$st $(ptype)" "400 badSignatureAlgorithm" "the old one no longer does"
inner=$("$JWS" sign -k "$T/ec.key" -u "$KC" -p "{\"account\":\"$ACCT\",\"oldKey\":$("$JWS" jwk -k "$T/ec2.key")}")
st=$(kpost "$T/ec2.key" "$ACCT" "$KC" "$inner")
is "$st $(ptype)" "409 malformed" "rolling over to another account's key: 409"
sql "UPDATE ra.acme_application SET status = 'suspended' WHERE eab_kid = '$KID2'"
st=$(kpost "$T/ec.key" "$ACCT2" "$NO" '{"identifiers":[{"type":"dns","value":"lab.nii.ac.jp"}]}')
is "$st $(ptype)" "403 unauthorized" "a suspended application: newOrder unauthorized"
sql "UPDATE ra.acme_application SET status = 'active' WHERE eab_kid = '$KID2'"
st=$(kpost "$T/ec.key" "$ACCT2" "$ACCT2" '{"status":"deactivated"}')
has "$st $(body)" '"status": "deactivated"' "an account deactivates itself"
st=$(kpost "$T/ec.key" "$ACCT2" "$NO" '{"identifiers":[{"type":"dns","value":"lab.nii.ac.jp"}]}')
is "$st $(ptype)" "403 unauthorized" "and can do nothing more"
# 20 failed validations today (SQL set-up, as the validator records them).
sql "WITH z AS (INSERT INTO ra.acme_authz (order_id, identifier, expires_at)
       SELECT 2, 'f' || g || '.nii.ac.jp', now() + interval '1 day' FROM generate_series(1, 20) g
       RETURNING authz_id)
     INSERT INTO ra.acme_challenge (authz_id, type, token, status, requested_at, validated_at)
       SELECT authz_id, 'http-01', lpad(authz_id::text, 43, 'A'), 'invalid', now(), now() FROM z"
st=$(kpost "$T/ec2.key" "$ACCT" "$NO" '{"identifiers":[{"type":"dns","value":"mail.nii.ac.jp"}]}')
is "$st $(ptype)" "429 rateLimited" "20 failed validations today (Acme.FailedPerDay): rateLimited"

# --- counts, audit, shell ----------------------------------------------------
is "$(issued) $(sql "SELECT count(*) FROM ra.certificate WHERE kind = 'server'")" "3 2" \
    "three requests (one failed), two certificates: nothing for any refused request"
ok "$([ "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'acme.refused' AND outcome = 'refused'")" -ge 20 ]; echo $?)" \
    "every refusal audited (acme.refused)"
is "$(sql "SELECT string_agg(DISTINCT event, ',' ORDER BY event) FROM ra.audit WHERE event LIKE 'acme.%' AND outcome = 'ok'")" \
    "acme.account.deactivate,acme.account.key_change,acme.account.new,acme.cert.download,acme.challenge,acme.finalize,acme.order.new,acme.revoke" \
    "and every success"
sql "UPDATE ra.acme_nonce SET created_at = now() - interval '2 hours'"
out=$(RA_CONF=$RA_CONF "$ACME" purge)
has "$out" "nonces:" "acme.cgi purge deletes expired nonces"
is "$(sql "SELECT count(*) FROM ra.acme_nonce")" 0 "all of them"
is "$(sql "SELECT has_column_privilege('ra_officer', 'ra.acme_application', 'eab_hmac', 'SELECT')")" f \
    "the officer's role cannot read the HMAC keys"
is "$(stat -c '%U:%G %a' "$ACME") $(stat -c '%U %a' "${ACME%/*}")" "ra-acme:ra-acme 6511 www-data 500" \
    "acme.cgi runs as ra-acme, in a directory only Apache's user opens (conf/zones)"
is "$(sql "SELECT string_agg(DISTINCT detail->>'db_role', ',') FROM ra.audit WHERE event LIKE 'acme.%'")" \
    ra_acme "every ACME audit row was written as ra_acme"
runuser -u ra-public -- test -x "$ACME"; [ $? -ne 0 ]
ok $? "another zone's user cannot run acme.cgi"
"$TOOLSDIR/ops.cgi" audit-verify >/dev/null
ok $? "the audit chain with the ACME rows is intact (ops.cgi audit-verify)"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event LIKE 'acme.%' AND actor NOT LIKE 'acme:%'")" 0 \
    "every ACME row's actor is acme:..."
done_testing
