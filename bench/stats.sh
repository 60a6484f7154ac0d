#!/bin/sh
# bench/stats.sh -- ⑦, "stats.cgi" over HTTPS with the RA certificate,
# over BENCH_STATS_CERTS (1,000,000) certificates of the officer's
# institution, every one of them inside the period asked for (the last
# 24 months), against a baseline measured in the same run: psql's bare
# "SELECT count(*)" over the same rows.
#
#   time:  the page's wall time, curl's total, the median of BENCH_RUNS
#          (7) runs (target <= 300 ms), and as a ratio to the median of
#          as many runs of the count
#
# The certificates are made by SQL (generate_series), as the worker and
# migration 017 would store them: six in ten server certificates under
# three registered domains and one unregistered subdomain, three client,
# one S/MIME (their users' mail under two domains or none); a quarter
# renewals superseding the one before, one in seven never fetched, one
# in twenty revoked, issued over 24 months.  017's insert trigger is
# paused for the load and its columns filled in the same statement: the
# trigger's work is one certificate's, a million times over, and not
# what is measured.
. "$(dirname "$0")/../t/lib.sh"
N=${BENCH_STATS_CERTS:-1000000}
RUNS=${BENCH_RUNS:-7}

stack_up
. "$top/bench/helpers"
officer_with_cert 7,10
D=$DESKDIR/desk.cgi
"$D" domain-add --institution nii --domain soken.ac.jp >/dev/null &&
"$D" domain-add --institution nii --domain med.nii.ac.jp >/dev/null || bail "desk"
inst=$(sql "SELECT institution_id FROM ra.institution WHERE code = 'nii'")
sql "INSERT INTO ra.officer_domain (institution_id, officer_id, domain_id)
     SELECT institution_id, 1, domain_id FROM ra.domain WHERE name <> 'nii.ac.jp'" || bail "officer domains"

s=$(now)
psql -h "$T/var/pgsock" -U postgres -d ra -Atq -v ON_ERROR_STOP=1 -v inst="$inst" -v n="$N" <<'SQL' || bail "bulk insert"
ALTER TABLE ra.certificate DISABLE TRIGGER certificate_stats_facts;
INSERT INTO ra.request (institution_id, action, kind, profile_id, subject_der, subject_dn, state,
       done_at, admin_name, admin_mail, user_name, user_mail, download_method, p12_name, cn)
SELECT :inst, 'issue', k.kind, k.profile, '\x3000', 'CN=bench', 'done', now(),
       CASE WHEN k.kind = 'server' THEN '管理者' END,
       CASE WHEN k.kind = 'server' THEN 'admin@nii.ac.jp' END,
       CASE WHEN k.kind <> 'server' THEN '利用者' END,
       CASE WHEN k.kind <> 'server'
            THEN 'u' || g || '@' || (ARRAY['nii.ac.jp', 'soken.ac.jp', 'example.com'])[g % 3 + 1] END,
       CASE WHEN k.kind <> 'server' THEN 1 END,
       CASE WHEN k.kind <> 'server' THEN 'p' || g END,
       'bench-' || g
  FROM generate_series(1, :n) g,
       LATERAL (SELECT CASE WHEN g % 10 < 6 THEN 'server' WHEN g % 10 < 9 THEN 'client' ELSE 'smime' END AS kind,
                       CASE WHEN g % 10 < 6 THEN 21 + g % 2 WHEN g % 10 < 9 THEN 14 ELSE 16 END AS profile) k;
