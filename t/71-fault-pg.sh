#!/bin/sh
# PostgreSQL stopped (the stack's own cluster, by pg_ctl on its data
# directory): before an upload and in the middle of one, the officer gets
# a clear 503 page and nothing of the file is stored; in the middle of
# issuance (reservations committed, certificates signed, the storing
# transaction open) the worker says so, keeps running, reconnects once the
# database is back, and finishes: each request issued once, from its
# stored reservation.  The instants are made by holding a table lock the
# upload or the worker needs and stopping PostgreSQL once pg_stat_activity
# shows it waiting there, so nothing depends on the machine's speed.
. "$(dirname "$0")/lib.sh"
stack_up
officer_with_cert 1
O="National Institute of Informatics"
DN="O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP"
PGBIN=$(pg_config --bindir 2>/dev/null || true)
[ -x "$PGBIN/pg_ctl" ] || PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg_stop() {
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$T/var/pg" -m fast -w stop >/dev/null
}
pg_start() {	# as conf/stack starts it
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$T/var/pg" -l "$T/var/log/postgres.log" \
	    -w -o "-k $T/var/pgsock -c listen_addresses='' -p 5432 -c fsync=off" start >/dev/null
	pool_back
}
# PgBouncer turns a web login away for server_login_retry after its last
# failed connect to PostgreSQL: the screens answer 503 until the pool has
# connected again.  Wait for that (an officer's screen answering 200).
pool_back() {
	i=0
	until [ "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/menu.cgi")" = 200 ] ||
	    [ $i -ge 100 ]; do sleep 0.2; i=$((i + 1)); done
}
# Hold LOCK TABLE $1 IN EXCLUSIVE MODE (reads pass, writes wait) in a
# session of its own until PostgreSQL stops.
hold_lock() {
	psql -h "$T/var/pgsock" -U postgres -d ra -Atq -c "BEGIN" \
	    -c "LOCK TABLE $1 IN EXCLUSIVE MODE" -c "SELECT pg_sleep(120)" \
	    >/dev/null 2>&1 &
	holder=$!
	i=0
	until [ "$(sql "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
	               WHERE c.relname = '${1#ra.}' AND l.mode = 'ExclusiveLock' AND l.granted")" = 1 ] ||
	    [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
}
# Wait until a session of role $1 waits for a lock.
wait_blocked() {
	i=0
	until [ "$(sql "SELECT count(*) FROM pg_stat_activity
	               WHERE usename = '$1' AND wait_event_type = 'Lock'")" -ge 1 ] ||
	    [ $i -ge 200 ]; do sleep 0.1; i=$((i + 1)); done
	[ $i -lt 200 ]
}
file() {	# file NAME HOST...: an issue TSV with a fresh key per row
	f=$1
	shift
	for h in "$@"; do
		csr=$(openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		    -keyout /dev/null -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=$h" 2>/dev/null |
		    tr -d '\n')
		printf 'CN=%s,%s\t22\t\t\t\t\t%s\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\t%s\tApache\t\r\n' \
		    "$h" "$DN" "$csr" "$h"
	done | iconv -f UTF-8 -t CP932 >"$T/$f"
}
CU="curl -sS --cacert $CACERT --cert-type P12 --cert $OFFICER_P12:$OFFICER_PASS"
LRA=$URL/ra/lra
JAR=$T/jar
$CU -c "$JAR" -o /dev/null "$LRA/login.cgi"
csrf=$($CU -b "$JAR" "$LRA/server.cgi" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)
[ -n "$csrf" ]; ok $? "the officer is logged in to ①"
post() {	# post FILE OUT: prints the HTTP status
	$CU -b "$JAR" -o "$2" -w '%{http_code}' -F "csrf=$csrf" -F applyType=1 -F errorFlg=partial \
	    -F "file=@$1" "$LRA/server.cgi"
}
batches() { sql "SELECT count(*) FROM ra.batch"; }
requests() { sql "SELECT count(*) FROM ra.request WHERE kind = 'server'"; }
b0=$(batches)
r0=$(requests)

# 1. PostgreSQL down before the upload.
file a.tsv a1.nii.ac.jp a2.nii.ac.jp
pg_stop
code=$(post "$T/a.tsv" "$T/a.html")
is "$code" 503 "an upload with PostgreSQL down: 503"
page=$(cat "$T/a.html")
has "$page" "The system is temporarily unavailable. Please try again later." \
    "the page says the system is unavailable for now, to try again later"
hasnt "$page" "SQLSTATE" "and shows no database internals"
pg_start
is "$(batches) $(requests)" "$b0 $r0" "nothing of it is stored"

# 2. PostgreSQL stopped in the middle of an upload: the file's batch and
# first row are written, the row's job waits for the lock on ra.job.
file b.tsv b1.nii.ac.jp b2.nii.ac.jp b3.nii.ac.jp
hold_lock ra.job
post "$T/b.tsv" "$T/b.html" >"$T/b.code" &
up=$!
wait_blocked ra_officer
ok $? "the upload is under way, waiting on ra.job"
pg_stop
wait $up
is "$(cat "$T/b.code")" 503 "PostgreSQL stopped mid-upload: 503, not 500 or a broken answer"
page=$(cat "$T/b.html")
has "$page" "The system is temporarily unavailable. Please try again later." \
    "the page says the system is unavailable for now, to try again later"
hasnt "$page" "b1.nii.ac.jp	OK" "no row is reported as accepted"
wait $holder 2>/dev/null
pg_start
is "$(batches) $(requests)" "$b0 $r0" "nothing of that file is stored: no batch, no request"
code=$(post "$T/b.tsv" "$T/b2.html")
is "$code" 200 "the same file uploaded again once PostgreSQL is back"
has "$(cat "$T/b2.html")" "3" "and taken"
is "$(requests)" "$((r0 + 3))" "its three requests queued once"
i=0
until [ "$(sql "SELECT count(*) FROM ra.job WHERE state IN ('queued', 'running')")" = 0 ] ||
    [ $i -ge 200 ]; do sleep 0.1; i=$((i + 1)); done

# 3. PostgreSQL stopped in the middle of issuance: the worker has
# committed its reservations and signed; storing waits for ra.mail (each
# server certificate's retrieval mail), inside the storing transaction.
wpid=$(cat "$T/var/run/worker.pid")
hold_lock ra.mail
file c.tsv c1.nii.ac.jp c2.nii.ac.jp c3.nii.ac.jp c4.nii.ac.jp
"$OFFICERDIR/server.cgi" --officer 1 --action issue --mode abort "$T/c.tsv" >"$T/c.out" 2>&1
is "$(grep -c '	OK	' "$T/c.out")" 4 "four more requests uploaded"
wait_blocked ra_worker
ok $? "the worker is storing, waiting on ra.mail"
reserved=$(sql "SELECT string_agg(cert_id::text, ',' ORDER BY cert_id) FROM ra.certificate
                WHERE state = 'reserved'")
is "$(sql "SELECT count(*) FROM ra.certificate WHERE state = 'reserved'")" 4 \
    "its four reservations are committed ($reserved)"
lines0=$(wc -l <"$T/var/log/worker.log")
pg_stop
wait $holder 2>/dev/null
i=0
until tail -n +"$((lines0 + 1))" "$T/var/log/worker.log" | grep -q "database connection lost" ||
    [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
log=$(tail -n +"$((lines0 + 1))" "$T/var/log/worker.log")
has "$log" "database connection lost; reconnecting every second" "the worker says it lost the database"
kill -0 "$wpid" 2>/dev/null
ok $? "and keeps running while PostgreSQL is down"
pg_start
i=0
until [ "$(sql "SELECT count(*) FROM ra.job WHERE state IN ('queued', 'running')")" = 0 ] ||
    [ $i -ge 300 ]; do sleep 0.1; i=$((i + 1)); done
log=$(tail -n +"$((lines0 + 1))" "$T/var/log/worker.log")
has "$log" "database connection back" "it reconnects by itself"
is "$(printf '%s\n' "$log" | grep -c 'database connection lost')" 1 "and said the loss once, not once a second"
is "$(cat "$T/var/run/worker.pid")" "$wpid" "the same worker process, not a restart"
kill -0 "$wpid" 2>/dev/null
ok $? "still running"
is "$(sql "SELECT string_agg(cert_id::text, ',' ORDER BY cert_id) FROM ra.certificate
           WHERE cert_id IN ($reserved) AND state = 'issued'")" "$reserved" \
    "the four reservations themselves are issued"
has "$log" "resuming reserved serial" "from their stored TBS"
n=$(requests)
is "$n" "$((r0 + 7))" "seven requests in all"
is "$(sql "SELECT count(*) FROM ra.request WHERE kind = 'server' AND state = 'done'")" "$n" "every request done"
is "$(sql "SELECT count(*), count(DISTINCT request_id), count(DISTINCT serial) FROM ra.certificate
           WHERE kind = 'server'")" "$n|$n|$n" "one certificate each, serials unique"
is "$(sql "SELECT count(*) FROM ra.certificate WHERE state <> 'issued'")" 0 "none left reserved"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'cert.issue' AND cert_subject LIKE 'CN=c_.nii.ac.jp%'")" 4 \
    "one cert.issue audit row for each of the four"
is "$(sql "SELECT count(*) FROM ra.mail WHERE template = 'server-cert-url'")" "$n" \
    "one retrieval mail per certificate"
"$TOOLSDIR/ops.cgi" audit-verify >/dev/null 2>&1
ok $? "the audit chain verifies"
# The worker still stops on SIGTERM while the database is down.
lost=$(grep -c 'database connection lost' "$T/var/log/worker.log")
pg_stop
i=0
until [ "$(grep -c 'database connection lost' "$T/var/log/worker.log")" -gt "$lost" ] || [ $i -ge 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill "$wpid"
i=0
while kill -0 "$wpid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 "$wpid" 2>/dev/null
[ $? -ne 0 ]; ok $? "with PostgreSQL down the worker still stops on SIGTERM, within 5 s"
rm -f "$T/var/run/worker.pid"
pg_start

done_testing
