#!/bin/sh
# bench/tsa.sh -- ra's time-stamp authority against a baseline of the same run.
#
#   BENCH_TSA_N (2,000) SHA-256 time-stamp requests (certReq, a nonce)
#   POSTed to http://localhost/tsa by ab at concurrency 8 (BENCH_TSA_C),
#   each a CGI run: the TSA key loaded, a serial from PostgreSQL, the
#   stamp signed and logged in ra.tsa_stamp.  Stamps per second, against
#   "openssl ts -reply" with the same key, certificate, chain and query
#   run BENCH_TSA_LOOP (200) times in a shell loop on the same machine
#   just before (serial file, no database): target >= 0.5, since each of
#   ra's stamps also pays an Apache CGI start and a PostgreSQL connection
#   the loop does not (bench/README).
. "$(dirname "$0")/../t/lib.sh"
. "$(dirname "$0")/helpers"
N=${BENCH_TSA_N:-2000}
C=${BENCH_TSA_C:-8}
L=${BENCH_TSA_LOOP:-200}

stack_up
P=$T/var/pki
printf 'a document to stamp\n' >"$T/doc"
openssl ts -query -data "$T/doc" -sha256 -cert -out "$T/q.tsq" 2>/dev/null || bail "query"

# The baseline: openssl's own responder, configured as tsa.cgi is.
echo 01 >"$T/ts.serial"
cat >"$T/ts.cnf" <<EOF
[tsa]
default_tsa = tsa1
[tsa1]
serial = $T/ts.serial
signer_cert = $P/tsa.crt
certs = $P/tsa-chain.pem
signer_key = $P/tsa/tsa.key
signer_digest = sha256
default_policy = 2.999.3161.1
digests = sha256, sha384
accuracy = secs:1
ess_cert_id_alg = sha256
EOF
openssl ts -reply -config "$T/ts.cnf" -queryfile "$T/q.tsq" -out "$T/o.tsr" 2>/dev/null &&
    openssl ts -verify -queryfile "$T/q.tsq" -in "$T/o.tsr" -CAfile "$P/tsa-chain.pem" >/dev/null 2>&1 ||
    bail "openssl ts -reply baseline does not verify"
t0=$(now)
i=0
while [ $i -lt "$L" ]; do
	openssl ts -reply -config "$T/ts.cnf" -queryfile "$T/q.tsq" -out "$T/o.tsr" 2>/dev/null ||
	    bail "openssl ts -reply failed"
	i=$((i + 1))
done
t1=$(now)
loop_rate=$(rate "$L" "$t0" "$t1")

before=$(sql "SELECT count(*) FROM ra.tsa_stamp WHERE status = 'granted'")
ab -q -n "$N" -c "$C" -p "$T/q.tsq" -T application/timestamp-query \
    "http://localhost:$RA_HTTP_PORT/tsa" >"$T/ab.out" 2>&1 || bail "ab: $(tail -n 3 "$T/ab.out")"
after=$(sql "SELECT count(*) FROM ra.tsa_stamp WHERE status = 'granted'")
# ab counts an answer whose length differs from the first as failed: every
# stamp has its own time and serial, so only connect, receive and
# exceptions count here, and non-2xx answers.
bad=$(sed -n 's/^ *(Connect: \([0-9]*\), Receive: \([0-9]*\), Length: [0-9]*, Exceptions: \([0-9]*\))/\1 \2 \3/p' "$T/ab.out")
non2xx=$(sed -n 's/^Non-2xx responses: *//p' "$T/ab.out")
case "${bad:-0 0 0}" in "0 0 0") ;; *) echo "# warning: ab saw connect/receive/exception failures: $bad" ;; esac
[ -z "$non2xx" ] || echo "# warning: ab saw $non2xx non-2xx answers"
[ $((after - before)) -eq "$N" ] || echo "# warning: $((after - before)) stamps granted and logged of $N"
ra_rate=$(sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' "$T/ab.out")
curl -sS --data-binary @"$T/q.tsq" -H 'Content-Type: application/timestamp-query' \
    -o "$T/r.tsr" "http://localhost:$RA_HTTP_PORT/tsa" &&
    openssl ts -verify -queryfile "$T/q.tsq" -in "$T/r.tsr" -CAfile "$P/tsa-chain.pem" >/dev/null 2>&1 ||
    echo "# warning: the last stamp does not verify"
r=$(ratio "$ra_rate" "$loop_rate")
printf 'bench tsa: %d time stamps at concurrency %d, %.1f stamps/s (each signed, serial from PostgreSQL, logged); "openssl ts -reply" in a shell loop %.1f/s: ratio %.2f, target >= 0.5: %s\n' \
    "$N" "$C" "$ra_rate" "$loop_rate" "$r" "$(verdict "$r" '>=' 0.5)"
