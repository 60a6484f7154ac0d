#!/bin/sh
# 証明書取得URL再発行 on ① and ⑪: a server certificate still 取得待ち
# whose retrieval URL expired (time moved in the database) gets a fresh
# one from the shell and from the screen; the old URL dies at once, the
# user administrator's new mail downloads the certificate.  Refused, each
# with its message and an audit row: a URL just mailed, a retrieved, a
# revoked or another institution's certificate, one outside the
# officer's domains, an unknown or malformed serial.  Two requests at
# once leave one live URL and one mail.  A code-signing certificate the
# same through ⑪.
. "$(dirname "$0")/lib.sh"
stack_up
officer_with_cert 1,2,10,11
D=$DESKDIR/desk.cgi
S=$OFFICERDIR/server.cgi
CU="curl -sS --cacert $CACERT --cert-type P12 --cert $OFFICER_P12:$OFFICER_PASS"
LRA=$URL/ra/lra
JAR=$T/jar
O="National Institute of Informatics"
DN="O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP"
off=1

csr() {	# csr NAME SUBJECT [openssl req key options]
	n=$1 s=$2
	shift 2
	openssl req -new ${1+"$@"} -nodes -keyout "$T/$n.key" -subj "$s" 2>/dev/null | tr -d '\n'
}
row() {	# row DN PROFILE CSR FQDN KEYPROT ADMIN-MAIL
	printf '%s\t%s\t\t\t\t\t%s\t山田花子\t情報基盤センター\t%s\t%s\t%s\t\r\n' \
	    "$1" "$2" "$3" "$6" "$4" "$5"
}
serial_of() { sql "SELECT serial FROM ra.certificate WHERE cn = '$1'"; }
cert_of() { sql "SELECT cert_id FROM ra.certificate WHERE cn = '$1'"; }
live() {	# the certificate's URLs not used up
	sql "SELECT count(*) FROM ra.access_token WHERE purpose = 'cert_download'
	      AND used_at IS NULL AND cert_id = $(cert_of "$1")"
}
expire() {	# its URLs expired a week ago, unused
	sql "UPDATE ra.access_token SET created_at = now() - interval '40 days',
	            expires_at = now() - interval '9 days'
	      WHERE purpose = 'cert_download' AND cert_id = $(cert_of "$1")"
}
age() {		# its live URL ten minutes old, still live
	sql "UPDATE ra.access_token SET created_at = now() - interval '10 minutes'
	      WHERE purpose = 'cert_download' AND used_at IS NULL AND cert_id = $(cert_of "$1")"
}
mail_of() {	# the newest mail to $1 (by its outbox id) that names serial $2
	mails_settle
	for f in $(grep -l "^To: .*$1" "$T/var/mail/maildir/new/"*); do
		echo "$(sed -n 's/^Message-ID: <ra-mail-\([0-9]*\)@.*/\1/p' "$f") $f"
	done | sort -rn | while read -r id f; do
		mail_text "$f" | grep -q "^　$2\$" && { echo "$f"; break; }
	done
}
link() {	# the retrieval URL of that mail
	mail_text "$(mail_of "$1" "$2")" | grep -o 'https://[^ ]*certget.cgi?t=[A-Za-z0-9_-]*'
}
invalid() { curl -sS --cacert "$CACERT" "$1" | grep -c 'この証明書取得URLは無効です'; }
sent() { sql "SELECT count(*) FROM ra.mail WHERE template = '$1'"; }
audit() {	# audit EVENT: outcome:detail of each row, oldest first
	sql "SELECT string_agg(outcome || ':' || coalesce(detail->>'refused', detail->>'mailed_to'), ' '
	            ORDER BY audit_id) FROM ra.audit WHERE event = '$1'"
}

# Two server certificates of nii (www, old); one of Kyoto University.
"$D" domain-add --institution nii --domain soken.ac.jp >/dev/null
"$D" institution-add --code kyoto --name-ja 京都大学 --name-en "Kyoto University" --st Kyoto --l Kyoto \
    --from 2026-01-01 --until 2030-12-31 >/dev/null
"$D" domain-add --institution kyoto --domain kyoto-u.ac.jp >/dev/null
koff=$("$D" officer-add --institution kyoto --name-ja 京大 --romaji Kyodai --mail ra@kyoto-u.ac.jp \
    --phone 075-000-0000 --domains kyoto-u.ac.jp --interfaces 1 | sed -n 's/^officer \([0-9]*\) .*/\1/p')
