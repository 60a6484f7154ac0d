#!/bin/sh
# bench/server.sh -- ① and ② against baselines measured in the same run.
#
#   ①: a BENCH_ROWS (10,000) row server issue TSV, validated, queued,
#      issued by two workers with the user administrators' mails queued;
#      certificates per second next to raw RSA-2048 sign/s on one core and
#      a shell loop around "openssl ca" (targets of the CA engine: >= 0.50
#      and >= 15x)
#   ②: the bulk download of BENCH_CERTS (100,000) certificates (target
#      <= 2 s), and its peak memory next to a tenth as many (flat: ~1x)
. "$(dirname "$0")/../t/lib.sh"
N=${BENCH_ROWS:-10000}
M=${BENCH_CERTS:-100000}
CAN=${BENCH_CA_LOOP:-200}

stack_up
worker_stop
W=$TOOLSDIR/worker.cgi
D=$DESKDIR/desk.cgi
printf 'Tsv.MaxRecords = %d\n' "$N" >>"$RA_CONF"
"$D" institution-add --code bench --name-ja ベンチ大学 --name-en "Bench University" --st Tokyo \
    --l Chiyoda-ku --from 2026-01-01 --until 2030-12-31 >/dev/null &&
"$D" domain-add --institution bench --domain bench.ac.jp >/dev/null || bail "desk"
off=$("$D" officer-add --institution bench --name-ja 試験 --romaji Shiken --mail ra@bench.ac.jp \
    --phone 03-0000-0000 --domains bench.ac.jp --interfaces 1,2,10 | sed -n 's/^officer \([0-9]*\) .*/\1/p')
inst=$(sql "SELECT institution_id FROM ra.institution WHERE code = 'bench'")

. "$top/bench/baseline"

# --- ① ------------------------------------------------------------------------
"$top/bench/mkreq" tsv "$N" | iconv -f UTF-8 -t CP932 >"$T/bench.tsv" || bail "mkreq tsv"
t0=$(now)
"$OFFICERDIR/server.cgi" --officer "$off" --action issue --mode abort "$T/bench.tsv" >/dev/null 2>"$T/up.err" ||
    bail "upload failed: $(tail -n 2 "$T/up.err")"
t1=$(now)
drain2
t2=$(now)
issued=$(sql "SELECT count(*) FROM ra.certificate WHERE kind = 'server' AND state = 'issued'")
mails=$(sql "SELECT count(*) FROM ra.mail WHERE template = 'server-cert-url'")
[ "$issued" -eq "$N" ] && [ "$mails" -eq "$N" ] || echo "# warning: $issued issued, $mails mails of $N"
e2e=$(rate "$N" "$t0" "$t2")
r1=$(ratio "$e2e" "$raw_sign")
r2=$(ratio "$e2e" "$ca_loop")

# --- ② ------------------------------------------------------------------------
more=$((M - N))
sql "INSERT INTO ra.request (institution_id, action, kind, profile_id, subject_der, state, done_at,
            admin_name, admin_mail)
     SELECT $inst, 'issue', 'server', 22, '\\x3000', 'done', now(), '試験太郎', 'admin@bench.ac.jp'
       FROM generate_series(1, $more);
     INSERT INTO ra.certificate (ca_id, serial, request_id, institution_id, kind, profile_id,
            subject_dn, cn, spki_der, spki_sha256, state, tbs_der, der, not_before, not_after, issued_at)
     SELECT (SELECT ca_id FROM ra.ca WHERE slug = 'server-ca'), 10::numeric ^ 30 + r.request_id,
            r.request_id, $inst, 'server', 22, 'CN=b' || r.request_id || '.bench.ac.jp,O=Bench University',
            'b' || r.request_id || '.bench.ac.jp', '\\x00',
            sha256(convert_to('bench' || r.request_id, 'UTF8')), 'issued', '\\x00',
            (SELECT der FROM ra.certificate WHERE kind = 'server' AND der IS NOT NULL LIMIT 1)
              || convert_to(r.request_id::text, 'UTF8'),
            now(), now() + interval '100 days', now()
       FROM ra.request r WHERE r.subject_der = '\\x3000';
     ANALYZE ra.certificate;"
dl() {	# dl -> "seconds peakKB rows"
	s=$(now)
	/usr/bin/time -f %M -o "$T/rss" "$OFFICERDIR/download.cgi" --officer "$off" >"$T/all.tsv" ||
	    bail "download failed"
	e=$(now)
	echo "$(echo "$e - $s" | bc -l) $(cat "$T/rss") $(($(wc -l <"$T/all.tsv") - 1))"
}
set -- $(dl)
dl_s=$1 dl_kb=$2 dl_rows=$3
# A tenth as many: nine in ten certificates moved out of the officer's domains.
sql "UPDATE ra.certificate SET cn = cn || '.invalid' WHERE kind = 'server' AND cert_id % 10 <> 0"
set -- $(dl)
small_kb=$2 small_rows=$3
flat=$(ratio "$dl_kb" "$small_kb")

printf 'bench server: %d-row issue TSV validated, queued, issued and mailed: %.0f certificates/s\n' "$N" "$e2e"
printf 'bench server:   (upload %.1f s, issuance with 2 workers %.1f s)\n' \
    "$(echo "$t1 - $t0" | bc -l)" "$(echo "$t2 - $t1" | bc -l)"
printf 'bench server:   vs raw RSA-2048 sign on one core (%.0f/s): ratio %.2f, target >= 0.50: %s\n' \
    "$raw_sign" "$r1" "$(verdict "$r1" '>=' 0.50)"
printf 'bench server:   vs a shell loop around openssl ca (%.1f/s): ratio %.1f, target >= 15: %s\n' \
    "$ca_loop" "$r2" "$(verdict "$r2" '>=' 15)"
printf 'bench server: ② download of %d certificates in %.2f s, target <= 2 s: %s\n' \
    "$dl_rows" "$dl_s" "$(verdict "$dl_s" '<=' 2)"
printf 'bench server:   peak memory %d KB for %d rows, %d KB for %d: ratio %.2f (flat is ~1)\n' \
    "$dl_kb" "$dl_rows" "$small_kb" "$small_rows" "$flat"
