#!/bin/sh
# bench/soak.sh -- "make soak": a bounded mixed load on a private stack for
# SOAK_SECONDS (600), then the assertions of issue 14 item 5:
#
#   - no error answers: every request got the status it should, with the
#     content it should (an upload's rows all processed, a PIN ZIP that
#     unzips, a P12 that opens, an OCSP answer "good"), and every row
#     uploaded is issued in the end;
#   - RSS flat for every long-running process of the stack (worker, mail
#     daemon, Apache parent and children, PostgreSQL postmaster and its
#     auxiliary processes, the SMTP sink): /proc/PID/status sampled every
#     SOAK_SAMPLE (3) s; a process is flat when the median RssAnon (its
#     private heap and stack: what a leak grows; shared buffers and mapped
#     files are not) of the last fifth of the run is at most the second
#     fifth's median plus the larger of 20% and 5 MB (the first fifth is
#     warm-up).  Processes that do not span both fifths (PostgreSQL
#     backends of one CGI run, Apache children that come and go) are
#     counted but not judged;
#   - no mail lost or doubled: every row uploaded queued its mails, to its
#     own recipients (one address per row), each mail of the outbox is
#     sent, and each is in the sink exactly once (by its Message-ID), per
#     recipient as many as the outbox holds;
#   - "ops.cgi audit-verify" exits 0 afterwards.
#
# The load: seven loops at once, each its own client (curl, openssl),
# paced so a busy 2-core machine keeps up (steadiness, not speed):
#   server    ① uploads over HTTPS with the RA certificate, SOAK_SROWS (3)
#             RSA-2048 rows each, every SOAK_SPACE (8) s
#   client    ③ uploads, SOAK_CROWS (2) P12個別 rows each, every 1.5 x
#             SOAK_SPACE s
#   fetch     the user administrators' and users' one-time URLs read off
#             the sink as they arrive: certget (page, chain, PKCS#7),
#             pinget (the PIN ZIP), cliget (the PIN, then the P12)
#   screens   menu, ①, ③, ⑥'s choice page and ⑦ over HTTPS
#   downloads ② download.cgi, ④ clientdl.cgi, ⑥ alldl.cgi?dl=1
#   crl       every CA's CRL over plain HTTP
#   ocsp      openssl ocsp against /ocsp for the newest issued certificates
# Also reported, not asserted: the median time from upload to issued in
# the second and the last fifth (steadiness, but the machine's), and
# asserted: no error lines in Apache's, PostgreSQL's, the worker's and the
# mailer's logs.
# The figures print as a table and go to $SOAK_OUT (var/soak) as TSV:
# soak-STAMP.tsv (the table), soak-STAMP-rss.tsv (the samples), and
# last.tsv (a copy of the newest table).
. "$(dirname "$0")/../t/lib.sh"
SECS=${SOAK_SECONDS:-600}
SAMPLE=${SOAK_SAMPLE:-3}
SROWS=${SOAK_SROWS:-3}
CROWS=${SOAK_CROWS:-2}
SPACE=${SOAK_SPACE:-8}
OUT=${SOAK_OUT:-$top/var/soak}
O="National Institute of Informatics"
DN="O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP"

echo "soak: bringing up a private stack"
stack_up
officer_with_cert 1,2,3,4,6,7,10
mails_settle
S=$T/soak
mkdir -p "$S/fetch" "$OUT"
CU="curl -sS --cacert $CACERT --cert-type P12 --cert $OFFICER_P12:$OFFICER_PASS"
PU="curl -sS --cacert $CACERT"
LRA=$URL/ra/lra
HTTP=http://localhost:$RA_HTTP_PORT
for slug in $(sql "SELECT slug FROM ra.ca WHERE role = 'issuing'"); do
	sql "SELECT encode(cert_der, 'base64') FROM ra.ca WHERE slug = '$slug'" | base64 -d |
	    openssl x509 -inform DER -out "$S/$slug.pem" || bail "no certificate for CA $slug"
done
# The mails of the set-up are not the load's; the load's are counted apart.
sql "SELECT coalesce(max(mail_id), 0) FROM ra.mail" >"$S/mail0"

