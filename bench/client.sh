#!/bin/sh
# bench/client.sh -- ③ P12一括 end to end against a baseline of the same run.
#
#   BENCH_CLIENT_ROWS (1,000) client rows with download method 2 (P12一括)
#   in one Shift_JIS TSV: uploaded with "client.cgi --mode abort", the
#   keys made and the certificates signed by two workers, the upload's
#   PIN ZIP and bulk ZIP (client.txt and every PKCS#12) fetched from
#   pinget.cgi and cliget.cgi as the user administrator would.  Rows per
#   second from the upload to the ZIP in hand, against raw RSA-2048
#   keygen/s on two cores (both busy) measured just before: target >= 0.90.
. "$(dirname "$0")/../t/lib.sh"
N=${BENCH_CLIENT_ROWS:-1000}
CAN=${BENCH_CA_LOOP:-50}	# the "openssl ca" loop of bench/baseline

stack_up
worker_stop
W=$TOOLSDIR/worker.cgi
D=$DESKDIR/desk.cgi
printf 'Tsv.MaxRecords = %d\n' "$N" >>"$RA_CONF"
"$D" institution-add --code bench --name-ja ベンチ大学 --name-en "Bench University" --st Tokyo \
    --l Chiyoda-ku --from 2026-01-01 --until 2030-12-31 >/dev/null &&
"$D" domain-add --institution bench --domain bench.ac.jp >/dev/null || bail "desk"
off=$("$D" officer-add --institution bench --name-ja 試験 --romaji Shiken --mail ra@bench.ac.jp \
    --phone 03-0000-0000 --domains bench.ac.jp --interfaces 3,4,10 | sed -n 's/^officer \([0-9]*\) .*/\1/p')
. "$top/bench/baseline"

awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++)
	printf "CN=u%d.bench,O=Bench University,L=Chiyoda-ku,ST=Tokyo,C=JP\t14\t2\t\t\t\t\t試験 管理者\t情報センター\tadmin@bench.ac.jp\t利用者%d\tbench%06d\t研究科\tu%d@bench.ac.jp\t\r\n", i, i, i, i }' |
    iconv -f UTF-8 -t CP932 >"$T/bulk.tsv" || bail "TSV"

t0=$(now)
"$top/bench/mkreq" keygen $((N / 2)) >/dev/null &
"$top/bench/mkreq" keygen $((N / 2)) >/dev/null
wait
t1=$(now)
keygen_rate=$(rate "$N" "$t0" "$t1")

cu="curl -sS --cacert $CACERT"
t0=$(now)
"$OFFICERDIR/client.cgi" --officer "$off" --action issue --mode abort "$T/bulk.tsv" >/dev/null 2>"$T/up.err" ||
    bail "upload failed: $(tail -n 2 "$T/up.err")"
t1=$(now)
drain2
t2=$(now)
mails_settle
pin=$(m1_where admin@bench.ac.jp "t.batch_id IS NOT NULL") || bail "no bulk PIN mail"
crt=$(m2_url "$(mail_to admin@bench.ac.jp "[UPKI] クライアント証明書発行受付通知")") || bail "no bulk URL mail"
$cu -o "$T/pin.zip" -d "t=$(tok_of "$pin")" "$URL/ra/pinget.cgi" || bail "PIN ZIP"
$cu -o "$T/bulk.zip" -d "t=$(tok_of "$crt")&step=bulk&format=modern" "$URL/ra/cliget.cgi" || bail "bulk ZIP"
t3=$(now)
files=$(unzip -Z1 "$T/bulk.zip" | grep -c '\.p12$')
[ "$files" -eq "$N" ] || echo "# warning: $files P12 files of $N"
e2e=$(rate "$N" "$t0" "$t3")
r=$(ratio "$e2e" "$keygen_rate")
printf 'bench client: P12一括 of %d rows end to end %.1f rows/s (upload %.1fs, keys and certificates %.1fs, ZIPs %.1fs); raw RSA-2048 keygen on two cores %.1f/s: ratio %.2f, target >= 0.90: %s\n' \
    "$N" "$e2e" "$(echo "$t1 - $t0" | bc -l)" "$(echo "$t2 - $t1" | bc -l)" \
    "$(echo "$t3 - $t2" | bc -l)" "$keygen_rate" "$r" "$(verdict "$r" '>=' 0.90)"
