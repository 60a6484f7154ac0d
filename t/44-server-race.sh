#!/bin/sh
# Races and double clicks on ①: concurrent uploads of overlapping files,
# from shells and over HTTPS, each file with its own new keys.  Exactly one
# certificate per host name comes out, the losers get 212 on their rows
# (never a system error), and the same file posted twice at once issues
# once.  Renewals of one certificate racing each other: one wins, 235.
. "$(dirname "$0")/lib.sh"
stack_up
officer_with_cert 1,2,10
worker_stop
O="National Institute of Informatics"
DN="O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP"
S=$OFFICERDIR/server.cgi

# file NAME HOST... : an issue TSV with a fresh key per row.
file() {
	f=$1
	shift
	for h in "$@"; do
		csr=$(openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		    -keyout /dev/null -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=$h" 2>/dev/null |
		    tr -d '\n')
		printf 'CN=%s,%s\t22\t\t\t\t\t%s\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\t%s\tApache\t\r\n' \
		    "$h" "$DN" "$csr" "$h"
	done | iconv -f UTF-8 -t CP932 >"$T/$f"
}

# 1. Six shells at once, each file overlapping the next by two hosts.
N=6
i=0
while [ $i -lt $N ]; do
	file "s$i.tsv" "h$i.nii.ac.jp" "h$((i + 1)).nii.ac.jp" "h$((i + 2)).nii.ac.jp"
	i=$((i + 1))
done
i=0
while [ $i -lt $N ]; do
	"$S" --officer 1 --action issue --mode partial "$T/s$i.tsv" >"$T/s$i.out" 2>"$T/s$i.err" &
	i=$((i + 1))
done
wait
hosts=$((N + 2))
is "$(sql "SELECT count(DISTINCT lower(cn)), count(*) FROM ra.request WHERE kind = 'server'")" \
    "$hosts|$hosts" "$N racing shell uploads queue each of the $hosts host names once"
is "$(cat "$T"/s*.out | grep -c '	OK	')" "$hosts" "as many OK rows as host names"
is "$(cat "$T"/s*.out | grep -c '	NG	212:')" "$((3 * N - hosts))" "every other row lost with 212"
hasnt "$(cat "$T"/s*.out "$T"/s*.err)" "23505" "no unique violation reaches the user"
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null 2>&1
is "$(sql "SELECT count(*) FROM ra.certificate WHERE kind = 'server'
           GROUP BY lower(cn) HAVING count(*) > 1")" "" "one certificate per host name"

# 2. Over HTTPS: the same file posted twice at once (a double click, two
# tabs), and four overlapping files at once.
CU="curl -sS --cacert $CACERT --cert-type P12 --cert $OFFICER_P12:$OFFICER_PASS"
LRA=$URL/ra/lra
JAR=$T/jar
$CU -c "$JAR" -o /dev/null "$LRA/login.cgi"
csrf=$($CU -b "$JAR" "$LRA/server.cgi" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)
post() {	# post FILE OUT
	$CU -b "$JAR" -o "$2" -w '%{http_code}\n' -F "csrf=$csrf" -F applyType=1 -F errorFlg=abort \
	    -F "file=@$1" "$LRA/server.cgi"
}
file twice.tsv dbl.nii.ac.jp dbl2.nii.ac.jp
post "$T/twice.tsv" "$T/w1.html" >"$T/w1.code" &
post "$T/twice.tsv" "$T/w2.html" >"$T/w2.code" &
wait
is "$(cat "$T/w1.code" "$T/w2.code" | sort | tr '\n' ' ')" "200 200 " "the same file posted twice at once: two answers, no 500"
is "$(sql "SELECT count(*) FROM ra.request WHERE cn IN ('dbl.nii.ac.jp', 'dbl2.nii.ac.jp')")" 2 \
    "its rows are queued once"
both=$(cat "$T/w1.html" "$T/w2.html")
has "$both" "全件の処理を中止しました" "the later one is refused whole (abort mode)"
printf '%s' "$both" | grep -qE '(212:1,主体者DN,指定したDNはすでに存在しています。|228:1,CSR,この鍵は以前に使われています)'
ok $? "with 212 or 228 (the same key) on its rows"
i=0
while [ $i -lt 4 ]; do
	file "w$i.tsv" "web$i.nii.ac.jp" "web$((i + 1)).nii.ac.jp"
	i=$((i + 1))
done
i=0
while [ $i -lt 4 ]; do
	post "$T/w$i.tsv" "$T/wp$i.html" >"$T/wp$i.code" &
	i=$((i + 1))
done
wait
is "$(cat "$T"/wp*.code | sort -u)" 200 "four overlapping uploads over HTTPS: no error answer"
is "$(sql "SELECT count(*) - count(DISTINCT lower(cn)) FROM ra.request WHERE cn LIKE 'web%'")" 0 \
    "each host name queued at most once"
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null 2>&1
is "$(sql "SELECT count(*) FROM ra.certificate WHERE kind = 'server'
           GROUP BY lower(cn) HAVING count(*) > 1")" "" "still one certificate per host name"

# 3. Two renewals of one certificate at once: one is queued, the other 235.
serial=$(sql "SELECT serial FROM ra.certificate WHERE cn = 'h0.nii.ac.jp'")
i=0
while [ $i -lt 2 ]; do
	csr=$(openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout /dev/null -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=h0.nii.ac.jp" 2>/dev/null |
	    tr -d '\n')
	printf 'CN=h0.nii.ac.jp,%s\t22\t\t%s\t\t\t%s\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\th0.nii.ac.jp\tApache\t\r\n' \
	    "$DN" "$serial" "$csr" | iconv -f UTF-8 -t CP932 >"$T/r$i.tsv"
	i=$((i + 1))
done
"$S" --officer 1 --action renew --mode abort "$T/r0.tsv" >"$T/r0.out" 2>&1 &
"$S" --officer 1 --action renew --mode abort "$T/r1.tsv" >"$T/r1.out" 2>&1 &
wait
is "$(sql "SELECT count(*) FROM ra.request WHERE action = 'renew'")" 1 "two racing renewals: one is queued"
has "$(cat "$T/r0.out" "$T/r1.out")" "235:1,シリアル番号,${serial}の証明書はすでに更新されています。" \
    "the other gets 235"

done_testing