# --- the record every loop keeps --------------------------------------------
# rec LOG KIND OK DETAIL SECONDS: one line per request, "ok" or "ERR".
rec() { printf '%s\t%s\t%s\t%s\n' "$2" "$3" "${5:-0}" "$4" >>"$S/req.$1"; }
# req LOG KIND WANT OUTFILE CURL-ARGS...: a request that must answer WANT.
req() {
	_log=$1 _kind=$2 _want=$3 _out=$4
	shift 4
	_w=$("$@" -o "$_out" -w '%{http_code} %{time_total}' 2>>"$S/curl.err")
	_code=${_w% *}
	if [ "$_code" = "$_want" ]; then rec "$_log" "$_kind" ok "$_code" "${_w#* }"; return 0; fi
	rec "$_log" "$_kind" ERR "status ${_code:-none}, want $_want" "${_w#* }"
	return 1
}
alive() { [ "$(date +%s)" -lt "$END" ]; }
login() {	# login JAR LOG
	req "$2" login 303 /dev/null $CU -c "$1" "$LRA/login.cgi"
}
csrf_of() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$1" | head -n 1; }

# --- ① uploads -----------------------------------------------------------
loop_server() {
	jar=$S/jar.server k=0
	login "$jar" server
	while alive; do
		req server screen 200 "$S/sform.html" $CU -b "$jar" "$LRA/server.cgi"
		csrf=$(csrf_of "$S/sform.html")
		i=0
		while [ $i -lt "$SROWS" ]; do
			k=$((k + 1)) i=$((i + 1))
			cn=s$k.nii.ac.jp
			csr=$(openssl req -new -newkey rsa:2048 -nodes \
			    -keyout /dev/null -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=$cn" 2>/dev/null |
			    tr -d '\n')
			printf 'CN=%s,%s\t21\t\t\t\t\t%s\t山田太郎\t情報基盤センター\tadm-s%d@nii.ac.jp\t%s\tApache\t\r\n' \
			    "$cn" "$DN" "$csr" "$k" "$cn"
		done >"$S/s.utf8"
		iconv -f UTF-8 -t CP932 <"$S/s.utf8" >"$S/s.tsv"
		if req server upload-server 200 "$S/sup.html" $CU -b "$jar" -F "csrf=$csrf" -F applyType=1 \
		    -F errorFlg=partial -F "file=@$S/s.tsv;filename=s.tsv" "$LRA/server.cgi"; then
			if grep -q "アップロード処理が完了しました。（${SROWS}件）" "$S/sup.html" &&
			    ! grep -q '<td>NG</td>' "$S/sup.html"; then
				echo "$SROWS" >>"$S/rows.server"
			else
				rec server upload-server-rows ERR "not all $SROWS rows processed"
			fi
		fi
		sleep "$SPACE"
	done
}

# --- ③ uploads (P12個別: M1 to the user administrator, M2 to the user) ---
loop_client() {
	jar=$S/jar.client k=0 b=0
	login "$jar" client
	while alive; do
		req client screen 200 "$S/cform.html" $CU -b "$jar" "$LRA/client.cgi"
		csrf=$(csrf_of "$S/cform.html")
		b=$((b + 1)) i=0
		while [ $i -lt "$CROWS" ]; do
			k=$((k + 1)) i=$((i + 1))
			printf 'CN=c%d,%s\t14\t1\t\t\t\t\t国立 管理者\t情報基盤センター\tadm-c%d@nii.ac.jp\t利用者 %d\tNIIsoak-%d\t情報学研究科\tu-c%d@nii.ac.jp\t\r\n' \
			    "$k" "$DN" "$b" "$k" "$k" "$k"
		done >"$S/c.utf8"
		iconv -f UTF-8 -t CP932 <"$S/c.utf8" >"$S/c.tsv"
		if req client upload-client 200 "$S/cup.html" $CU -b "$jar" -F "csrf=$csrf" -F applyType=1 \
		    -F errorFlg=partial -F "file=@$S/c.tsv;filename=c.tsv" "$LRA/client.cgi"; then
			if grep -q "アップロード処理が完了しました。（${CROWS}件）" "$S/cup.html" &&
			    ! grep -q '<td>NG</td>' "$S/cup.html"; then
				echo "$CROWS" >>"$S/rows.client"
			else
				rec client upload-client-rows ERR "not all $CROWS rows processed"
			fi
		fi
		sleep $((SPACE * 3 / 2))
	done
}

