#!/bin/sh
# A CA hierarchy made outside ra with openssl(1), as an existing PKI brings
# it (issue 18): imported root first, its certificate published where the
# caIssuers URLs point, the CRL distribution point and caIssuers taken
# from Pki.PublicURL, served by httpd-pub.conf over plain HTTP; a leaf
# that verifies with the CRL fetched from its own URL; the URLs changed
# later with ca.cgi urls; and ops.cgi check saying what is set up and
# what is missing.
. "$(dirname "$0")/lib.sh"
stack_up

CA=$TOOLSDIR/ca.cgi
OPS=$TOOLSDIR/ops.cgi
H=http://localhost:$RA_HTTP_PORT
O="National Institute of Informatics"
institution_add nii "$O" Tokyo Chiyoda-ku
DN="O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP"
keydir=$T/var/pki/private
ext=$T/ca.ext
x=$T/ext

# --- the hierarchy, made as its operators would ---------------------------
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n' >"$ext"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ext-root.key" -out "$T/ext-root.crt" \
    -days 3650 -subj "/C=JP/O=Example Academic PKI/CN=Example Root CA G1" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
ok $? "a root CA made with openssl"
openssl req -new -newkey rsa:2048 -nodes -keyout "$keydir/ext-server.key" -out "$x.csr" \
    -subj "/C=JP/O=Example Academic PKI/CN=Example Server CA G1" 2>/dev/null &&
openssl x509 -req -in "$x.csr" -CA "$T/ext-root.crt" -CAkey "$T/ext-root.key" -CAcreateserial \
    -days 1825 -extfile "$ext" -out "$T/ext-server.crt" 2>/dev/null
ok $? "an issuing CA below it"
chown ra-worker "$keydir/ext-server.key" && chmod 0400 "$keydir/ext-server.key"

# --- imported: the parent first --------------------------------------------
err=$("$CA" import --name "Example Server CA G1" --slug ext-server --cert "$T/ext-server.crt" \
    --key "$keydir/ext-server.key" --kind server 2>&1)
[ $? -ne 0 ]; ok $? "the issuing CA before its root is refused"
has "$err" "import the parent CA first" "and the message says what to do"
[ ! -e "$T/var/crl/ext-server.crt" ]; ok $? "and nothing is published for it"
err=$("$CA" import --name "Example Root CA G1" --slug ext-root --cert "$T/ext-root.crt" \
    --crl-url "https://ra.example.ac.jp/root.crl" 2>&1)
[ $? -ne 0 ]; ok $? "an https:// CRL URL is refused at import, as by ca.cgi urls"
has "$err" "http://HOST/PATH" "with the same rule"
is "$(sql "SELECT count(*) FROM ra.ca WHERE slug = 'ext-root'")" 0 "and nothing is registered"
out=$("$CA" import --name "Example Root CA G1" --slug ext-root --cert "$T/ext-root.crt")
ok $? "the root is imported without its key (it stays offline)"
out=$("$CA" import --name "Example Server CA G1" --slug ext-server --cert "$T/ext-server.crt" \
    --key "$keydir/ext-server.key" --kind server --current)
ok $? "then the issuing CA, with its key, current for server certificates"
has "$out" "CRL distribution point: $H/crl/ext-server.crl" "import says the CRL URL its certificates carry"
has "$out" "caIssuers: $H/crl/ext-server.crt" "and the caIssuers URL"
is "$(sql "SELECT crl_url || ' ' || issuer_url FROM ra.ca WHERE slug = 'ext-server'")" \
    "$H/crl/ext-server.crl $H/crl/ext-server.crt" "both stored, from Pki.PublicURL"
out=$("$CA" import --name "Example Server CA G1" --slug ext-server --cert "$T/ext-server.crt" \
    --key "$keydir/ext-server.key" --kind server --current 2>&1)
