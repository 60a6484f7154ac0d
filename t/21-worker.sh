#!/bin/sh
# Exactly once: a worker killed with SIGKILL in the middle of a batch, at
# a random instant and right between reserving and signing, is restarted;
# every request ends with exactly one certificate and none is missing.
# Two workers at once share the queue without doubling anything.
. "$(dirname "$0")/lib.sh"
stack_up
worker_stop

CA=$TOOLSDIR/ca.cgi
W=$TOOLSDIR/worker.cgi
O="Kyoto University"
institution_add kyoto "$O" Kyoto Kyoto
N=240

# Queue N server requests with fresh P-256 keys.
queue() {	# queue FIRST LAST
	i=$1
	while [ "$i" -le "$2" ]; do
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		    -keyout /dev/null -out "$T/r.csr" -subj "/CN=h$i.kyoto-u.ac.jp" 2>/dev/null &&
		"$CA" request --institution kyoto --profile 22 --csr "$T/r.csr" \
		    --subject "CN=h$i.kyoto-u.ac.jp,O=$O,L=Kyoto,ST=Kyoto,C=JP" >/dev/null || return 1
		i=$((i + 1))
	done
}
queue 1 "$N"
ok $? "$N requests queued"

# 1. Killed right after its first reservation committed, before signing.
cp "$RA_CONF" "$T/kill.conf"
printf 'Worker.Test.KillAfterReserve = 1\nWorker.Batch = 40\n' >>"$T/kill.conf"
chmod 0644 "$T/kill.conf"
runuser -u ra-worker -- env RA_CONF="$T/kill.conf" "$W" drain >/dev/null 2>&1
is $? 137 "the worker died by SIGKILL after reserving"
is "$(sql "SELECT count(*) FILTER (WHERE state = 'reserved'), count(*) FILTER (WHERE state = 'issued') FROM ra.certificate")" \
    "40|0" "40 reservations, nothing signed"
reserved=$(sql "SELECT string_agg(request_id::text, ',') FROM ra.certificate WHERE state = 'reserved'")
reserved_ids=$(sql "SELECT string_agg(cert_id::text, ',' ORDER BY cert_id) FROM ra.certificate WHERE state = 'reserved'")

# 2. Killed at a random instant in the middle of the queue.
# Small batches, so that there is a middle to be killed in.
cp "$RA_CONF" "$T/small.conf"
printf 'Worker.Batch = 5\n' >>"$T/small.conf"
chmod 0644 "$T/small.conf"
runuser -u ra-worker -- env RA_CONF="$T/small.conf" "$W" drain >/dev/null 2>"$T/killed.err" &
pid=$!
i=0
while [ "$(sql "SELECT count(*) FROM ra.certificate WHERE state = 'issued'")" -eq 0 ] && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
pkill -KILL -P "$pid" 2>/dev/null; kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
issued=$(sql "SELECT count(*) FROM ra.certificate WHERE state = 'issued'")
[ "$issued" -gt 0 ] && [ "$issued" -lt "$N" ]
ok $? "killed mid-queue ($issued of $N issued)"

# 3. Restarted: it resumes the reservations and finishes the queue.
out=$(as_worker "$W" drain 2>"$T/drain.err")
ok $? "restarted worker drains the queue ($out)"
has "$(cat "$T/killed.err" "$T/drain.err")" "resuming reserved serial" "it resumed stored reservations"
is "$(sql "SELECT string_agg(cert_id::text, ',' ORDER BY cert_id) FROM ra.certificate
           WHERE cert_id IN ($reserved_ids) AND state = 'issued'")" "$reserved_ids" \
    "the 40 reservations themselves were signed, not replaced"
