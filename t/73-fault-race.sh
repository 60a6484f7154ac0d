#!/bin/sh
# Two RA officers of one institution, each with the client certificate
# ra issued them, upload overlapping ① renewals and revocations at the
# same instant over HTTPS.  Per certificate one wins; the other's row says
# which row and what happened (235 already renewed, 234 already revoked);
# nothing is renewed twice or revoked twice; a certificate revoked first
# is not renewed after.  Files in the same and in reverse order, so the
# two transactions also cross.
. "$(dirname "$0")/lib.sh"
stack_up
officer_with_cert 1
O="National Institute of Informatics"
DN="O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP"
S=$OFFICERDIR/server.cgi
"$DESKDIR/desk.cgi" officer-add --institution nii --name-ja 佐藤花子 --romaji "Hanako Sato" \
    --mail hanako@nii.ac.jp --phone 03-1234-5679 --domains nii.ac.jp --interfaces 1 \
    >/dev/null || bail "second officer not registered"
ra_cert_fetch hanako@nii.ac.jp 2 "$T/hanako"
[ -s "$T/hanako.pem" ]; ok $? "a second officer of the institution has an RA certificate"

csr() {	# csr HOST: a fresh P-256 CSR, one line
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
	    -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=$1" 2>/dev/null | tr -d '\n'
}
row() {	# row HOST SERIAL: an issue (no serial) or renewal row
	printf 'CN=%s,%s\t22\t\t%s\t\t\t%s\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\t%s\tApache\t\r\n' \
	    "$1" "$DN" "$2" "$(csr "$1")" "$1"
}
rev() {	# rev HOST SERIAL: a revocation row (reason 5, cessationOfOperation)
	printf 'CN=%s,%s\t\t\t%s\t5\t\t\t\t\tyamada@nii.ac.jp\r\n' "$1" "$DN" "$2"
}
sjis() { iconv -f UTF-8 -t CP932 >"$T/$1"; }

# Twelve certificates: r1-r4 renewed by both, v1-v4 revoked by both, m1-m4
# renewed by one while the other revokes them.
H="r1 r2 r3 r4 v1 v2 v3 v4 m1 m2 m3 m4"
for h in $H; do row "$h.nii.ac.jp" ""; done | sjis issue.tsv
"$S" --officer 1 --action issue --mode abort "$T/issue.tsv" >/dev/null 2>&1
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null 2>&1
is "$(sql "SELECT count(*) FROM ra.certificate WHERE kind = 'server' AND state = 'issued'")" 12 \
    "twelve server certificates to race on"