ok $? "importing the same CA again succeeds (a set-up run twice)"
has "$out" "registered already with this certificate; nothing changed" "saying nothing changed"
is "$(sql "SELECT count(*) FROM ra.ca WHERE slug = 'ext-server'")" 1 "and changes nothing"
out=$("$CA" import --name "Example Server CA G1" --slug ext-server --cert "$T/ext-root.crt" 2>&1)
[ $? -ne 0 ]; ok $? "another certificate under a registered name and slug is refused"
has "$out" "is registered already" "as a clash"

# --- published over plain HTTP (httpd-pub.conf) ----------------------------
curl -sf -o "$T/got-root.der" -D "$T/hdr" "$H/crl/ext-root.crt"
ok $? "the root's certificate is served at its URL"
openssl x509 -in "$T/ext-root.crt" -outform DER -out "$T/root.der"
cmp -s "$T/got-root.der" "$T/root.der"; ok $? "as the DER of the imported certificate"
has "$(tr -d '\r' <"$T/hdr")" "Content-Type: application/pkix-cert" "typed application/pkix-cert (RFC 2585)"
curl -sf -o "$T/got-server.der" "$H/crl/ext-server.crt" &&
openssl x509 -in "$T/ext-server.crt" -outform DER | cmp -s - "$T/got-server.der"
ok $? "the issuing CA's certificate too"

# --- the worker signs with it; the CRL is where the certificate says -------
kill -HUP "$(cat "$T/var/run/worker.pid")"
i=0
until grep -q "SIGHUP: reloaded" "$T/var/log/worker.log" || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
as_worker "$TOOLSDIR/worker.cgi" crl >"$T/crl.out"
has "$(cat "$T/crl.out")" "Example Server CA G1: CRL #1, 0 entries" "the worker publishes the imported CA's first CRL"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
    -out "$T/leaf.csr" -subj "/CN=imp.nii.ac.jp" 2>/dev/null
out=$("$CA" request --institution nii --profile 22 --subject "CN=imp.nii.ac.jp,$DN" --csr "$T/leaf.csr" --wait 20)
has "$out" "done: serial" "a server certificate from the imported CA"
rid=$(printf '%s' "$out" | sed -n '1s/request \([0-9]*\) queued/\1/p')
serial=$(printf '%s' "$out" | sed -n 's/.*serial \([0-9]*\)$/\1/p')
"$CA" cert --request "$rid" | awk -v d="$T" '/BEGIN/{n++} {print > (d "/leaf" n ".pem")}'
text=$(openssl x509 -in "$T/leaf1.pem" -noout -text)
has "$text" "URI:$H/crl/ext-server.crl" "its CRL distribution point is the imported CA's"
has "$text" "CA Issuers - URI:$H/crl/ext-server.crt" "its caIssuers too"
aia=$(printf '%s\n' "$text" | sed -n 's/.*CA Issuers - URI://p')
cdp=$(printf '%s\n' "$text" | sed -n '/CRL Distribution/,/URI:/s/.*URI://p')
curl -sf -o "$T/aia.der" "$aia" && openssl x509 -inform DER -in "$T/aia.der" -out "$T/aia.pem"
ok $? "the issuer is fetched from the leaf's own caIssuers URL"
curl -sf -o "$T/cdp.der" "$cdp" && openssl crl -inform DER -in "$T/cdp.der" -out "$T/cdp.pem"
ok $? "and the CRL from its own CRL distribution point"
openssl verify -x509_strict -crl_check -CAfile "$T/ext-root.crt" -untrusted "$T/aia.pem" \
    -CRLfile "$T/cdp.pem" "$T/leaf1.pem" >/dev/null 2>&1
ok $? "the leaf verifies to the outside root with that CRL"
"$CA" revoke --serial "$serial" --reason 1 >/dev/null && as_worker "$TOOLSDIR/worker.cgi" crl >/dev/null
curl -sf -o "$T/cdp2.der" "$cdp" && openssl crl -inform DER -in "$T/cdp2.der" -out "$T/cdp2.pem"
out=$(openssl verify -x509_strict -crl_check -CAfile "$T/ext-root.crt" -untrusted "$T/aia.pem" \
    -CRLfile "$T/cdp2.pem" "$T/leaf1.pem" 2>&1)
