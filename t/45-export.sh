#!/bin/sh
# ② serverAll.tsv and ④ clientAll.tsv as integrators read them: by column
# position (reference §10.1), decoded from CP932.  Real certificates from
# the worker; each file from the screen (with the RA certificate) and
# from the shell; the header's 46 labels, 46 fields on every line, CRLF,
# and the columns that carry values, each against an independent source
# (openssl on the PEM, date(1) for JST), through issue, download,
# renewal, reminder and revocation.
. "$(dirname "$0")/lib.sh"
stack_up
officer_with_cert 1,2,4,10
CU="curl -sS --cacert $CACERT --cert-type P12 --cert $OFFICER_P12:$OFFICER_PASS"
LRA=$URL/ra/lra
JAR=$T/jar
O="National Institute of Informatics"
DN="O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP"
off=1
inst=$(sql "SELECT institution_id FROM ra.institution WHERE code = 'nii'")

# The header, as §10.1 names the columns: this test's own copy.
LABELS='発行・更新申請-申請ID
発行・更新申請-操作ID
ignoreInvalidRecordフラグ
主体者DN
ドメインID
発行・更新申請-日時
発行・更新申請-処理完了日時
発行・更新申請-登録担当者ID
申請種別
業務モデル
証明書プロファイルID
状態
利用管理者氏名
利用管理者所属
利用管理者mail
利用管理者FQDN
利用管理者ソフトウェア名・バージョン
CSR
dNSName
発行・更新申請-確認項目フラグ
発行・更新申請-トランザクションID
発行・更新申請-認証局連携APIエラーコード
発行・更新申請-証明書
発行・更新申請-シリアル番号
発行・更新申請-FingerPrint
発行・更新申請-証明書有効開始
発行・更新申請-証明書有効期限
URL期限
アクセスPIN
その他送信先アドレス
その他送信先アドレス2
失効申請-申請ID
失効申請-操作ID
失効申請-日時
失効申請-処理完了日時
失効申請-登録担当者ID
失効申請-失効理由コード
失効申請-失効理由コメント
失効申請-確認項目フラグ
失効申請-トランザクションID
失効申請-認証局連携APIエラーコード
失効申請-利用管理者mail
旧証明書シリアル番号
証明書リプレース依頼メール送信フラグ
ダウンロード方法
最終更新日'

csr() {	# csr NAME SUBJECT: a one-line PEM CSR, as the TSV tool writes it
	openssl req -new -newkey rsa:2048 -nodes -keyout "$T/$1.key" -subj "$2" 2>/dev/null |
	    tr -d '\n'
}
row() {	# row DN SERIAL CSR FQDN [DNSNAME]: a server issue or renew row
	printf '%s\t21\t\t%s\t\t\t%s\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\t%s\tApache httpd 2.4\t%s\r\n' \
	    "$1" "$2" "$3" "$4" "${5:-}"
}
up() {	# up FILE ACTION MODE: a Shift_JIS upload from the shell
	iconv -f UTF-8 -t CP932 >"$T/$1" &&
	"$OFFICERDIR/server.cgi" --officer "$off" --action "$2" --mode "$3" "$T/$1" >/dev/null 2>"$T/up.err"
}
# get NAME: ② (server) or ④ (client) from the screen, then from the
# shell, which must be the same bytes; NAME.u is the file in UTF-8 without
# its CRs, for the positional reader.
get() {
	case $1 in
	server*) cgi=download.cgi ;;
	*) cgi=clientdl.cgi ;;
	esac
	$CU -b "$JAR" -o "$T/$1.tsv" -D "$T/$1.hdr" "$LRA/$cgi"
	"$OFFICERDIR/$cgi" --officer "$off" >"$T/$1.sh.tsv" 2>"$T/$1.sh.err"
	cmp -s "$T/$1.tsv" "$T/$1.sh.tsv" || echo "# $1: the screen's file and the shell's differ"
	iconv -f CP932 -t UTF-8 "$T/$1.tsv" | tr -d '\r' >"$T/$1.u"
}
# f NAME SERIAL N: column N of the row of the certificate SERIAL.
f() { awk -F'\t' -v s="$2" -v n="$3" 'NR > 1 && $24 == s { print $n }' "$T/$1.u"; }
# nrows NAME: the data rows.
nrows() { echo $(($(wc -l <"$T/$1.u") - 1)); }
# pem NAME SERIAL: column 23 as a PEM file openssl reads.
pem() { f "$1" "$2" 23 | sed 's/-----BEGIN CERTIFICATE-----/&\n/; s/-----END/\n&/'; }
# jst SQL-TIMESTAMP-EXPRESSION: the time in JST by date(1), not by SQL.
jst() {
	e=$(sql "SELECT floor(extract(epoch FROM ($1)))::bigint")
	[ -n "$e" ] && TZ=Asia/Tokyo date -d "@$e" '+%Y-%m-%d %H:%M:%S'
}
# shape NAME WHAT: the layout every file has, whatever its rows.
shape() {
	is "$(head -n 1 "$T/$1.u" | tr '\t' '\n')" "$LABELS" "$2: the header's 46 labels, in order"
	is "$(awk -F'\t' 'NF != 46 { n++ } END { print n + 0 }' "$T/$1.u")" 0 "$2: 46 fields on every line"
	is "$(perl -ne '$n++ unless /\A[^\r]*\r\n\z/; END { print $n + 0 }' "$T/$1.tsv")" 0 \
	    "$2: every line ends in CRLF, and no CR elsewhere"
	cmp -s "$T/$1.tsv" "$T/$1.sh.tsv"
	ok $? "$2: the shell's file (--officer) is the screen's"
}

