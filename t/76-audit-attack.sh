#!/bin/sh
# The database's superuser against audit-verify (the threat the signed
# checkpoints answer).  They may change any row and any function in the
# database; what audit-verify trusts must not be one of those functions,
# and checkpoints that stopped coming must not pass for a chain checked up
# to now (a superuser can stop them, then cut off what came after).
. "$(dirname "$0")/lib.sh"
stack_up

W=$TOOLSDIR/worker.cgi
OPS=$TOOLSDIR/ops.cgi
dir=$T/var/checkpoints
pki=$T/var/pki
rows() {
	sql "INSERT INTO ra.audit (event, outcome, actor, detail)
	     SELECT 'test.row', 'ok', 'cli', jsonb_build_object('n', i)
	       FROM generate_series(1, $1) AS i"
}
last_row() { sql "SELECT max(audit_id) FROM ra.audit"; }
tamper() {
	sql "ALTER TABLE ra.audit DISABLE TRIGGER audit_no_update; $1;
	     ALTER TABLE ra.audit ENABLE TRIGGER audit_no_update"
}
diag() { printf '%s\n' "$1" | sed 's/^/# /'; }

rows 4
as_worker "$W" checkpoint >/dev/null
ok $? "a checkpoint"
rows 2
"$OPS" audit-verify >/dev/null
ok $? "intact to start with"

# 1. The canonical text redefined: for the row changed, the function
# returns the text the row had, so its stored hash still "matches".
k=$(($(last_row) - 3))
sql "CREATE SCHEMA evil;
     CREATE TABLE evil.row AS SELECT * FROM ra.audit WHERE audit_id = $k;
     CREATE TABLE evil.orig AS
       SELECT audit_id, ra.audit_canonical(a) AS canon FROM ra.audit a;
     CREATE OR REPLACE FUNCTION ra.audit_canonical(a ra.audit) RETURNS text
     LANGUAGE sql STABLE AS \$f\$
       SELECT coalesce((SELECT canon FROM evil.orig o WHERE o.audit_id = a.audit_id),
         concat_ws(E'\\x1f', a.audit_id::text,
           to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),
           a.event, a.outcome, a.actor, coalesce(a.institution_id::text, ''),
           coalesce(a.officer_id::text, ''), coalesce(host(a.source_ip), ''),
           coalesce(a.cert_issuer, ''), coalesce(a.cert_serial::text, ''),
           coalesce(a.cert_subject, ''), a.detail::text))
     \$f\$"
tamper "UPDATE ra.audit SET actor = 'mallory', detail = '{\"n\": 0}' WHERE audit_id = $k"
is "$(sql "SELECT actor FROM ra.audit WHERE audit_id = $k")" mallory "row $k now says mallory"
out=$("$OPS" audit-verify)
rc=$?; diag "$out"; (exit $rc)
is $? 1 "a row changed behind a redefined ra.audit_canonical: exit 1"
has "$out" "audit chain broken at row $k: its content does not match its hash" \
    "the row is named: the verifier makes the canonical text itself"
tamper "UPDATE ra.audit a SET actor = r.actor, detail = r.detail
        FROM evil.row r WHERE a.audit_id = r.audit_id"
"$OPS" audit-verify >/dev/null
ok $? "put back, intact again"

