#!/bin/sh
# The CA engine: issuance through the queue and the worker, certificates
# that three independent verifiers accept, PKCS#12 in both profiles that
# OpenSSL, Java and NSS import, refusals before queueing, revocation and
# CRLs served by Apache.
. "$(dirname "$0")/lib.sh"
stack_up

CA=$TOOLSDIR/ca.cgi
pki=$T/var/pki
O="National Institute of Informatics"
institution_add nii "$O" Tokyo Chiyoda-ku
DN="O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP"
count() { sql "SELECT count(*) FROM ra.request"; }

# --- a server certificate from a CSR ------------------------------------
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/www.key" -out "$T/www.csr" \
    -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=www.nii.ac.jp" 2>/dev/null
out=$("$CA" request --institution nii --profile 21 --subject "CN=www.nii.ac.jp,$DN" \
    --csr "$T/www.csr" --san "nii.ac.jp, WWW2.nii.ac.jp" --wait 10)
ok $? "server request issued by the running worker"
has "$out" "done: serial" "the request reports its decimal serial"
serial=$(printf '%s' "$out" | sed -n 's/.*serial \([0-9]*\)$/\1/p')
rid=$(printf '%s' "$out" | sed -n '1s/request \([0-9]*\) queued/\1/p')

"$CA" cert --request "$rid" >"$T/www.chain.pem"
ok $? "certificate and chain as PEM"
awk -v d="$T" '/BEGIN/{n++} {print > (d "/part" n ".pem")}' "$T/www.chain.pem"
is "$(ls "$T"/part*.pem | wc -l)" 3 "leaf, issuing CA and root"
text=$(openssl x509 -in "$T/part1.pem" -noout -text)
has "$text" "Subject: C = JP, ST = Tokyo, L = Chiyoda-ku, O = $O, CN = www.nii.ac.jp" "subject from the request, in order"
has "$text" "DNS:www.nii.ac.jp, DNS:nii.ac.jp, DNS:www2.nii.ac.jp" "CN first in the SANs, names lower-cased"
has "$text" "CA:FALSE" "basicConstraints CA:FALSE"
has "$text" "TLS Web Server Authentication" "serverAuth EKU from the profile"
has "$text" "URI:http://localhost:$RA_HTTP_PORT/crl/server-ca.crl" "CRL distribution point"
has "$text" "CA Issuers - URI:http://localhost:$RA_HTTP_PORT/crl/server-ca.crt" "AIA caIssuers"
dec=$(openssl x509 -in "$T/part1.pem" -noout -serial | sed 's/serial=//' |
    perl -Mbigint -ne 'chomp; print hex("0x$_")')
is "$dec" "$serial" "the decimal serial is the certificate's"
days=$(perl -e 'print int(($ARGV[1] - $ARGV[0]) / 86400)' \
    "$(date -d "$(openssl x509 -in "$T/part1.pem" -noout -startdate | cut -d= -f2)" +%s)" \
    "$(date -d "$(openssl x509 -in "$T/part1.pem" -noout -enddate | cut -d= -f2)" +%s)")
is "$days" 197 "server validity under 198 days (inclusive)"

openssl verify -x509_strict -CAfile "$T/part3.pem" -untrusted "$T/part2.pem" "$T/part1.pem" >/dev/null 2>&1
ok $? "openssl verify -x509_strict accepts it"
certtool --verify-chain --infile "$T/www.chain.pem" >"$T/certtool.out" 2>&1
ok $? "GnuTLS certtool --verify-chain accepts it"
nss=$T/nss
mkdir "$nss" && certutil -N -d "sql:$nss" --empty-password &&
certutil -A -d "sql:$nss" -n root -t "C,," -i "$T/part3.pem" &&
certutil -A -d "sql:$nss" -n issuing -t ",," -i "$T/part2.pem" &&
certutil -A -d "sql:$nss" -n www -t ",," -i "$T/part1.pem" &&
certutil -V -d "sql:$nss" -n www -u V >"$T/certutil.out" 2>&1
ok $? "NSS certutil -V accepts it for SSL server use"

