#!/bin/sh
# Dated validity (027): a server certificate gets the shorter of its
# profile's validity and the limit in force on its issuance date (200 days
# from 2026-03-15, 100 from 2027-03-15, 47 from 2029-03-15).  The date is
# the database's clock, moved for the worker's session with ra.now.
. "$(dirname "$0")/lib.sh"
stack_up
worker_stop

CA=$TOOLSDIR/ca.cgi
W=$TOOLSDIR/worker.cgi
O="Kyoto University"
institution_add kyoto "$O" Kyoto Kyoto

# issue HOST [CLOCK]: one server certificate (profile 22), issued by a
# worker whose database clock reads CLOCK; prints its request id.
issue() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout /dev/null -out "$T/$1.csr" -subj "/CN=$1" 2>/dev/null || return 1
	rid=$("$CA" request --institution kyoto --profile 22 --csr "$T/$1.csr" \
	    --subject "CN=$1,O=$O,L=Kyoto,ST=Kyoto,C=JP" | sed -n 's/^request \([0-9]*\).*/\1/p')
	runuser -u ra-worker -- env RA_CONF="$RA_CONF" ${2:+PGOPTIONS="-c ra.now=$2"} \
	    "$W" drain >/dev/null 2>>"$T/worker.err" || return 1
	"$CA" cert --request "$rid" | awk '/BEGIN/{n++} n==1' >"$T/$1.pem"
	echo "$rid"
}
# days PEM: notAfter - notBefore + 1 second, in days (both ends count).
days() {
	nb=$(date -u -d "$(openssl x509 -in "$1" -noout -startdate | cut -d= -f2)" +%s)
	na=$(date -u -d "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)" +%s)
	echo $(((na - nb + 1) / 86400)).$(((na - nb + 1) % 86400))
}
startday() { date -u -d "$(openssl x509 -in "$1" -noout -startdate | cut -d= -f2)" +%F; }

is "$(sql "SELECT ra.validity_limit_days('server', now())")" 200 "today's server limit is 200 days"
is "$(sql "SELECT string_agg(from_date || '=' || max_days, ' ' ORDER BY from_date)
           FROM ra.validity_limit WHERE kind = 'server'")" \
    "2020-09-01=398 2026-03-15=200 2027-03-15=100 2029-03-15=47" "the server schedule is data"

# 1. Issued now: the profile's 198 days, under the 200-day limit.
rid=$(issue now.kyoto-u.ac.jp)
ok $? "issued now (request $rid)"
is "$(days "$T/now.kyoto-u.ac.jp.pem")" "198.0" "a server certificate issued now: the profile's 198 days"
is "$(startday "$T/now.kyoto-u.ac.jp.pem")" "$(date -u +%F)" "notBefore is today"

# 2. On 2027-03-15 the limit is 100 days.
rid=$(issue y2027.kyoto-u.ac.jp 2027-03-15T09:00:00Z)
ok $? "issued with the clock at 2027-03-15 (request $rid)"
is "$(days "$T/y2027.kyoto-u.ac.jp.pem")" "100.0" "100 days on 2027-03-15"
is "$(startday "$T/y2027.kyoto-u.ac.jp.pem")" 2027-03-15 "notBefore is the clock's date"
is "$(sql "SELECT not_before || ' ' || (not_after - not_before) FROM ra.certificate WHERE request_id = $rid")" \
    "2027-03-15 09:00:00+00 99 days 23:59:59" "what is stored says the same"

# The day before, the 200-day limit still holds: the profile's 198.
issue eve.kyoto-u.ac.jp 2027-03-14T23:59:59Z >/dev/null
is "$(days "$T/eve.kyoto-u.ac.jp.pem")" "198.0" "198 days on 2027-03-14"

# 3. On 2029-03-15, 47 days.
issue y2029.kyoto-u.ac.jp 2029-03-15 >/dev/null
ok $? "issued with the clock at 2029-03-15"
is "$(days "$T/y2029.kyoto-u.ac.jp.pem")" "47.0" "47 days on 2029-03-15"
is "$(startday "$T/y2029.kyoto-u.ac.jp.pem")" 2029-03-15 "notBefore is 2029-03-15"

# 4. A profile set lower than the limit keeps its own.
sql "UPDATE ra.profile SET validity_days = 30 WHERE profile_id = 22"
issue short.kyoto-u.ac.jp 2027-03-15 >/dev/null
is "$(days "$T/short.kyoto-u.ac.jp.pem")" "30.0" "a 30-day profile keeps 30 days under the 100-day limit"
issue short2.kyoto-u.ac.jp 2029-06-01 >/dev/null
is "$(days "$T/short2.kyoto-u.ac.jp.pem")" "30.0" "and under the 47-day limit"

# A kind without a rule (client) is the profile's alone.
is "$(sql "SELECT coalesce(ra.validity_limit_days('client', now())::text, 'none')")" none "no limit for client certificates"
# Only the worker may read the clock and the schedule (and the owner).
err=$(psql -h "$T/var/pgsock" -U ra_officer -d ra -Atq -c "SELECT ra.clock()" 2>&1)
has "$err" "permission denied" "an officer's role cannot call ra.clock()"
is "$(cat "$T/worker.err" | grep -c -i error)" 0 "the worker logged no error"
done_testing