soff=$("$D" officer-add --institution nii --name-ja 総研 --romaji Soken --mail ra@soken.ac.jp \
    --phone 03-0000-0000 --domains soken.ac.jp --interfaces 1 | sed -n 's/^officer \([0-9]*\) .*/\1/p')
{ row "CN=www.nii.ac.jp,$DN" 21 "$(csr www "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=www.nii.ac.jp")" \
      www.nii.ac.jp Apache yamada@nii.ac.jp
  row "CN=old.nii.ac.jp,$DN" 21 "$(csr old "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=old.nii.ac.jp")" \
      old.nii.ac.jp Apache yamada@nii.ac.jp
} | iconv -f UTF-8 -t CP932 >"$T/nii.tsv"
row "CN=www.kyoto-u.ac.jp,O=Kyoto University,L=Kyoto,ST=Kyoto,C=JP" 21 \
    "$(csr k "/C=JP/ST=Kyoto/L=Kyoto/O=Kyoto University/CN=www.kyoto-u.ac.jp")" \
    www.kyoto-u.ac.jp nginx admin@kyoto-u.ac.jp | iconv -f UTF-8 -t CP932 >"$T/kyoto.tsv"
"$S" --officer "$off" --action issue "$T/nii.tsv" >/dev/null 2>&1 &&
"$S" --officer "$koff" --action issue "$T/kyoto.tsv" >/dev/null 2>&1 ||
    bail "the server certificates were not queued"
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null
serial=$(serial_of www.nii.ac.jp)
[ -n "$serial" ] || bail "no certificate issued"
link1=$(link yamada@nii.ac.jp "$serial")
[ -n "$link1" ]; ok $? "the worker mailed the user administrator a retrieval URL (M6)"

# A URL just mailed is not replaced: the mail is on its way.
out=$("$S" --officer "$off" --reissue "$serial" 2>&1)
is "$?" 1 "reissue while the first URL is minutes old: refused (exit 1)"
has "$out" "5分以内に証明書取得URLを送ったばかりです" "saying a URL was just mailed"
is "$(live www.nii.ac.jp)" 1 "the first URL is untouched"