[ $? -ne 0 ]; ok $? "revoked, the next CRL at the same URL fails it"
has "$out" "certificate revoked" "as revoked"

# --- the URLs changed later ----------------------------------------------
out=$("$CA" urls --slug ext-server --crl-url "http://crl.example.ac.jp/ext-server.crl")
ok $? "ca.cgi urls changes the CRL URL"
has "$out" "CRL distribution point http://crl.example.ac.jp/ext-server.crl, caIssuers $H/crl/ext-server.crt" \
    "and says both, the caIssuers kept"
err=$("$CA" urls --slug ext-server --issuer-url "https://ca.example.ac.jp/x.crt" 2>&1)
[ $? -ne 0 ]; ok $? "an https:// caIssuers is refused"
has "$err" "http://HOST/PATH" "saying what a URL must be"
err=$("$CA" urls --slug nosuch --crl-url "http://x/y.crl" 2>&1)
[ $? -ne 0 ]; ok $? "an unknown CA is refused"
has "$err" "no CA with the slug nosuch" "by its slug"
is "$(sql "SELECT crl_url || ' ' || issuer_url FROM ra.ca WHERE slug = 'ext-server'")" \
    "http://crl.example.ac.jp/ext-server.crl $H/crl/ext-server.crt" "only the good change is stored"
kill -HUP "$(cat "$T/var/run/worker.pid")"
i=0
until [ "$(grep -c "SIGHUP: reloaded" "$T/var/log/worker.log")" -ge 2 ] || [ $i -ge 100 ]; do
	sleep 0.1; i=$((i + 1)); done
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
    -out "$T/leaf2.csr" -subj "/CN=imp2.nii.ac.jp" 2>/dev/null
out=$("$CA" request --institution nii --profile 22 --subject "CN=imp2.nii.ac.jp,$DN" --csr "$T/leaf2.csr" --wait 20)
rid=$(printf '%s' "$out" | sed -n '1s/request \([0-9]*\) queued/\1/p')
has "$("$CA" cert --request "$rid" | openssl x509 -noout -text)" "URI:http://crl.example.ac.jp/ext-server.crl" \
    "after SIGHUP the next certificate carries the new CRL URL"

# --- ops.cgi check -----------------------------------------------------------
out=$("$OPS" check 2>&1)
has "$out" "ok       the schema: every migration applied" "check: the schema"
has "$out" "ok       the current CA for server certificates, Example Server CA G1" "check: the current server CA"
has "$out" "ok       the key of Example Server CA G1, $keydir/ext-server.key: ra-worker's, mode 0400" \
    "check: its key is the worker's alone"
has "$out" "ok       $T/var/crl/ext-server.crl published" "check: its CRL is published"
has "$out" "ok       Unix user ra-worker" "check: the worker's user"
has "$out" "ok       the current CA for code_signing certificates, ra Demo Code Signing CA" "check: the code-signing CA, by the schema's kind name"
chmod 0440 "$keydir/ext-server.key"
out=$("$OPS" check 2>&1)
[ $? -ne 0 ]; ok $? "a key readable by its group makes check fail"
has "$out" "MISSING  the key of Example Server CA G1" "naming the key"
has "$out" "-> chown ra-worker: $keydir/ext-server.key && chmod 0400 $keydir/ext-server.key" \
    "and the command that mends it"
chmod 0400 "$keydir/ext-server.key"
sql "UPDATE ra.ca_kind SET current = false WHERE kind = 'ra_officer'"
out=$("$OPS" check 2>&1)
has "$out" "MISSING  a current CA for ra_officer certificates" "no current RA-officer CA is missing"
has "$out" "ca.cgi import ... --kind ra_officer --current" "with the command"
done_testing
