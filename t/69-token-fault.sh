#!/bin/sh
# The PKCS#11 token absent at start and removed while running.  SoftHSM2
# keeps a token as a directory below its token directory: moving that
# away (an empty token directory left behind) is a token pulled out, as
# far as the worker can tell (C_Initialize finds no token; a session
# whose token vanished answers "object handle invalid"); moving it back
# is the token plugged in again.  The worker refuses to sign and says
# why, its jobs wait (not counted as attempts: Worker.MaxAttempts is 2
# here and they are claimed more often than that), and it opens the token
# again each poll interval: when the token is back every request is
# issued, exactly once, without a restart.
. "$(dirname "$0")/lib.sh"
RA_TOKEN=1
stack_up
worker_stop

CA=$TOOLSDIR/ca.cgi
W=$TOOLSDIR/worker.cgi
tk=$T/var/pki/token
O="Kyoto University"
institution_add kyoto "$O" Kyoto Kyoto
cp "$RA_CONF" "$T/fault.conf"
printf 'Worker.PollSeconds = 1\nWorker.MaxAttempts = 2\n' >>"$T/fault.conf"
chmod 0644 "$T/fault.conf"
LOG=$T/var/log/fault-worker.log	# kept with the stack's logs (RA_KEEP_LOGS)
touch "$LOG" && chown ra-worker "$LOG"

# The worker, its pid its own (setpriv execs, as conf/stack starts it).
worker_start() {
	RA_CONF=$T/fault.conf setpriv --reuid=ra-worker --regid="$(id -g ra-worker)" \
	    --init-groups -- "$W" run >>"$LOG" 2>&1 </dev/null &
	WPID=$!
}
token_out() {
	mv "$tk/tokens" "$tk/tokens.out" &&
	    install -d -o ra-worker -g ra-worker -m 0700 "$tk/tokens"
}
token_in() { rmdir "$tk/tokens" && mv "$tk/tokens.out" "$tk/tokens"; }
# Bounded wait for an SQL answer or a log line.
wait_sql() {	# wait_sql QUERY WANT
	i=0
	until [ "$(sql "$1")" = "$2" ] || [ $i -ge 300 ]; do sleep 0.1; i=$((i + 1)); done
	[ "$(sql "$1")" = "$2" ]
}
wait_log() {	# wait_log FIXED-STRING
	i=0
	until grep -qF -- "$1" "$LOG" || [ $i -ge 300 ]; do sleep 0.1; i=$((i + 1)); done
	grep -qF -- "$1" "$LOG"
}
queue() {	# queue FIRST LAST
	i=$1
	while [ "$i" -le "$2" ]; do
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		    -keyout /dev/null -out "$T/r.csr" -subj "/CN=t$i.kyoto-u.ac.jp" 2>/dev/null &&
		"$CA" request --institution kyoto --profile 22 --csr "$T/r.csr" \
		    --subject "CN=t$i.kyoto-u.ac.jp,O=$O,L=Kyoto,ST=Kyoto,C=JP" >/dev/null || return 1
		i=$((i + 1))
	done
}
# Claim the waiting jobs again and again while the token is out: each
# time the worker puts them off (run_after in the future again).
claimed_again() {	# claimed_again TIMES
	k=0
	while [ $k -lt "$1" ]; do
		sql "UPDATE ra.job SET run_after = now() WHERE state = 'queued'; NOTIFY ra_job" >/dev/null
		wait_sql "SELECT count(*) FROM ra.job WHERE state = 'queued' AND run_after <= now()" 0 || return 1
		k=$((k + 1))
	done
}
# Every request done, with exactly one issued certificate each.
once() {
	sql "SELECT count(*) FILTER (WHERE r.state = 'done' AND n = 1 AND s = 1),
	            count(*) FILTER (WHERE r.state <> 'done' OR n <> 1 OR s <> 1)
	       FROM ra.request r
	       JOIN LATERAL (SELECT count(*) AS n, count(*) FILTER (WHERE c.state = 'issued') AS s
	                       FROM ra.certificate c WHERE c.request_id = r.request_id) c ON true"
}