# From the shell, once it expired unused.
expire www.nii.ac.jp
is "$(invalid "$link1")" 1 "the expired URL: certget says it is invalid"
out=$("$S" --officer "$off" --reissue "$serial")
ok $? "server.cgi --reissue SERIAL of an expired URL"
has "$out" "certificate $serial (CN=www.nii.ac.jp,$DN)" "says which certificate"
has "$out" "is mailed to 山田花子 <yamada@nii.ac.jp>; the old one no longer works" "and to whom"
is "$(live www.nii.ac.jp)" 1 "one live URL for the certificate"
link2=$(link yamada@nii.ac.jp "$serial")
[ -n "$link2" ] && [ "$link2" != "$link1" ]; ok $? "a new M6 with a new URL"
body=$(mail_text "$(mail_of yamada@nii.ac.jp "$serial")")
has "$body" "登録担当者が証明書取得URLを再発行しました。以前のURLは使えません。" "which says it replaces the old one"
has "$body" "【対象証明書シリアル番号】" "with the labels integrators parse (reference §4)"
exp=$(sql "SELECT to_char(max(t.expires_at) AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI')
            FROM ra.access_token t JOIN ra.certificate c USING (cert_id) WHERE c.serial = $serial")
has "$body" "次の証明書取得URLから、$exp（日本時間）までに取得してください。" \
    "its deadline in Japan time, and says so (the server runs in UTC)"
page=$(curl -sS --cacert "$CACERT" "$link2")
has "$page" "id=\"serial\">$serial<" "the new URL opens on the certificate"
is "$(invalid "$link1")" 1 "the old one stays invalid"

# From the screen, the live URL ten minutes old: it dies at once.
age www.nii.ac.jp
$CU -c "$JAR" -o /dev/null "$LRA/login.cgi"
form=$($CU -b "$JAR" "$LRA/server.cgi")
has "$form" "証明書取得URL再発行" "① offers 証明書取得URL再発行"
csrf=$(printf '%s' "$form" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)
code=$($CU -b "$JAR" -o /dev/null -w '%{http_code}' -F "reissue=$serial" "$LRA/server.cgi")
is "$code" 403 "without the CSRF token: 403"
is "$(live www.nii.ac.jp)" 1 "and nothing changed"
page=$($CU -b "$JAR" -F "csrf=$csrf" -F "reissue=$serial" "$LRA/server.cgi")
has "$page" "シリアル番号 $serial（CN=www.nii.ac.jp,$DN）の証明書取得URLを再発行し、利用管理者 山田花子（yamada@nii.ac.jp）にメールで送りました。" \
    "the screen says which certificate and to whom"
is "$(invalid "$link2")" 1 "the URL that was still live is invalid at once"
link3=$(link yamada@nii.ac.jp "$serial")
[ -n "$link3" ] && [ "$link3" != "$link2" ]; ok $? "and a new one mailed"

# A double click: two requests at once, one live URL, one mail.
age www.nii.ac.jp
before=$(sent server-cert-url)
for i in 1 2; do
	$CU -b "$JAR" -o "$T/twice.$i" -w '%{http_code}\n' -F "csrf=$csrf" -F "reissue=$serial" \
	    "$LRA/server.cgi" >"$T/code.$i" &
done
wait
is "$(cat "$T/code.1" "$T/code.2" | sort | tr '\n' ' ')" "200 422 " "two requests at once: one done, one refused"
has "$(cat "$T/twice.1" "$T/twice.2")" "5分以内に証明書取得URLを送ったばかりです" "the other told a URL was just mailed"
is "$(live www.nii.ac.jp)" 1 "one live URL"
is "$(($(sent server-cert-url) - before))" 1 "one mail"
link4=$(link yamada@nii.ac.jp "$serial")
is "$(invalid "$link3")" 1 "the URL before them is dead"

# The new mail downloads the certificate; a retrieved one is refused.
curl -sS --cacert "$CACERT" -o "$T/www.pem" "$link4&f=pem"
is "$(openssl x509 -in "$T/www.pem" -noout -subject -nameopt RFC2253 2>/dev/null)" "subject=CN=www.nii.ac.jp,$DN" \
    "certget downloads the certificate from the new URL"
is "$(sql "SELECT retrieved_at IS NOT NULL FROM ra.certificate WHERE cn = 'www.nii.ac.jp'")" t "now retrieved"
page=$($CU -b "$JAR" -w '\n%{http_code}' -F "csrf=$csrf" -F "reissue=$serial" "$LRA/server.cgi")
is "$(printf '%s' "$page" | tail -n 1)" 422 "reissue of a retrieved certificate: 422"
has "$page" "$serial：取得済みです（発行済み）" "saying it was retrieved"

# Refusals, from the screen and the shell, each audited.
"$S" --officer "$koff" --reissue "$serial" >/dev/null 2>"$T/err"
is "$?" 1 "another institution's officer: refused"
has "$(cat "$T/err")" "自機関の証明書ではありません" "not a certificate of their institution"
kserial=$(serial_of www.kyoto-u.ac.jp)
page=$($CU -b "$JAR" -F "csrf=$csrf" -F "reissue=$kserial" "$LRA/server.cgi")
has "$page" "$kserial：自機関の証明書ではありません。" "Kyoto's serial on nii's screen: refused"
is "$(live www.kyoto-u.ac.jp)" 1 "and Kyoto's URL is untouched"
expire old.nii.ac.jp
"$S" --officer "$soff" --reissue "$(serial_of old.nii.ac.jp)" >/dev/null 2>"$T/err"
has "$(cat "$T/err")" "登録担当者のドメイン配下の証明書ではありません" \
    "an officer of another domain of the institution: refused"
sql "INSERT INTO ra.revocation (cert_id, ca_id, serial, not_after, reason)
     SELECT cert_id, ca_id, serial, not_after, 5 FROM ra.certificate WHERE cn = 'old.nii.ac.jp'"
"$S" --officer "$off" --reissue "$(serial_of old.nii.ac.jp)" >/dev/null 2>"$T/err"
has "$(cat "$T/err")" "すでに失効しています" "a revoked certificate: refused"
"$S" --officer "$off" --reissue 12345 >/dev/null 2>"$T/err"
has "$(cat "$T/err")" "12345：この番号の証明書が存在しません。" "an unknown serial: refused"
page=$($CU -b "$JAR" -F "csrf=$csrf" -F "reissue=www.nii.ac.jp" "$LRA/server.cgi")
has "$page" "シリアル番号は半角数字（10進）で入力してください" "not a number: refused"
"$S" --officer "$off" --reissue "$serial" --action issue "$T/nii.tsv" >/dev/null 2>&1
is "$?" 2 "--reissue with an upload's options: a usage error"
is "$(live old.nii.ac.jp)" 0 "no refusal made a URL"
is "$(audit server.url_reissue)" \
    "refused:recent ok:yamada@nii.ac.jp ok:yamada@nii.ac.jp ok:yamada@nii.ac.jp refused:recent refused:retrieved refused:institution refused:institution refused:domain refused:revoked refused:notfound refused:serial" \
    "every reissue and refusal is audited, in order"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'server.url_reissue' AND outcome = 'ok'
           AND cert_serial = $serial AND cert_subject = 'CN=www.nii.ac.jp,$DN' AND officer_id = $off")" 3 \
    "the successes with the certificate and the officer"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'server.url_reissue' AND detail->>'refused' = 'institution'
           AND officer_id = $koff")" 1 "the refusal names the officer who asked"

# The database: the officer zone makes or voids no URL but through the function.
is "$(psql -h "$T/var/pgsock" -U ra_officer -d ra -Atq -c "UPDATE ra.access_token SET used_at = now()" 2>&1 |
    grep -c 'permission denied')" 1 "ra_officer cannot touch ra.access_token"
