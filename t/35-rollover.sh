#!/bin/sh
# An RA-CA rollover without surprises: a new RA-officer CA is imported and
# made current; the worker, told by SIGHUP through its pid file, says it
# reloaded and signs with it; the client-CA bundle is remade from the
# database and Apache reloaded, so a new RA certificate logs in sending
# only itself (no intermediate), while an old one still logs in until it
# is revoked.
. "$(dirname "$0")/lib.sh"
stack_up

CA=$TOOLSDIR/ca.cgi
D=$DESKDIR/desk.cgi
pki=$T/var/pki
BUNDLE=$pki/officer-ca-bundle.pem
LRA=$URL/ra/lra
CU="curl -sS --cacert $CACERT"
# The subjects of a PEM bundle, in its order.
subjects() {
	openssl crl2pkcs7 -nocrl -certfile "$1" | openssl pkcs7 -print_certs -noout |
	    sed -n 's/^subject=.*CN = //p' | tr '\n' ';'
}
# Log in with a certificate file holding the leaf alone: the HTTP status
# and redirect, or 000 when the TLS handshake is refused.
login() {	# login CERT KEY
	$CU --cert "$1" --key "$2" -o /dev/null -w '%{http_code} %{redirect_url}' \
	    "$LRA/login.cgi" 2>/dev/null
}
# Leaf and key out of a PKCS#12, the leaf alone in its file.
p12_split() {	# p12_split P12 PASS NAME
	openssl pkcs12 -in "$1" -passin "pass:$2" -clcerts -nokeys 2>/dev/null |
	    sed -n '/BEGIN CERT/,/END CERT/p' >"$T/$3.crt"
	openssl pkcs12 -in "$1" -passin "pass:$2" -nocerts -nodes 2>/dev/null >"$T/$3.key"
}

# --- the pid files name the processes themselves ---------------------------
wpid=$(cat "$T/var/run/worker.pid")
is "$(readlink "/proc/$wpid/exe")" "$TOOLSDIR/worker.cgi" "worker.pid is the worker's own pid"
is "$(stat -c %U "/proc/$wpid")" ra-worker "running as ra-worker"
mpid=$(cat "$T/var/run/mail.pid")
is "$(readlink "/proc/$mpid/exe")" "$TOOLSDIR/mail.cgi" "mail.pid is mail delivery's own pid"
is "$(stat -c %U "/proc/$mpid")" ra-mail "running as ra-mail"
st=$(make -s -C "$top" status VAR="$T/var")
has "$st" "worker: running (pid $wpid)" "make status names the worker's pid"
has "$st" "mail: running (pid $mpid)" "and mail delivery's"

# --- the bundle the stack started with: from the database ------------------
is "$(subjects "$BUNDLE")" "ra Demo Root CA;ra Demo RA Officer CA;ra Demo Client CA;" \
    "the client-CA bundle: the RA-officer and client CAs and their root, in registration order"
out=$("$CA" client-ca-bundle)
has "$out" "client-CA bundle $BUNDLE:" "ca.cgi client-ca-bundle writes Apache.ClientCA by default"
has "$out" "unchanged, not rewritten" "and leaves an unchanged bundle alone"

# --- an officer with an RA certificate of the old CA ----------------------
officer_with_cert 1,2,10
p12_split "$OFFICER_P12" "$OFFICER_PASS" old
is "$(grep -c 'BEGIN CERTIFICATE' "$T/old.crt")" 1 "the old RA certificate alone in its file"
is "$(login "$T/old.crt" "$T/old.key")" "303 $LRA/menu.cgi" "the old RA certificate logs in, sending only itself"

