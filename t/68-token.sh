#!/bin/sh
# CA keys in a PKCS#11 token (SoftHSM2, RA_TOKEN=1): the demo's issuing
# CAs' keys live in the token and in no file under the stack; the worker
# issues and signs CRLs through it; a new CA key made in the token (the
# key ceremony of ca.cgi(8)) is imported by its URI and rolled over to.
# The PIN file must be the worker user's alone, and a URI carrying a PIN
# is refused.
. "$(dirname "$0")/lib.sh"
RA_TOKEN=1
stack_up

CA=$TOOLSDIR/ca.cgi
W=$TOOLSDIR/worker.cgi
pki=$T/var/pki
tk=$pki/token
MOD=/usr/lib/softhsm/libsofthsm2.so
O="Kyoto University"
institution_add kyoto "$O" Kyoto Kyoto
# As the worker's user, with the stack's token (the token's files are its).
hsm() { runuser -u ra-worker -- env SOFTHSM2_CONF="$tk/softhsm2.conf" "$@"; }
PIN=$(cat "$tk/pin")
# Wait (bounded) until request $1 is done; its state.
wait_done() {
	i=0
	until [ "$(sql "SELECT state FROM ra.request WHERE request_id = $1")" != queued ] || [ $i -ge 300 ]; do
		sleep 0.1; i=$((i + 1))
	done
	sql "SELECT state FROM ra.request WHERE request_id = $1"
}
# Queue a server request; prints its id.
queue() {	# queue CN
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout /dev/null -out "$T/r.csr" -subj "/CN=$1" 2>/dev/null &&
	"$CA" request --institution kyoto --profile 22 --csr "$T/r.csr" \
	    --subject "CN=$1,O=$O,L=Kyoto,ST=Kyoto,C=JP" | sed -n 's/^request \([0-9]*\).*/\1/p'
}
# The certificate of request $1, PEM, in $2.
cert_of() {
	sql "SELECT encode(der, 'base64') FROM ra.certificate WHERE request_id = $1" |
	    openssl base64 -d | openssl x509 -inform DER -out "$2"
}

# --- the set-up: keys in the token, the PIN in a file of the worker's ------
is "$(stat -c '%U %a' "$tk/pin")" "ra-worker 400" "the PIN file: 0400, owned by ra-worker"
is "$(stat -c '%U %a' "$tk/tokens")" "ra-worker 700" "the token directory: the worker's alone"
is "$(sql "SELECT count(*) FROM ra.ca WHERE role = 'issuing' AND key_path LIKE 'pkcs11:token=ra-demo;object=%;type=private'")" \
    "$(sql "SELECT count(*) FROM ra.ca WHERE role = 'issuing'")" "every issuing CA's key_path is a PKCS#11 URI"
has "$(cat "$T/var/log/worker.log")" "6 CA key(s), batches of" "the worker loaded the six issuing CAs' keys from the token"
wpid=$(cat "$T/var/run/worker.pid")
grep -q '^Seccomp:[[:space:]]*2$' "/proc/$wpid/status" && grep -q '^NoNewPrivs:[[:space:]]*1$' "/proc/$wpid/status"
ok $? "and confined itself as ever (seccomp filter, no new privileges)"
# No private key file anywhere under the stack is an issuing CA's: each
# one's public key is compared with the issuing CAs' certificates'.
for ca in $(sql "SELECT slug FROM ra.ca WHERE role = 'issuing'"); do
	openssl x509 -in "$pki/$ca.crt" -noout -pubkey | grep -v -- '-----' | tr -d '\n'
	echo
done >"$T/ca-pubs"
grep -rl -- '-----BEGIN .*PRIVATE KEY-----' "$T/var" 2>/dev/null | while read -r f; do
	openssl pkey -in "$f" -pubout 2>/dev/null | grep -v -- '-----' | tr -d '\n'
	echo
done >"$T/key-pubs"
is "$(grep -c . "$T/ca-pubs")" 6 "the six issuing CAs' public keys"
[ "$(grep -c . "$T/key-pubs")" -ge 3 ]
ok $? "the private key files under the stack were read (the root's, the TLS key, ...)"
! grep -qxFf "$T/ca-pubs" "$T/key-pubs"
ok $? "none of them is an issuing CA's key"

# --- issuance through the token --------------------------------------------
rid=$(queue www.kyoto-u.ac.jp)
is "$(wait_done "$rid")" done "a server request is issued by the running worker"
cert_of "$rid" "$T/www.pem"
openssl verify -partial_chain -CAfile "$pki/server-ca.crt" "$T/www.pem" >/dev/null 2>&1
ok $? "its certificate verifies with the server CA's certificate (signed in the token)"