# --- refused before anything is queued -----------------------------------
before=$(count)
refuse() {	# refuse DESCRIPTION EXPECTED-TEXT ca.cgi-arguments...
	d=$1; want=$2; shift 2
	err=$("$CA" request --institution nii "$@" 2>&1 >/dev/null)
	[ $? -ne 0 ]; ok $? "$d: refused"
	has "$err" "$want" "$d: says \"$want\""
}
printf 'not a csr' >"$T/junk.csr"
refuse "malformed CSR" "CSR is not base64" --profile 21 --subject "CN=a.nii.ac.jp,$DN" --csr "$T/junk.csr"
openssl req -new -newkey rsa:2048 -nodes -keyout /dev/null -outform DER -out "$T/bad.der" \
    -subj "/CN=a.nii.ac.jp" 2>/dev/null
perl -e 'local $/; $_ = <STDIN>; substr($_, -10, 1) ^= "\x01"; print' <"$T/bad.der" >"$T/badsig.der"
refuse "bad CSR signature" "CSR signature does not verify" --profile 21 --subject "CN=a.nii.ac.jp,$DN" --csr "$T/badsig.der"
openssl req -new -newkey rsa:1024 -nodes -keyout /dev/null -out "$T/weak.csr" -subj "/CN=a.nii.ac.jp" 2>/dev/null
refuse "1024-bit key" "a rsa1024 key is not allowed by profile 21" --profile 21 --subject "CN=a.nii.ac.jp,$DN" --csr "$T/weak.csr"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -out "$T/ec.csr" \
    -subj "/CN=a.nii.ac.jp" 2>/dev/null
refuse "EC key on the RSA profile" "a p256 key is not allowed by profile 21" --profile 21 --subject "CN=a.nii.ac.jp,$DN" --csr "$T/ec.csr"
refuse "key used before" "this key was used before" --profile 21 --subject "CN=www3.nii.ac.jp,$DN" --csr "$T/www.csr"
echo "a-good-secret" >"$T/secret"
refuse "O in an S/MIME subject" "O is not allowed in the subject of profile 15" --profile 15 --subject "CN=taro@nii.ac.jp,O=x" --secret-stdin <"$T/secret"
refuse "server subject without ST" "ST is required in the subject of profile 22" --profile 22 --subject "CN=a.nii.ac.jp,O=$O,L=Chiyoda-ku,C=JP" --csr "$T/ec.csr"
refuse "IP literal as host name" "\"10.0.0.1\" is not a host name" --profile 22 --subject "CN=a.nii.ac.jp,$DN" --csr "$T/ec.csr" --san 10.0.0.1
refuse "unknown profile" "profile 98 does not exist" --profile 98 --subject "CN=a.nii.ac.jp,$DN" --csr "$T/ec.csr"
refuse "server-made key without a password" "a password of 8 to 128 characters" --profile 14 --subject "CN=taro,$DN"
sql "UPDATE ra.institution SET status = 'suspended' WHERE code = 'nii'"
refuse "suspended institution" "the institution is not active" --profile 22 --subject "CN=a.nii.ac.jp,$DN" --csr "$T/ec.csr"
sql "UPDATE ra.institution SET status = 'active' WHERE code = 'nii'"
is "$(count)" "$before" "nothing was queued by any refused request"