-- The host a server certificate is named after: three registered
-- domains and a subdomain of one (www.nii.ac.jp: nii.ac.jp's).
CREATE TEMP TABLE host (i int PRIMARY KEY, suffix text, domain text);
INSERT INTO host VALUES (0, 'nii.ac.jp', 'nii.ac.jp'), (1, 'www.nii.ac.jp', 'nii.ac.jp'),
    (2, 'med.nii.ac.jp', 'med.nii.ac.jp'), (3, 'soken.ac.jp', 'soken.ac.jp');
INSERT INTO ra.certificate (ca_id, serial, request_id, institution_id, kind, profile_id, subject_dn, cn,
       spki_der, spki_sha256, state, tbs_der, der, not_before, not_after, issued_at, retrieved_at,
       domain_id, renewal)
SELECT (SELECT ca_id FROM ra.ca_kind WHERE kind = r.kind AND current),
       10::numeric ^ 30 + r.request_id, r.request_id, :inst, r.kind, r.profile_id,
       'CN=bench', CASE WHEN r.kind = 'server' THEN 'h' || r.request_id || '.' || h.suffix
                        ELSE 'User ' || r.request_id END,
       '\x00', sha256(convert_to('b' || r.request_id, 'UTF8')), 'issued', '\x00',
       convert_to('d' || r.request_id, 'UTF8'),
       t.at, t.at + CASE WHEN r.kind = 'server' THEN interval '198 days' ELSE interval '25 months' END,
       t.at, CASE WHEN r.request_id % 7 <> 0 THEN t.at + interval '1 day' END,
       (SELECT domain_id FROM ra.domain d
         WHERE d.name = CASE WHEN r.kind = 'server' THEN h.domain
                             ELSE split_part(r.user_mail::text, '@', 2) END),
       false
  FROM ra.request r
  JOIN host h ON h.i = r.request_id % 4,
       LATERAL (SELECT now() - interval '700 days' * ((r.request_id * 7919) % 100000) / 100000.0 AS at) t
 WHERE r.cn LIKE 'bench-%';
ALTER TABLE ra.certificate ENABLE TRIGGER certificate_stats_facts;
-- A quarter are renewals of the certificate before them, which they supersede.
UPDATE ra.request r SET action = 'renew', target_cert_id = c.cert_id - 1
  FROM ra.certificate c
 WHERE c.request_id = r.request_id AND r.cn LIKE 'bench-%' AND r.request_id % 4 = 0
   AND EXISTS (SELECT 1 FROM ra.certificate o WHERE o.cert_id = c.cert_id - 1 AND o.kind = c.kind);
UPDATE ra.certificate c SET renewal = true
  FROM ra.request r WHERE r.request_id = c.request_id AND r.action = 'renew' AND r.cn LIKE 'bench-%';
UPDATE ra.certificate o SET superseded_by = c.cert_id
  FROM ra.certificate c JOIN ra.request r ON r.request_id = c.request_id
 WHERE r.action = 'renew' AND r.cn LIKE 'bench-%' AND o.cert_id = r.target_cert_id;
-- One in twenty revoked (017's trigger marks the certificate).
INSERT INTO ra.revocation (cert_id, ca_id, serial, not_after, reason, revoked_at)
SELECT cert_id, ca_id, serial, not_after, 1, issued_at + interval '10 days' FROM ra.certificate c
 WHERE c.institution_id = :inst AND c.cert_id % 20 = 0 AND c.kind <> 'ra_officer';
-- As autovacuum leaves them: all visible, statistics taken.
VACUUM ANALYZE ra.request;
VACUUM ANALYZE ra.certificate;
VACUUM ANALYZE ra.revocation;
SQL
e=$(now)
seeded=$(sql "SELECT count(*) FROM ra.certificate WHERE institution_id = $inst AND kind <> 'ra_officer'")
[ "$seeded" -ge "$N" ] || bail "only $seeded certificates seeded"

month() { TZ=Asia/Tokyo date -d "$(TZ=Asia/Tokyo date +%Y-%m-15) -$1 months" +%Y-%m; }
FROM=$(month 23) TO=$(month 0)
CU="curl -sS --cacert $CACERT --cert-type P12 --cert $OFFICER_P12:$OFFICER_PASS"
JAR=$T/jar
$CU -c "$JAR" -o /dev/null "$URL/ra/lra/login.cgi"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# page -> seconds, one run: the whole page, through Apache and TLS.
page() { $CU -b "$JAR" -o "$T/stats.html" -w '%{time_total}\n' "$URL/ra/lra/stats.cgi?from=$FROM&to=$TO"; }
# count -> seconds, one run: psql's bare count of the same rows.
count() {
	cs=$(now)
	psql -h "$T/var/pgsock" -U postgres -d ra -Atq -c \
	    "SELECT count(*) FROM ra.certificate WHERE institution_id = $inst AND state = 'issued'
	       AND issued_at >= '$FROM-01 00:00:00+09'
	       AND issued_at < ('$TO-01 00:00:00+09'::timestamptz + interval '1 month')" >"$T/count.out"
	ce=$(now)
	echo "$ce - $cs" | bc -l
}
# shell -> seconds, one run: the same numbers from a shell (TSV), without
# Apache, TLS and the session: what the counting itself costs.
shell() {
	ss=$(now)
	"$OFFICERDIR/stats.cgi" --officer 1 --from "$FROM" --to "$TO" >"$T/stats.tsv" || bail "stats.cgi failed"
	se=$(now)
	echo "$se - $ss" | bc -l
}
page >/dev/null		# the first run warms the caches; not counted
i=0
while [ $i -lt "$RUNS" ]; do page; i=$((i + 1)); done >"$T/page.times"
i=0
while [ $i -lt "$RUNS" ]; do count; i=$((i + 1)); done >"$T/count.times"
i=0
while [ $i -lt "$RUNS" ]; do shell; i=$((i + 1)); done >"$T/shell.times"
shell_s=$(median <"$T/shell.times")
page_s=$(median <"$T/page.times")
count_s=$(median <"$T/count.times")
total=$(perl -0ne 'print $1 if /<tr class="total">.*?<td[^>]*>(\d+)<\/td>/s' "$T/stats.html")
[ "$total" = "$seeded" ] || echo "# warning: the page counted $total of $seeded certificates"
r=$(ratio "$page_s" "$count_s")

printf 'bench stats: ⑦ over %d certificates (%s..%s, seeded in %.0f s) in %.0f ms (median of %d), target <= 300 ms: %s\n' \
    "$seeded" "$FROM" "$TO" "$(echo "$e - $s" | bc -l)" "$(echo "$page_s * 1000" | bc -l)" "$RUNS" \
    "$(verdict "$page_s" '<=' 0.3)"
printf 'bench stats:   vs psql SELECT count(*) of the same rows (%.0f ms, median of %d): ratio %.2f\n' \
    "$(echo "$count_s * 1000" | bc -l)" "$RUNS" "$r"
printf 'bench stats:   of which the counting: "stats.cgi --officer" from a shell (no Apache, TLS, session) %.0f ms, ratio %.2f to the count\n' \
    "$(echo "$shell_s * 1000" | bc -l)" "$(ratio "$shell_s" "$count_s")"