# 2. Checkpoints stopped (the superuser can refuse the worker its
# query), then the rows after the newest cut off with the head reset:
# the chain and every checkpoint agree, but the newest is old, and
# audit-verify must say so.  The old checkpoint is made here, as the
# worker would have an hour ago: signed by hand with the audit key.
h=$(last_row)
rows 3
sha=$(sql "SELECT encode(row_sha256, 'hex') FROM ra.audit WHERE audit_id = $h")
ago=$(($(date -u +%s) - 3600))
at=$(date -u -d "@$ago" +%Y-%m-%dT%H:%M:%SZ)
name=$(date -u -d "@$ago" +%Y%m%dT%H%M%SZ)-$(printf '%012d' "$h").ckpt
rm -f "$dir"/*.ckpt
printf 'ra-audit-checkpoint %s %s %s\n' "$h" "$sha" "$at" >"$T/line"
openssl cms -sign -binary -in "$T/line" -signer "$pki/audit.crt" \
    -inkey "$pki/audit/audit.key" -outform PEM -out "$T/sig"
cat "$T/line" "$T/sig" >"$dir/$name"
"$OPS" audit-verify >/dev/null 2>&1
is $? 1 "a checkpoint an hour old (Audit.CheckpointMinutes 10): exit 1"
tamper "DELETE FROM ra.audit WHERE audit_id > $h;
        UPDATE ra.audit_head SET last_id = $h,
            last_sha256 = (SELECT row_sha256 FROM ra.audit WHERE audit_id = $h)"
out=$("$OPS" audit-verify)
rc=$?; diag "$out"; (exit $rc)
is $? 1 "rows cut off after a stale checkpoint: exit 1"
has "$out" "audit chain intact: $h row(s)" "the chain alone agrees"
has "$out" "audit checkpoints stopped: the newest, $name at $at, is 60 minute(s) old" \
    "the stale checkpoint is a finding"
has "$out" "rows after row $h are not covered" "saying what it does not cover"
out=$("$DESKDIR/desk.cgi" ops-status 2>&1)
has "$out" "== audit: audit checkpoints stopped" "the desk sees it"
as_worker "$W" checkpoint --due >/dev/null
"$OPS" audit-verify >/dev/null
ok $? "a fresh checkpoint: intact again"
G=$(ls "$dir" | LC_ALL=C sort | tail -n 1)

# 3. A checkpoint file says one thing: its line and one signature.  Text
# after the signature, or between it and the line, is not signed and
# must not ride along; the signature alone does not show it.
cp "$dir/$G" "$T/G.saved"
printf 'ra-audit-checkpoint 999999 %064d 2099-01-01T00:00:00Z\n' 0 >>"$dir/$G"
out=$("$OPS" audit-verify)
is $? 1 "text after the signature: exit 1"
has "$out" "checkpoint $G: not a checkpoint (more than its line and one signature)" "is refused"
{ head -n 1 "$T/G.saved"; echo "unsigned words"; tail -n +2 "$T/G.saved"; } >"$dir/$G"
out=$("$OPS" audit-verify)
is $? 1 "text between the line and the signature: exit 1"
has "$out" "checkpoint $G: not a checkpoint (more than its line and one signature)" "is refused"
cp "$T/G.saved" "$dir/$G"

# 4. Only plain files count: a FIFO must not hang the verifier (nor the
# worker's --due), a symbolic link is not followed.
mkfifo "$dir/00000000T000000Z-000000000001.ckpt"
out=$(timeout 20 "$OPS" audit-verify 2>/dev/null)
is $? 1 "a FIFO among the checkpoints: audit-verify ends, exit 1"
has "$out" "checkpoint 00000000T000000Z-000000000001.ckpt: unreadable (not a regular file)" "naming it"
rm -f "$dir/00000000T000000Z-000000000001.ckpt"
mkfifo "$dir/99999999T999999Z-000000000001.ckpt"
out=$(timeout 20 runuser -u ra-worker -- env RA_CONF="$RA_CONF" "$W" checkpoint --due)
ok $? "a FIFO named newest: checkpoint --due ends ($out)"
rm -f "$dir/99999999T999999Z-000000000001.ckpt"
ln -s "$T/G.saved" "$dir/$G.lnk.ckpt"
out=$("$OPS" audit-verify)
is $? 1 "a symbolic link: exit 1"
has "$out" "checkpoint $G.lnk.ckpt: unreadable (not a regular file)" "not followed"
rm -f "$dir/$G.lnk.ckpt"

# What held before: another signer's certificate carried inside the CMS
# (with the audit certificate's name) is not trusted, nor a second
# signature by another key beside the audit key's.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/f.key" -out "$T/f.crt" \
    -subj "/C=JP/O=ra Demo/CN=ra Demo Audit Checkpoints" -days 1 2>/dev/null
head -n 1 "$dir/$G" >"$T/gl"
openssl cms -sign -binary -in "$T/gl" -signer "$T/f.crt" -inkey "$T/f.key" \
    -certfile "$pki/audit.crt" -outform PEM -out "$T/fs"
cat "$T/gl" "$T/fs" >"$dir/$G"
out=$("$OPS" audit-verify)
is $? 1 "signed by another key, its certificate inside: exit 1"
has "$out" "checkpoint $G: bad signature" "refused"
tail -n +2 "$T/G.saved" >"$T/g1"
openssl cms -resign -binary -inform PEM -in "$T/g1" -content "$T/gl" \
    -signer "$T/f.crt" -inkey "$T/f.key" -outform PEM -out "$T/g2" 2>"$T/g2.err"
ok $? "a second signer added ($(cat "$T/g2.err"))"
is "$(openssl cms -cmsout -print -inform PEM -in "$T/g2" | grep -c 'signatureAlgorithm:')" 2 \
    "two signatures"
{ head -n 1 "$T/G.saved"; cat "$T/g2"; } >"$dir/$G"
out=$("$OPS" audit-verify)
is $? 1 "the audit key's signature and another's: exit 1"
has "$out" "checkpoint $G: bad signature" "refused: each signer must be the audit certificate"
cp "$T/G.saved" "$dir/$G"
"$OPS" audit-verify >/dev/null
ok $? "put back, intact"

# Held: a good checkpoint under another name (another row), and a huge
# (sparse) file, each refused without reading it whole.
cp "$T/G.saved" "$dir/${G%-*}-000000009999.ckpt"
truncate -s 1G "$dir/00000000T000001Z-000000000001.ckpt"
out=$("$OPS" audit-verify 2>/dev/null)
is $? 1 "renamed and huge checkpoint files: exit 1"
has "$out" "checkpoint ${G%-*}-000000009999.ckpt: renamed (its name does not match its signed line)" \
    "the renamed one is named"
hasnt "$out" "names row 9999" "and does not count"
has "$out" "checkpoint 00000000T000001Z-000000000001.ckpt: unreadable" "the huge one is unreadable"
rm -f "$dir/${G%-*}-000000009999.ckpt" "$dir/00000000T000001Z-000000000001.ckpt"

# A checkpoint dated a day ahead (a clock that was wrong once) would pass
# for the newest ever after, and no later staleness would show.
r=$(last_row)
sha=$(sql "SELECT encode(row_sha256, 'hex') FROM ra.audit WHERE audit_id = $r")
ahead=$(($(date -u +%s) + 86400))
at=$(date -u -d "@$ahead" +%Y-%m-%dT%H:%M:%SZ)
name=$(date -u -d "@$ahead" +%Y%m%dT%H%M%SZ)-$(printf '%012d' "$r").ckpt
printf 'ra-audit-checkpoint %s %s %s\n' "$r" "$sha" "$at" >"$T/line"
openssl cms -sign -binary -in "$T/line" -signer "$pki/audit.crt" \
    -inkey "$pki/audit/audit.key" -outform PEM -out "$T/sig"
cat "$T/line" "$T/sig" >"$dir/$name"
out=$("$OPS" audit-verify)
is $? 1 "a checkpoint dated a day ahead: exit 1"
has "$out" "checkpoint $name (row $r at $at): dated ahead of this host's clock" "is named"
rm -f "$dir/$name"

done_testing