# --- server-made keys and PKCS#12, both profiles -------------------------
for prof in modern legacy; do
	out=$(echo "p12-secret-$prof" | "$CA" request --institution nii --profile 14 \
	    --subject "CN=taro-$prof,OU=Research,$DN" --secret-stdin --wait 20)
	has "$out" "done: serial" "$prof: client certificate with a server-made key"
	rid=$(printf '%s' "$out" | sed -n '1s/request \([0-9]*\) queued/\1/p')
	echo "wrong-password" | "$CA" p12 --request "$rid" --format "$prof" --out "$T/x.p12" 2>/dev/null
	[ $? -ne 0 ]; ok $? "$prof: a wrong password gets nothing"
	echo "p12-secret-$prof" | "$CA" p12 --request "$rid" --format "$prof" --out "$T/$prof.p12"
	ok $? "$prof: PKCS#12 taken"
	echo "p12-secret-$prof" | "$CA" p12 --request "$rid" --format "$prof" --out "$T/again.p12" 2>/dev/null
	[ $? -ne 0 ]; ok $? "$prof: only once"
	is "$(sql "SELECT count(*) FROM ra.p12_pending p JOIN ra.certificate c USING (cert_id) WHERE c.request_id = $rid")" 0 \
	    "$prof: the waiting key is deleted"
	info=$(openssl pkcs12 -in "$T/$prof.p12" -passin "pass:p12-secret-$prof" -info -nokeys -noout 2>&1)
	ok $? "$prof: openssl pkcs12 reads it without -legacy"
	case $prof in
	modern)	has "$info" "PBES2, PBKDF2, AES-256-CBC" "modern: AES-256-CBC under PBKDF2"
		has "$info" "MAC: sha256" "modern: SHA-256 MAC" ;;
	legacy)	has "$info" "pbeWithSHA1And3-KeyTripleDES-CBC" "legacy: 3DES"
		has "$info" "MAC: sha1" "legacy: SHA-1 MAC" ;;
	esac
	certs=$(openssl pkcs12 -in "$T/$prof.p12" -passin "pass:p12-secret-$prof" -nokeys 2>/dev/null)
	is "$(printf '%s\n' "$certs" | grep -c 'BEGIN CERTIFICATE')" 3 "$prof: full chain included"
	has "$certs" "friendlyName: taro-$prof" "$prof: friendly name set"
	keytool -importkeystore -srckeystore "$T/$prof.p12" -srcstoretype PKCS12 \
	    -srcstorepass "p12-secret-$prof" -destkeystore "$T/$prof.jks" -deststoretype JKS \
	    -deststorepass changeit -noprompt >"$T/keytool.out" 2>&1
	ok $? "$prof: Java keytool -importkeystore takes it"
	pk12util -i "$T/$prof.p12" -d "sql:$nss" -W "p12-secret-$prof" >"$T/pk12util.out" 2>&1
	ok $? "$prof: NSS pk12util imports it"
done

# A key nobody fetched in time is deleted by cron.
out=$(echo "never-fetched-1" | "$CA" request --institution nii --profile 13 \
    --subject "CN=late,$DN" --secret-stdin --wait 20)
rid=$(printf '%s' "$out" | sed -n '1s/request \([0-9]*\) queued/\1/p')
sql "UPDATE ra.p12_pending SET expires_at = now() - interval '1 second'
      WHERE cert_id = (SELECT cert_id FROM ra.certificate WHERE request_id = $rid)"
has "$(as_worker "$TOOLSDIR/worker.cgi" expire)" "1 expired key(s) deleted" "worker.cgi expire deletes an expired key"
echo "never-fetched-1" | "$CA" p12 --request "$rid" --format modern --out "$T/late.p12" 2>/dev/null
[ $? -ne 0 ]; ok $? "and it can no longer be fetched"

# --- CA rollover: a production-style CA imported from PEM files -----------
# A new server CA under the demo root, made with openssl(1) as a CA's
# operators would bring it: a certificate file and a key file.
g2=$T/var/pki/private/server-ca-g2.key
openssl req -new -newkey rsa:2048 -nodes -keyout "$g2" -out "$T/g2.csr" \
    -subj "/C=JP/O=ra Demo/CN=ra Demo Server CA - G2" 2>/dev/null
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n' >"$T/g2.ext"
openssl x509 -req -in "$T/g2.csr" -CA "$pki/root-ca.crt" -CAkey "$pki/private/root-ca.key" \
    -CAcreateserial -days 365 -extfile "$T/g2.ext" -out "$T/g2.crt" 2>/dev/null
chown ra-worker "$g2" && chmod 0400 "$g2"
openssl req -x509 -newkey rsa:2048 -nodes -keyout /dev/null -out "$T/stray.crt" -days 30 \
    -subj "/CN=Stray Intermediate" -addext basicConstraints=critical,CA:TRUE \
    -addext authorityKeyIdentifier=keyid:always 2>/dev/null
