#!/bin/sh
# ① issue files checked set-based (one query per rule for the whole file,
# one INSERT for its requests) say what the row-by-row check said, row
# for row, code for code, message for message: the same CN twice in a
# file, a key twice in it, a key of an earlier upload, a CN an earlier
# upload has queued (the database's index refuses the file's INSERT, and
# the file is gone over again row by row), a CN already issued, an OU
# off the allow list, a broken CSR, in partial, abort and dry-run mode.
# The expected result TSVs were written by the row-by-row upload.
. "$(dirname "$0")/lib.sh"
stack_up
D=$DESKDIR/desk.cgi
S=$OFFICERDIR/server.cgi
O="National Institute of Informatics"
"$D" institution-add --code nii --name-ja 国立情報学研究所 --name-en "$O" --st Tokyo --l Chiyoda-ku \
    --from 2026-01-01 --until 2030-12-31 >/dev/null
"$D" domain-add --institution nii --domain nii.ac.jp >/dev/null
"$D" ou-add --domain nii.ac.jp --ou "CSI" >/dev/null
off=$("$D" officer-add --institution nii --name-ja 山田太郎 --romaji "Taro Yamada" --mail taro@nii.ac.jp \
    --phone 03-1234-5678 --domains nii.ac.jp --interfaces 1,2,10 | sed -n 's/^officer \([0-9]*\) .*/\1/p')
worker_stop
DN="O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP"
SUBJ="/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O"

# key NAME: a P-256 key; csr KEY SUBJECT: a one-line PEM CSR of it.
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/$1.key" 2>/dev/null; }
csr() { openssl req -new -key "$T/$1.key" -subj "$2" 2>/dev/null | tr -d '\n'; }
# row CN CSR [OU]
row() {
	printf 'CN=%s,%s%s\t22\t\t\t\t\t%s\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\t%s\tnginx\t\r\n' \
	    "$1" "${3:+OU=$3,}" "$DN" "$2" "$1"
}
sjis() { iconv -f UTF-8 -t CP932 >"$T/$1"; }
# up FILE MODE: the result TSV without its CSR column (long, and the same
# as the input), one line a row.
up() {
	"$S" --officer "$off" --action issue --mode "$2" "$T/$1" 2>"$T/up.err" |
	    tr -d '\r' | cut -f 1-6,8-
}
# forget: the requests of the files before gone (but the earlier uploads' two)
forget() {
	sql "DELETE FROM ra.job; DELETE FROM ra.request r WHERE cn <> 'q.nii.ac.jp' AND cn <> 'done.nii.ac.jp'
	       AND NOT EXISTS (SELECT 1 FROM ra.certificate c WHERE c.request_id = r.request_id)" >/dev/null
}
requests() { sql "SELECT seq || ' ' || cn || ' ' || state FROM ra.request WHERE batch_id = (SELECT max(batch_id) FROM ra.batch) ORDER BY seq"; }

for k in a b c d e f g h i j; do key $k; done
# Earlier uploads: done.nii.ac.jp issued (key b), q.nii.ac.jp queued (key a).
row done.nii.ac.jp "$(csr b "$SUBJ/CN=done.nii.ac.jp")" | sjis first.tsv
up first.tsv abort >/dev/null
ok $? "an earlier file is queued"
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null
row q.nii.ac.jp "$(csr a "$SUBJ/CN=q.nii.ac.jp")" | sjis second.tsv
up second.tsv abort >/dev/null
ok $? "and another"
is "$(sql "SELECT string_agg(r.cn || ' ' || r.state || ' ' || coalesce(c.state, '-'), ', ' ORDER BY r.cn)
             FROM ra.request r LEFT JOIN ra.certificate c USING (request_id)")" \
    "done.nii.ac.jp done issued, q.nii.ac.jp queued -" "done.nii.ac.jp is issued, q.nii.ac.jp queued"

