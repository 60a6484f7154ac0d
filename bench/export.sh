#!/bin/sh
# bench/export.sh -- ④, "clientdl.cgi --officer", over BENCH_CERTS
# (100,000) client certificates, against a baseline measured in the same
# run: psql's COPY of the same rows (certificate and request, the DER in
# hex) to a file, the least a dump of them can cost.
#
#   time:   the export's wall time (target <= 2 s), and as a ratio to the
#           COPY's
#   memory: its peak RSS for BENCH_CERTS rows next to a tenth as many
#           (flat: a ratio of about 1)
#
# Each is the best of BENCH_RUNS (3) runs, the highest RSS of them: on a
# shared machine the fastest run is the one least disturbed.
#
# One real client certificate comes from the worker; the others are
# copies of its rows made by SQL, each with its own serial, key hash and
# DER (the schema's UNIQUE constraints), a user in Japanese, a PKCS#12
# URL (column 28's lookup) and one in ten revoked.
. "$(dirname "$0")/../t/lib.sh"
M=${BENCH_CERTS:-100000}
SMALL=$((M / 10))
RUNS=${BENCH_RUNS:-3}

stack_up
. "$top/bench/helpers"
D=$DESKDIR/desk.cgi
"$D" institution-add --code bench --name-ja ベンチ大学 --name-en "Bench University" --st Tokyo \
    --l Chiyoda-ku --from 2026-01-01 --until 2030-12-31 >/dev/null &&
"$D" domain-add --institution bench --domain bench.ac.jp >/dev/null || bail "desk"
off=$("$D" officer-add --institution bench --name-ja 試験 --romaji Shiken --mail ra@bench.ac.jp \
    --phone 03-0000-0000 --domains bench.ac.jp --interfaces 4,10 | sed -n 's/^officer \([0-9]*\) .*/\1/p')
inst=$(sql "SELECT institution_id FROM ra.institution WHERE code = 'bench'")
printf 'bench-secret\n' >"$T/pass"
"$TOOLSDIR/ca.cgi" request --institution bench --profile 14 --subject "CN=Bench User,O=Bench University,C=JP" \
    --secret-stdin --wait 120 <"$T/pass" >"$T/req.out" 2>&1 || bail "no client certificate: $(tail -n 1 "$T/req.out")"
real=$(sql "SELECT cert_id FROM ra.certificate WHERE kind = 'client' AND state = 'issued'")

