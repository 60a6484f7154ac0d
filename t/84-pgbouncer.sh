#!/bin/sh
# PgBouncer in front of PostgreSQL for the web zones: each zone's Unix
# user gets into its own zone's pool only, the pooled session is its
# role's, a reused server connection carries nothing of the last client's
# session (DISCARD ALL), the daemons connect directly, and make stop
# leaves no PgBouncer.
. "$(dirname "$0")/lib.sh"
stack_up

pgb=$T/var/pgb
pidf=$pgb/pgbouncer.pid
# psql through the pool as Unix user $1 to database $2, SQL $3.
pooled() {
	runuser -u "$1" -- psql "host=$pgb port=6432 dbname=$2" -Atq -v ON_ERROR_STOP=1 -c "$3" 2>&1
}

pid=$(cat "$pidf" 2>/dev/null)
kill -0 "$pid" 2>/dev/null
ok $? "make run started PgBouncer (pid ${pid:-none})"
is "$(ps -o user= -p "$pid" 2>/dev/null)" postgres "it runs as postgres"
[ -S "$pgb/.s.PGSQL.6432" ]
ok $? "it listens on a Unix socket under the stack"
is "$(sed -n 's/^listen_addr *= *//p' "$pgb/pgbouncer.ini")" "" "and on no TCP address"

# The zones' conninfo: the web zones through the pool without user=, the
# daemons (who LISTEN) and the tools directly.
for k in Public Officer Desk Tsa Ocsp Acme; do
	z=$(echo "$k" | tr 'A-Z' 'a-z')
	is "$(sed -n "s/^  $k = //p" "$RA_CONF")" "host=$pgb port=6432 dbname=ra_$z" \
	    "Db.$k goes through PgBouncer, with no user="
done
for k in Worker Mailer Admin; do
	has "$(sed -n "s/^  $k = //p" "$RA_CONF")" "host=$T/var/pgsock port=5432" "Db.$k connects directly"
done
has "$(sed -n 's/^Db.Acmeval = //p' "$RA_CONF")" "host=$T/var/pgsock port=5432" "Db.Acmeval connects directly"

# Its log, from line $1 on: no warning or error.
log_clean() {
	bad=$(tail -n +"$1" "$T/var/log/pgbouncer.log" | grep -E 'WARNING|ERROR|FATAL')
	is "$bad" "" "$2"
}
log_clean 1 "PgBouncer's log has no warning or error after make run"

# Trust zones stay real through the pool.
is "$(pooled ra-public ra_public 'SELECT current_user')" ra_public \
    "ra-public through the pool to ra_public: role ra_public"
out=$(pooled ra-public ra_officer 'SELECT current_user')
hasnt "$out" ra_officer "ra-public cannot reach the officer zone's pool"
has "$out" "login rejected" "PgBouncer's hba says no"
hasnt "$(pooled ra-officer ra_public 'SELECT current_user')" ra_public \
    "nor ra-officer the public zone's"
is "$(pooled ra-officer ra_officer 'SELECT current_user')" ra_officer "ra-officer reaches its own"
hasnt "$(pooled www-data ra_public 'SELECT current_user')" ra_public \
    "Apache's user reaches no pool (only the zones' programs do)"
out=$(runuser -u ra-public -- psql "host=$pgb port=6432 dbname=ra_officer user=ra-officer" \
    -Atq -c 'SELECT current_user' 2>&1)
hasnt "$out" ra_officer "ra-public naming itself ra-officer is refused (peer checks the Unix user)"
out=$(psql "host=$pgb port=6432 dbname=ra_public user=ra-public" -Atq -c 'SELECT current_user' 2>&1)
hasnt "$out" ra_public "root naming itself ra-public is refused too"
is "$(psql "host=$pgb port=6432 dbname=ra_desk" -Atq -c 'SELECT current_user' 2>&1)" ra_desk \
    "root (the shell, the tests) reaches a zone as that zone's role"
out=$(runuser -u ra-public -- psql "host=$pgb port=6432 dbname=pgbouncer" -Atq -c 'SHOW POOLS' 2>&1)
hasnt "$out" ra_public "the zones do not reach PgBouncer's admin console"

# The front page through the pool.
mark=$(($(wc -l <"$T/var/log/pgbouncer.log") + 1))
page=$(curl -sS --cacert "$CACERT" "$URL/ra/index.cgi")
ok $? "front page"
latest=$(ls "$top/schema" | sed -n '$s/^0*\([0-9][0-9]*\)-.*/\1/p')
has "$page" "<td id=\"schema-version\">$latest</td>" "with the schema version from the database"
grep -q 'login attempt: db=ra_public user=ra-public' "$T/var/log/pgbouncer.log"
ok $? "index.cgi came through PgBouncer as ra-public"
is "$(sql "SELECT count(*) FROM pg_stat_activity WHERE usename = 'ra_public'")" 1 \
    "its server connection stays open in the pool after the request"
server=$(sql "SELECT pid FROM pg_stat_activity WHERE usename = 'ra_public'")

# A reused server connection carries nothing of the last session: the
# CGI emptied search_path; a client that LISTENs and sets things leaves
# nothing either.
out=$(pooled ra-public ra_public "SELECT pg_backend_pid()")
is "$out" "$server" "the next client gets the same server connection (reused)"
is "$(pooled ra-public ra_public 'SHOW search_path')" '"$user", public' \
    "with the default search_path, not the CGI's empty one"
pooled ra-public ra_public "SELECT set_config('search_path', 'ra', false), set_config('application_name', 'leftover', false); LISTEN ra_leftover" >/dev/null
out=$(pooled ra-public ra_public "SELECT pg_backend_pid(), current_setting('search_path'), current_setting('application_name') = 'leftover', (SELECT count(*) FROM pg_listening_channels())")
is "$out" "$server|\"\$user\", public|f|0" "a session's settings and LISTENs do not reach the next client"
log_clean "$mark" "nor after the refusals, through the requests and reuses"

make -s -C "$top" stop VAR="$T/var" >>"$T/stop.log" 2>&1
ok $? "make stop"
kill -0 "$pid" 2>/dev/null
[ $? -ne 0 ]
ok $? "PgBouncer $pid is gone"
pgrep -f "$pgb/pgbouncer.ini" >/dev/null
[ $? -ne 0 ]
ok $? "no PgBouncer of this stack is left"
[ ! -f "$pidf" ]
ok $? "its pid file is removed"

done_testing