# --- a new RA-officer CA under the same root, as its operators bring it ----
key=$pki/private/ra-ca-g2.key
openssl req -new -newkey rsa:2048 -nodes -keyout "$key" -out "$T/g2.csr" \
    -subj "/C=JP/O=ra Demo/CN=ra Demo RA Officer CA - G2" 2>/dev/null
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n' >"$T/g2.ext"
openssl x509 -req -in "$T/g2.csr" -CA "$pki/root-ca.crt" -CAkey "$pki/private/root-ca.key" \
    -set_serial "0x$(openssl rand -hex 12)" -days 365 -extfile "$T/g2.ext" -out "$T/g2.crt" 2>/dev/null
chown ra-worker "$key" && chmod 0400 "$key"
out=$("$CA" import --name "ra Demo RA Officer CA - G2" --slug ra-ca-g2 --cert "$T/g2.crt" --key "$key" \
    --kind ra_officer --current --crl-url "http://localhost:$RA_HTTP_PORT/crl/ra-ca-g2.crl")
ok $? "the new RA-officer CA is imported and made current"
has "$out" "after SIGHUP" "import says the running worker needs SIGHUP"
has "$out" 'run "ca.cgi client-ca-bundle --reload"' "and that Apache needs the bundle remade"
is "$(sql "SELECT a.name FROM ra.ca_kind k JOIN ra.ca a USING (ca_id) WHERE k.kind = 'ra_officer' AND k.current")" \
    "ra Demo RA Officer CA - G2" "the new CA is the current RA-officer CA"

# --- the worker, through its pid file --------------------------------------
before=$(sed -n 's/.*: \([0-9]*\) CA key(s), batches of.*/\1/p' "$T/var/log/worker.log" | tail -n 1)
kill -HUP "$(cat "$T/var/run/worker.pid")"
ok $? "kill -HUP \$(cat var/run/worker.pid)"
i=0
until grep -q "SIGHUP: reloaded" "$T/var/log/worker.log" || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
has "$(cat "$T/var/log/worker.log")" "SIGHUP: reloaded, $((before + 1)) CA key(s)" \
    "the worker logs that it reloaded, one CA key more ($before before)"
kill -0 "$wpid"; ok $? "and keeps running, the same process"

# --- a new officer's RA certificate, through the real flow -----------------
"$D" officer-add --institution nii --name-ja 佐藤花子 --romaji "Hanako Sato" --mail hanako@nii.ac.jp \
    --phone 03-1234-5679 --domains nii.ac.jp --interfaces 1,10 >/dev/null
