#!/bin/sh
# ACME end to end with two clients nobody here wrote, from Debian 12:
# certbot 2.1 (standalone http-01, RSA account key, RS256) and lego 4.9.1
# (its own http-01 server, P-256 account key, ES256), each bound by EAB to
# an ACME application of nii.  Each gets a certificate our worker issued
# (profile 41, at most 89 days) whose chain, as the client saved it,
# verifies to the demo root; each renews and the new certificate
# supersedes the first (a host name is issued once, then renewed); then
# certbot revokes by account key (and a certificate by its own key): ra
# stores the revocation, the CRL lists it and OCSP says revoked; last,
# certbot deactivates its account.
#
# The clients are run with their own state under $T only (certbot
# --config-dir/--work-dir/--logs-dir, lego --path), trust the stack's demo
# root for HTTPS (REQUESTS_CA_BUNDLE, LEGO_CA_CERTIFICATES), and answer
# http-01 on the port the validator fetches (Acme.Http01Port), for names
# Acme.Resolve maps to loopback.  What the clients need of the server is
# in the notes of issue 15 (certbot and lego, what our ACME server must
# give them).
. "$(dirname "$0")/lib.sh"
stack_up
D=$DESKDIR/desk.cgi
DIR=$URL/acme/directory
MAIL=admin@nii.ac.jp

# The port the validator fetches http-01 from (Acme.Http01Port): stack_up
# chose it; else as conf/stack wrote it.
PORT=${RA_ACME_HTTP_PORT:-}
[ -n "$PORT" ] || PORT=$(sed -n 's/^[[:space:]]*Http01Port[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' "$RA_CONF" | head -n 1)
[ -n "$PORT" ] || bail "no Acme.Http01Port in $RA_CONF"

"$D" institution-add --code nii --name-ja 国立情報学研究所 \
    --name-en "National Institute of Informatics" --st Tokyo --l Chiyoda-ku \
    --from 2026-01-01 --until 2030-12-31 >/dev/null || bail "institution"
"$D" domain-add --institution nii --domain nii.ac.jp >/dev/null || bail "domain"
off=$("$D" officer-add --institution nii --name-ja 山田太郎 --romaji "Taro Yamada" \
    --mail taro@nii.ac.jp --phone 03-1234-5678 --domains nii.ac.jp --interfaces 1,2,12 |
    sed -n 's/^officer \([0-9]*\) .*/\1/p')
[ -n "$off" ] || bail "officer"