# Every rule the file's queries answer, and none the index does.
{ row h1.nii.ac.jp "$(csr c "$SUBJ/CN=h1.nii.ac.jp")"
  row h2.nii.ac.jp "$(csr d "$SUBJ/CN=h2.nii.ac.jp")"
  row H1.nii.ac.jp "$(csr e "$SUBJ/CN=H1.nii.ac.jp")"
  row h4.nii.ac.jp "$(csr d "$SUBJ/CN=h4.nii.ac.jp")"
  row h5.nii.ac.jp "$(csr a "$SUBJ/CN=h5.nii.ac.jp")"
  row h6.nii.ac.jp "$(csr b "$SUBJ/CN=h6.nii.ac.jp")"
  row done.nii.ac.jp "$(csr f "$SUBJ/CN=done.nii.ac.jp")"
  row h8.nii.ac.jp "$(csr g "$SUBJ/OU=Lab/CN=h8.nii.ac.jp")" Lab
  row h9.nii.ac.jp "$(csr g "$SUBJ/OU=CSI/CN=h9.nii.ac.jp")" CSI
  row h10.nii.ac.jp "MIIBroken"
  row h11.example.com "$(csr h "$SUBJ/CN=h11.example.com")"
  row h12.nii.ac.jp "$(csr h "$SUBJ/CN=h12.nii.ac.jp")"
  row h13.nii.ac.jp "$(csr i "$SUBJ/CN=other.nii.ac.jp")"
  row h14.nii.ac.jp "$(csr i "$SUBJ/CN=h14.nii.ac.jp")"
} | sjis rules.tsv
want_rules='CN=h1.nii.ac.jp,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	22					山田太郎	情報基盤センター	yamada@nii.ac.jp	h1.nii.ac.jp	nginx		OK	
CN=h2.nii.ac.jp,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	22					山田太郎	情報基盤センター	yamada@nii.ac.jp	h2.nii.ac.jp	nginx		OK	
CN=H1.nii.ac.jp,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	22					山田太郎	情報基盤センター	yamada@nii.ac.jp	H1.nii.ac.jp	nginx		NG	229:3,FQDN,H1.nii.ac.jpはファイル内で重複しています。1行にまとめてください。(H1.nii.ac.jp appears more than once in the file: keep one row.)
CN=h4.nii.ac.jp,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	22					山田太郎	情報基盤センター	yamada@nii.ac.jp	h4.nii.ac.jp	nginx		NG	228:4,CSR,この鍵は以前に使われています。新しい鍵ペアでCSRを作り直してください (this key was used before; a new key pair is required)
CN=h5.nii.ac.jp,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	22					山田太郎	情報基盤センター	yamada@nii.ac.jp	h5.nii.ac.jp	nginx		NG	228:5,CSR,この鍵は以前に使われています。新しい鍵ペアでCSRを作り直してください (this key was used before; a new key pair is required)
CN=h6.nii.ac.jp,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	22					山田太郎	情報基盤センター	yamada@nii.ac.jp	h6.nii.ac.jp	nginx		NG	228:6,CSR,この鍵は以前に使われています。新しい鍵ペアでCSRを作り直してください (this key was used before; a new key pair is required)
CN=done.nii.ac.jp,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	22					山田太郎	情報基盤センター	yamada@nii.ac.jp	done.nii.ac.jp	nginx		NG	212:7,主体者DN,指定したDNはすでに存在しています。更新申請で申請してください。(This DN has been issued already: apply for a renewal instead.)
CN=h8.nii.ac.jp,OU=Lab,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	22					山田太郎	情報基盤センター	yamada@nii.ac.jp	h8.nii.ac.jp	nginx		NG	371:8,主体者DN,主体者DNのOUが許可リストとして登録された値と一致しません。(An OU of the subject DN is not on the allow list: have it registered, or leave that OU out.)
CN=h9.nii.ac.jp,OU=CSI,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	22					山田太郎	情報基盤センター	yamada@nii.ac.jp	h9.nii.ac.jp	nginx		OK	
CN=h10.nii.ac.jp,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	22					山田太郎	情報基盤センター	yamada@nii.ac.jp	h10.nii.ac.jp	nginx		NG	226:10,CSR,CSRが正しくありません。CSRを作り直してください。(The CSR is not valid: make it again.) CSR is not base64
CN=h11.example.com,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	22					山田太郎	情報基盤センター	yamada@nii.ac.jp	h11.example.com	nginx		NG	224:11,FQDN,h11.example.comは登録担当者のドメイン配下ではありません。(h11.example.com is not under a domain registered for you as RA officer.)
CN=h12.nii.ac.jp,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	22					山田太郎	情報基盤センター	yamada@nii.ac.jp	h12.nii.ac.jp	nginx		OK	
CN=h13.nii.ac.jp,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	22					山田太郎	情報基盤センター	yamada@nii.ac.jp	h13.nii.ac.jp	nginx		NG	227:13,CSR,CSRの主体者DNが申請の主体者DNと一致しません。同じDNでCSRを作り直してください。(The subject of the CSR is not the subject DN of column 1: make the CSR again with that DN.)
CN=h14.nii.ac.jp,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	22					山田太郎	情報基盤センター	yamada@nii.ac.jp	h14.nii.ac.jp	nginx		OK	'
is "$(up rules.tsv partial)" "$want_rules" "partial: every row's result as row by row"
is "$(requests | tr '\n' ' ')" "1 h1.nii.ac.jp queued 2 h2.nii.ac.jp queued 9 h9.nii.ac.jp queued 12 h12.nii.ac.jp queued 14 h14.nii.ac.jp queued " \
    "partial: the good rows are queued, in row order"