ok $? "desk: a second officer"
o2=$(sql "SELECT officer_id FROM ra.officer WHERE mail = 'hanako@nii.ac.jp'")
mails_settle
tok=$(mail_text "$(mail_to hanako@nii.ac.jp "")" | grep -o 'raget.cgi?t=[A-Za-z0-9_-]*' | cut -d= -f2)
pin=$("$D" pin-issue --officer "$o2" | sed 's/.*: //')
page=$($CU -d "t=$tok&step=pin&pin=$pin" "$URL/ra/raget.cgi")
s=$(printf '%s' "$page" | sed -n 's/.*name="s" value="\([^"]*\)".*/\1/p')
pass=$(printf '%s' "$page" | sed -n 's/.*id="p12pin">\([^<]*\)<.*/\1/p')
$CU -o /dev/null -d "t=$tok&s=$s&step=issue&pass=$pass" "$URL/ra/raget.cgi"
i=0
until [ "$(sql "SELECT count(*) FROM ra.certificate WHERE officer_id = $o2 AND state = 'issued'")" = 1 ] ||
    [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
code=$($CU -o "$T/new.p12" -w '%{http_code}' -d "t=$tok&s=$s&step=download&pass=$pass&format=modern" \
    "$URL/ra/raget.cgi")
is "$code" 200 "the new RA certificate downloads"
p12_split "$T/new.p12" "$pass" new
has "$(openssl x509 -in "$T/new.crt" -noout -issuer)" "CN = ra Demo RA Officer CA - G2" \
    "issued by the new CA"
is "$(grep -c 'BEGIN CERTIFICATE' "$T/new.crt")" 1 "the new RA certificate alone in its file"

# Apache still has the bundle it started with: the leaf alone does not do.
is "$(login "$T/new.crt" "$T/new.key")" "000 " "before the bundle is remade, Apache refuses the new certificate sent alone"

# --- the bundle remade, Apache reloaded ------------------------------------
out=$("$CA" client-ca-bundle --reload)
ok $? "ca.cgi client-ca-bundle --reload"
has "$out" "ra Demo RA Officer CA - G2 (" "it names the new CA"
has "$out" "written" "writes the bundle"
has "$out" "Apache told to reload gracefully" "and reloads Apache"
is "$(subjects "$BUNDLE")" "ra Demo Root CA;ra Demo RA Officer CA;ra Demo Client CA;ra Demo RA Officer CA - G2;" \
    "the bundle: both RA-officer CAs, the client CA and the root"
is "$(stat -c %a "$BUNDLE")" 644 "mode 0644"
# The graceful restart takes a moment to reach new connections.
i=0
until [ "$(login "$T/new.crt" "$T/new.key")" = "303 $LRA/menu.cgi" ] || [ $i -ge 100 ]; do
	sleep 0.1; i=$((i + 1))
done
is "$(login "$T/new.crt" "$T/new.key")" "303 $LRA/menu.cgi" "the new RA certificate logs in, sending only itself"
has "$(sql "SELECT string_agg(cert_issuer, ';') FROM ra.audit WHERE event = 'login' AND outcome = 'ok'
            AND officer_id = $o2")" "CN=ra Demo RA Officer CA - G2" "its login is audited with the new CA"
is "$(login "$T/old.crt" "$T/old.key")" "303 $LRA/menu.cgi" "the old RA certificate still logs in"

# --- the old certificate revoked ------------------------------------------
oserial=$(sql "SELECT serial FROM ra.certificate WHERE officer_id = 1 AND kind = 'ra_officer'")
"$CA" revoke --serial "$oserial" --reason 4 >/dev/null
ok $? "the old RA certificate is revoked (superseded)"
page=$($CU --cert "$T/old.crt" --key "$T/old.key" "$LRA/login.cgi")
has "$page" "失効されているか、証明書が無効です" "the old certificate is refused"
is "$(login "$T/new.crt" "$T/new.key")" "303 $LRA/menu.cgi" "the new one still logs in"

# --- only active, unexpired CAs; Apache only by its pid --------------------
sql "UPDATE ra.ca SET not_before = now() - interval '2 years', not_after = now() - interval '1 day'
      WHERE name = 'ra Demo RA Officer CA'"
sql "UPDATE ra.ca SET status = 'retired' WHERE name = 'ra Demo Client CA'"
out=$("$CA" client-ca-bundle --out "$T/b.pem")
is "$(subjects "$T/b.pem")" "ra Demo Root CA;ra Demo RA Officer CA - G2;" \
    "an expired and a retired CA drop out of the bundle, their root stays"
cp "$RA_CONF" "$T/stale.conf"
printf 'Apache.PidFile = %s\n' "$T/var/run/worker.pid" >>"$T/stale.conf"
err=$(RA_CONF=$T/stale.conf "$CA" client-ca-bundle --out "$T/b.pem" --reload 2>&1)
[ $? -ne 0 ]; ok $? "--reload refuses a pid file that names another process"
has "$err" "is worker.cgi, not Apache" "and says what the process is"
kill -0 "$wpid"; ok $? "which was not signalled"
sql "UPDATE ra.ca SET status = 'retired'"
err=$("$CA" client-ca-bundle --out "$T/b.pem" 2>&1)
[ $? -ne 0 ]; ok $? "no CA left: refused"
has "$err" "no active, unexpired RA-officer or client CA" "and says why"
is "$(subjects "$T/b.pem")" "ra Demo Root CA;ra Demo RA Officer CA - G2;" "the file is left as it was"

done_testing