$CU -c "$JAR" -o /dev/null "$LRA/login.cgi"
menu=$($CU -b "$JAR" "$LRA/menu.cgi")
has "$menu" 'href="download.cgi"' "the menu links ②"
has "$menu" 'href="clientdl.cgi"' "and ④, now that it is built"

# --- ② -----------------------------------------------------------------
c1=$(csr www "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=www.nii.ac.jp")
c2=$(csr mail "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=mail.nii.ac.jp")
row "CN=www.nii.ac.jp,$DN" "" "$c1" www.nii.ac.jp "nii.ac.jp web.nii.ac.jp" | up www.tsv issue abort
ok $? "a server certificate queued in abort mode"
row "CN=mail.nii.ac.jp,$DN" "" "$c2" mail.nii.ac.jp | up mail.tsv issue partial
ok $? "another in partial mode"
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null
www=$(sql "SELECT serial FROM ra.certificate WHERE cn = 'www.nii.ac.jp'")
mail=$(sql "SELECT serial FROM ra.certificate WHERE cn = 'mail.nii.ac.jp'")
[ -n "$www" ] && [ -n "$mail" ]; ok $? "both issued"
wreq=$(sql "SELECT request_id FROM ra.certificate WHERE serial = $www")
[ -n "$wreq" ]; ok $? "(request $wreq)"

get server1
has "$(cat "$T/server1.hdr")" 'filename="serverAll.tsv"' "② is serverAll.tsv"
shape server1 ②
is "$(nrows server1)" 2 "② lists the two server certificates (not the RA certificate)"
is "$(f server1 "$www" 4)" "CN=www.nii.ac.jp,$DN" "column 4: the subject DN"
is "$(f server1 "$www" 12)" 4 "column 12: 4, waiting for the user administrator"
pem server1 "$www" >"$T/www.pem"
openssl x509 -in "$T/www.pem" -noout 2>/dev/null
ok $? "column 23: a certificate openssl parses"
hex=$(openssl x509 -in "$T/www.pem" -noout -serial | sed 's/^serial=//')
is "$(echo "ibase=16; $hex" | BC_LINE_LENGTH=0 bc)" "$www" "column 24: its serial, in decimal"
is "$(f server1 "$www" 25)" "$(openssl x509 -in "$T/www.pem" -noout -fingerprint -sha256 | sed 's/^.*=//')" \
    "column 25: its SHA-256 fingerprint"