is "$(sql "SELECT count(*) FROM ra.job j JOIN ra.request r USING (request_id) WHERE r.batch_id = (SELECT max(batch_id) FROM ra.batch)")" 5 \
    "each with its job"
is "$(sql "SELECT rows_total || ' ' || rows_ok || ' ' || rows_ng FROM ra.batch ORDER BY batch_id DESC LIMIT 1")" "14 5 9" \
    "the batch counts 14 rows, 5 OK, 9 NG"
is "$(sql "SELECT encode(spki_sha256, 'hex') = encode(sha256(decode('$(openssl pkey -in "$T/c.key" -pubout -outform DER | od -An -tx1 | tr -d ' \n')', 'hex')), 'hex')
             FROM ra.request WHERE cn = 'h1.nii.ac.jp'")" t "the stored key hash is the CSR's SPKI's"
is "$(sql "SELECT subject_dn || ' ' || array_to_string(san_dns, ',') || ' ' || (attrs->>'software') FROM ra.request WHERE cn = 'h9.nii.ac.jp'")" \
    "CN=h9.nii.ac.jp,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP h9.nii.ac.jp nginx" \
    "the OU is dropped, the names and the software kept"

# The same file again (its requests gone) in abort and dry-run mode: the
# same results, nothing kept.
forget
before=$(sql "SELECT count(*) FROM ra.request")
is "$(up rules.tsv abort)" "$want_rules" "abort: the same results"
is "$(sql "SELECT count(*) FROM ra.request")" "$before" "abort: nothing queued"
is "$(up rules.tsv dry-run)" "$want_rules" "dry run: the same results"
is "$(sql "SELECT count(*) FROM ra.request")" "$before" "dry run: nothing queued"