# --- CRL signing through the token -----------------------------------------
serial=$(sql "SELECT serial FROM ra.certificate WHERE request_id = $rid")
"$CA" revoke --serial "$serial" --reason 1 >/dev/null
ok $? "the certificate is revoked"
i=0
until [ "$(sql "SELECT count(*) FROM ra.revocation v JOIN ra.certificate c USING (cert_id) WHERE c.request_id = $rid")" = 1 ] || [ $i -ge 300 ]; do sleep 0.1; i=$((i + 1)); done
out=$(as_worker "$W" crl 2>&1)
ok $? "worker.cgi crl signs every CA's CRL"
has "$out" "ra Demo Server CA: CRL #2, 1 entries" "the server CA's CRL lists the revocation"
openssl crl -inform DER -in "$T/var/crl/server-ca.crl" -noout -CAfile "$pki/server-ca.crt" 2>&1 | grep -q "verify OK"
ok $? "the server CA's CRL verifies with its certificate (signed in the token)"

# --- rollover to a new key made in the token (ca.cgi(8)) -------------------
G2="pkcs11:token=ra-demo;object=server-ca-g2;type=private"
hsm pkcs11-tool --module "$MOD" --token-label ra-demo --login --pin "$PIN" \
    --keypairgen --key-type EC:prime256v1 --label server-ca-g2 --id 47 >"$T/keygen.log" 2>&1
ok $? "a new P-256 key pair is made in the token (pkcs11-tool --keypairgen)"
hsm openssl req -new -engine pkcs11 -keyform engine -key "$G2" -passin "pass:$PIN" \
    -subj "/C=JP/O=ra Demo/CN=ra Demo Server CA - G2" </dev/null 2>"$T/req.err" >"$T/g2.csr"
ok $? "its CSR is made with the token key (openssl req -engine pkcs11 -keyform engine)"
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n' >"$T/g2.ext"
openssl x509 -req -in "$T/g2.csr" -CA "$pki/root-ca.crt" -CAkey "$pki/private/root-ca.key" \
    -set_serial "0x$(openssl rand -hex 12)" -days 365 -extfile "$T/g2.ext" -out "$T/g2.crt" 2>/dev/null
ok $? "the root signs the new CA's certificate"
out=$("$CA" import --name "ra Demo Server CA - G2" --slug server-ca-g2 --cert "$T/g2.crt" --key "$G2" \
    --kind server --current --crl-url "http://localhost:$RA_HTTP_PORT/crl/server-ca-g2.crl" 2>&1)
ok $? "ca.cgi import --key pkcs11:... registers it and makes it current"
is "$(sql "SELECT key_path FROM ra.ca WHERE slug = 'server-ca-g2'")" "$G2" "the URI is stored as the key path"
kill -HUP "$(cat "$T/var/run/worker.pid")"
i=0
until grep -q "SIGHUP: reloaded, 7 CA key(s)" "$T/var/log/worker.log" || [ $i -ge 150 ]; do sleep 0.1; i=$((i + 1)); done
has "$(cat "$T/var/log/worker.log")" "SIGHUP: reloaded, 7 CA key(s)" "the worker reloads after SIGHUP: seven keys, the new one from the token"
rid=$(queue www2.kyoto-u.ac.jp)
is "$(wait_done "$rid")" done "a server request after the rollover is issued"
cert_of "$rid" "$T/www2.pem"
has "$(openssl x509 -in "$T/www2.pem" -noout -issuer)" "ra Demo Server CA - G2" "by the new CA"
openssl verify -partial_chain -CAfile "$T/g2.crt" "$T/www2.pem" >/dev/null 2>&1
ok $? "and it verifies with the new CA's certificate (the new token key signed it)"
out=$(as_worker "$W" crl 2>&1)
has "$out" "ra Demo Server CA - G2: CRL #1" "the new CA's first CRL"
openssl crl -inform DER -in "$T/var/crl/server-ca-g2.crl" -noout -CAfile "$T/g2.crt" 2>&1 | grep -q "verify OK"
ok $? "signed with the new token key"

# --- refusals ---------------------------------------------------------------
n=$(sql "SELECT count(*) FROM ra.ca")
err=$("$CA" import --name "PIN CA" --slug pin-ca --cert "$T/g2.crt" \
    --key "pkcs11:token=ra-demo;object=server-ca-g2;type=private?pin-value=$PIN" 2>&1)
