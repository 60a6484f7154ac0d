#!/bin/sh
# Screen ①: the officer uploads a TSV over HTTPS with their RA certificate
# and sees the per-row result table; the result TSV downloads in
# Shift_JIS; the screen needs interface ① and the session's CSRF token.
. "$(dirname "$0")/lib.sh"
stack_up
officer_with_cert 1,2,10
CU="curl -sS --cacert $CACERT --cert-type P12 --cert $OFFICER_P12:$OFFICER_PASS"
LRA=$URL/ra/lra
JAR=$T/jar
O="National Institute of Informatics"
$CU -c "$JAR" -o /dev/null "$LRA/login.cgi"
menu=$($CU -b "$JAR" "$LRA/menu.cgi")
has "$menu" 'href="server.cgi"' "the menu links ① now that it is built"
form=$($CU -b "$JAR" "$LRA/server.cgi")
has "$form" "エラーが有れば全件処理を中止" "the upload form offers the manual's error mode"
csrf=$(printf '%s' "$form" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)

csr=$(openssl req -new -newkey rsa:2048 -nodes -keyout "$T/w.key" \
    -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=www.nii.ac.jp" 2>/dev/null | tr -d '\n')
DN="CN=www.nii.ac.jp,O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP"
{ printf '%s\t21\t\t\t\t\t%s\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\twww.nii.ac.jp\tApache\t\r\n' "$DN" "$csr"
  printf '%s\t21\t\t\t\t\t%s\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\twww.kyoto-u.ac.jp\tApache\t\r\n' "$DN" "$csr"
} | iconv -f UTF-8 -t CP932 >"$T/upload.tsv"

code=$($CU -b "$JAR" -o /dev/null -w '%{http_code}' -F applyType=1 -F errorFlg=abort \
    -F "file=@$T/upload.tsv" "$LRA/server.cgi")
is "$code" 403 "an upload without the CSRF token is refused"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'web.refused' AND detail->>'script' = '/ra/lra/server.cgi'
           AND detail->>'error' = 'access denied' AND cert_subject LIKE 'CN=Taro Yamada,%'")" 1 \
    "and the refusal is audited with the officer's certificate"
page=$($CU -b "$JAR" -F "csrf=$csrf" -F applyType=1 -F errorFlg=abort -F "file=@$T/upload.tsv" "$LRA/server.cgi")
has "$page" '<table id="result">' "the per-row result table"
has "$page" '<a id="progress-link" href="batch.cgi?id=' "and a link to the batch's progress (batch.cgi)"
has "$page" "<tr><td>1</td><td>OK</td>" "row 1 OK"
has "$page" "<tr><td>2</td><td>NG</td>" "row 2 NG"
has "$page" "223:2,FQDN,FQDNが主体者DNのCNと一致しません。" "with its error"
is "$(printf '%s' "$page" | sed -n 's/.*<td class="cn">\([^<]*\)<\/td>.*/\1/p' | tr '\n' ' ')" "www.nii.ac.jp www.nii.ac.jp " \
    "each row shows its CN, so the officer can tell which row is which"
has "$page" "全件の処理を中止しました" "abort mode: nothing was done"
is "$(sql "SELECT count(*) FROM ra.request")" 1 "(only the RA certificate's request exists)"
batch=$(printf '%s' "$page" | sed -n 's/.*server.cgi?batch=\([0-9]*\).*/\1/p')
$CU -b "$JAR" -o "$T/result.tsv" "$LRA/server.cgi?batch=$batch"
has "$(iconv -f CP932 -t UTF-8 "$T/result.tsv")" "NG	223:2,FQDN" "the result TSV downloads in Shift_JIS"

page=$($CU -b "$JAR" -F "csrf=$csrf" -F applyType=1 -F errorFlg=partial -F "file=@$T/upload.tsv" "$LRA/server.cgi")
has "$page" "エラーのない 1件を処理しました" "partial mode processes the good row"
is "$(sql "SELECT count(*) FROM ra.request WHERE kind = 'server'")" 1 "one server request queued"

# ② the institution's server certificates, Shift_JIS, one row each.
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null
$CU -b "$JAR" -o "$T/serverAll.tsv" "$LRA/download.cgi"
all=$(iconv -f CP932 -t UTF-8 "$T/serverAll.tsv")
ok $? "② downloads a Shift_JIS TSV"
is "$(printf '%s\n' "$all" | head -n 1 | tr -d '\r' | cut -f4,12,24)" "主体者DN	状態	発行・更新申請-シリアル番号" \
    "with the Japanese header row of the 46-column layout (t/45 reads it whole)"
is "$(printf '%s\n' "$all" | wc -l)" 2 "and one row for the one server certificate"
row2=$(printf '%s\n' "$all" | sed -n 2p | tr -d '\r')
is "$(printf '%s' "$row2" | cut -f12)" 4 "state 4: waiting for the user administrator"
is "$(printf '%s' "$row2" | cut -f24)" "$(sql "SELECT serial FROM ra.certificate WHERE kind = 'server'")" "decimal serial"
printf '%s' "$row2" | cut -f23 | sed 's/-----BEGIN CERTIFICATE-----/&\n/; s/-----END/\n&/' |
    openssl x509 -noout -subject >"$T/pemsubject" 2>&1
has "$(cat "$T/pemsubject")" "CN = www.nii.ac.jp" "the PEM column is the certificate"
"$OFFICERDIR/download.cgi" --officer 1 | cmp -s - "$T/serverAll.tsv"
ok $? "the same file from a shell (download.cgi --officer)"

# M6: the user administrator's mail and one-time URL; M7 to the officer.
mails_settle
m=$(grep -l '^To: yamada@nii.ac.jp' "$T/var/mail/maildir/new/"* | head -n 1)
[ -n "$m" ]; ok $? "the user administrator gets the retrieval mail"
body=$(openssl smime -verify -in "$m" -CAfile "$CACERT" -out /dev/stdout 2>/dev/null |
    iconv -f ISO-2022-JP -t UTF-8 | tr -d '\r')
has "$body" "【対象証明書シリアル番号】" "with the labels integrators parse"
has "$body" "　CN=www.nii.ac.jp" "and the DN block, CN first"
link=$(printf '%s\n' "$body" | grep -o 'https://[^ ]*certget.cgi?t=[A-Za-z0-9_-]*')
page=$(curl -sS --cacert "$CACERT" "$link")
has "$page" 'id="p7b"' "the retrieval page offers PEM, chain and PKCS#7"
curl -sS --cacert "$CACERT" -o "$T/chain.pem" "$link&f=chain"
awk -v d="$T" '/BEGIN/{n++} {print > (d "/c" n ".pem")}' "$T/chain.pem"
openssl verify -x509_strict -CAfile "$T/c3.pem" -untrusted "$T/c2.pem" "$T/c1.pem" >/dev/null 2>&1
ok $? "the chain download verifies"
curl -sS --cacert "$CACERT" -o "$T/cert.p7b" "$link&f=p7b"
is "$(openssl pkcs7 -inform DER -in "$T/cert.p7b" -print_certs 2>/dev/null | grep -c '^subject=')" 3 \
    "the PKCS#7 holds the certificate and its chain"
$CU -b "$JAR" -o "$T/serverAll2.tsv" "$LRA/download.cgi"
is "$(iconv -f CP932 -t UTF-8 "$T/serverAll2.tsv" | sed -n 2p | cut -f12)" 5 "② now says 5 (発行済み)"
mails_settle
grep -q '^To: taro@nii.ac.jp' $(ls -t "$T/var/mail/maildir/new/"* | head -n 1)
ok $? "the RA officer is told of the download"
is "$(sql "SELECT string_agg(detail->>'format' || ':' || (detail->>'first'), ' ' ORDER BY audit_id)
           FROM ra.audit WHERE event = 'cert.download'")" "chain:true p7b:false" \
    "every download is audited, the first marked"

cp "$T/upload.tsv" "$T/upload.csv"
page=$($CU -b "$JAR" -F "csrf=$csrf" -F applyType=1 -F errorFlg=abort -F "file=@$T/upload.csv" "$LRA/server.cgi")
has "$page" "209:0,,指定したファイルの拡張子が不正です。" "a .csv file: 209 on the screen"

# Too large: past Apache's limit a 413 page, past the upload limit the
# screen says so; never an empty reply.  Both are refusals, audited.
head -c 20000000 /dev/zero | tr '\0' 'x' >"$T/huge.tsv"
out=$($CU -b "$JAR" -w '\n%{http_code}' -F "csrf=$csrf" -F applyType=1 -F errorFlg=abort \
    -F "file=@$T/huge.tsv" "$LRA/server.cgi" 2>&1)
is "$(printf '%s' "$out" | tail -n 1)" 413 "a 20 MB upload: 413"
has "$out" "The request is too large (16 MB at most)" "with a page that says so"
head -c 11000000 /dev/zero | tr '\0' 'x' >"$T/big.tsv"
out=$($CU -b "$JAR" -w '\n%{http_code}' -F "csrf=$csrf" -F applyType=1 -F errorFlg=abort \
    -F "file=@$T/big.tsv" "$LRA/server.cgi" 2>&1)
is "$(printf '%s' "$out" | tail -n 1)" 413 "an 11 MB file: 413 from the screen"
has "$out" "larger than 10 MB: split it" "which says what to do"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'web.refused' AND detail->>'why' LIKE 'upload missing%'")" 1 \
    "and is audited"

# 214 before any row error, on the screen too.
i=0
while [ $i -lt 1005 ]; do printf 'x\tx\r\n'; i=$((i + 1)); done >"$T/rows.tsv"
page=$($CU -b "$JAR" -F "csrf=$csrf" -F applyType=1 -F errorFlg=abort -F "file=@$T/rows.tsv" "$LRA/server.cgi")
has "$page" "214:1001,,ファイル内のレコードが指定件数（1000件）を超えているため申請できません。" \
    "1005 bad rows: 214 is what the screen says"

# The usage period ends while the officer is logged in: 215, said plainly,
# and the open session reads nothing more (menu, ②, result TSVs).
sql "UPDATE ra.institution SET usage_from = current_date - 30, usage_until = current_date - 1"
page=$($CU -b "$JAR" -F "csrf=$csrf" -F applyType=1 -F errorFlg=partial -F "file=@$T/upload.tsv" "$LRA/server.cgi")
has "$page" "215: 機関状態が無効なため申請できません。" "an institution past its usage period: 215 on the screen"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/download.cgi")" 403 "and ② is closed to the open session"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/server.cgi?batch=$batch")" 403 "so is a result TSV"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/menu.cgi")" 403 "and the menu"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'web.refused'
           AND detail->>'why' = 'the institution''s usage period has ended'")" 1 "the refusal is audited"
sql "UPDATE ra.institution SET usage_until = current_date + 365"
$CU -c "$JAR" -o /dev/null "$LRA/login.cgi"
csrf=$($CU -b "$JAR" "$LRA/server.cgi" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)

# A session has a lifetime, however busy it is (Session.MaxMinutes).
sql "UPDATE ra.session SET created_at = created_at - interval '9 hours' WHERE ended_at IS NULL"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/menu.cgi")" 403 "a session opened 9 hours ago: 403"
$CU -c "$JAR" -o /dev/null "$LRA/login.cgi"

sql "DELETE FROM ra.officer_permission WHERE interface = 1"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/server.cgi")" 403 "without permission ①: 403"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'web.refused' AND detail->>'method' = 'GET'
           AND detail->>'script' = '/ra/lra/server.cgi' AND detail->>'error' = 'access denied'")" 1 "audited"

# Another institution's result TSV: not found, and audited.
sql "INSERT INTO ra.officer_permission (officer_id, interface) SELECT officer_id, 1 FROM ra.officer"
other=$(sql "INSERT INTO ra.institution (code, name_ja, name_en, st, l, status, usage_from, usage_until)
             VALUES ('x', 'X', 'X University', 'Tokyo', 'Tokyo', 'active', '2026-01-01', '2030-12-31')
             RETURNING institution_id")
ob=$(sql "INSERT INTO ra.batch (institution_id, kind, action, error_mode, filename, sha256, rows_total, rows_ok, result_tsv)
          VALUES ($other, 'server', 'issue', 'abort', 'x.tsv', sha256('x'), 1, 0, 'secret')
          RETURNING batch_id" | head -n 1)
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/server.cgi?batch=$ob")" 404 \
    "another institution's result TSV: 404"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'web.refused' AND detail->>'error' = 'not found'
           AND detail->>'script' = '/ra/lra/server.cgi'")" 1 "audited"

done_testing
