#!/bin/sh
# The CRL directory full: a 64 KiB tmpfs mounted over the stack's CRL
# directory and filled.  "worker.cgi crl --due" fails and says why
# (ENOSPC), the old CRL stays byte for byte, the revocation stays due, the
# CRL number is not used up; once space is freed the next run publishes.
. "$(dirname "$0")/lib.sh"
stack_up

CA=$TOOLSDIR/ca.cgi
W=$TOOLSDIR/worker.cgi
crl=$T/var/crl
O="Kyoto University"
institution_add kyoto "$O" Kyoto Kyoto
num() { sql "SELECT coalesce(max(crl_number), 0) FROM ra.crl c JOIN ra.ca USING (ca_id) WHERE slug = 'server-ca'"; }

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout /dev/null -out "$T/a.csr" -subj "/CN=a.kyoto-u.ac.jp" 2>/dev/null
out=$("$CA" request --institution kyoto --profile 22 --csr "$T/a.csr" \
    --subject "CN=a.kyoto-u.ac.jp,O=$O,L=Kyoto,ST=Kyoto,C=JP" --wait 20)
serial=$(printf '%s' "$out" | sed -n 's/.*serial \([0-9]*\)$/\1/p')
[ -n "$serial" ]; ok $? "a server certificate issued ($serial)"
rid=$(printf '%s' "$out" | sed -n '1s/request \([0-9]*\) queued/\1/p')
hex=$("$CA" cert --request "$rid" | awk '/BEGIN/{n++} n==1' | openssl x509 -noout -serial | sed 's/serial=//')
"$CA" revoke --serial "$serial" --reason 1 >/dev/null
ok $? "and revoked"

# A small tmpfs over the CRL directory, with the CRLs the stack made.
# Unmounted whatever happens, before the stack's directory goes.
cp -a "$crl" "$T/crl.before"
mounted=
unmount() { [ -z "$mounted" ] || umount "$crl" || umount -l "$crl"; mounted=; }
trap 'unmount; stack_down' EXIT
if ! mount -t tmpfs -o size=64k,mode=0755 ra-test-crl "$crl" 2>"$T/mount.err"; then
	echo "1..0 # SKIP cannot mount a tmpfs here: $(cat "$T/mount.err")"
	exit 0
fi
mounted=1
cp -a "$T/crl.before/." "$crl/" && chown ra-worker: "$crl"
ok $? "a 64 KiB tmpfs over $crl, holding the stack's CRLs"
# Filled by root (tmpfs keeps nothing back for root): no byte left.
dd if=/dev/zero of="$crl/filler" bs=4k 2>/dev/null
df_avail=$(df --output=avail -k "$crl" | tail -n 1 | tr -d ' ')
is "$df_avail" 0 "the CRL directory is full"
cp "$crl/server-ca.crl" "$T/old.crl"
before=$(ls "$crl" | sort | tr '\n' ' ')

as_worker "$W" crl --due >"$T/full.out" 2>"$T/full.err"
rc=$?
[ $rc -ne 0 ]; ok $? "crl --due fails when the CRL cannot be written (exit $rc)"
err=$(cat "$T/full.err")
has "$err" "$crl/server-ca.crl" "the error names the file"
has "$err" "No space left on device" "and the cause (ENOSPC)"
has "$err" "ra Demo Server CA" "and the CA whose CRL was not published"
hasnt "$(cat "$T/full.out")" "ra Demo Server CA: CRL #2" "no CRL #2 is reported as published"
cmp -s "$crl/server-ca.crl" "$T/old.crl"
ok $? "the old CRL stays in place byte for byte"
is "$(ls "$crl" | sort | tr '\n' ' ')" "$before" "no staged file is left behind"
is "$(num)" 1 "no CRL number is used up"
is "$(sql "SELECT count(*) FROM ra.revocation WHERE crl_number IS NULL")" 1 "the revocation is still due"
curl -sS -o "$T/served.crl" "http://localhost:$RA_HTTP_PORT/crl/server-ca.crl" &&
    cmp -s "$T/served.crl" "$T/old.crl"
ok $? "Apache still serves the old CRL"

# A second run while still full: the same, nothing counted.
as_worker "$W" crl --due >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "a second run still fails"
is "$(num)" 1 "and still uses no number up"

# Space freed: the next run publishes what was due.
rm -f "$crl/filler"
out=$(as_worker "$W" crl --due 2>&1)
ok $? "crl --due after space is freed"
has "$out" "ra Demo Server CA: CRL #2, 1 entries" "publishes CRL #2 with the revocation"
is "$(num)" 2 "CRL #2 recorded"
is "$(sql "SELECT count(*) FROM ra.revocation WHERE crl_number IS NULL")" 0 "nothing is due any more"
openssl crl -inform DER -in "$crl/server-ca.crl" -noout -CAfile "$T/var/pki/server-ca.crt" 2>/dev/null
ok $? "the new CRL verifies"
text=$(openssl crl -inform DER -in "$crl/server-ca.crl" -noout -text)
printf '%s' "$text" | grep -A1 'CRL Number' | grep -q '^ *2$'
ok $? "its CRL Number extension is 2"
has "$text" "Serial Number: $hex" "and it lists the revoked serial"

unmount
done_testing