is "$(sql "SELECT count(*) FROM ra.request WHERE state <> 'done'")" 0 "every request is done"
is "$(sql "SELECT count(*) FROM ra.certificate WHERE state = 'issued'")" "$N" "exactly $N certificates"
is "$(sql "SELECT count(DISTINCT request_id) FROM ra.certificate")" "$N" "one per request"
is "$(sql "SELECT count(*) FROM ra.request r WHERE NOT EXISTS (SELECT 1 FROM ra.certificate c WHERE c.request_id = r.request_id)")" \
    0 "no request without its certificate"
is "$(sql "SELECT count(*) FROM ra.job WHERE state <> 'done'")" 0 "every job is closed"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'cert.issue'")" "$N" "one issuance in the audit log per certificate"

# A resumed certificate is a good one.
rid=${reserved%%,*}
"$CA" cert --request "$rid" >"$T/resumed.pem"
awk -v d="$T" '/BEGIN/{n++} {print > (d "/r" n ".pem")}' "$T/resumed.pem"
openssl verify -x509_strict -CAfile "$T/r3.pem" -untrusted "$T/r2.pem" "$T/r1.pem" >/dev/null 2>&1
ok $? "a certificate signed after the crash verifies"
is "$(sql "SELECT count(*) FROM ra.certificate WHERE request_id = $rid
           AND tbs_der = substring(der from 5 for length(tbs_der))")" 1 \
    "its signed TBS is the one stored before the crash"

# A retried job (a double submit reaching the worker) issues nothing new.
sql "UPDATE ra.job SET state = 'queued', finished_at = NULL WHERE request_id = $rid"
as_worker "$W" drain >/dev/null 2>&1
is "$(sql "SELECT count(*) FROM ra.certificate WHERE request_id = $rid")" 1 "a retried job issues no second certificate"
is "$(sql "SELECT state FROM ra.job WHERE request_id = $rid")" done "and is closed again"

# Two workers on one queue.
queue $((N + 1)) $((N + 120))
as_worker "$W" drain >"$T/w1.out" 2>&1 &
p1=$!
as_worker "$W" drain >"$T/w2.out" 2>&1 &
p2=$!
wait "$p1"; r1=$?
wait "$p2"; r2=$?
[ $r1 -eq 0 ] && [ $r2 -eq 0 ]
ok $? "two workers drain together"
is "$(sql "SELECT count(*), count(DISTINCT request_id) FROM ra.certificate WHERE state = 'issued'")" \
    "$((N + 120))|$((N + 120))" "still exactly one certificate per request"

# One batch with more profiles than the worker caches (16): each
# certificate keeps its own request's profile and kind.
sql "INSERT INTO ra.profile (profile_id, kind, name_ja, name_en, validity_months,
       validity_days, key_algs, key_gen, key_usage, ext_key_usage, subject_attrs,
       subject_required, policies)
     SELECT 60 + g, p.kind, p.name_ja || g, p.name_en || g, p.validity_months,
       p.validity_days, p.key_algs, p.key_gen, p.key_usage, p.ext_key_usage,
       p.subject_attrs, p.subject_required, p.policies
       FROM ra.profile p, generate_series(0, 19) g WHERE p.profile_id = 22"
i=0
while [ $i -lt 20 ]; do
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout /dev/null -out "$T/r.csr" -subj "/CN=p$i.kyoto-u.ac.jp" 2>/dev/null &&
	"$CA" request --institution kyoto --profile $((60 + i)) --csr "$T/r.csr" \
	    --subject "CN=p$i.kyoto-u.ac.jp,O=$O,L=Kyoto,ST=Kyoto,C=JP" >/dev/null || break
	i=$((i + 1))
done
is "$i" 20 "20 requests queued, each with its own profile"
as_worker "$W" drain >/dev/null 2>&1
is "$(sql "SELECT count(*) FILTER (WHERE c.profile_id = r.profile_id AND c.kind = 'server'), count(*)
           FROM ra.certificate c JOIN ra.request r USING (request_id) WHERE r.profile_id >= 60")" \
    "20|20" "a batch of 20 profiles stores each certificate's own profile"

done_testing