out=$("$CA" import --name "ra Demo Server CA - G2" --slug server-ca-g2 --cert "$T/g2.crt" --key "$g2" \
    --kind server --current --crl-url "http://localhost:$RA_HTTP_PORT/crl/server-ca-g2.crl")
ok $? "a new server CA is imported from PEM and made current"
has "$out" "CN=ra Demo Server CA - G2" "import names the CA"
# Only the worker opens CA keys, and only from Worker.KeyDir.
err=$("$CA" import --name "Elsewhere" --slug elsewhere --cert "$T/g2.crt" --key "$T/g2-elsewhere.key" \
    --kind server 2>&1)
[ $? -ne 0 ]; ok $? "a CA whose key lies outside Worker.KeyDir is refused at import"
has "$err" "is not below Worker.KeyDir" "and the reason is given"
is "$(sql "SELECT count(*) FROM ra.ca WHERE name = 'Elsewhere'")" 0 "and nothing is registered"
is "$(sql "SELECT a.name FROM ra.ca_kind k JOIN ra.ca a USING (ca_id) WHERE k.kind = 'server' AND k.current")" \
    "ra Demo Server CA - G2" "exactly one current server CA, the new one"
# The pid file names the worker itself, so SIGHUP reaches it.
keys=$(sed -n 's/.*: \([0-9]*\) CA key(s), batches of.*/\1/p' "$T/var/log/worker.log" | tail -n 1)
kill -HUP "$(cat "$T/var/run/worker.pid")"
i=0
until grep -q "SIGHUP: reloaded" "$T/var/log/worker.log" || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
has "$(cat "$T/var/log/worker.log")" "SIGHUP: reloaded, $((keys + 1)) CA key(s)" \
    "the worker says it reloaded, with the new CA's key"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -out "$T/g2leaf.csr" \
    -subj "/CN=new.nii.ac.jp" 2>/dev/null
out=$("$CA" request --institution nii --profile 22 --subject "CN=new.nii.ac.jp,$DN" --csr "$T/g2leaf.csr" --wait 10)
has "$out" "done: serial" "the worker, told by SIGHUP, issues from the new CA"
rid2=$(printf '%s' "$out" | sed -n '1s/request \([0-9]*\) queued/\1/p')
"$CA" cert --request "$rid2" >"$T/g2chain.pem"
awk -v d="$T" '/BEGIN/{n++} {print > (d "/g" n ".pem")}' "$T/g2chain.pem"
has "$(openssl x509 -in "$T/g1.pem" -noout -issuer)" "CN = ra Demo Server CA - G2" "issued by G2"
openssl verify -x509_strict -CAfile "$T/g3.pem" -untrusted "$T/g2.pem" "$T/g1.pem" >/dev/null 2>&1
ok $? "and verifies up to the same root"
err=$("$CA" import --name "Stray" --slug stray --cert "$T/stray.crt" 2>&1)
is "$(sql "SELECT count(*) FROM ra.ca WHERE name = 'Stray'")" 1 "a self-signed CA certificate is taken as a root"
printf 'basicConstraints=critical,CA:TRUE\nauthorityKeyIdentifier=keyid:always\n' >"$T/orphan.ext"
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/orphan-ca.key" -out "$T/orphan.csr" -subj "/CN=Orphan" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/unreg.key" -out "$T/unreg.crt" -days 30 -subj "/CN=Unregistered Root" 2>/dev/null
openssl x509 -req -in "$T/orphan.csr" -CA "$T/unreg.crt" -CAkey "$T/unreg.key" -CAcreateserial -days 30 \
    -extfile "$T/orphan.ext" -out "$T/orphan.crt" 2>/dev/null
err=$("$CA" import --name "Orphan" --slug orphan --cert "$T/orphan.crt" 2>&1)
[ $? -ne 0 ]; ok $? "an intermediate whose issuer is not registered is refused"
has "$err" "import the parent CA first" "and says what to do"