# more N OFFSET: N more copies of the real certificate, as the worker stores them.
more() {
	sql "INSERT INTO ra.request (institution_id, action, kind, profile_id, subject_der, subject_dn, state,
                done_at, user_name, user_mail, attrs, download_method, p12_name, cn)
         SELECT $inst, 'issue', 'client', 14, '\\x3000', 'CN=Bench User,O=Bench University,C=JP', 'done',
                now(), 'ベンチ利用者' || g, 'user' || g || '@bench.ac.jp',
                '{\"user_affiliation\": \"情報学研究科\"}', 1, 'bench' || g, 'bench copy ' || ($2 + g)
           FROM generate_series(1, $1) g;
         INSERT INTO ra.certificate (ca_id, serial, request_id, institution_id, kind, profile_id,
                subject_dn, cn, spki_der, spki_sha256, state, tbs_der, der, not_before, not_after, issued_at)
         SELECT c.ca_id, 10::numeric ^ 30 + r.request_id, r.request_id, $inst, 'client', 14,
                'CN=Bench User ' || r.request_id || ',O=Bench University,C=JP', 'Bench User ' || r.request_id,
                '\\x00', sha256(convert_to('bench' || r.request_id, 'UTF8')), 'issued', '\\x00',
                c.der || convert_to(r.request_id::text, 'UTF8'), c.not_before, c.not_after, now()
           FROM ra.request r, ra.certificate c
          WHERE r.cn LIKE 'bench copy %' AND c.cert_id = $real
            AND NOT EXISTS (SELECT 1 FROM ra.certificate x WHERE x.request_id = r.request_id);
         INSERT INTO ra.access_token (purpose, token_sha256, institution_id, request_id, expires_at)
         SELECT 'p12_download', sha256(convert_to('bench token' || r.request_id, 'UTF8')), $inst,
                r.request_id, now() + interval '14 days'
           FROM ra.request r
          WHERE r.cn LIKE 'bench copy %'
            AND NOT EXISTS (SELECT 1 FROM ra.access_token t WHERE t.request_id = r.request_id);
         INSERT INTO ra.revocation (cert_id, ca_id, serial, not_after, reason)
         SELECT cert_id, ca_id, serial, not_after, 1 FROM ra.certificate c
          WHERE c.cn LIKE 'Bench User %' AND c.cert_id % 10 = 0
            AND NOT EXISTS (SELECT 1 FROM ra.revocation v WHERE v.cert_id = c.cert_id);
         ANALYZE ra.request; ANALYZE ra.certificate; ANALYZE ra.access_token; ANALYZE ra.revocation;" ||
	    bail "bulk insert"
}
min() { if [ "$(echo "$1 < $2" | bc -l)" = 1 ]; then echo "$1"; else echo "$2"; fi; }
max() { if [ "$1" -gt "$2" ]; then echo "$1"; else echo "$2"; fi; }
# export -> "seconds peakKB rows", best of RUNS
export_run() {
	best=999 kb=0 i=0
	while [ $i -lt "$RUNS" ]; do
		s=$(now)
		/usr/bin/time -f %M -o "$T/rss" "$OFFICERDIR/clientdl.cgi" --officer "$off" \
		    >"$T/clientAll.tsv" || bail "clientdl.cgi failed"
		e=$(now)
		best=$(min "$best" "$(echo "$e - $s" | bc -l)")
		kb=$(max "$kb" "$(cat "$T/rss")")
		i=$((i + 1))
	done
	echo "$best $kb $(($(wc -l <"$T/clientAll.tsv") - 1))"
}
# all -> "seconds peakKB rows": ⑥ (alldl.cgi) over the same rows, best of RUNS
all_run() {
	best=999 kb=0 i=0
	while [ $i -lt "$RUNS" ]; do
		s=$(now)
		/usr/bin/time -f %M -o "$T/rss" "$OFFICERDIR/alldl.cgi" --officer "$off" \
		    >"$T/certAll.tsv" || bail "alldl.cgi failed"
		e=$(now)
		best=$(min "$best" "$(echo "$e - $s" | bc -l)")
		kb=$(max "$kb" "$(cat "$T/rss")")
		i=$((i + 1))
	done
	echo "$best $kb $(($(wc -l <"$T/certAll.tsv") - 1))"
}
# copy -> "seconds": the same rows, as psql's COPY writes them, best of RUNS
copy_run() {
	best=999 i=0
	while [ $i -lt "$RUNS" ]; do
		s=$(now)
		psql -h "$T/var/pgsock" -U postgres -d ra -Atq -v ON_ERROR_STOP=1 -c \
		    "COPY (SELECT c.*, r.* FROM ra.certificate c JOIN ra.request r USING (request_id)
		            WHERE c.institution_id = $inst AND c.kind IN ('client', 'smime')
		              AND c.state = 'issued'
		            ORDER BY c.cert_id) TO STDOUT" >"$T/copy.out" || bail "COPY failed"
		e=$(now)
		best=$(min "$best" "$(echo "$e - $s" | bc -l)")
		i=$((i + 1))
	done
	echo "$best"
}

more $((SMALL - 1)) 0
set -- $(export_run)
small_s=$1 small_kb=$2 small_rows=$3
more $((M - SMALL)) $SMALL
copy_s=$(copy_run)
set -- $(export_run)
big_s=$1 big_kb=$2 big_rows=$3
[ "$big_rows" -eq "$M" ] || echo "# warning: $big_rows rows exported of $M"
fields=$(iconv -f CP932 -t UTF-8 "$T/clientAll.tsv" | awk -F'\t' 'NF != 46 { n++ } END { print n + 0 }')
[ "$fields" -eq 0 ] || echo "# warning: $fields lines without 46 fields"
set -- $(all_run)
all_s=$1 all_kb=$2 all_rows=$3
r=$(ratio "$big_s" "$copy_s")
flat=$(ratio "$big_kb" "$small_kb")

printf 'bench export: ④ export of %d certificates (%d MB) in %.2f s (best of %d), target <= 2 s: %s\n' \
    "$big_rows" "$(($(stat -c %s "$T/clientAll.tsv") / 1048576))" "$big_s" "$RUNS" "$(verdict "$big_s" '<=' 2)"
printf 'bench export:   vs psql COPY of the same rows (%.2f s, %d MB): ratio %.2f\n' \
    "$copy_s" "$(($(stat -c %s "$T/copy.out") / 1048576))" "$r"
printf 'bench export:   peak memory %d KB for %d rows, %d KB for %d (%.2f s): ratio %.2f, flat (<= 1.2): %s\n' \
    "$big_kb" "$big_rows" "$small_kb" "$small_rows" "$small_s" "$flat" "$(verdict "$flat" '<=' 1.2)"
printf 'bench export: ⑥ export of the same %d certificates in %.2f s (best of %d), target <= 2 s: %s; peak memory %d KB\n' \
    "$all_rows" "$all_s" "$RUNS" "$(verdict "$all_s" '<=' 2)" "$all_kb"
