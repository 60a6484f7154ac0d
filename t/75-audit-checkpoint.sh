#!/bin/sh
# Audit checkpoints: "worker.cgi checkpoint" signs the chain's newest row
# and hash into a file outside the database, which the database's
# superuser cannot reach; "ops.cgi audit-verify" finds what the chain
# alone cannot: the newest rows cut off and the head reset, and a row
# changed with the chain recomputed after it.  A row changed without the
# recomputation is placed between the checkpoints around it; a forged or
# altered checkpoint is refused; --due waits for Audit.CheckpointMinutes.
. "$(dirname "$0")/lib.sh"
stack_up

W=$TOOLSDIR/worker.cgi
OPS=$TOOLSDIR/ops.cgi
dir=$T/var/checkpoints
pki=$T/var/pki
rows() {	# rows N: N audit rows more, as anyone's would be
	sql "INSERT INTO ra.audit (event, outcome, actor, detail)
	     SELECT 'test.row', 'ok', 'cli', jsonb_build_object('n', i)
	       FROM generate_series(1, $1) AS i"
}
last_row() { sql "SELECT max(audit_id) FROM ra.audit"; }
newest() { ls "$dir" | LC_ALL=C sort | tail -n 1; }
count() { ls "$dir" | grep -c '\.ckpt$'; }
# as the database's superuser, behind the append-only guard
tamper() {
	sql "ALTER TABLE ra.audit DISABLE TRIGGER audit_no_update; $1;
	     ALTER TABLE ra.audit ENABLE TRIGGER audit_no_update"
}
diag() { printf '%s\n' "$1" | sed 's/^/# /'; }
# the chain recomputed from row $1 on, head included: it verifies alone
rechain() {
	tamper "DO \$\$ DECLARE r ra.audit; p bytea; BEGIN
	    SELECT row_sha256 INTO p FROM ra.audit WHERE audit_id = $1 - 1;
	    FOR r IN SELECT * FROM ra.audit WHERE audit_id >= $1 ORDER BY audit_id LOOP
	        p := sha256(p || convert_to(ra.audit_canonical(r), 'UTF8'));
	        UPDATE ra.audit SET prev_sha256 = (SELECT row_sha256 FROM ra.audit
	            WHERE audit_id = r.audit_id - 1), row_sha256 = p WHERE audit_id = r.audit_id;
	    END LOOP;
	    UPDATE ra.audit_head SET last_sha256 = p;
	END \$\$"
}

# Who may read what: the key the worker's alone, the rest anyone's.
is "$(stat -c '%U %a' "$pki/audit/audit.key")" "ra-worker 400" "the audit key is the worker's, 0400"
is "$(stat -c '%U %a' "$pki/audit")" "ra-worker 700" "in a directory of its own"
is "$(stat -c '%U %a' "$dir")" "ra-worker 755" "the checkpoint directory: the worker writes, anyone reads"
is "$(openssl x509 -in "$pki/audit.crt" -noout -subject -issuer -nameopt RFC2253 | sed 's/^[a-z]*=//' | sort -u)" \
    "CN=ra Demo Audit Checkpoints,O=ra Demo,C=JP" "the audit certificate is self-signed, no CA's"
openssl x509 -in "$pki/audit.crt" -noout -ext basicConstraints | grep -q 'CA:FALSE'
ok $? "and is no CA"

# Rows, a checkpoint, and the chain with it intact.
rows 3
out=$(as_worker "$W" checkpoint)
ok $? "worker.cgi checkpoint ($out)"
A=$(newest)
a=$(last_row)
is "$(count)" 1 "one checkpoint file"
has "$out" "checkpoint $A: row $a at " "it names the newest row"
is "$(stat -c '%U %a' "$dir/$A")" "ra-worker 644" "written by the worker, readable by all"
is "$(head -n 1 "$dir/$A" | cut -d ' ' -f 1-3)" \
    "ra-audit-checkpoint $a $(sql "SELECT encode(row_sha256, 'hex') FROM ra.audit WHERE audit_id = $a")" \
    "its line: the row and its chain hash"
# As ops.cgi(8) shows: the line is what is signed, by the audit certificate.
head -n 1 "$dir/$A" >"$T/line"
openssl cms -verify -binary -inform PEM -in "$dir/$A" -content "$T/line" \
    -certfile "$pki/audit.crt" -nointern -noverify -out /dev/null 2>"$T/cms.err"
ok $? "openssl cms -verify checks it by hand ($(cat "$T/cms.err"))"

out=$(as_worker "$W" checkpoint --due)
ok $? "checkpoint --due at once"
has "$out" "checkpoint not due: the newest, $A, is 0 minute(s) old" "is not due"
is "$(count)" 1 "and writes nothing"

rows 4
out=$(as_worker "$W" checkpoint)
B=$(newest)
b=$(last_row)
has "$out" "checkpoint $B: row $b" "a second checkpoint, row $b"
rows 2
c=$(last_row)
out=$("$OPS" audit-verify)
rc=$?; diag "$out"; (exit $rc)
ok $? "audit-verify: intact"
has "$out" "audit chain intact: $c row(s)" "the chain as before"
has "$out" "audit summary: $c row(s), 2 checkpoint(s) (0 bad), the newest $B: row $b at " \
    "the summary: rows, checkpoints, the newest"