# --- the one-time URLs, read off the sink as a user would ------------------
# Each mail is taken once (its name in seen); an M2 whose PIN has not come
# yet waits in S/fetch/want.ADDR for a later pass.
fetch_one() {	# fetch_one MAILFILE
	body=$(mail_text "$1")
	u=$(printf '%s\n' "$body" | grep -o 'https://[^ ]*certget.cgi?t=[A-Za-z0-9_-]*' | head -n 1)
	if [ -n "$u" ]; then
		req fetch certget 200 "$S/cg.html" $PU "$u"
		req fetch certget 200 "$S/cg.pem" $PU "$u&f=chain" &&
		    { [ "$(grep -c 'BEGIN CERTIFICATE' "$S/cg.pem")" = 3 ] ||
		      rec fetch certget-chain ERR "the chain does not hold 3 certificates"; }
		req fetch certget 200 "$S/cg.p7b" $PU "$u&f=p7b"
		return
	fi
	u=$(printf '%s\n' "$body" | grep -o 'https://[^ ]*pinget.cgi?t=[A-Za-z0-9_-]*' | head -n 1)
	if [ -n "$u" ]; then
		if req fetch pinget 200 "$S/pin.zip" $PU -d "t=$(tok_of "$u")" "$URL/ra/pinget.cgi"; then
			unzip -p "$S/pin.zip" accesspin.txt 2>/dev/null | iconv -f CP932 -t UTF-8 | tr -d '\r' |
			    awk -F'\t' 'NR > 1 { print $3 > (dir "/pin." $2) }' dir="$S/fetch"
			[ "$(unzip -p "$S/pin.zip" accesspin.txt 2>/dev/null | wc -l)" -ge 2 ] ||
			    rec fetch pinget-zip ERR "the PIN ZIP holds no PIN"
		fi
		return
	fi
	u=$(m2_url "$1")
	if [ -n "$u" ]; then
		to=$(sed -n 's/^To: //p' "$1" | grep -o 'u-c[0-9]*@nii\.ac\.jp' | head -n 1)
		[ -n "$to" ] || { rec fetch m2 ERR "an M2 to no user of the load"; return; }
		echo "$u" >"$S/fetch/want.$to"
	fi
}
fetch_p12() {	# fetch_p12 WANTFILE: the P12 once its PIN is known
	to=${1##*/want.}
	[ -s "$S/fetch/pin.$to" ] || return 0
	u=$(cat "$1") pin=$(cat "$S/fetch/pin.$to")
	if req fetch cliget 200 "$S/u.p12" $PU -d "t=$(tok_of "$u")&step=pin&pin=$pin&format=modern" \
	    "$URL/ra/cliget.cgi"; then
		openssl pkcs12 -in "$S/u.p12" -passin "pass:$pin" -noout 2>/dev/null ||
		    rec fetch cliget-p12 ERR "the P12 for $to does not open with its PIN"
	fi
	rm -f "$1" "$S/fetch/pin.$to"
}
loop_fetch() {
	: >"$S/fetch/seen"
	while alive; do
		for f in $(ls "$T/var/mail/maildir/new/" 2>/dev/null); do
			grep -qxF "$f" "$S/fetch/seen" && continue
			echo "$f" >>"$S/fetch/seen"
			grep -q '^To: .*@nii\.ac\.jp' "$T/var/mail/maildir/new/$f" || continue
			fetch_one "$T/var/mail/maildir/new/$f"
		done
		for w in "$S"/fetch/want.*; do
			[ -f "$w" ] && fetch_p12 "$w"
		done
		sleep 2
	done
}

# --- screens and downloads with the RA certificate -----------------------
loop_screens() {
	jar=$S/jar.screens
	login "$jar" screens
	while alive; do
		for p in menu.cgi server.cgi client.cgi alldl.cgi stats.cgi; do
			req screens screen 200 "$S/screen.html" $CU -b "$jar" "$LRA/$p" &&
			    { grep -q '</html>' "$S/screen.html" ||
			      rec screens screen-body ERR "$p: no complete page"; }
			sleep 0.5
		done
	done
}
loop_downloads() {
	jar=$S/jar.dl
	login "$jar" downloads
	while alive; do
		for p in download.cgi clientdl.cgi "alldl.cgi?dl=1"; do
			req downloads "download-${p%%.cgi*}" 200 "$S/dl.tsv" $CU -b "$jar" "$LRA/$p" &&
			    { [ "$(wc -l <"$S/dl.tsv")" -ge 1 ] ||
			      rec downloads download-body ERR "$p: an empty file"; }
			sleep 1
		done
	done
}

# --- CRL and OCSP over plain HTTP ---------------------------------------
loop_crl() {
	while alive; do
		for c in "$T"/var/crl/*.crl; do
			n=${c##*/}
			req crl crl 200 "$S/got.crl" curl -sS "$HTTP/crl/$n" &&
			    { openssl crl -inform DER -in "$S/got.crl" -noout 2>/dev/null ||
			      rec crl crl-body ERR "$n does not parse"; }
			sleep 0.5
		done
	done
}
loop_ocsp() {
	while alive; do
		# A few issued certificates, newest first, with their CA.
		sql "SELECT ca.slug, c.serial FROM ra.certificate c JOIN ra.ca USING (ca_id)
		     WHERE c.state = 'issued' AND c.kind IN ('server', 'client')
		     ORDER BY c.cert_id DESC LIMIT 4" >"$S/ocsp.list" 2>>"$S/curl.err"
		while IFS='|' read -r slug serial; do
			t0=$(date +%s.%N)
			o=$(openssl ocsp -issuer "$S/$slug.pem" -serial "$serial" -CAfile "$CACERT" \
			    -url "$HTTP/ocsp" 2>&1)
			t1=$(date +%s.%N)
			s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
			case $o in
			*"Response verify OK"*"$serial: good"*) rec ocsp ocsp ok good "$s" ;;
			*) rec ocsp ocsp ERR "$(printf '%s' "$o" | tr '\n' ' ' | cut -c1-120)" "$s" ;;
			esac
			sleep 0.5
		done <"$S/ocsp.list"
		sleep 0.5
	done
}