# ---------------------------------------------------------------------
# eab_make FQDN...: an ACME application of nii's officer for FQDNs, with
# a fresh EAB; sets EAB_KID and EAB_HMAC (base64url, no padding, as
# certbot --eab-hmac-key and lego --hmac take it).
#
# The real flow: one ⑫ TSV row uploaded from the shell, and the key id
# and HMAC key read off the page of the one-time URL mailed to $MAIL.
# ---------------------------------------------------------------------
eab_make() {
	eab_upload "$@"
	[ -n "$EAB_KID" ] && [ ${#EAB_HMAC} -eq 43 ] || bail "no EAB for $*"
}
eab_upload() {
	_fq=$(printf '%s, ' "$@" | sed 's/, $//')
	printf '佐藤花子\t情報基盤センター\t%s\t%s\t41\r\n' "$MAIL" "$_fq" |
	    iconv -f UTF-8 -t CP932 >"$T/app.tsv"
	"$OFFICERDIR/acme-app.cgi" --officer "$off" --mode abort "$T/app.tsv" >"$T/app.out" 2>&1 ||
	    bail "ACME application refused: $(cat "$T/app.out")"
	mails_settle
	_u=$(mail_text "$(mail_to "$MAIL" ACME利用情報発行通知)" |
	    sed -n 's/^EAB取得URL：\(https:[^ ]*eabget.cgi?t=[A-Za-z0-9_-]*\)$/\1/p')
	[ -n "$_u" ] || bail "no EAB URL mailed to $MAIL"
	_p=$(curl -sS --cacert "$CACERT" "$_u")
	EAB_KID=$(printf '%s' "$_p" | sed -n 's/.*id="kid">\([^<]*\)<.*/\1/p')
	EAB_HMAC=$(printf '%s' "$_p" | sed -n 's/.*id="hmac">\([^<]*\)<.*/\1/p')
}

# run_client LOG CMD...: run a client, its output to LOG; on failure, its
# last lines as TAP comments, and the server's problem documents certbot
# logged (certbot 2.1 on Python 3.11 often shows an ACME error only as
# "AttributeError: can't set attribute", a josepy bug; its log has it).
run_client() {
	_log=$1; shift
	"$@" >"$_log" 2>&1
	_rc=$?
	[ $_rc -eq 0 ] && return 0
	tail -n 15 "$_log" | sed 's/^/#   /'
	[ -f "$CB/logs/letsencrypt.log" ] &&
	    grep -h 'urn:ietf:params:acme:error' "$CB/logs/letsencrypt.log" | tail -n 3 | sed 's/^/#   log: /'
	return $_rc
}

# What ra stores for the certificate in PEM file $1: SQL expression $2.
cert_sql() { sql "SELECT $2 FROM ra.certificate c WHERE encode(sha256(c.der), 'hex') = '$(fp_of "$1")'"; }
hexserial() { openssl x509 -in "$1" -noout -serial | sed 's/serial=//'; }
days_left() {
	echo $(( ($(date -d "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)" +%s) - $(date +%s)) / 86400 ))
}

# check_issued WHO CERT CHAIN CN: the checks every issued certificate gets.
check_issued() {
	v=$(openssl verify -CAfile "$CACERT" -untrusted "$3" "$2" 2>&1)
	is "$v" "$2: OK" "$1: the certificate verifies to the demo root with the chain the client saved"
	is "$(cert_sql "$2" "kind || ' ' || profile_id || ' ' || state || ' ' || cn")" \
	    "server 41 issued $4" "$1: ra.certificate has it: a server certificate of profile 41, issued, CN $4"
	is "$(cert_sql "$2" serial)" "$(python3 -c "print(int('$(hexserial "$2")', 16))")" \
	    "$1: with the serial the certificate carries"
	is "$(cert_sql "$2" "not_after - not_before <= interval '89 days'")" t \
	    "$1: valid 89 days at most (profile 41)"
	# 89 days, or less when the dated schedule (ra.validity_limit) says so.
	max=$(sql "SELECT least(89, coalesce(ra.validity_limit_days('server', now()), 89))")
	d=$(days_left "$2")
	[ "$d" -le "$max" ] && [ "$d" -ge $((max - 2)) ]
	ok $? "$1: notAfter within $max days ($d days left)"
	is "$(cert_sql "$2" "(SELECT o.status || ' ' || a.eab_kid FROM ra.acme_order o
	        JOIN ra.acme_account ac USING (account_id)
	        JOIN ra.acme_application a USING (application_id)
	       WHERE o.request_id = c.request_id)")" "valid $EAB_KID" \
	    "$1: issued for a valid order of the account its EAB made"
}

# ---------------------------------------------------------------------
# certbot: certonly, standalone http-01, EAB.
# ---------------------------------------------------------------------
eab_make www.nii.ac.jp
CB_KID=$EAB_KID
CB=$T/certbot
cb() { REQUESTS_CA_BUNDLE=$CACERT certbot "$@" --non-interactive \
	--config-dir "$CB/conf" --work-dir "$CB/work" --logs-dir "$CB/logs"; }
run_client "$T/cb1.log" cb certonly --standalone --http-01-port "$PORT" --server "$DIR" \
    --eab-kid "$EAB_KID" --eab-hmac-key "$EAB_HMAC" -d www.nii.ac.jp \
    --agree-tos -m "$MAIL" --no-eff-email
ok $? "certbot certonly with EAB gets a certificate"
live=$CB/conf/live/www.nii.ac.jp
cp "$live/cert.pem" "$T/cb1.pem" 2>/dev/null; cp "$live/chain.pem" "$T/cb1.chain" 2>/dev/null
[ -s "$T/cb1.pem" ] || bail "certbot saved no certificate"
check_issued certbot "$T/cb1.pem" "$T/cb1.chain" www.nii.ac.jp
is "$(sql "SELECT a.eab_used_at IS NOT NULL FROM ra.acme_application a
           JOIN ra.acme_account USING (application_id) WHERE a.eab_kid = '$CB_KID'")" t \
    "certbot's EAB made the application's account, and is used up"
is "$(sql "SELECT jwk->>'kty' FROM ra.acme_account JOIN ra.acme_application USING (application_id)
           WHERE eab_kid = '$CB_KID'")" RSA "certbot's account key is RSA (RS256)"
has "$(openssl x509 -in "$T/cb1.pem" -noout -ext subjectAltName)" "DNS:www.nii.ac.jp" \
    "certbot's certificate names www.nii.ac.jp (certbot's CSR has no subject, only the SAN)"

# Renewal: a new order and a new key; ra stores a second certificate.
run_client "$T/cb2.log" cb renew --force-renewal --no-random-sleep-on-renew
ok $? "certbot renew --force-renewal"
cp "$live/cert.pem" "$T/cb2.pem"; cp "$live/chain.pem" "$T/cb2.chain"
[ "$(fp_of "$T/cb1.pem")" != "$(fp_of "$T/cb2.pem")" ]; ok $? "certbot saved a new certificate"
check_issued "certbot renewal" "$T/cb2.pem" "$T/cb2.chain" www.nii.ac.jp
is "$(sql "SELECT count(*) FROM ra.certificate c JOIN ra.acme_order o USING (request_id)
           JOIN ra.acme_account USING (account_id) JOIN ra.acme_application a USING (application_id)
           WHERE a.eab_kid = '$CB_KID' AND c.state = 'issued'")" 2 \
    "ra holds both of certbot's certificates, each from its own order"
[ "$(cert_sql "$T/cb1.pem" spki_sha256)" != "$(cert_sql "$T/cb2.pem" spki_sha256)" ]
ok $? "the renewal has a new key"
# A host name is issued once per institution, then renewed: the second
# order's request renews the first certificate, which it supersedes.
is "$(cert_sql "$T/cb2.pem" "(SELECT r.action || ' ' || r.target_cert_id FROM ra.request r
        WHERE r.request_id = c.request_id)")" "renew $(cert_sql "$T/cb1.pem" cert_id)" \
    "certbot's second order was queued as the renewal of its first certificate"
is "$(cert_sql "$T/cb1.pem" superseded_by)" "$(cert_sql "$T/cb2.pem" cert_id)" \
    "and the renewed certificate supersedes the first (更新済み)"

# ---------------------------------------------------------------------
# lego: run with EAB, two names (two authorizations), its own server.
# ---------------------------------------------------------------------
eab_make acme.nii.ac.jp lego.nii.ac.jp
LG_KID=$EAB_KID
LG=$T/lego
# Every lego command wants --eab when the directory says
# externalAccountRequired, even with its account made ("Server requires
# External Account Binding"); the key id is spent by "run" alone.
lg() { LEGO_CA_CERTIFICATES=$CACERT lego --server "$DIR" --email "$MAIL" \
	--eab --kid "$LG_KID" --hmac "$EAB_HMAC" \
	--domains acme.nii.ac.jp --domains lego.nii.ac.jp --http --http.port ":$PORT" \
	--path "$LG" --accept-tos --cert.timeout 60 "$@"; }
run_client "$T/lg1.log" lg run
ok $? "lego run with EAB gets a certificate"
lc=$LG/certificates/acme.nii.ac.jp
[ -s "$lc.crt" ] || bail "lego saved no certificate"
openssl x509 -in "$lc.crt" >"$T/lg1.pem"; cp "$lc.issuer.crt" "$T/lg1.chain"
check_issued lego "$T/lg1.pem" "$T/lg1.chain" acme.nii.ac.jp
is "$(sql "SELECT jwk->>'kty' || ' ' || (jwk->>'crv') FROM ra.acme_account
           JOIN ra.acme_application USING (application_id) WHERE eab_kid = '$LG_KID'")" "EC P-256" \
    "lego's account key is P-256 (ES256)"
san=$(openssl x509 -in "$T/lg1.pem" -noout -ext subjectAltName)
has "$san" "DNS:acme.nii.ac.jp" "lego's certificate names acme.nii.ac.jp"
has "$san" "DNS:lego.nii.ac.jp" "and lego.nii.ac.jp"
is "$(sql "SELECT count(*) FROM ra.acme_authz z JOIN ra.acme_order o USING (order_id)
           JOIN ra.acme_account USING (account_id) JOIN ra.acme_application a USING (application_id)
           WHERE a.eab_kid = '$LG_KID' AND z.status = 'valid'")" 2 \
    "one valid authorization per name, each proven over http-01"

run_client "$T/lg2.log" lg renew --days 365 --no-random-sleep
ok $? "lego renew --days 365"
openssl x509 -in "$lc.crt" >"$T/lg2.pem"; cp "$lc.issuer.crt" "$T/lg2.chain"
[ "$(fp_of "$T/lg1.pem")" != "$(fp_of "$T/lg2.pem")" ]; ok $? "lego saved a new certificate"
check_issued "lego renewal" "$T/lg2.pem" "$T/lg2.chain" acme.nii.ac.jp
is "$(cert_sql "$T/lg1.pem" superseded_by)" "$(cert_sql "$T/lg2.pem" cert_id)" \
    "lego's renewed certificate supersedes its first"

# ---------------------------------------------------------------------
# Revocation: certbot by its account key (kid), reason unspecified.
# ---------------------------------------------------------------------
run_client "$T/cb3.log" cb revoke --server "$DIR" --cert-path "$live/cert.pem" --no-delete-after-revoke
ok $? "certbot revoke (signed by the account key)"
cid=$(cert_sql "$T/cb2.pem" cert_id)
is "$(sql "SELECT reason FROM ra.revocation WHERE cert_id = '$cid'")" 0 \
    "ra.revocation has certbot's certificate, reason 0 (unspecified)"
is "$(cert_sql "$T/cb1.pem" "EXISTS (SELECT 1 FROM ra.revocation v WHERE v.cert_id = c.cert_id)")" f \
    "and not its first certificate"

# And lego's renewed certificate by its own key (jwk, no account), keyCompromise.
run_client "$T/cb4.log" cb revoke --server "$DIR" --cert-path "$T/lg2.pem" --key-path "$lc.key" \
    --reason keycompromise --no-delete-after-revoke
ok $? "certbot revoke --key-path: a certificate revoked by its own key"
is "$(sql "SELECT reason FROM ra.revocation WHERE cert_id = '$(cert_sql "$T/lg2.pem" cert_id)'")" 1 \
    "ra.revocation has lego's renewed certificate, reason 1 (keyCompromise)"

as_worker "$TOOLSDIR/worker.cgi" crl >"$T/crl.out" 2>&1
ok $? "worker.cgi crl"
# The CRL of the CA that issued them, found by the issuer's name.
iss=$(openssl x509 -in "$T/cb2.pem" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')
crlf=
for f in "$T"/var/crl/*.crl; do
	[ "$(openssl crl -inform DER -in "$f" -noout -issuer -nameopt RFC2253 2>/dev/null |
	    sed 's/^issuer=//')" = "$iss" ] && crlf=$f
done
[ -n "$crlf" ] || bail "no CRL of $iss"
text=$(openssl crl -inform DER -in "$crlf" -noout -text)
has "$text" "Serial Number: $(hexserial "$T/cb2.pem")" "the CRL lists certbot's revoked certificate"
has "$text" "Serial Number: $(hexserial "$T/lg2.pem")" "and lego's"
hasnt "$text" "Serial Number: $(hexserial "$T/cb1.pem")" "but not certbot's first"
openssl crl -inform DER -in "$crlf" -noout -CAfile "$T/cb2.chain" >/dev/null 2>&1
ok $? "the CRL is signed by the CA of the chain certbot was given"

OCSP=http://localhost:$RA_HTTP_PORT/ocsp
openssl x509 -in "$T/cb2.chain" >"$T/issuer.pem"	# the first of the chain: the issuing CA
q() { openssl ocsp -issuer "$T/issuer.pem" -CAfile "$CACERT" -url "$OCSP" -cert "$1" 2>&1; }
has "$(q "$T/cb2.pem")" "$T/cb2.pem: revoked" "OCSP: certbot's revoked certificate is revoked"
has "$(q "$T/lg2.pem")" "$T/lg2.pem: revoked" "OCSP: lego's too"
has "$(q "$T/cb1.pem")" "$T/cb1.pem: good" "OCSP: certbot's first certificate is good"
has "$(q "$T/lg1.pem")" "$T/lg1.pem: good" "OCSP: lego's first certificate is good"

# Deactivation as certbot does it: "unregister" first asks newAccount
# for the key's account (onlyReturnExisting: 200 and its Location), then
# posts status deactivated to it.
# (Apache would make a CGI's 200 with a Location a 302, which certbot
# follows with a GET: httpd-acme.conf renames acme.cgi's ACME-Location.)
run_client "$T/cb5.log" cb unregister --server "$DIR"
ok $? "certbot unregister"
[ "$(sql "SELECT ac.status FROM ra.acme_account ac JOIN ra.acme_application a USING (application_id)
          WHERE a.eab_kid = '$CB_KID'")" = deactivated ]
ok $? "ra: certbot's account is deactivated"

# The officer's view of lego's application: the account, its orders and
# certificates; suspended, lego's next order is refused.
app=$(sql "SELECT application_id FROM ra.acme_application WHERE eab_kid = '$LG_KID'")
out=$("$OFFICERDIR/acme-app.cgi" --officer "$off" list 2>&1)
has "$out" "acme.nii.ac.jp" "the officer's list names lego's FQDNs"
has "$out" "certificate	$(cert_sql "$T/lg2.pem" serial)	acme.nii.ac.jp" \
    "and its certificates (the renewal's serial)"
"$OFFICERDIR/acme-app.cgi" --officer "$off" suspend "$app" >/dev/null 2>&1
ok $? "the officer suspends lego's application"
run_client "$T/lg3.log" lg renew --days 365 --no-random-sleep
[ $? -ne 0 ]; ok $? "lego's next order fails"
has "$(cat "$T/lg3.log")" "urn:ietf:params:acme:error:unauthorized" "with unauthorized"
is "$(sql "SELECT count(*) FROM ra.acme_order o JOIN ra.acme_account USING (account_id)
           WHERE application_id = $app")" 2 "and no order was made"

# Nothing of the clients went to the machine's own places.
[ ! -e /etc/letsencrypt/accounts/localhost:$RA_PORT ]; ok $? "certbot left /etc/letsencrypt alone"
done_testing