has "$out" "; intact" "intact"
# The desk's operations view checks the same, as ra-desk, without the key.
out=$("$DESKDIR/desk.cgi" ops-status 2>&1)
has "$out" "== audit: audit chain intact: $c row(s); $c row(s), 2 checkpoint(s) (0 bad)" \
    "the desk's operations view includes the checkpoints"
c=$(last_row)

# A row between the checkpoints changed: the chain names it, and where.
k=$((a + 2))
tamper "UPDATE ra.audit SET actor = 'mallory' WHERE audit_id = $k"
out=$("$OPS" audit-verify)
rc=$?; diag "$out"; (exit $rc)
is $? 1 "a changed row: exit 1"
has "$out" "audit chain broken at row $k: its content does not match its hash (between checkpoint $A, row $a at" \
    "the row, between checkpoint A"
has "$out" "and checkpoint $B, row $b at" "and checkpoint B"
has "$out" "audit summary: $c row(s), 2 checkpoint(s) (0 bad)" "and the summary"
has "$out" "; broken" "broken"

# The same with the chain recomputed from it: the chain verifies alone,
# checkpoint B does not.
rechain "$k"
out=$("$OPS" audit-verify)
rc=$?; diag "$out"; (exit $rc)
is $? 1 "a changed row with the chain rewritten: exit 1"
has "$out" "audit chain intact: $c row(s)" "the chain alone would not see it"
has "$out" "checkpoint $B (row $b at" "checkpoint B is named"
has "$out" "row $b has another chain hash: a row after checkpoint $A (row $a at" "and its row, after A"
has "$out" "up to row $b, was changed and the chain rewritten" "up to B's row"
# Put back as it was: the same content chains to the same hashes.
tamper "UPDATE ra.audit SET actor = 'cli' WHERE audit_id = $k"
rechain "$k"
"$OPS" audit-verify >/dev/null
ok $? "put back, intact again"

# A checkpoint altered: its time an hour back.  --due goes by that time
# (nothing moved but the file), and the altered file does not verify.
cp "$dir/$B" "$T/B.saved"
old=$(head -n 1 "$dir/$B" | cut -d ' ' -f 4)
back=$(date -u -d "@$(($(date -u -d "$old" +%s) - 3600))" +%Y-%m-%dT%H:%M:%SZ)
sed -i "1s/ $old\$/ $back/" "$dir/$B"
out=$(as_worker "$W" checkpoint --due)
ok $? "checkpoint --due once the newest says it is an hour old"
has "$out" "checkpoint " "it writes one"
is "$(count)" 3 "a third file"
C=$(newest)
out=$("$OPS" audit-verify)
rc=$?; diag "$out"; (exit $rc)
is $? 1 "an altered checkpoint: exit 1"
has "$out" "checkpoint $B: bad signature" "is refused: bad signature"
has "$out" "3 checkpoint(s) (1 bad), the newest $C" "and counted bad"
cp "$T/B.saved" "$dir/$B"

# A checkpoint forged with another key, however well formed.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/forger.key" -out "$T/forger.crt" \
    -subj "/CN=ra Demo Audit Checkpoints" -days 1 2>/dev/null
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
printf 'ra-audit-checkpoint %s %s %s\n' 999 "$(printf '%064d' 0)" "$now" >"$T/fline"
F=$(date -u -d "$now" +%Y%m%dT%H%M%SZ)-000000000999.ckpt
openssl cms -sign -binary -in "$T/fline" -signer "$T/forger.crt" -inkey "$T/forger.key" \
    -outform PEM -out "$T/fsig"
cat "$T/fline" "$T/fsig" >"$dir/$F"
out=$("$OPS" audit-verify)
rc=$?; diag "$out"; (exit $rc)
is $? 1 "a forged checkpoint: exit 1"
has "$out" "checkpoint $F: bad signature (not by the audit certificate" "is refused"
hasnt "$out" "names row 999" "and does not count"
rm -f "$dir/$F"

# The newest rows cut off and the head reset: the chain verifies alone,
# the checkpoints do not.
d=$((b - 2))
tamper "DELETE FROM ra.audit WHERE audit_id > $d;
        UPDATE ra.audit_head SET last_id = $d,
            last_sha256 = (SELECT row_sha256 FROM ra.audit WHERE audit_id = $d)"
out=$("$OPS" audit-verify)
rc=$?; diag "$out"; (exit $rc)
is $? 1 "truncated: exit 1"
has "$out" "audit chain intact: $d row(s)" "the chain alone would not see it"
has "$out" "audit rows after row $d were removed: the newest checkpoint, $C at" "truncation is reported"
has "$out" "names row $c" "naming the newest checkpoint's row"
out=$("$DESKDIR/desk.cgi" ops-status 2>"$T/ops.err")
has "$out" "== audit: audit rows after row $d were removed" "the desk sees it too"
has "$(cat "$T/ops.err")" "audit chain broken" "and calls for the desk"

done_testing