# --- RSS of the long-running processes ----------------------------------
# One line per process per sample: seconds, pid, name, VmRSS, RssAnon (KB).
procs() {
	for f in worker mail smtp httpd; do
		p=$(pidof_ "$T/var/run/$f.pid") || continue
		echo "$p $f"
		[ "$f" = httpd ] && for c in $(ps -o pid= --ppid "$p"); do echo "$c httpd-child"; done
	done
	p=$(head -n 1 "$T/var/pg/postmaster.pid" 2>/dev/null) && {
		echo "$p postmaster"
		for c in $(ps -o pid= --ppid "$p"); do
			n=$({ tr '\0' ' ' </proc/"$c"/cmdline; } 2>/dev/null |
			    sed 's/^postgres: //; s/ .*//; s/[^a-z_]//g')
			[ -n "$n" ] && echo "$c pg-$n"
		done
	}
}
pidof_() { [ -s "$1" ] && head -n 1 "$1"; }
loop_rss() {
	while alive; do
		now=$(($(date +%s) - START))
		procs | while read -r pid name; do
			awk -v t="$now" -v p="$pid" -v n="$name" '
			    /^VmRSS:/ { v = $2 } /^RssAnon:/ { a = $2 }
			    END { if (v != "") printf "%d\t%d\t%s\t%d\t%d\n", t, p, n, v, a }' \
			    /proc/"$pid"/status 2>/dev/null
		done >>"$S/rss.tsv"
		sleep "$SAMPLE"
	done
}

