#!/bin/sh
# ra's OCSP responder (ocsp.cgi, RFC 6960) as clients meet it: openssl
# ocsp over plain HTTP says good for a fresh server certificate, revoked
# (time, reason) right after ca.cgi revoke, unknown for a serial its CA
# never issued, unauthorized for a CA that is not ra's; the response
# verifies against the root, echoes the nonce, may be cached until its
# nextUpdate; GET (RFC 6960 A.1) and POST; the delegated signer (EKU
# OCSPSigning, nocheck, 7 days, key 0400 ra-ocsp) renewed through a CSR
# the worker signs; refusals audited; and Apache's SSLOCSPEnable against
# this responder refusing a revoked RA-officer certificate at the TLS
# handshake.
. "$(dirname "$0")/lib.sh"
stack_up
OCSP=http://localhost:$RA_HTTP_PORT/ocsp
OCSPCGI=$CGIDIR/ocsp/ocsp.cgi
pem_of() {	# pem_of SQL: the DER bytea the query answers, as PEM
	sql "SELECT encode($1, 'base64')" | base64 -d | openssl x509 -inform DER
}

# --- the signers conf/stack made at start -----------------------------
is "$(sql "SELECT count(*) FROM ra.ca WHERE role = 'issuing' AND NOT EXISTS (
        SELECT 1 FROM ra.ocsp_signer s WHERE s.ca_id = ca.ca_id AND s.not_after > now())")" 0 \
    "every issuing CA has a valid OCSP signer after make run"
srv_ca=$(sql "SELECT ca_id FROM ra.ca_kind WHERE kind = 'server' AND current")
sql "SELECT encode(cert_der, 'base64') FROM ra.ocsp_signer WHERE ca_id = $srv_ca ORDER BY signer_id DESC LIMIT 1" |
    base64 -d | openssl x509 -inform DER >"$T/signer1.pem"
ext=$(openssl x509 -in "$T/signer1.pem" -noout -ext extendedKeyUsage,keyUsage,noCheck,basicConstraints 2>&1 |
    sed 's/^ *//' | tr '\n' '|')
has "$ext" "X509v3 Extended Key Usage: |OCSP Signing|" "the signer certificate: EKU OCSPSigning"
has "$ext" "OCSP No Check: |" "and id-pkix-ocsp-nocheck"
has "$ext" "X509v3 Key Usage: critical|Digital Signature|" "digitalSignature only"
has "$ext" "CA:FALSE" "not a CA"
days=$(( ($(date -d "$(openssl x509 -in "$T/signer1.pem" -noout -enddate | cut -d= -f2)" +%s) -
    $(date +%s)) / 3600 ))
[ "$days" -ge 167 ] && [ "$days" -le 169 ]; ok $? "short-lived: Ocsp.SignerDays (7 days; $days hours left)"
key=$(sql "SELECT key_name FROM ra.ocsp_signer WHERE ca_id = $srv_ca ORDER BY signer_id DESC LIMIT 1")
is "$(stat -c '%U %a' "$T/var/pki/ocsp/$key.key")" "ra-ocsp 400" "its key: 0400 ra-ocsp, in Ocsp.KeyDir"
is "$(stat -c '%U %a' "$T/var/pki/ocsp")" "ra-ocsp 700" "in a directory ra-ocsp alone opens"
runuser -u ra-worker -- cat "$T/var/pki/ocsp/$key.key" >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "the worker cannot read the signer key"
runuser -u ra-ocsp -- sh -c "ls $T/var/pki/private/" >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "and ra-ocsp cannot reach the CA keys"
is "$(sql "SELECT count(*) FROM information_schema.column_privileges
           WHERE grantee = 'ra_ocsp' AND table_name = 'ca' AND column_name = 'key_path'")" 0 \
    "ra_ocsp may not even read where the CA keys are"

# --- a fresh server certificate ---------------------------------------
D=$DESKDIR/desk.cgi
O="National Institute of Informatics"
officer_with_cert 1
cp "$OFFICER_P12" "$T/off.p12"
printf '%s' "$OFFICER_PASS" >"$T/off.pass"
openssl pkcs12 -in "$T/off.p12" -passin "pass:$OFFICER_PASS" -nokeys -clcerts 2>/dev/null |
    openssl x509 >"$T/off.pem"
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/www.key" \
    -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=www.nii.ac.jp" 2>/dev/null | tr -d '\n' >"$T/www.csr"
printf 'CN=www.nii.ac.jp,O=%s,L=Chiyoda-ku,ST=Tokyo,C=JP\t21\t\t\t\t\t%s\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\twww.nii.ac.jp\tApache httpd 2.4\t\r\n' \
    "$O" "$(cat "$T/www.csr")" | iconv -f UTF-8 -t CP932 >"$T/www.tsv"
"$OFFICERDIR/server.cgi" --officer 1 --action issue --mode abort "$T/www.tsv" >/dev/null 2>&1 ||
    bail "server request refused"
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null
pem_of "(SELECT der FROM ra.certificate WHERE cn = 'www.nii.ac.jp')" >"$T/www.pem" ||
    bail "no server certificate"
