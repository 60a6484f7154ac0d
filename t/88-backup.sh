#!/bin/sh
# The backup and restore of README "Backups and restore", as an
# administrator runs it: pg_dump of the database, tar of the key
# directories and the audit checkpoints; then the database and the CA
# keys lost; then the restore.  Afterwards everything is as it was: the
# certificates, the officer's login with the RA certificate from before,
# the audit chain against the checkpoints outside the database, and the
# worker signs again with the restored keys, the serials going on from
# where they were (no serial given twice).
. "$(dirname "$0")/lib.sh"
stack_up
officer_with_cert 1,10
O="National Institute of Informatics"
DN="O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP"
PGH=$T/var/pgsock
BK=$T/backup
mkdir -p "$BK"
row() {	# row HOST: one ① issue row with a fresh key
	csr=$(openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
	    -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=$1" 2>/dev/null | tr -d '\n')
	printf 'CN=%s,%s\t22\t\t\t\t\t%s\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\t%s\tApache\t\r\n' \
	    "$1" "$DN" "$csr" "$1"
}
issue() {	# issue HOST...: through ① from a shell, then the worker
	for h in "$@"; do row "$h"; done | iconv -f UTF-8 -t CP932 >"$T/up.tsv"
	"$OFFICERDIR/server.cgi" --officer 1 --action issue --mode abort "$T/up.tsv" >/dev/null
	as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null
}
issue a.nii.ac.jp b.nii.ac.jp
as_worker "$TOOLSDIR/worker.cgi" checkpoint >/dev/null
ok $? "a signed audit checkpoint before the backup"
state() {
	sql "SELECT count(*), string_agg(serial::text, ',' ORDER BY cert_id),
	            (SELECT count(*) FROM ra.audit), (SELECT count(*) FROM ra.officer)
	       FROM ra.certificate"
}
before=$(state)
owner=$(sql "SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_catalog.pg_database WHERE datname = 'ra'")

# The backup (README): the database, then the keys and checkpoints with
# their owners and modes.
pg_dump -h "$PGH" -U postgres --format=custom --file="$BK/ra.dump" ra
ok $? "pg_dump --format=custom of the database"
pg_dumpall -h "$PGH" -U postgres --roles-only --file="$BK/roles.sql"
ok $? "pg_dumpall --roles-only: the roles, for a new cluster"
keydirs=$(for k in Worker.KeyDir Ocsp.KeyDir; do
	sed -n "/^${k%%.*} {/,/^}/s/^ *${k#*.} = //p" "$RA_CONF"; done)
keydirs="$keydirs $(dirname "$(sed -n '/^Tsa {/,/^}/s/^ *Key = //p' "$RA_CONF")")"
keydirs="$keydirs $(dirname "$(sed -n '/^Audit {/,/^}/s/^ *Key = //p' "$RA_CONF")")"
keydirs="$keydirs $(sed -n '/^Audit {/,/^}/s/^ *CheckpointDir = //p' "$RA_CONF")"
tar --numeric-owner -cpzf "$BK/keys.tgz" -C / $(for d in $keydirs; do printf '%s ' "${d#/}"; done)
ok $? "tar of the key directories and the checkpoints ($(echo $keydirs | wc -w) directories)"
is "$(tar -tzvf "$BK/keys.tgz" | grep -c 'server-ca.key')" 1 "the server CA's key is in it"

# What a lost disk leaves: no database, no CA keys.
worker_stop
DBA="psql -h $PGH -U postgres -d postgres -Atq -v ON_ERROR_STOP=1"
$DBA -c "DROP DATABASE ra WITH (FORCE)" >/dev/null
ok $? "the database is gone"
for d in $keydirs; do find "$d" -mindepth 1 -delete; done
[ ! -e "$(sed -n '/^Worker {/,/^}/s/^ *KeyDir = //p' "$RA_CONF")/server-ca.key" ]
ok $? "and the CA keys"

# The restore (README): the database from its dump in one transaction,
# then the keys, then the daemons.
$DBA -c "CREATE DATABASE ra OWNER \"$owner\"" >/dev/null &&
    pg_restore -h "$PGH" -U postgres --dbname=ra --exit-on-error --single-transaction "$BK/ra.dump"
ok $? "pg_restore --single-transaction into a new database of the same owner"
tar --numeric-owner -xpzf "$BK/keys.tgz" -C /
ok $? "the keys and checkpoints back, owners and modes kept"
k=$(sed -n '/^Worker {/,/^}/s/^ *KeyDir = //p' "$RA_CONF")/server-ca.key
is "$(stat -c '%U %a' "$k")" "ra-worker 400" "the server CA key is the worker's alone again"
worker_restart
stack_start
is "$(state)" "$before" "certificates, serials, audit rows and officers as before"
out=$("$TOOLSDIR/ops.cgi" audit-verify)
rc=$?; printf "%s\n" "$out" | sed "s|^|# |"; (exit $rc)
ok $? "ops.cgi audit-verify: the chain intact and matching the checkpoints"
code=$(curl -sS --cacert "$CACERT" --cert-type P12 --cert "$OFFICER_P12:$OFFICER_PASS" \
    -o /dev/null -w '%{http_code}' "$URL/ra/lra/login.cgi")
is "$code" 303 "the officer logs in with the RA certificate from before the loss"
issue c.nii.ac.jp
is "$(sql "SELECT r.state FROM ra.request r JOIN ra.certificate c USING (request_id)
           WHERE c.cn = 'c.nii.ac.jp'")" "done" "the worker issues again after the restore"
sql "SELECT encode(der, 'base64') FROM ra.certificate WHERE cn = 'c.nii.ac.jp'" |
    { echo "-----BEGIN CERTIFICATE-----"; tr -d '\n' | fold -w 64; echo; echo "-----END CERTIFICATE-----"; } >"$T/c.pem"
openssl verify -CAfile "$T/var/pki/root-ca.crt" -untrusted "$T/var/pki/server-ca.crt" "$T/c.pem" >/dev/null
ok $? "signed by the restored server CA key: it verifies against the chain"
new=$(sql "SELECT serial FROM ra.certificate WHERE cn = 'c.nii.ac.jp'")
case ",$(printf '%s' "$before" | cut -d'|' -f2)," in *",$new,"*) false ;; esac
ok $? "its serial is none of those before the loss"

done_testing