end=$(openssl x509 -in "$T/www.pem" -noout -enddate | sed 's/^notAfter=//')
is "$(f server1 "$www" 27)" "$(TZ=Asia/Tokyo date -d "$end" '+%Y-%m-%d %H:%M:%S')" "column 27: its notAfter, in JST"
start=$(openssl x509 -in "$T/www.pem" -noout -startdate | sed 's/^notBefore=//')
is "$(f server1 "$www" 26)" "$(TZ=Asia/Tokyo date -d "$start" '+%Y-%m-%d %H:%M:%S')" "column 26: its notBefore, in JST"
url=$(jst "SELECT expires_at FROM ra.access_token WHERE purpose = 'cert_download'
           AND cert_id = (SELECT cert_id FROM ra.certificate WHERE serial = $www)")
[ -n "$url" ]; ok $? "(the worker made the user administrator's URL)"
is "$(f server1 "$www" 28)" "$url" "column 28: when the retrieval URL expires, in JST"
is "$(f server1 "$www" 1)" "$wreq" "column 1: the request"
is "$(f server1 "$www" 3) $(f server1 "$mail" 3)" "0 1" "column 3: the upload's error mode (abort 0, partial 1)"
is "$(f server1 "$www" 2)|$(f server1 "$www" 5)" "|" "columns 2 and 5 have no value in ra: empty"
is "$(f server1 "$www" 6)" "$(jst "SELECT created_at FROM ra.request WHERE request_id = $wreq")" \
    "column 6: when it was requested, JST"
is "$(f server1 "$www" 7)" "$(jst "SELECT done_at FROM ra.request WHERE request_id = $wreq")" \
    "column 7: when it was done, JST"
is "$(f server1 "$www" 8) $(f server1 "$www" 9) $(f server1 "$www" 10) $(f server1 "$www" 11)" \
    "$off 1 server 21" "columns 8-11: officer, 1 (issue), the kind, the profile"
is "$(f server1 "$www" 13)|$(f server1 "$www" 14)|$(f server1 "$www" 15)" \
    "山田太郎|情報基盤センター|yamada@nii.ac.jp" "columns 13-15: the user administrator, in Japanese"
grep -qF "$(printf '山田太郎' | iconv -f UTF-8 -t CP932)" "$T/server1.tsv"
ok $? "the name is CP932 in the file"
is "$(f server1 "$www" 16)|$(f server1 "$www" 17)|$(f server1 "$www" 19)" \
    "www.nii.ac.jp|Apache httpd 2.4|nii.ac.jp web.nii.ac.jp" "columns 16, 17, 19: FQDN, software, the other dNSNames"
is "$(f server1 "$mail" 19)" "" "no other dNSName: empty"
f server1 "$www" 18 | sed 's/-----BEGIN CERTIFICATE REQUEST-----/&\n/; s/-----END/\n&/' |
    openssl req -noout -subject 2>/dev/null | grep -q 'CN = www.nii.ac.jp'
ok $? "column 18: the CSR, as PEM"
is "$(f server1 "$www" 29)" "" "column 29 (the access PIN) is empty"
is "$(f server1 "$www" 35)$(f server1 "$www" 43)$(f server1 "$www" 44)" "" \
    "not revoked, not a renewal, no reminder: empty"
is "$(f server1 "$www" 46)" "$(f server1 "$www" 7)" "column 46: the last change, so far the issue"

# A download: 5.
mails_settle
for m in $(grep -l '^To: yamada@nii.ac.jp' "$T/var/mail/maildir/new/"*); do
	body=$(openssl smime -verify -noverify -in "$m" 2>/dev/null | iconv -f ISO-2022-JP -t UTF-8 | tr -d '\r')
	case $body in *"CN=www.nii.ac.jp"*)
		link=$(printf '%s\n' "$body" | grep -o 'https://[^ ]*certget.cgi?t=[A-Za-z0-9_-]*') ;;
	esac
done
curl -sS --cacert "$CACERT" -o "$T/chain.pem" "$link&f=chain"
get server2
is "$(f server2 "$www" 12) $(f server2 "$mail" 12)" "5 4" "column 12: 5 once downloaded, the other still 4"
is "$(f server2 "$www" 46)" "$(jst "SELECT retrieved_at FROM ra.certificate WHERE serial = $www")" \
    "column 46: the download is the last change"

# A renewal: the old one 6, the new one a renewal of it; M9 marks the old.
c3=$(csr www3 "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=www.nii.ac.jp")
row "CN=www.nii.ac.jp,$DN" "$www" "$c3" www.nii.ac.jp | up renew.tsv renew abort
ok $? "the certificate renewed"
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null
www2=$(sql "SELECT c.serial FROM ra.certificate c JOIN ra.request r USING (request_id) WHERE r.action = 'renew'")
[ -n "$www2" ]; ok $? "the renewal is issued"
sql "UPDATE ra.certificate SET issued_at = now() - interval '15 days' WHERE serial = $www2"
is "$(as_worker "$TOOLSDIR/mail.cgi" remind)" "1 reminder(s) queued" "(M9 queued for the old one)"
get server3
shape server3 "② after renewal"
is "$(nrows server3)" 3 "the renewal is a row of its own"
is "$(f server3 "$www" 12)" 6 "column 12: 6 for the renewed one"
is "$(f server3 "$www2" 12)" 4 "4 for its successor"
is "$(f server3 "$www2" 9) $(f server3 "$www2" 43)" "2 $www" "columns 9 and 43: a renewal, of the old serial"
is "$(f server3 "$www" 44)|$(f server3 "$www2" 44)|$(f server3 "$mail" 44)" "1||" \
    "column 44: the reminder, on the certificate it asked to revoke"