# --- the run ---------------------------------------------------------------
# The daemons' pids now, against the end's: one that died and was
# restarted, or is gone, would otherwise just drop out of the RSS figures.
daemons() {
	for f in worker mail smtp httpd; do printf '%s=%s ' "$f" "$(pidof_ "$T/var/run/$f.pid")"; done
	echo "postmaster=$(head -n 1 "$T/var/pg/postmaster.pid" 2>/dev/null)"
}
daemons0=$(daemons)
START=$(date +%s)
END=$((START + SECS))
echo "soak: $SECS s of mixed load from $(date -u +%H:%M:%S) UTC (stack in $T)"
loop_rss &
loop_server &
loop_client &
loop_fetch &
loop_screens &
loop_downloads &
loop_crl &
loop_ocsp &
wait
STOP=$(date +%s)
daemons1=$(daemons)
gone=0
for d in $daemons0; do
	p=${d#*=}
	{ [ -n "$p" ] && kill -0 "$p" 2>/dev/null && printf '%s' "$daemons1" | grep -qw -- "$d"; } ||
	    { gone=$((gone + 1)); echo "soak: $d did not last the run (now: $daemons1)"; }
done
echo "soak: load over after $((STOP - START)) s; letting the queue and the outbox drain"

# Every row uploaded issued: bounded waits for the worker and the mailer.
srows=$(cat "$S/rows.server" 2>/dev/null | awk '{ n += $1 } END { print n + 0 }')
crows=$(cat "$S/rows.client" 2>/dev/null | awk '{ n += $1 } END { print n + 0 }')
i=0
until [ "$(sql "SELECT (SELECT count(*) FROM ra.request WHERE state = 'queued')
                    + (SELECT count(*) FROM ra.job WHERE state IN ('queued', 'running'))")" = 0 ] ||
    [ $i -ge 300 ]; do sleep 1; i=$((i + 1)); done
mails_settle
issued_s=$(sql "SELECT count(*) FROM ra.certificate WHERE kind = 'server' AND state = 'issued' AND cn LIKE 's%.nii.ac.jp'")
issued_c=$(sql "SELECT count(*) FROM ra.certificate WHERE kind = 'client' AND state = 'issued' AND cn LIKE 'c%'")
failed_r=$(sql "SELECT count(*) FROM ra.request WHERE state IN ('failed', 'cancelled')")

# Mails: expected from the uploads (one M6 per server row, M1 and M2 per
# client row, each to its own address), then outbox against sink.
m0=$(cat "$S/mail0")
exp_m=$((srows + 2 * crows))
got_m=$(sql "SELECT count(*) FROM ra.mail WHERE mail_id > $m0 AND template IN ('server-cert-url', 'client-pin', 'client-cert-url')")
one_each=$(sql "SELECT count(*) FROM (SELECT r FROM ra.mail, unnest(recipients) r
                WHERE mail_id > $m0 AND template IN ('server-cert-url', 'client-cert-url')
                GROUP BY r HAVING count(*) <> 1) x")
outbox=$(sql "SELECT count(*) FROM ra.mail WHERE mail_id > $m0")
unsent=$(sql "SELECT count(*) FROM ra.mail WHERE mail_id > $m0 AND state <> 'sent'")
sed -n 's/^Message-ID: <ra-mail-\([0-9]*\)@.*/\1/p' "$T"/var/mail/maildir/new/* | sort >"$S/sink.ids"
sql "SELECT mail_id FROM ra.mail WHERE state = 'sent' " | sort >"$S/sent.ids"
doubled=$(uniq -d "$S/sink.ids" | wc -l)
lost=$(sort -u "$S/sink.ids" | comm -13 - "$S/sent.ids" | wc -l)
stray=$(sort -u "$S/sink.ids" | comm -23 - "$S/sent.ids" | wc -l)
delivered=$(awk -v m="$m0" '$1 > m' "$S/sink.ids" | sort -u | wc -l)
# Per recipient: the outbox's count against the sink's (X-RcptTo).
sql "SELECT r, count(*) FROM ra.mail, unnest(recipients) r WHERE state = 'sent' GROUP BY r ORDER BY r" |
    tr '|' '\t' >"$S/rcpt.outbox"
for f in "$T"/var/mail/maildir/new/*; do
	sed -n 's/^X-RcptTo: //p' "$f" | tr -d '\r' | tr ',' '\n' | sed 's/^ *//; s/ *$//'
done | sort | uniq -c | awk '{ printf "%s\t%s\n", $2, $1 }' | sort >"$S/rcpt.sink"
rcpt_diff=$(sort "$S/rcpt.outbox" | diff - "$S/rcpt.sink" | grep -c '^[<>]')

# Steadiness, not asserted (it is the machine's): the median time from
# upload to issued of the rows uploaded in the second and the last fifth.
lat() {	# lat FROM-FIFTH TO-FIFTH
	sql "SELECT coalesce(round((percentile_cont(0.5) WITHIN GROUP (ORDER BY
	            extract(epoch FROM done_at - created_at)))::numeric, 2), 0)
	       FROM ra.request WHERE kind IN ('server', 'client') AND state = 'done'
	        AND created_at >= to_timestamp($START + $1 * $run / 5)
	        AND created_at < to_timestamp($START + $2 * $run / 5)"
}
run=$((STOP - START))
lat2=$(lat 1 2) lat5=$(lat 4 5)

