#!/bin/sh
# bench/ca.sh -- the CA engine against baselines measured in the same run,
# on the same machine; reported as ratios, never asserted.
#
#   signing:  certificates signed and stored per second for a batch of
#             BENCH_N (10,000) server requests, two workers (two cores),
#             next to raw RSA-2048 sign/s on one core (target >= 0.50) and
#             next to a shell loop around "openssl ca" (target >= 15x)
#   PKCS#12:  server-made RSA-2048 keys issued per second, two workers,
#             next to raw RSA-2048 keygen/s on two cores (target >= 0.90)
#   CRL:      a CRL of 100,000 revoked entries built and published
#             (target <= 2 s)
. "$(dirname "$0")/../t/lib.sh"
N=${BENCH_N:-10000}
P=${BENCH_P12:-200}
CAN=${BENCH_CA_LOOP:-200}
REVOKED=${BENCH_REVOKED:-100000}

stack_up
worker_stop
institution_add bench "Bench University" Tokyo Chiyoda-ku >/dev/null
inst=$(sql "SELECT institution_id FROM ra.institution WHERE code = 'bench'")
W=$TOOLSDIR/worker.cgi

. "$top/bench/baseline"

# --- ra: a batch of server requests ----------------------------------------
queue_s=$("$top/bench/mkreq" server "$N" "$inst") || bail "mkreq server failed"
t0=$(now)
drain2
t1=$(now)
issued=$(sql "SELECT count(*) FROM ra.certificate WHERE state = 'issued'")
[ "$issued" -eq "$N" ] || echo "# warning: $issued of $N issued"
sign_rate=$(rate "$N" "$t0" "$t1")
e2e_rate=$(echo "$N / ($queue_s + $t1 - $t0)" | bc -l)

# --- ra: server-made keys ---------------------------------------------------
"$top/bench/mkreq" client "$P" "$inst" >/dev/null || bail "mkreq client failed"
t0=$(now)
drain2
t1=$(now)
p12_rate=$(rate "$P" "$t0" "$t1")
t0=$(now)
"$top/bench/mkreq" keygen $((P / 2)) >/dev/null &
"$top/bench/mkreq" keygen $((P / 2)) >/dev/null
wait
t1=$(now)
keygen_rate=$(rate "$P" "$t0" "$t1")

# --- CRL of many entries ----------------------------------------------------
sql "INSERT INTO ra.request (institution_id, action, kind, profile_id, subject_der, state, done_at)
     SELECT $inst, 'issue', 'server', 22, '\\x3000', 'done', now() FROM generate_series(1, $REVOKED);
     INSERT INTO ra.certificate (ca_id, serial, request_id, institution_id, kind, profile_id,
            subject_dn, cn, spki_der, spki_sha256, state, tbs_der, der, not_before, not_after, issued_at)
     SELECT (SELECT ca_id FROM ra.ca WHERE slug = 'server-ca'), 10::numeric ^ 30 + r.request_id,
            r.request_id, $inst, 'server', 22, 'CN=x', 'x', '\\x00',
            sha256(convert_to('bench' || r.request_id, 'UTF8')), 'issued', '\\x00',
            convert_to('der' || r.request_id, 'UTF8'), now(), now() + interval '100 days', now()
       FROM ra.request r WHERE r.subject_der = '\\x3000';
     INSERT INTO ra.revocation (cert_id, ca_id, serial, not_after, reason)
     SELECT cert_id, ca_id, serial, not_after, 4 FROM ra.certificate WHERE cn = 'x';
     ANALYZE ra.revocation;"
t0=$(now)
as_worker "$W" crl >"$T/crl.out"
t1=$(now)
crl_s=$(echo "$t1 - $t0" | bc -l)
grep -q "ra Demo Server CA: CRL #[0-9]*, $REVOKED entries" "$T/crl.out" ||
    echo "# warning: the server CA's CRL does not list $REVOKED entries"

# --- report -----------------------------------------------------------------
r1=$(ratio "$sign_rate" "$raw_sign")
r2=$(ratio "$sign_rate" "$ca_loop")
r3=$(ratio "$p12_rate" "$keygen_rate")
printf 'bench ca: %d server certificates signed and stored: %.0f/s (%.0f/s with validation and queueing)\n' \
    "$N" "$sign_rate" "$e2e_rate"
printf 'bench ca:   vs raw RSA-2048 sign on one core (%.0f/s): ratio %.2f, target >= 0.50: %s\n' \
    "$raw_sign" "$r1" "$(verdict "$r1" '>=' 0.50)"
printf 'bench ca:   vs a shell loop around openssl ca (%.1f/s): ratio %.1f, target >= 15: %s\n' \
    "$ca_loop" "$r2" "$(verdict "$r2" '>=' 15)"
printf 'bench ca: %d server-made RSA-2048 keys issued: %.1f/s; raw keygen on two cores %.1f/s: ratio %.2f, target >= 0.90: %s\n' \
    "$P" "$p12_rate" "$keygen_rate" "$r3" "$(verdict "$r3" '>=' 0.90)"
printf 'bench ca: CRL of %d revoked entries built and published in %.2f s, target <= 2 s: %s\n' \
    "$REVOKED" "$crl_s" "$(verdict "$crl_s" '<=' 2)"