# A revocation: 7, and the revocation's columns.
printf 'CN=mail.nii.ac.jp,%s\t\t\t%s\t0\tサーバ廃止のため\t\t\t\tyamada@nii.ac.jp\r\n' "$DN" "$mail" |
    up rev.tsv revoke abort
ok $? "the other one revoked"
get server4
shape server4 "② after revocation"
rev=$(jst "SELECT v.revoked_at FROM ra.revocation v JOIN ra.certificate c USING (cert_id) WHERE c.serial = $mail")
[ -n "$rev" ]; ok $? "(revoked at $rev)"
is "$(f server4 "$mail" 12)" 7 "column 12: 7 for the revoked one"
is "$(f server4 "$mail" 35)" "$rev" "column 35: when it was revoked, JST"
is "$(f server4 "$mail" 32)|$(f server4 "$mail" 34)" "|$rev" \
    "an upload's revocation has no request: column 32 empty, 34 when it was revoked"
is "$(f server4 "$mail" 36)|$(f server4 "$mail" 37)|$(f server4 "$mail" 38)" \
    "$off|0|サーバ廃止のため" "columns 36-38: the officer, the reason, the comment"
is "$(f server4 "$mail" 46)" "$rev" "column 46: the revocation is the last change"
is "$(f server4 "$www" 35)" "" "the others are not revoked"
# A revocation that was a request of its own (none of ra's flows makes
# one yet): its number, when it was asked for, its mail.
vreq=$(sql "INSERT INTO ra.request (institution_id, officer_id, action, kind, target_cert_id, revoke_reason,
                   revoke_comment, admin_mail, state, created_at, done_at)
            SELECT $inst, $off, 'revoke', 'server', cert_id, 0, 'サーバ廃止のため', 'yamada@nii.ac.jp', 'done',
                   now() - interval '1 hour', now()
              FROM ra.certificate WHERE serial = $mail
            RETURNING request_id" | head -n 1)
[ -n "$vreq" ]; ok $? "(revocation request $vreq)"
sql "UPDATE ra.revocation SET request_id = $vreq
      WHERE cert_id = (SELECT cert_id FROM ra.certificate WHERE serial = $mail)"
get server5
is "$(f server5 "$mail" 32)" "$vreq" "column 32: the revocation request"
is "$(f server5 "$mail" 34)" "$(jst "SELECT created_at FROM ra.request WHERE request_id = $vreq")" \
    "column 34: when it was asked for, JST"
is "$(f server5 "$mail" 42)" "yamada@nii.ac.jp" "column 42: its user administrator's mail"

# --- ④ -----------------------------------------------------------------
# Client and S/MIME certificates with server-made keys, from the worker;
# what the client upload (migration 012) will store, written as it would.
printf 'p12-password-1\n' >"$T/pass"
creq() {	# creq INSTITUTION PROFILE SUBJECT: the request's number
	"$TOOLSDIR/ca.cgi" request --institution "$1" --profile "$2" --subject "$3" \
	    --secret-stdin --wait 60 <"$T/pass" 2>"$T/ca.err" | sed -n 's/^request \([0-9]*\) done.*/\1/p'
}
cl=$(creq nii 5 "CN=Hanako Riyou,O=$O,C=JP")
sm=$(creq nii 7 "CN=hanako@nii.ac.jp")
institution_add kyoto "Kyoto University" Kyoto Kyoto
kc=$(creq kyoto 5 "CN=Jiro Kyodai,O=Kyoto University,C=JP")
[ -n "$cl" ] && [ -n "$sm" ] && [ -n "$kc" ]; ok $? "client and S/MIME certificates issued"
sql "UPDATE ra.request SET user_name = '利用花子', user_mail = 'hanako@nii.ac.jp',
            attrs = attrs || '{\"user_affiliation\": \"情報学研究科\"}', download_method = 1,
            p12_name = 'hanako'
      WHERE request_id = $cl;
     UPDATE ra.request SET user_name = E'\\U00020BB7野\\t花子', download_method = 3, p12_name = 'hanako-smime'
      WHERE request_id = $sm;
     INSERT INTO ra.access_token (purpose, token_sha256, institution_id, request_id, expires_at)
     VALUES ('p12_download', sha256('t45 p12'), $inst, $cl, now() + interval '7 days')"
cls=$(sql "SELECT serial FROM ra.certificate WHERE request_id = $cl")
sms=$(sql "SELECT serial FROM ra.certificate WHERE request_id = $sm")
[ -n "$cls" ] && [ -n "$sms" ]; ok $? "(serials $cls and $sms)"