[ $? -ne 0 ]; ok $? "a URI carrying pin-value is refused at import"
has "$err" "the PIN belongs in Worker.TokenPinFile" "and the reason is given"
err=$("$CA" import --name "Bad CA" --slug bad-ca --cert "$T/g2.crt" --key "pkcs11:token=ra demo;object=x" 2>&1)
[ $? -ne 0 ]; ok $? "a malformed URI (a space) is refused at import"
has "$err" "not a usable PKCS#11 URI" "and said so"
err=$("$CA" import --name "Bad CA" --slug bad-ca --cert "$T/g2.crt" --key "pkcs11:token=ra-demo" 2>&1)
[ $? -ne 0 ]; ok $? "a URI naming no key is refused"
is "$(sql "SELECT count(*) FROM ra.ca")" "$n" "nothing was registered"
# A changed row with a PIN in it: the worker refuses it too.
sql "UPDATE ra.ca SET key_path = '$G2?pin-value=$PIN' WHERE slug = 'server-ca-g2'" 2>/dev/null
[ $? -ne 0 ]; ok $? "the database refuses a query part in key_path (schema 030)"
chmod 0444 "$tk/pin"
err=$(as_worker "$W" crl 2>&1)
[ $? -ne 0 ]; ok $? "worker.cgi crl fails with a world-readable PIN file"
has "$err" "the PIN must be readable by the worker's user alone" "the PIN file is refused, with the reason"
has "$err" "7 CA(s) whose key is in a token get no CRL" "and says which CRLs it could not sign"
hasnt "$err" "ra Demo Server CA: CRL" "and no token CA signs with it"
# A FIFO in its place is refused, not waited on for ever.
mv "$tk/pin" "$tk/pin.real" && mkfifo -m 0400 "$tk/pin" && chown ra-worker "$tk/pin"
err=$(timeout 20 runuser -u ra-worker -- env RA_CONF="$RA_CONF" "$W" crl 2>&1)
is "$?" 1 "worker.cgi crl with a FIFO as the PIN file fails at once (does not hang)"
has "$err" "Worker.TokenPinFile $tk/pin: not a regular file" "and says why"
rm -f "$tk/pin" && mv "$tk/pin.real" "$tk/pin"
chmod 0400 "$tk/pin"
out=$(as_worker "$W" crl 2>&1)
has "$out" "ra Demo Server CA: CRL #" "back to 0400: the CRLs are signed again"

# --- a job that kills its worker every time is given up, not retried forever
# (an orphan taken over counts an attempt; Worker.MaxAttempts is 5).
worker_stop
rid=$(queue poison.kyoto-u.ac.jp)
cp "$RA_CONF" "$T/kill.conf"
printf 'Worker.Test.KillAfterReserve = 1\n' >>"$T/kill.conf"
chmod 0644 "$T/kill.conf"
# (The hook kills after every batch, the one that gives the job up too.)
runs=0
while [ $runs -lt 8 ] && [ "$(sql "SELECT state FROM ra.request WHERE request_id = $rid")" = queued ]; do
	runuser -u ra-worker -- env RA_CONF="$T/kill.conf" "$W" drain >/dev/null 2>>"$T/kill.err"
	runs=$((runs + 1))
done
# The first dies with it in its batch (no attempt: t/70's random kills);
# each later one takes it over alone and dies on it (one attempt each).
is "$runs" 7 "a worker died with the job in its batch, five more on it alone; the seventh gave it up"
is "$(sql "SELECT state FROM ra.request WHERE request_id = $rid")" failed "the request is given up"
has "$(sql "SELECT last_error FROM ra.job WHERE request_id = $rid")" "gave up after 5 attempts" "with the reason"

# --- a token key that matches its certificate but cannot sign is not used:
# refused at load, not taken for a token gone (which retried it forever).
G3="pkcs11:token=ra-demo;object=server-ca-g3;type=private"
hsm pkcs11-tool --module "$MOD" --token-label ra-demo --login --pin "$PIN" \
    --keypairgen --key-type EC:prime256v1 --label server-ca-g3 --id 48 \
    --usage-derive --allowed-mechanisms ECDH1-DERIVE >"$T/keygen3.log" 2>&1 &&
hsm openssl pkey -engine pkcs11 -inform engine -pubin -pubout \
    -in "pkcs11:token=ra-demo;object=server-ca-g3;type=public" </dev/null >"$T/g3.pub.pem" 2>"$T/read3.log" &&
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
    -subj "/C=JP/O=ra Demo/CN=ra Demo Server CA - G3" -out "$T/g3.csr" 2>/dev/null &&
openssl x509 -req -in "$T/g3.csr" -force_pubkey "$T/g3.pub.pem" -CA "$pki/root-ca.crt" \
    -CAkey "$pki/private/root-ca.key" -set_serial "0x$(openssl rand -hex 12)" -days 365 \
    -extfile "$T/g2.ext" -out "$T/g3.crt" 2>"$T/x509-3.log" &&
"$CA" import --name "ra Demo Server CA - G3" --slug server-ca-g3 --cert "$T/g3.crt" --key "$G3" \
    --kind server --current --crl-url "http://localhost:$RA_HTTP_PORT/crl/server-ca-g3.crl" >"$T/import3.log" 2>&1
ok $? "a token key that may only derive (not sign), its certificate, imported as current"
rid=$(queue nosign.kyoto-u.ac.jp)
err=$(as_worker "$W" drain 2>&1)
has "$err" "ra Demo Server CA - G3: key $G3 matches its certificate but does not sign" \
    "the worker refuses the key at load, and says why"
hasnt "$err" "token did not sign" "and does not take it for a token gone"
is "$(sql "SELECT r.state || ' ' || (c.cert_id IS NULL) FROM ra.request r LEFT JOIN ra.certificate c USING (request_id) WHERE r.request_id = $rid")" \
    "queued true" "the request waits for a usable key, nothing reserved"

done_testing