is "$(psql -h "$T/var/pgsock" -U ra_officer -d ra -Atq -c "SELECT why FROM ra.cert_url_reissue($koff,
    $(cert_of www.nii.ac.jp), sha256('x'))")" institution "ra.cert_url_reissue checks the institution itself"
is "$(psql -h "$T/var/pgsock" -U ra_public -d ra -Atq -c "SELECT why FROM ra.cert_url_reissue(1, 1, sha256('x'))" 2>&1 |
    grep -c 'permission denied')" 1 "and only ra_officer may call it"
is "$(sql "INSERT INTO ra.access_token (purpose, token_sha256, institution_id, cert_id, expires_at)
           SELECT 'cert_download', sha256('y'), institution_id, cert_id, now() + interval '1 day'
             FROM ra.certificate WHERE cn = 'www.kyoto-u.ac.jp'" 2>&1 | grep -c access_token_cert_live)" 1 \
    "a second live URL of one certificate is refused by the database"

# ⑪: a code-signing certificate, the same way.
CN="NII Software Release"
row "CN=$CN,$DN" 31 "$(csr cs "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=$CN" -newkey ec -pkeyopt ec_paramgen_curve:P-256)" \
    "" token hanako@nii.ac.jp | iconv -f UTF-8 -t CP932 >"$T/cs.tsv"
"$OFFICERDIR/codesign.cgi" --officer "$off" --action issue "$T/cs.tsv" >/dev/null 2>&1 ||
    bail "the code-signing certificate was not queued"
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null
csserial=$(serial_of "$CN")
cs1=$(link hanako@nii.ac.jp "$csserial")
out=$("$S" --officer "$off" --reissue "$csserial" 2>&1)
has "$out" "この画面の種類の証明書ではありません" "① refuses a code-signing serial"
expire "$CN"
out=$("$OFFICERDIR/codesign.cgi" --officer "$off" --reissue "$csserial")
ok $? "codesign.cgi --reissue SERIAL"
has "$out" "is mailed to 山田花子 <hanako@nii.ac.jp>" "to the user administrator"
cs2=$(link hanako@nii.ac.jp "$csserial")
[ -n "$cs2" ] && [ "$cs2" != "$cs1" ]; ok $? "a new M6 for the code-signing certificate"
is "$(invalid "$cs1")" 1 "its old URL is invalid"
curl -sS --cacert "$CACERT" -o "$T/cs.pem" "$cs2&f=pem"
has "$(openssl x509 -in "$T/cs.pem" -noout -subject -nameopt RFC2253 2>/dev/null)" "CN=$CN," \
    "and the new one downloads it"
form=$($CU -b "$JAR" "$LRA/codesign.cgi")
has "$form" '<button type="submit" id="reissue">再発行</button>' "⑪ has the form too"
is "$(audit codesign.url_reissue)" "ok:hanako@nii.ac.jp" "audited as codesign.url_reissue"

done_testing
