#!/bin/sh
# アップロード履歴 (batch.cgi, issue 17): the officer's recent uploads from
# the menu, and one batch's progress bar, which reloads itself (a meta
# refresh, no JavaScript) while the worker still has requests of it and
# stops when they are done; the result TSV linked.  Only the officer's own
# batches: another's, or one that does not exist, is a 404, audited.
. "$(dirname "$0")/lib.sh"
stack_up
officer_with_cert 1,2,10
worker_stop		# the test moves the worker itself: progress is the data's
CU="curl -sS --cacert $CACERT --cert-type P12 --cert $OFFICER_P12:$OFFICER_PASS"
LRA=$URL/ra/lra
JAR=$T/jar
O="National Institute of Informatics"
$CU -c "$JAR" -o /dev/null "$LRA/login.cgi"
has "$($CU -b "$JAR" "$LRA/menu.cgi")" '<a id="batches" href="batch.cgi">アップロード履歴・処理状況</a>' \
    "the menu links the recent uploads"
p=$($CU -b "$JAR" "$LRA/batch.cgi")
has "$p" 'id="none"' "which says when there are none yet"

# Three server rows, uploaded from a shell as officer 1.
for h in a b c; do
	csr=$(openssl req -new -newkey rsa:2048 -nodes -keyout "$T/$h.key" \
	    -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=$h.nii.ac.jp" 2>/dev/null | tr -d '\n')
	printf 'CN=%s.nii.ac.jp,O=%s,L=Chiyoda-ku,ST=Tokyo,C=JP\t21\t\t\t\t\t%s\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\t%s.nii.ac.jp\tApache\t\r\n' \
	    "$h" "$O" "$csr" "$h"
done | iconv -f UTF-8 -t CP932 >"$T/three.tsv"
"$OFFICERDIR/server.cgi" --officer 1 --action issue --mode abort "$T/three.tsv" >"$T/up.out" 2>"$T/up.err"
ok $? "a three-row upload is accepted"
b=$(sql "SELECT max(batch_id) FROM ra.batch WHERE officer_id = 1 AND kind = 'server'")

list=$($CU -b "$JAR" "$LRA/batch.cgi")
has "$list" "<tr id=\"batch-$b\"><td><a href=\"batch.cgi?id=$b\">$b</a></td>" "the list shows the batch, linked"
has "$list" "①サーバ証明書 発行" "as a ① issue"
has "$list" "<progress max=\"3\" value=\"0\"" "with its progress: none of 3 done"
has "$list" '<meta http-equiv="refresh" content="3">' "and reloads itself while the worker has work"
one=$($CU -b "$JAR" "$LRA/batch.cgi?id=$b")
has "$one" '<progress id="progress" max="3" value="0">' "the batch's own page: a progress bar at 0 of 3"
has "$one" '<td id="queued">3</td>' "3 queued"
has "$one" 'id="running"' "says the worker is on it and leaving does not stop it"
has "$one" '<meta http-equiv="refresh" content="3">' "and reloads itself"
has "$($OFFICERDIR/batch.cgi --officer 1 --batch "$b")" "$b	" "from a shell, the same batch as TSV"
is "$($OFFICERDIR/batch.cgi --officer 1 --batch "$b" | awk -F'\t' 'NR == 2 { print $7, $8, $11, $16 }')" \
    "3 3 3 0" "rows, accepted, queued and percent done"

# The worker takes one of the three: the bar moves.
sql "UPDATE ra.job SET run_after = now() + interval '1 day'
      WHERE request_id IN (SELECT request_id FROM ra.request WHERE batch_id = $b AND cn <> 'a.nii.ac.jp')" >/dev/null
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null 2>>"$T/worker.log"
one=$($CU -b "$JAR" "$LRA/batch.cgi?id=$b")
has "$one" '<progress id="progress" max="3" value="1">' "one issued: the bar is at 1 of 3"
has "$one" '<td id="done">1</td>' "1 done"
has "$one" '<meta http-equiv="refresh" content="3">' "still reloading"
sql "UPDATE ra.job SET run_after = now() WHERE state = 'queued'" >/dev/null
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null 2>>"$T/worker.log"
one=$($CU -b "$JAR" "$LRA/batch.cgi?id=$b")
has "$one" '<progress id="progress" max="3" value="3">' "all issued: 3 of 3"
has "$one" '<td id="done">3</td>' "3 done"
has "$one" 'id="finished"' "the page says the batch is finished"
hasnt "$one" 'http-equiv="refresh"' "and stops reloading"
has "$one" "<a id=\"result-tsv\" href=\"server.cgi?batch=$b\">" "the result TSV is linked"
code=$($CU -b "$JAR" -o "$T/result.tsv" -w '%{http_code}' "$LRA/server.cgi?batch=$b")
is "$code" 200 "and downloads"
is "$(iconv -f CP932 -t UTF-8 "$T/result.tsv" | grep -c '	OK	')" 3 "with the three rows OK"

# Not the officer's: 404, audited; from a shell, refused.
n0=$(sql "SELECT count(*) FROM ra.audit WHERE event = 'web.refused' AND detail->>'script' = '/ra/lra/batch.cgi'")
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/batch.cgi?id=999999")" 404 \
    "a batch that is not the officer's: 404"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'web.refused' AND detail->>'script' = '/ra/lra/batch.cgi'")" \
    $((n0 + 1)) "audited"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/batch.cgi?id=1x")" 400 "a malformed id: 400"
other=$("$DESKDIR/desk.cgi" officer-add --institution nii --name-ja 別担当 --romaji Betsu \
    --mail betsu@nii.ac.jp --phone 03-0000-0000 --domains nii.ac.jp --interfaces 1,2,10 |
    sed -n 's/^officer \([0-9]*\) .*/\1/p')
"$OFFICERDIR/batch.cgi" --officer "$other" --batch "$b" >/dev/null 2>"$T/b.err"
[ $? -ne 0 ]; ok $? "another officer of the same institution does not see it"
has "$(cat "$T/b.err")" "batch $b is not officer $other's" "and is told why"
is "$("$OFFICERDIR/batch.cgi" --officer "$other" | wc -l)" 1 "their own list is empty (the header only)"

done_testing