# A CN an earlier upload queued: only the database's index knows (212 at
# the INSERT), so the file goes row by row; a row whose key a refused row
# carried then passes, as the refused row's request was never kept.
{ row r1.nii.ac.jp "$(csr j "$SUBJ/CN=r1.nii.ac.jp")"
  row q.nii.ac.jp "$(csr e "$SUBJ/CN=q.nii.ac.jp")"
  row r3.nii.ac.jp "$(csr e "$SUBJ/CN=r3.nii.ac.jp")"
  row r4.nii.ac.jp "$(csr j "$SUBJ/CN=r4.nii.ac.jp")"
} | sjis index.tsv
want_index='CN=r1.nii.ac.jp,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	22					山田太郎	情報基盤センター	yamada@nii.ac.jp	r1.nii.ac.jp	nginx		OK	
CN=q.nii.ac.jp,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	22					山田太郎	情報基盤センター	yamada@nii.ac.jp	q.nii.ac.jp	nginx		NG	212:2,主体者DN,指定したDNはすでに存在しています。更新申請で申請してください。(This DN has been issued already: apply for a renewal instead.)
CN=r3.nii.ac.jp,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	22					山田太郎	情報基盤センター	yamada@nii.ac.jp	r3.nii.ac.jp	nginx		OK	
CN=r4.nii.ac.jp,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	22					山田太郎	情報基盤センター	yamada@nii.ac.jp	r4.nii.ac.jp	nginx		NG	228:4,CSR,この鍵は以前に使われています。新しい鍵ペアでCSRを作り直してください (this key was used before; a new key pair is required)'
is "$(up index.tsv partial)" "$want_index" "a CN queued before: 212 from the index, the rest as row by row"
is "$(requests | tr '\n' ' ')" "1 r1.nii.ac.jp queued 3 r3.nii.ac.jp queued " "r1 and r3 are queued"
hasnt "$(cat "$T/up.err")" "SQLSTATE" "the index's refusal is no logged failure"

# A clean file: all of it in one INSERT, jobs included.
{ for i in 1 2 3 4 5 6; do
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
	    -subj "$SUBJ/CN=c$i.nii.ac.jp" 2>/dev/null | tr -d '\n' >"$T/c$i.csr"
	row "c$i.nii.ac.jp" "$(cat "$T/c$i.csr")"
  done; } | sjis clean.tsv
out=$(up clean.tsv abort)
ok $? "a clean file is accepted"
is "$(printf '%s\n' "$out" | grep -c '	OK	$')" 6 "six rows OK"
is "$(requests | tr '\n' ' ')" "1 c1.nii.ac.jp queued 2 c2.nii.ac.jp queued 3 c3.nii.ac.jp queued 4 c4.nii.ac.jp queued 5 c5.nii.ac.jp queued 6 c6.nii.ac.jp queued " \
    "six requests in row order"
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null
is "$(sql "SELECT count(*) FROM ra.certificate WHERE cn LIKE 'c_.nii.ac.jp' AND state = 'issued'")" 6 \
    "the worker issues all six"

# A file of more ranges than one (500 rows each, CSRs parsed by threads):
# a key and a CN of the first range again in the second, refused as row
# by row; then the same file with a CN queued before in its second range,
# refused by the index after the first range's rows went in: all of the
# file goes row by row, with the same results but for that row.
big() {	# big FILE [QROW]
	i=1
	while [ $i -le 510 ]; do
		case $i in
		502) row b502.nii.ac.jp "$(csr c "$SUBJ/CN=b502.nii.ac.jp")" ;;
		503) row B3.nii.ac.jp "$(cat "$T/b3.csr")" ;;
		${2:-0}) row q.nii.ac.jp "$(cat "$T/q.csr")" ;;
		*) [ -s "$T/b$i.csr" ] ||
			openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			    -keyout /dev/null -subj "$SUBJ/CN=b$i.nii.ac.jp" 2>/dev/null |
			    tr -d '\n' >"$T/b$i.csr"
		   row "b$i.nii.ac.jp" "$(cat "$T/b$i.csr")" ;;
		esac
		i=$((i + 1))
	done | sjis "$1"
}
key k
csr k "$SUBJ/CN=q.nii.ac.jp" >"$T/q.csr"
forget
csr c "$SUBJ/CN=b3.nii.ac.jp" >"$T/b3.csr"
big big.tsv
big bigq.tsv 505
up big.tsv partial >"$T/big.out"
is "$(grep -c '	OK	$' "$T/big.out")" 508 "510 rows: 508 OK"
is "$(grep '	NG	' "$T/big.out" | cut -f 13-)" "NG	228:502,CSR,この鍵は以前に使われています。新しい鍵ペアでCSRを作り直してください (this key was used before; a new key pair is required)
NG	229:503,FQDN,B3.nii.ac.jpはファイル内で重複しています。1行にまとめてください。(B3.nii.ac.jp appears more than once in the file: keep one row.)" \
    "a key and a CN of the first 500 rows again after them: 228 and 229"