get client1
has "$(cat "$T/client1.hdr")" 'filename="clientAll.tsv"' "④ is clientAll.tsv"
shape client1 ④
is "$(nrows client1)" 2 "④ lists the institution's client and S/MIME certificates, no other's"
is "$(f client1 "$cls" 10) $(f client1 "$sms" 10)" "client smime" "column 10: the kind"
is "$(f client1 "$cls" 4)" "CN=Hanako Riyou,O=$O,C=JP" "column 4: the subject DN"
is "$(f client1 "$cls" 12)" 4 "column 12: 4 until the PKCS#12 is taken"
pem client1 "$cls" >"$T/cl.pem"
hex=$(openssl x509 -in "$T/cl.pem" -noout -serial | sed 's/^serial=//')
is "$(echo "ibase=16; $hex" | BC_LINE_LENGTH=0 bc)" "$cls" "column 24: the serial of the PEM in column 23"
end=$(openssl x509 -in "$T/cl.pem" -noout -enddate | sed 's/^notAfter=//')
is "$(f client1 "$cls" 27)" "$(TZ=Asia/Tokyo date -d "$end" '+%Y-%m-%d %H:%M:%S')" "column 27: notAfter, JST"
is "$(f client1 "$cls" 28)" "$(jst "SELECT expires_at FROM ra.access_token WHERE token_sha256 = sha256('t45 p12')")" \
    "column 28: when the PKCS#12 URL expires, JST"
is "$(f client1 "$cls" 13)|$(f client1 "$cls" 14)|$(f client1 "$cls" 15)" \
    "利用花子|情報学研究科|hanako@nii.ac.jp" "columns 13-15: the user, not a user administrator"
is "$(f client1 "$cls" 16)|$(f client1 "$cls" 18)|$(f client1 "$cls" 19)" "||" \
    "no FQDN, no CSR (ra made the key), no dNSName"
is "$(f client1 "$cls" 45) $(f client1 "$sms" 45)" "1 3" "column 45: the download method"
is "$(f client1 "$sms" 13)" "?野 花子" "a character CP932 lacks is one '?', a TAB a space"
is "$(f client1 "$sms" 28)" "" "no retrieval URL: column 28 empty"

"$TOOLSDIR/ca.cgi" p12 --request "$cl" --format modern --out "$T/cl.p12" <"$T/pass" >/dev/null 2>&1
ok $? "the user takes the PKCS#12"
"$TOOLSDIR/ca.cgi" revoke --serial "$sms" --reason 1 >/dev/null 2>&1
ok $? "the S/MIME certificate revoked from a shell"
# Times at the edges of a day, a leap day and a year, in JST.
sql "UPDATE ra.request SET created_at = '2028-02-29 14:59:59.999999+00', done_at = '2028-12-31 15:00:00+00'
      WHERE request_id = $cl"
get client2
shape client2 "④ after download and revocation"
is "$(f client2 "$cls" 6)|$(f client2 "$cls" 7)" "2028-02-29 23:59:59|2029-01-01 00:00:00" \
    "JST across midnight, a leap day and a new year, seconds cut"
is "$(f client2 "$cls" 12) $(f client2 "$sms" 12)" "5 7" "column 12: 5 taken, 7 revoked"
rev=$(jst "SELECT v.revoked_at FROM ra.revocation v JOIN ra.certificate c USING (cert_id) WHERE c.serial = $sms")
is "$(f client2 "$sms" 32)|$(f client2 "$sms" 34)|$(f client2 "$sms" 35)|$(f client2 "$sms" 37)" \
    "|$rev|$rev|1" "no revocation request: column 34 is when it was revoked"
is "$(awk -F'\t' 'NR > 1 && $10 != "server" { n++ } END { print n + 0 }' "$T/server5.u")" 0 \
    "② lists no client certificate"

# Permission, audit.
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'client.export' AND officer_id = $off")" 4 \
    "each ④ is audited (screen and shell)"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'server.export' AND officer_id = $off")" 10 \
    "each ② too"
sql "DELETE FROM ra.officer_permission WHERE officer_id = $off AND interface = 4"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/clientdl.cgi")" 403 "without permission ④: 403"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/download.cgi")" 200 "② is a permission of its own"
"$OFFICERDIR/clientdl.cgi" --officer 99 >/dev/null 2>"$T/err"
[ $? -ne 0 ]; ok $? "clientdl.cgi --officer of nobody: non-zero exit"

done_testing