# --- revocation and CRLs ---------------------------------------------------
err=$("$CA" revoke --serial "$serial" --reason 2 2>&1)
[ $? -ne 0 ]; ok $? "reason 2 (CA compromise) is not a subscriber's reason"
has "$err" "reason 2 is not allowed" "and says so"
err=$("$CA" revoke --serial "$serial" --reason 0 2>&1)
has "$err" "reason 0 (unspecified) needs a comment" "reason 0 needs a comment"
"$CA" revoke --serial "$serial" --reason 1 >/dev/null
ok $? "revoked with reason 1 (keyCompromise)"
err=$("$CA" revoke --serial "$serial" --reason 1 2>&1)
has "$err" "already revoked" "revoking twice is refused"
has "$("$CA" status --serial "$serial")" "not yet in a CRL" "status before the CRL"
as_worker "$TOOLSDIR/worker.cgi" crl >"$T/crl.out"
ok $? "worker.cgi crl"
has "$(cat "$T/crl.out")" "ra Demo Server CA: CRL #2, 1 entries" "the old server CA's CRL #2 lists the revoked certificate"
has "$(cat "$T/crl.out")" "ra Demo Server CA - G2: CRL #1, 0 entries" "the new CA publishes its own CRL"
has "$("$CA" status --serial "$serial")" "revoked (reason 1)" "status: revoked"
has "$("$CA" status --serial "$serial")" "in CRL #2 since" "status: in CRL #2"
curl -sS -o "$T/served.crl" "http://localhost:$RA_HTTP_PORT/crl/server-ca.crl"
cmp -s "$T/served.crl" "$T/var/crl/server-ca.crl"
ok $? "Apache serves the CRL over plain HTTP at the distribution point"
crltext=$(openssl crl -inform DER -in "$T/served.crl" -noout -text)
has "$crltext" "Serial Number: $(openssl x509 -in "$T/part1.pem" -noout -serial | sed 's/serial=//')" "openssl crl lists the serial"
has "$crltext" "Key Compromise" "with its reason"
has "$crltext" "X509v3 CRL Number: " "and a CRL number"
openssl crl -inform DER -in "$T/served.crl" -out "$T/crl.pem"
v=$(openssl verify -crl_check -CAfile "$T/part3.pem" -untrusted "$T/part2.pem" -CRLfile "$T/crl.pem" "$T/part1.pem" 2>&1)
has "$v" "certificate revoked" "openssl verify -crl_check sees it revoked"
as_worker "$TOOLSDIR/worker.cgi" crl >/dev/null
n1=$(openssl crl -inform DER -in "$T/var/crl/server-ca.crl" -noout -crlnumber | cut -d= -f2)
is "$n1" "0x03" "CRL numbers only go up"

# Worker.KeyDir again, last (each CRL run below bumps the CRL numbers
# the checks above count).
mkdir -p "$T/elsewhere" && cp "$g2" "$T/elsewhere/server-ca-g2.key" && chown ra-worker "$T/elsewhere/server-ca-g2.key"
sql "UPDATE ra.ca SET key_path = '$T/var/pki/private/../../../elsewhere/server-ca-g2.key' WHERE slug = 'server-ca-g2'"
err=$(as_worker "$TOOLSDIR/worker.cgi" crl 2>&1 >/dev/null)
has "$err" "not below Worker.KeyDir" "the worker refuses a key path that leaves Worker.KeyDir (a changed row)"
ln -s "$T/elsewhere/server-ca-g2.key" "$T/var/pki/private/link.key"
sql "UPDATE ra.ca SET key_path = '$T/var/pki/private/link.key' WHERE slug = 'server-ca-g2'"
err=$(as_worker "$TOOLSDIR/worker.cgi" crl 2>&1 >/dev/null)
has "$err" "link.key: Too many levels of symbolic links" "and a key that is a link out of it"
rm -f "$T/var/pki/private/link.key"
sql "UPDATE ra.ca SET key_path = '$g2' WHERE slug = 'server-ca-g2'"

done_testing