is "$(sql "SELECT count(*) || ' ' || min(seq) || ' ' || max(seq) || ' ' || count(DISTINCT request_id) FROM ra.request
             WHERE batch_id = (SELECT max(batch_id) FROM ra.batch)")" "508 1 510 508" "508 requests queued"
is "$(sql "SELECT count(*) FROM ra.request r JOIN ra.job j USING (request_id) WHERE r.batch_id = (SELECT max(batch_id) FROM ra.batch)
             AND r.seq = (SELECT count(*) FROM ra.request s WHERE s.batch_id = r.batch_id AND s.request_id <= r.request_id)
                         + (r.seq > 502)::int + (r.seq > 503)::int")" 508 "request ids in row order, each with its job"
forget
up bigq.tsv partial >"$T/bigq.out"
is "$(grep '	NG	' "$T/bigq.out" | cut -f 13-)" "NG	228:502,CSR,この鍵は以前に使われています。新しい鍵ペアでCSRを作り直してください (this key was used before; a new key pair is required)
NG	229:503,FQDN,B3.nii.ac.jpはファイル内で重複しています。1行にまとめてください。(B3.nii.ac.jp appears more than once in the file: keep one row.)
NG	212:505,主体者DN,指定したDNはすでに存在しています。更新申請で申請してください。(This DN has been issued already: apply for a renewal instead.)" "a CN queued before in the second range: 212 for it alone"
is "$(sql "SELECT count(*) FROM ra.request WHERE batch_id = (SELECT max(batch_id) FROM ra.batch)")" 507 \
    "the other 507 rows queued, once each"

# ③ client files the same way: one 212 question for the file, the rows of
# one name linked (a CN and OUs twice, the CN's case aside), P12一括 names
# sorted, not compared row against row; one INSERT.
coff=$("$D" officer-add --institution nii --name-ja 佐藤花子 --romaji "Hanako Sato" --mail hanako@nii.ac.jp \
    --phone 03-1234-5679 --domains nii.ac.jp --interfaces 3,4 | sed -n 's/^officer \([0-9]*\) .*/\1/p')
