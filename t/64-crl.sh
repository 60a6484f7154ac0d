#!/bin/sh
# CRL cadence: "worker.cgi crl --due" (hourly cron) publishes a CA's CRL
# when a revocation is in none yet, when the last is Crl.RepublishHours
# old or its nextUpdate is near, and otherwise nothing, also when two run
# at once; nextUpdate is thisUpdate + Crl.Hours; expired certificates
# leave the CRL; the root publishes one too and the issuing CAs point at
# it, so "openssl verify -crl_check_all" checks the whole chain.
. "$(dirname "$0")/lib.sh"
stack_up

CA=$TOOLSDIR/ca.cgi
W=$TOOLSDIR/worker.cgi
pki=$T/var/pki
crl=$T/var/crl
O="Kyoto University"
institution_add kyoto "$O" Kyoto Kyoto
num() { sql "SELECT coalesce(max(crl_number), 0) FROM ra.crl c JOIN ra.ca USING (ca_id) WHERE slug = '$1'"; }
pem() { openssl crl -inform DER -in "$crl/$1.crl" -out "$T/$1.crl.pem"; }
# issue HOST: a server certificate, its PEM in $T/HOST.pem; prints the serial.
issue() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout /dev/null -out "$T/$1.csr" -subj "/CN=$1" 2>/dev/null || return 1
	out=$("$CA" request --institution kyoto --profile 22 --csr "$T/$1.csr" \
	    --subject "CN=$1,O=$O,L=Kyoto,ST=Kyoto,C=JP" --wait 20) || return 1
	rid=$(printf '%s' "$out" | sed -n '1s/request \([0-9]*\) queued/\1/p')
	"$CA" cert --request "$rid" | awk '/BEGIN/{n++} n==1' >"$T/$1.pem"
	printf '%s' "$out" | sed -n 's/.*serial \([0-9]*\)$/\1/p'
}
hexserial() { openssl x509 -in "$1" -noout -serial | sed 's/serial=//'; }

# --- the first CRLs (the stack's start), the root's among them -------------
[ -s "$crl/root-ca.crl" ]; ok $? "the root published a CRL"
is "$(num root-ca)" 1 "the root's CRL #1 is recorded"
has "$(openssl crl -inform DER -in "$crl/root-ca.crl" -noout -issuer)" "ra Demo Root CA" "signed as the root"
openssl crl -inform DER -in "$crl/root-ca.crl" -noout -CAfile "$pki/root-ca.crt" 2>/dev/null
ok $? "the root's CRL verifies with the root's key"
has "$(openssl x509 -in "$pki/server-ca.crt" -noout -ext crlDistributionPoints)" \
    "URI:http://localhost:$RA_HTTP_PORT/crl/root-ca.crl" "the server CA's certificate points at the root's CRL"
curl -sS -o "$T/served.crl" "http://localhost:$RA_HTTP_PORT/crl/root-ca.crl" &&
    cmp -s "$T/served.crl" "$crl/root-ca.crl"
ok $? "Apache serves the root's CRL at that URL"
pem server-ca
lu=$(date -u -d "$(openssl crl -in "$T/server-ca.crl.pem" -noout -lastupdate | cut -d= -f2)" +%s)
nu=$(date -u -d "$(openssl crl -in "$T/server-ca.crl.pem" -noout -nextupdate | cut -d= -f2)" +%s)
is "$((nu - lu))" $((120 * 3600)) "nextUpdate is thisUpdate + 120 hours (Crl.Hours)"

# --- nothing due: nothing published ------------------------------------------
out=$(as_worker "$W" crl --due)
ok $? "crl --due with nothing due"
has "$out" "ra Demo Server CA: CRL #1 is current" "says the server CA's CRL is current"
hasnt "$out" "entries" "and publishes none"
is "$(sql "SELECT count(*) FROM ra.crl")" "$(sql "SELECT count(*) FROM ra.ca")" "still one CRL per CA"

# --- a revocation: due at once ---------------------------------------------
s1=$(issue one.kyoto-u.ac.jp)
ok $? "a server certificate issued ($s1)"
s2=$(issue two.kyoto-u.ac.jp)
"$CA" revoke --serial "$s1" --reason 1 >/dev/null
ok $? "revoked"
# The CRL directory cannot take the file (as when its disk is full): the
# old CRL stays, nothing counts as listed, and the next run publishes it.
cp "$T/var/crl/server-ca.crl" "$T/old.crl"
chmod 0555 "$T/var/crl"
as_worker "$W" crl --due >"$T/full.out" 2>&1
[ $? -ne 0 ]; ok $? "a CRL that cannot be written fails the run"
chmod 0755 "$T/var/crl"
cmp -s "$T/var/crl/server-ca.crl" "$T/old.crl"
ok $? "the old CRL stays in place"
is "$(num server-ca)" 1 "no CRL number is used up"
is "$(sql "SELECT count(*) FROM ra.revocation WHERE crl_number IS NULL")" 1 "the revocation is still due"
out=$(as_worker "$W" crl --due)
ok $? "crl --due after a revocation"
has "$out" "ra Demo Server CA: CRL #2, 1 entries" "the server CA publishes CRL #2 with it"
has "$out" "ra Demo Root CA: CRL #1 is current" "the root has nothing new"
is "$(num server-ca)" 2 "CRL #2 recorded"
pem server-ca
has "$(openssl crl -in "$T/server-ca.crl.pem" -noout -text)" "Serial Number: $(hexserial "$T/one.kyoto-u.ac.jp.pem")" \
    "the revoked serial is listed"