# What the logs say went wrong that no answer showed: Apache at error or
# worse, PostgreSQL ERROR, FATAL or PANIC, the worker's and the mailer's.
log_apache=$(grep -c '\[[a-z_]*:\(error\|crit\|alert\|emerg\)\]' "$T/var/log/apache-error.log")
log_pg=$(grep -c ' \(ERROR\|FATAL\|PANIC\): ' "$T/var/log/postgres.log")
log_ra=$(cat "$T/var/log/worker.log" "$T/var/log/mail.log" | grep -ci 'error\|fail\|refus\|cannot')

audit=$("$TOOLSDIR/ops.cgi" audit-verify 2>&1)
audit_rc=$?

# --- figures ------------------------------------------------------------
stamp=$(date -u +%Y%m%dT%H%M%SZ)
tsv=$OUT/soak-$stamp.tsv
cat "$S"/req.* >"$S/req.all"
{
	printf 'section\tname\tvalue1\tvalue2\tvalue3\tvalue4\tvalue5\tvalue6\tverdict\n'
	printf 'run\tseconds\t%d\t\t\t\t\t\n' "$run"
	# requests: kind, served, errors, per second, median s, max s
	awk -F'\t' -v run="$run" '
	    { n[$1]++; if ($2 != "ok") e[$1]++ }
	    END { for (k in n) printf "requests\t%s\t%d\t%d\t%.2f\t\t\t%s\n", k, n[k], e[k], n[k] / run,
	              e[k] ? "FAIL" : "ok" }' "$S/req.all" | sort
	for k in $(cut -f1 "$S/req.all" | sort -u); do
		awk -F'\t' -v k="$k" '$1 == k { print $3 }' "$S/req.all" | sort -n |
		    awk -v k="$k" '{ v[NR] = $1 } END { printf "latency\t%s\t%.3f\t%.3f\t\t\t\t\n", k, v[int((NR + 1) / 2)], v[NR] }'
	done
	awk -F'\t' -v run="$run" '{ n++; if ($2 != "ok") e++ }
	    END { printf "requests\tTOTAL\t%d\t%d\t%.2f\t\t\t%s\n", n, e, n / run, e ? "FAIL" : "ok" }' "$S/req.all"
	# rss: name(pid); first, last, peak VmRSS; second-fifth and last-fifth
	# median RssAnon and the KB/min between them (shown, not judged); flat
	# or not.  The verdict is the last column of every row.
	awk -F'\t' -v run="$run" '
	    function med(s,   n, a, i, j, x) {
		n = split(s, a, " ")
		for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
		return a[int((n + 1) / 2)]
	    }
	    { k = $3 "(" $2 ")"; if (!(k in first)) { first[k] = $4; order[++no] = k }
	      last[k] = $4; if ($4 > peak[k]) peak[k] = $4; ns[k]++
	      if ($1 >= run / 5 && $1 < 2 * run / 5) s2[k] = s2[k] " " $5
	      if ($1 >= 4 * run / 5) s5[k] = s5[k] " " $5 }
	    END { for (i = 1; i <= no; i++) { k = order[i]
		if (s2[k] == "" || s5[k] == "") { short++; continue }
		a = med(s2[k]); b = med(s5[k]); allow = a * 0.2; if (allow < 5120) allow = 5120
		printf "rss\t%s\t%d\t%d\t%d\t%d\t%d\t%.1f\t%s\n", k, first[k], last[k], peak[k], a, b,
		    (b - a) / (run * 3 / 5 / 60), (b - a <= allow) ? "flat" : "FAIL" }
		printf "rss\tshort-lived (not judged)\t%d\t\t\t\t\t\n", short }' "$S/rss.tsv"
	printf 'rss\tdaemons not lasting the run\t%d\t\t\t\t\t%s\n' "$gone" "$([ "$gone" = 0 ] && echo ok || echo FAIL)"
	printf 'issue\tserver rows uploaded / issued\t%d\t%d\t\t\t\t%s\n' "$srows" "$issued_s" \
	    "$([ "$srows" -gt 0 ] && [ "$srows" = "$issued_s" ] && echo ok || echo FAIL)"
	printf 'issue\tclient rows uploaded / issued\t%d\t%d\t\t\t\t%s\n' "$crows" "$issued_c" \
	    "$([ "$crows" -gt 0 ] && [ "$crows" = "$issued_c" ] && echo ok || echo FAIL)"
	printf 'issue\trequests refused or failed\t%d\t\t\t\t\t%s\n' "$failed_r" \
	    "$([ "$failed_r" = 0 ] && echo ok || echo FAIL)"
	printf 'mail\texpected from uploads / queued\t%d\t%d\t\t\t\t%s\n' "$exp_m" "$got_m" \
	    "$([ "$exp_m" = "$got_m" ] && [ "$one_each" = 0 ] && echo ok || echo FAIL)"
	printf 'mail\toutbox / delivered / unsent\t%d\t%d\t%d\t\t\t%s\n' "$outbox" "$delivered" "$unsent" \
	    "$([ "$outbox" = "$delivered" ] && [ "$unsent" = 0 ] && echo ok || echo FAIL)"
	printf 'mail\tlost / doubled / stray / recipients differing\t%d\t%d\t%d\t%d\t\t%s\n' \
	    "$lost" "$doubled" "$stray" "$rcpt_diff" \
	    "$([ "$lost$doubled$stray$rcpt_diff" = 0000 ] && echo ok || echo FAIL)"
	printf 'issue\tupload to issued, median s, 2nd / last fifth\t%s\t%s\t\t\t\t\n' "$lat2" "$lat5"
	printf 'logs\tapache error / postgres error / worker+mail\t%d\t%d\t%d\t\t\t%s\n' \
	    "$log_apache" "$log_pg" "$log_ra" "$([ "$log_apache$log_pg$log_ra" = 000 ] && echo ok || echo FAIL)"
	printf 'audit\taudit-verify exit\t%d\t\t\t\t\t%s\n' "$audit_rc" "$([ "$audit_rc" = 0 ] && echo ok || echo FAIL)"
} | awk -F'\t' -v OFS='\t' '	# nine columns each: section, name, six values, verdict
    { v = ""; for (i = 3; i <= 8; i++) v = v OFS ((i < NF) ? $i : ""); print $1, $2 v, $NF }' >"$tsv"
{ printf 'seconds\tpid\tname\tvmrss_kb\trssanon_kb\n'; cat "$S/rss.tsv"; } >"$OUT/soak-$stamp-rss.tsv"
cp "$tsv" "$OUT/last.tsv"

sh "$top/bench/soak-table" "$tsv"
echo "soak: audit-verify: $(printf '%s' "$audit" | tail -n 1)"
echo "soak: figures in $tsv"
if grep -q '	FAIL$' "$tsv"; then
	echo "soak: FAILED"
	grep -h 'ERR' "$S"/req.* | cut -f1,4 | sort | uniq -c | sort -rn | head -n 10 | sed 's/^/soak:   /'
	[ "$rcpt_diff" = 0 ] || sort "$S/rcpt.outbox" | diff - "$S/rcpt.sink" | head -n 10 | sed 's/^/soak:   /'
	exit 1
fi
echo "soak: passed"