sn() { sql "SELECT serial FROM ra.certificate WHERE cn = '$1.nii.ac.jp' AND superseded_by IS NULL
             ORDER BY cert_id LIMIT 1"; }
for h in $H; do eval "s_$h=\$(sn $h)"; done
worker_stop		# renewals stay queued: "in progress" while the race runs

# Each officer: one renewal file and one revocation file; B's in reverse.
fwd() { echo "$@"; }
bwd() { for x in "$@"; do echo "$x"; done | tac | tr '\n' ' '; }
mk() {	# mk WHO ORDER
	for h in $($2 r1 r2 r3 r4); do eval row "$h.nii.ac.jp" "\$s_$h"; done >"$T/$1-renew.u8"
	for h in $($2 v1 v2 v3 v4); do eval rev "$h.nii.ac.jp" "\$s_$h"; done >"$T/$1-revoke.u8"
	sjis "$1-renew.tsv" <"$T/$1-renew.u8"
	sjis "$1-revoke.tsv" <"$T/$1-revoke.u8"
}
mk a fwd
mk b bwd
# m1-m4: A renews, B revokes, at once.
for h in m1 m2 m3 m4; do eval row "$h.nii.ac.jp" "\$s_$h"; done | sjis a-mixed.tsv
for h in m4 m3 m2 m1; do eval rev "$h.nii.ac.jp" "\$s_$h"; done | sjis b-mixed.tsv

LRA=$URL/ra/lra
login() {	# login WHO P12 PASS: cookie jar $T/WHO.jar, csrf in $T/WHO.csrf
	c="curl -sS --cacert $CACERT --cert-type P12 --cert $2:$3"
	$c -c "$T/$1.jar" -o /dev/null "$LRA/login.cgi"
	$c -b "$T/$1.jar" "$LRA/server.cgi" |
	    sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1 >"$T/$1.csrf"
	echo "$c"
}
CA_=$(login a "$OFFICER_P12" "$OFFICER_PASS")
CB_=$(login b "$T/hanako.p12" "$(cat "$T/hanako.pass")")
[ -s "$T/a.csrf" ] && [ -s "$T/b.csrf" ]; ok $? "both officers logged in to ①"
post() {	# post WHO APPLYTYPE FILE: the result page to $T/FILE.html
	eval c=\$C$(echo "$1" | tr ab AB)_
	$c -b "$T/$1.jar" -o "$T/$3.html" -w '%{http_code}\n' -F "csrf=$(cat "$T/$1.csrf")" \
	    -F "applyType=$2" -F errorFlg=partial -F "file=@$T/$3" "$LRA/server.cgi" >"$T/$3.code"
}
# Result rows, read off the page's result TSV link would need another
# request; the stored result TSV of each batch is what the officer gets.
post a 2 a-renew.tsv & p1=$!
post b 2 b-renew.tsv & p2=$!
post a 3 a-revoke.tsv & p3=$!
post b 3 b-revoke.tsv & p4=$!
post a 2 a-mixed.tsv & p5=$!
post b 3 b-mixed.tsv & p6=$!
wait $p1 $p2 $p3 $p4 $p5 $p6
is "$(cat "$T"/*.tsv.code | sort -u)" 200 "six concurrent uploads: every answer is 200"
result() {	# result FILE: the stored result TSV of that upload, UTF-8
	sql "SELECT convert_from(result_tsv, 'UTF8') FROM ra.batch b JOIN ra.officer o USING (officer_id)
	     WHERE b.filename = '$1' ORDER BY batch_id DESC LIMIT 1" | tr -d '\r'
}
for f in a-renew b-renew a-revoke b-revoke a-mixed b-mixed; do result "$f.tsv" >"$T/$f.res"; done
hasnt "$(cat "$T"/*.res "$T"/*.tsv.html)" "system error" "no system error in any answer"
hasnt "$(cat "$T"/*.res)" "SQLSTATE" "no database internals in any row"

# Renewals: each certificate once; the other officer's row says 235.
for h in r1 r2 r3 r4; do
	eval s=\$s_$h
	oks=$(cat "$T/a-renew.res" "$T/b-renew.res" | grep -c "^CN=$h\.nii.*	$s	.*	OK	")
	is "$oks" 1 "$h: renewed by exactly one officer"
	ng=$(cat "$T/a-renew.res" "$T/b-renew.res" | grep "^CN=$h\.nii.*	$s	.*	NG	")
	printf '%s' "$ng" | grep -qE "235:[0-9]+,シリアル番号,${s}の証明書はすでに更新されています。"
	ok $? "$h: the other's row says 235 already renewed, with its row number"
done
is "$(sql "SELECT count(*), count(DISTINCT target_cert_id) FROM ra.request WHERE action = 'renew'
           AND cn IN ('r1.nii.ac.jp', 'r2.nii.ac.jp', 'r3.nii.ac.jp', 'r4.nii.ac.jp')")" "4|4" \
    "four renewals queued, one per certificate"

# Revocations: each once; the other's row says 234.
for h in v1 v2 v3 v4; do
	eval s=\$s_$h
	oks=$(cat "$T/a-revoke.res" "$T/b-revoke.res" | grep -c "^CN=$h\.nii.*	$s	.*	OK	")
	is "$oks" 1 "$h: revoked by exactly one officer"
	ng=$(cat "$T/a-revoke.res" "$T/b-revoke.res" | grep "^CN=$h\.nii.*	$s	.*	NG	")
	printf '%s' "$ng" | grep -qE "234:[0-9]+,シリアル番号,${s}はすでに失効しています。"
	ok $? "$h: the other's row says 234 already revoked, with its row number"
done
is "$(sql "SELECT count(*), count(DISTINCT cert_id) FROM ra.revocation v JOIN ra.certificate c USING (cert_id)
           WHERE c.cn LIKE 'v_.nii.ac.jp'")" "4|4" "four revocations, one per certificate"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'cert.revoke' AND cert_subject LIKE 'CN=v_.nii.ac.jp%'")" 4 \
    "and four revocations audited"

# Renewal against revocation: the revocation always stands (never refused
# for a renewal in progress); a renewal after it is refused with 234.
for h in m1 m2 m3 m4; do
	eval s=\$s_$h
	grep -q "^CN=$h\.nii.*	$s	.*	OK	" "$T/b-mixed.res"
	ok $? "$h: revoked"
	if grep -q "^CN=$h\.nii.*	$s	.*	OK	" "$T/a-mixed.res"; then
		echo "# $h: renewed before the revocation committed"
	else
		grep -qE "234:[0-9]+,シリアル番号,${s}はすでに失効しています。" "$T/a-mixed.res"
		ok $? "$h: its renewal, after the revocation, says 234 already revoked"
	fi
done
is "$(sql "SELECT count(*) FROM ra.revocation v JOIN ra.certificate c USING (cert_id)
           WHERE c.cn LIKE 'm_.nii.ac.jp'")" 4 "m1-m4 each revoked once"

# Afterwards, one at a time: a revoked certificate is not renewed, a
# renewed one not again, a revoked one not again.
for h in v1; do eval row "$h.nii.ac.jp" "\$s_$h"; done | sjis late-renew.tsv
out=$("$S" --officer 2 --action renew --mode partial "$T/late-renew.tsv" 2>&1)
has "$out" "234:1,シリアル番号,${s_v1}はすでに失効しています。" "renewing a revoked certificate: 234 already revoked"
for h in r1; do eval row "$h.nii.ac.jp" "\$s_$h"; done | sjis late-renew2.tsv
out=$("$S" --officer 2 --action renew --mode partial "$T/late-renew2.tsv" 2>&1)
has "$out" "235:1,シリアル番号,${s_r1}の証明書はすでに更新されています。" "renewing again: 235 already renewed"

# The worker issues the queued renewals: one new certificate each.
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null 2>&1
is "$(sql "SELECT count(*) FROM ra.certificate o WHERE o.cn LIKE 'r_.nii.ac.jp'
           AND o.superseded_by IS NOT NULL")" 4 "r1-r4 each superseded once"
is "$(sql "SELECT count(*) FROM (SELECT cn FROM ra.certificate WHERE kind = 'server'
           GROUP BY cn HAVING count(*) > 2) d")" 0 "no host has more than the old and one new certificate"
"$TOOLSDIR/ops.cgi" audit-verify >/dev/null 2>&1
ok $? "the audit chain verifies"

done_testing