C=$OFFICERDIR/client.cgi
cup() {	# cup FILE MODE: the result TSV, without the PIN column and CRs
	"$C" --officer "$coff" --action issue --mode "$2" "$T/$1" 2>"$T/cup.err" | tr -d '\r'
}
{ crow "CN=u.1,$DN" 14 1 "" p1 "甲" u1@nii.ac.jp
  crow "CN=u.2,OU=Lab,$DN" 14 1 "" p2 "甲" u2@nii.ac.jp
  crow "CN=U.1,$DN" 14 1 "" p3 "甲" u3@nii.ac.jp
  crow "CN=u.2,OU=Lab,$DN" 14 1 "" p4 "甲" u4@nii.ac.jp
  crow "CN=u.2,OU=Other,$DN" 14 1 "" p5 "甲" u5@nii.ac.jp
  crow "CN=u.6,$DN" 14 2 "" bulk "甲" u6@nii.ac.jp
  crow "CN=u.7,$DN" 14 2 "" Bulk "甲" u7@nii.ac.jp
  crow "CN=u8@nii.ac.jp" 16 1 "" p8 "甲" u8@nii.ac.jp
  crow "CN=U8@nii.ac.jp" 16 1 "" p9 "甲" U8@nii.ac.jp
  crow "CN=u.10,$DN" 99 1 "" p10 "甲" u10@nii.ac.jp
  crow "CN=u.11,$DN" 14 1 "" p11 "甲" u11@nii.ac.jp
} | sjis client.tsv
want_client='CN=u.1,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	14	1					京大 管理者	情報環境機構	admin@kyoto-u.ac.jp	甲	p1	情報学研究科	u1@nii.ac.jp		OK	
CN=u.2,OU=Lab,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	14	1					京大 管理者	情報環境機構	admin@kyoto-u.ac.jp	甲	p2	情報学研究科	u2@nii.ac.jp		OK	
CN=U.1,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	14	1					京大 管理者	情報環境機構	admin@kyoto-u.ac.jp	甲	p3	情報学研究科	u3@nii.ac.jp		NG	212:3,主体者DN,指定したDNはすでに存在しています。更新申請で申請してください。(This DN has been issued already: apply for a renewal instead.)
CN=u.2,OU=Lab,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	14	1					京大 管理者	情報環境機構	admin@kyoto-u.ac.jp	甲	p4	情報学研究科	u4@nii.ac.jp		NG	212:4,主体者DN,指定したDNはすでに存在しています。更新申請で申請してください。(This DN has been issued already: apply for a renewal instead.)
CN=u.2,OU=Other,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	14	1					京大 管理者	情報環境機構	admin@kyoto-u.ac.jp	甲	p5	情報学研究科	u5@nii.ac.jp		OK	
CN=u.6,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	14	2					京大 管理者	情報環境機構	admin@kyoto-u.ac.jp	甲	bulk	情報学研究科	u6@nii.ac.jp		OK	
CN=u.7,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	14	2					京大 管理者	情報環境機構	admin@kyoto-u.ac.jp	甲	Bulk	情報学研究科	u7@nii.ac.jp		NG	229:7,P12ダウンロードファイル名,BulkはP12一括のファイル内で重複しています（6行目）。(Bulk is used twice in the one P12 download, also on line 6: give each a name of its own.)
CN=u8@nii.ac.jp	16	1					京大 管理者	情報環境機構	admin@kyoto-u.ac.jp	甲	p8	情報学研究科	u8@nii.ac.jp		OK	
CN=U8@nii.ac.jp	16	1					京大 管理者	情報環境機構	admin@kyoto-u.ac.jp	甲	p9	情報学研究科	U8@nii.ac.jp		NG	212:9,主体者DN,指定したDNはすでに存在しています。更新申請で申請してください。(This DN has been issued already: apply for a renewal instead.)
CN=u.10,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	99	1					京大 管理者	情報環境機構	admin@kyoto-u.ac.jp	甲	p10	情報学研究科	u10@nii.ac.jp		NG	225:10,証明書プロファイルID,99はクライアント証明書・S/MIME証明書のプロファイルではありません。(Profile 99 is not one for a client or S/MIME certificate.)
CN=u.11,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	14	1					京大 管理者	情報環境機構	admin@kyoto-u.ac.jp	甲	p11	情報学研究科	u11@nii.ac.jp		OK	'
is "$(cup client.tsv partial)" "$want_client" "③ partial: every row's result as row by row"
is "$(sql "SELECT string_agg(seq || ' ' || cn || ' ' || ou || ' ' || state, ', ' ORDER BY seq) FROM ra.request
             WHERE batch_id = (SELECT max(batch_id) FROM ra.batch)")" \
    "1 u.1  queued, 2 u.2 Lab queued, 5 u.2 Other queued, 6 u.6  queued, 8 u8@nii.ac.jp  queued, 11 u.11  queued" \
    "③ partial: the good rows queued"