out=$(as_worker "$W" crl --due)
has "$out" "ra Demo Server CA: CRL #2 is current" "a second run publishes nothing"
is "$(num server-ca)" 2 "the number stays"

# --- the whole chain, every CRL checked ------------------------------------
pem root-ca
cat "$T/root-ca.crl.pem" "$T/server-ca.crl.pem" >"$T/all.crl.pem"
v=$(openssl verify -crl_check_all -CAfile "$pki/root-ca.crt" -untrusted "$pki/server-ca.crt" \
    -CRLfile "$T/all.crl.pem" "$T/two.kyoto-u.ac.jp.pem" 2>&1)
ok $? "verify -crl_check_all passes leaf, intermediate and root ($v)"
v=$(openssl verify -crl_check_all -CAfile "$pki/root-ca.crt" -untrusted "$pki/server-ca.crt" \
    -CRLfile "$T/all.crl.pem" "$T/one.kyoto-u.ac.jp.pem" 2>&1)
[ $? -ne 0 ]; ok $? "the revoked leaf fails"
has "$v" "certificate revoked" "with \"certificate revoked\""
v=$(openssl verify -crl_check_all -CAfile "$pki/root-ca.crt" -untrusted "$pki/server-ca.crt" \
    -CRLfile "$T/server-ca.crl.pem" "$T/two.kyoto-u.ac.jp.pem" 2>&1)
[ $? -ne 0 ]; ok $? "without the root's CRL the chain is not fully checked ($v)"

# --- two at once: one new CRL, numbers monotonic ---------------------------
"$CA" revoke --serial "$s2" --reason 4 >/dev/null
as_worker "$W" crl --due >"$T/a.out" 2>&1 &
a=$!
as_worker "$W" crl --due >"$T/b.out" 2>&1
rb=$?
wait "$a"
ra=$?
is "$ra$rb" 00 "two concurrent runs both succeed"
is "$(num server-ca)" 3 "exactly one new CRL (#3)"
is "$(cat "$T/a.out" "$T/b.out" | grep -c "ra Demo Server CA: CRL #3, 2 entries")" 1 "published by one of them"

# --- no revocation, but the last CRL is old --------------------------------
sql "UPDATE ra.crl SET this_update = this_update - interval '73 hours'
      WHERE crl_number = 3 AND ca_id = (SELECT ca_id FROM ra.ca WHERE slug = 'server-ca')"
out=$(as_worker "$W" crl --due)
has "$out" "ra Demo Server CA: CRL #4, 2 entries" "a CRL 73 hours old is republished"
has "$out" "ra Demo Client CA: CRL #1 is current" "a fresh one elsewhere is not"
sql "UPDATE ra.crl SET next_update = now() + interval '1 hour'
      WHERE crl_number = 1 AND ca_id = (SELECT ca_id FROM ra.ca WHERE slug = 'client-ca')"
has "$(as_worker "$W" crl --due)" "ra Demo Client CA: CRL #2, 0 entries" "a CRL whose nextUpdate is near is republished"

# --- an expired revoked certificate leaves the CRL -------------------------
sql "WITH c AS (UPDATE ra.certificate SET not_before = now() - interval '300 days',
                       not_after = now() - interval '1 day'
                 WHERE serial = $s1 RETURNING cert_id, not_after)
     UPDATE ra.revocation v SET not_after = c.not_after FROM c WHERE v.cert_id = c.cert_id"
ok $? "the first revoked certificate made expired"
out=$(as_worker "$W" crl)
has "$out" "ra Demo Server CA: CRL #5, 1 entries" "the next CRL has one entry"
pem server-ca
text=$(openssl crl -in "$T/server-ca.crl.pem" -noout -text)
hasnt "$text" "Serial Number: $(hexserial "$T/one.kyoto-u.ac.jp.pem")" "the expired one is gone"
has "$text" "Serial Number: $(hexserial "$T/two.kyoto-u.ac.jp.pem")" "the live one stays"

# --- revocationDate never after thisUpdate ---------------------------------
# A revocation in the second the CRL is made, late in it: its time is cut
# to the second as thisUpdate is, not rounded up past it.
sql "UPDATE ra.revocation SET revoked_at = date_trunc('second', now()) - interval '1 minute' + interval '0.7 s'
      WHERE serial = $s2" >/dev/null
want=$(sql "SELECT to_char(date_trunc('second', revoked_at) AT TIME ZONE 'UTC', 'Mon FMDD HH24:MI:SS YYYY')
              FROM ra.revocation WHERE serial = $s2")
as_worker "$W" crl >/dev/null
pem server-ca
text=$(openssl crl -in "$T/server-ca.crl.pem" -noout -text)
got=$(printf '%s\n' "$text" | sed -n 's/^ *Revocation Date: \(.*\) GMT$/\1/p' | tr -s ' ')
is "$got" "$want" "revocationDate is the revocation's second, cut, not rounded up"

err=$(as_worker "$W" crl --soon 2>&1)
[ $? -ne 0 ]; ok $? "an unknown option is refused"
has "$err" "usage:" "with the usage"
done_testing