# --- absent at start ---------------------------------------------------------
token_out
worker_start
wait_log "CA key(s) in a token not in reach"
ok $? "the worker starts without its token and says its token keys are not in reach"
has "$(cat "$LOG")" "not in the token, or the token is absent" "and why, key by key"
has "$(cat "$LOG")" "0 CA key(s), batches of" "it holds no CA key"
kill -0 "$WPID" 2>/dev/null
ok $? "and keeps running (sandboxed), waiting"
queue 1 6
ok $? "6 requests queued"
claimed_again 4
ok $? "the jobs are claimed 4 times while the token is out, and put off each time"
is "$(sql "SELECT count(*) FROM ra.request WHERE state = 'queued'")" 6 "all 6 requests still wait (none failed: MaxAttempts 2)"
is "$(sql "SELECT count(*) FROM ra.certificate")" 0 "nothing was reserved or signed"
is "$(sql "SELECT count(DISTINCT last_error) || ' ' || max(attempts) FROM ra.job WHERE state = 'queued'")" "1 0" \
    "each job says why it waits, and no attempt was counted"
has "$(sql "SELECT max(last_error) FROM ra.job")" "no usable CA key" "the reason, in the queue"
# Ten minutes on (moved through the data): the desk's operations view
# shows the waiting jobs as stuck, with that reason.
sql "UPDATE ra.job SET created_at = created_at - interval '11 minutes' WHERE state = 'queued'"
out=$("$DESKDIR/desk.cgi" ops-status 2>"$T/ops.err")
has "$(cat "$T/ops.err")" "jobs-stuck 6" "desk.cgi ops-status: 6 stuck jobs"
has "$out" "no usable CA key for this profile" "with the reason"
token_in
wait_log "token opened again: 6 CA key(s)"
ok $? "the token is back: the worker opens it again, without a restart"
wait_sql "SELECT count(*) FROM ra.request WHERE state = 'done'" 6
ok $? "the waiting requests are issued at once (not after their minute)"
is "$(once)" "6|0" "each of the 6 exactly once"
kill -0 "$WPID" 2>/dev/null
ok $? "the same worker process"

# --- removed while running ---------------------------------------------------
first=$(sql "SELECT max(request_id) FROM ra.request")
token_out
queue 7 12
ok $? "6 more requests queued with the token out"
wait_log "the CA's token did not sign"
ok $? "the worker refuses to sign, and says why"
# The first claim reserved and failed to sign; those after it found no
# key (the token not reopened) and reserved nothing.
[ "$(sql "SELECT count(*) FROM ra.certificate WHERE state = 'reserved'")" -ge 1 ]
ok $? "what was reserved stays reserved, unsigned (nothing half-issued)"
is "$(sql "SELECT count(*) FROM ra.certificate WHERE request_id > $first AND state <> 'reserved'")" 0 "and nothing was signed"
reserved=$(sql "SELECT string_agg(cert_id::text, ',') FROM ra.certificate WHERE state = 'reserved'")
before=$(sql "SELECT string_agg(cert_id || ':' || serial || ':' || encode(tbs_der, 'hex'), ',' ORDER BY cert_id) FROM ra.certificate WHERE cert_id IN ($reserved)")
claimed_again 4
ok $? "claimed 4 more times with the token out, put off each time"
is "$(sql "SELECT count(*) FROM ra.request WHERE state = 'queued'")" 6 "the 6 still wait; none failed"
is "$(sql "SELECT max(attempts) FROM ra.job WHERE state = 'queued'")" 0 "no attempt was counted"
token_in
wait_sql "SELECT count(*) FROM ra.request WHERE state = 'done'" 12
ok $? "the token is back: all 12 requests are done"
is "$(once)" "12|0" "each exactly once"
is "$(sql "SELECT string_agg(cert_id || ':' || serial || ':' || encode(tbs_der, 'hex'), ',' ORDER BY cert_id) FROM ra.certificate WHERE cert_id IN ($reserved) AND state = 'issued'")" \
    "$before" "the reservations were signed as they were (same rows, serials and TBS)"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'cert.issue'")" 12 "12 issuance audit rows"
sql "SELECT encode(der, 'base64') FROM ra.certificate ORDER BY cert_id DESC LIMIT 1" | openssl base64 -d |
    openssl x509 -inform DER -out "$T/last.pem"
openssl verify -partial_chain -CAfile "$T/var/pki/server-ca.crt" "$T/last.pem" >/dev/null 2>&1
ok $? "the last one verifies with the server CA's certificate"
kill -0 "$WPID" 2>/dev/null
ok $? "still the same worker process"
kill "$WPID"; wait "$WPID" 2>/dev/null

done_testing