pem_of "(SELECT cert_der FROM ra.ca WHERE ca_id = $srv_ca)" >"$T/ca.pem"
has "$(openssl x509 -in "$T/www.pem" -noout -ext authorityInfoAccess 2>/dev/null)" \
    "OCSP - URI:$OCSP" "the new certificate's AIA names the responder (Pki.OcspURL)"

q() { openssl ocsp -issuer "$T/ca.pem" -CAfile "$CACERT" -url "$OCSP" "$@" 2>&1; }
out=$(q -cert "$T/www.pem" -resp_text)
has "$out" "$T/www.pem: good" "openssl ocsp: the fresh certificate is good"
has "$out" "Response verify OK" "the response verifies (delegated signer, chain to the root)"
has "$out" "OCSP Nonce:" "the nonce is echoed"
hasnt "$out" "WARNING: no nonce" "and openssl finds it equal to its own"
has "$out" "Responder Id: " "the responder names itself"
has "$out" "OCSP Signing" "the signer certificate travels in the response"
has "$out" "Next Update: " "with a nextUpdate"

# POST by hand: the headers.
openssl ocsp -issuer "$T/ca.pem" -cert "$T/www.pem" -reqout "$T/req.der" -no_nonce >/dev/null 2>&1
hdr=$(curl -sS -D - -o "$T/resp.der" --data-binary @"$T/req.der" \
    -H 'Content-Type: application/ocsp-request' "$OCSP" | tr -d '\r')
has "$hdr" "Content-Type: application/ocsp-response" "POST: Content-Type application/ocsp-response"
has "$hdr" "Cache-Control: max-age=28800," "Cache-Control max-age = nextUpdate - thisUpdate (Ocsp.NextUpdateHours 8)"
t=$(openssl ocsp -respin "$T/resp.der" -resp_text -noverify 2>/dev/null)
tu=$(date -d "$(printf '%s\n' "$t" | sed -n 's/^ *This Update: //p')" +%s)
nu=$(date -d "$(printf '%s\n' "$t" | sed -n 's/^ *Next Update: //p')" +%s)
is "$((nu - tu))" 28800 "thisUpdate + 8 hours is nextUpdate"

# GET (RFC 6960 A.1): base64 then URL-encoded in the path.
b=$(base64 -w0 "$T/req.der" | sed 's/+/%2B/g; s,/,%2F,g; s/=/%3D/g')
code=$(curl -sS -o "$T/get.der" -w '%{http_code} %{content_type}' "$OCSP/$b")
is "$code" "200 application/ocsp-response" "GET /ocsp/<base64>: 200, an ocsp-response"
out=$(openssl ocsp -respin "$T/get.der" -issuer "$T/ca.pem" -cert "$T/www.pem" -CAfile "$CACERT" 2>&1)
has "$out" "$T/www.pem: good" "GET: good"
has "$out" "Response verify OK" "GET: verifies"
b2=$(base64 -w0 "$T/req.der")
curl -sS -o "$T/get2.der" "$OCSP/$b2"
has "$(openssl ocsp -respin "$T/get2.der" -issuer "$T/ca.pem" -cert "$T/www.pem" -CAfile "$CACERT" 2>&1)" \
    "$T/www.pem: good" "GET with the base64 not URL-encoded (raw / and +) too"

# --- revoked, at once -------------------------------------------------
serial=$(sql "SELECT serial FROM ra.certificate WHERE cn = 'www.nii.ac.jp'")
"$TOOLSDIR/ca.cgi" revoke --serial "$serial" --reason 1 >/dev/null ||
    bail "ca.cgi revoke failed"
out=$(q -cert "$T/www.pem" -resp_text)
has "$out" "$T/www.pem: revoked" "right after ca.cgi revoke: revoked (no cache, no CRL needed)"
has "$out" "Reason: keyCompromise" "with its reason"
rt=$(sql "SELECT to_char(revoked_at AT TIME ZONE 'UTC', 'Mon FMDD HH24:MI:SS YYYY') FROM ra.revocation WHERE serial = $serial")
has "$(printf '%s\n' "$out" | sed -n 's/^ *Revocation Time: //p' | tr -s ' ')" "$rt" "and its time ($rt)"
has "$out" "Response verify OK" "the revoked answer verifies"

# --- unknown, unauthorized --------------------------------------------
out=$(q -serial 12345)
has "$out" "12345: unknown" "a serial the CA never issued: unknown"
has "$out" "Response verify OK" "and that answer verifies too"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/fake.key" \
    -subj "$(openssl x509 -in "$T/ca.pem" -noout -subject -nameopt compat | sed 's/^subject=//')" \
    -days 2 -out "$T/fake.pem" 2>/dev/null
out=$(openssl ocsp -issuer "$T/fake.pem" -serial "$serial" -url "$OCSP" -noverify 2>&1)
has "$out" "unauthorized" "a CA with the same name but another key is not ours: unauthorized"
out=$(openssl ocsp -issuer "$T/ca.pem" -serial "$serial" -issuer "$T/fake.pem" -serial 7 \
    -url "$OCSP" -CAfile "$CACERT" 2>&1)