want_again='CN=u.1,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	14	1					京大 管理者	情報環境機構	admin@kyoto-u.ac.jp	甲	p1	情報学研究科	u1@nii.ac.jp		NG	212:1,主体者DN,指定したDNはすでに存在しています。更新申請で申請してください。(This DN has been issued already: apply for a renewal instead.)
CN=u.2,OU=Lab,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	14	1					京大 管理者	情報環境機構	admin@kyoto-u.ac.jp	甲	p2	情報学研究科	u2@nii.ac.jp		NG	212:2,主体者DN,指定したDNはすでに存在しています。更新申請で申請してください。(This DN has been issued already: apply for a renewal instead.)
CN=U.1,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	14	1					京大 管理者	情報環境機構	admin@kyoto-u.ac.jp	甲	p3	情報学研究科	u3@nii.ac.jp		NG	212:3,主体者DN,指定したDNはすでに存在しています。更新申請で申請してください。(This DN has been issued already: apply for a renewal instead.)
CN=u.2,OU=Lab,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	14	1					京大 管理者	情報環境機構	admin@kyoto-u.ac.jp	甲	p4	情報学研究科	u4@nii.ac.jp		NG	212:4,主体者DN,指定したDNはすでに存在しています。更新申請で申請してください。(This DN has been issued already: apply for a renewal instead.)
CN=u.2,OU=Other,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	14	1					京大 管理者	情報環境機構	admin@kyoto-u.ac.jp	甲	p5	情報学研究科	u5@nii.ac.jp		NG	212:5,主体者DN,指定したDNはすでに存在しています。更新申請で申請してください。(This DN has been issued already: apply for a renewal instead.)
CN=u.6,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	14	2					京大 管理者	情報環境機構	admin@kyoto-u.ac.jp	甲	bulk	情報学研究科	u6@nii.ac.jp		NG	212:6,主体者DN,指定したDNはすでに存在しています。更新申請で申請してください。(This DN has been issued already: apply for a renewal instead.)
CN=u.7,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	14	2					京大 管理者	情報環境機構	admin@kyoto-u.ac.jp	甲	Bulk	情報学研究科	u7@nii.ac.jp		NG	229:7,P12ダウンロードファイル名,BulkはP12一括のファイル内で重複しています（6行目）。(Bulk is used twice in the one P12 download, also on line 6: give each a name of its own.)
CN=u8@nii.ac.jp	16	1					京大 管理者	情報環境機構	admin@kyoto-u.ac.jp	甲	p8	情報学研究科	u8@nii.ac.jp		NG	212:8,主体者DN,指定したDNはすでに存在しています。更新申請で申請してください。(This DN has been issued already: apply for a renewal instead.)
CN=U8@nii.ac.jp	16	1					京大 管理者	情報環境機構	admin@kyoto-u.ac.jp	甲	p9	情報学研究科	U8@nii.ac.jp		NG	212:9,主体者DN,指定したDNはすでに存在しています。更新申請で申請してください。(This DN has been issued already: apply for a renewal instead.)
CN=u.10,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	99	1					京大 管理者	情報環境機構	admin@kyoto-u.ac.jp	甲	p10	情報学研究科	u10@nii.ac.jp		NG	225:10,証明書プロファイルID,99はクライアント証明書・S/MIME証明書のプロファイルではありません。(Profile 99 is not one for a client or S/MIME certificate.)
CN=u.11,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP	14	1					京大 管理者	情報環境機構	admin@kyoto-u.ac.jp	甲	p11	情報学研究科	u11@nii.ac.jp		NG	212:11,主体者DN,指定したDNはすでに存在しています。更新申請で申請してください。(This DN has been issued already: apply for a renewal instead.)'
is "$(cup client.tsv dry-run)" "$want_again" "③ again, a dry run: each name queued before is 212"
done_testing