has "$out" "7: unknown" "in one request with one of ours, the foreign issuer's CertID is unknown"
has "$out" "$serial: revoked" "and ours is answered"

# --- refusals ---------------------------------------------------------
is "$(curl -sS -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$T/req.der" "$OCSP")" 405 \
    "PUT: 405"
is "$(audit_last web.refused "detail->>'why' || ' ' || (detail->>'db_role')")" \
    "only GET and POST are answered (RFC 6960 A.1) ra_ocsp" "and audited, by ra_ocsp"
is "$(curl -sS -o /dev/null -w '%{http_code}' --data-binary @"$T/req.der" -H 'Content-Type: text/plain' "$OCSP")" \
    415 "another Content-Type: 415"
is "$(curl -sS -o /dev/null -w '%{http_code}' "$OCSP/not*base64")" 400 "GET with a path that is no base64: 400"
curl -sS -o "$T/bad.der" --data-binary 'not DER' -H 'Content-Type: application/ocsp-request' "$OCSP"
has "$(openssl ocsp -respin "$T/bad.der" -resp_text -noverify 2>&1)" "malformedrequest" \
    "bytes that are no OCSPRequest: malformedRequest"
"$OCSPCGI" reply <"$T/req.der" >"$T/shell.der"
ok $? "ocsp.cgi reply from a shell: exit 0"
has "$(openssl ocsp -respin "$T/shell.der" -issuer "$T/ca.pem" -cert "$T/www.pem" -CAfile "$CACERT" 2>&1)" \
    "$T/www.pem: revoked" "and the same answer"

# --- renewal: a signer ending within Ocsp.RenewDays -------------------
first=$(sql "SELECT max(signer_id) FROM ra.ocsp_signer WHERE ca_id = $srv_ca")
"$OCSPCGI" signer-request >"$T/sr.out" 2>&1
has "$(cat "$T/sr.out")" "every CA has a signer" "signer-request: nothing due right after start"
sql "UPDATE ra.ocsp_signer SET not_after = now() + interval '1 day' WHERE signer_id = $first"
"$OCSPCGI" signer-request >"$T/sr.out" 2>&1
ok $? "signer-request with the signer ending in 1 day (< RenewDays 2): exit 0"
"$OCSPCGI" signer-request >/dev/null 2>&1
is "$(sql "SELECT count(*) FROM ra.ocsp_signer WHERE ca_id = $srv_ca AND cert_der IS NULL")" 1 \
    "one CSR waits for the worker, however often cron runs"
has "$(cat "$T/sr.out")" "signer request" "it says so"
has "$(q -cert "$T/www.pem")" "Response verify OK" "until signed, the old signer still answers"
as_worker "$TOOLSDIR/worker.cgi" ocsp-signers >"$T/os.out" 2>&1
ok $? "worker.cgi ocsp-signers: exit 0"
second=$(sql "SELECT max(signer_id) FROM ra.ocsp_signer WHERE ca_id = $srv_ca AND cert_der IS NOT NULL")
[ "$second" -gt "$first" ]; ok $? "the worker signed the new signer"
out=$(q -cert "$T/www.pem" -resp_text)
has "$out" "Response verify OK" "and the responder signs with it"
q -cert "$T/www.pem" -respout "$T/new.der" >/dev/null
openssl ocsp -respin "$T/new.der" -resp_text -noverify 2>/dev/null | openssl x509 >"$T/signer2.pem" 2>/dev/null
is "$(fp_of "$T/signer2.pem")" "$(sql "SELECT encode(sha256(cert_der), 'hex') FROM ra.ocsp_signer WHERE signer_id = $second")" \
    "the response carries the new signer's certificate"

# --- Apache's SSLOCSPEnable against this responder --------------------
is "$(ra_login "$T/off")" 303 "the RA officer logs in (before SSLOCSPEnable)"
cat >"$T/var/apache/extra-https.conf" <<CONF
SSLOCSPEnable leaf
SSLOCSPDefaultResponder $OCSP
SSLOCSPOverrideResponder on
CONF
apache2 -f "$T/var/apache/httpd.conf" -k graceful 2>>"$T/graceful.log" || bail "graceful failed"
i=0
until [ "$(ra_login "$T/off")" = 303 ] || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
is "$(ra_login "$T/off")" 303 "with SSLOCSPEnable: a good RA certificate still logs in"
"$TOOLSDIR/ca.cgi" revoke --serial "$(ra_cert_serial "$T/off")" --reason 4 >/dev/null ||
    bail "RA certificate not revoked"
code=$(ra_login "$T/off" 2>/dev/null)
is "$code" 000 "right after its revocation, Apache refuses it at the TLS handshake"
has "$(cat "$T/var/log/apache-error.log")" "revoked" "Apache's log says it was revoked"
rm -f "$T/var/apache/extra-https.conf"
done_testing
