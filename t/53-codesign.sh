#!/bin/sh
# ⑪ code-signing certificates by TSV (reference §1.5, §2.5, §10.5; CSBR
# v3.10): the server frame without host names, a key-protection statement
# per row; P-256 and RSA-3072 CSRs issue, a 2048-bit key and every other
# broken rule are refused with the row and column and nothing is kept;
# what is stored, what the certificate carries, renewal, revocation, the
# user administrator's URL (M6/M7), the download's column 17, the desk's
# paper route, permission, and a race for one CN.
. "$(dirname "$0")/lib.sh"
stack_up
officer_with_cert 1,2,10,11
D=$DESKDIR/desk.cgi
S=$OFFICERDIR/codesign.cgi
CU="curl -sS --cacert $CACERT --cert-type P12 --cert $OFFICER_P12:$OFFICER_PASS"
LRA=$URL/ra/lra
JAR=$T/jar
O="National Institute of Informatics"
DN="O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP"
off=1
count() { sql "SELECT count(*) FROM ra.request WHERE kind = 'code_signing'"; }

# csr NAME SUBJECT [ALG]: a one-line PEM CSR; ALG rsa:BITS or p256.
csr() {
	case ${3:-p256} in
	p256) set -- "$1" "$2" -newkey ec -pkeyopt ec_paramgen_curve:P-256 ;;
	*) set -- "$1" "$2" -newkey "$3" ;;
	esac
	n=$1 s=$2
	shift 2
	openssl req -new "$@" -nodes -keyout "$T/$n.key" -subj "$s" 2>/dev/null | tr -d '\n'
}
# row DN PROFILE SERIAL REASON COMMENT CSR KEYPROT [FQDN] [DNSNAME]
row() {
	printf '%s\t%s\t\t%s\t%s\t%s\t%s\t山田花子\t情報基盤センター\thanako@nii.ac.jp\t%s\t%s\t%s\r\n' \
	    "$1" "$2" "$3" "$4" "$5" "$6" "${8:-}" "$7" "${9:-}"
}
sjis() { iconv -f UTF-8 -t CP932 >"$T/$1"; }
up() {	# up FILE ACTION MODE [OFFICER]
	"$S" --officer "${4:-$off}" --action "$2" --mode "$3" "$T/$1" 2>"$T/up.err"
}

# The menu: ⑪ linked, ⑩ logout still last; the screen lists the statements.
$CU -c "$JAR" -o /dev/null "$LRA/login.cgi"
menu=$($CU -b "$JAR" "$LRA/menu.cgi")
has "$menu" 'href="codesign.cgi">⑪発行・更新・失効' "the menu links ⑪"
has "$menu" 'コード署名用証明書' "under its group"
[ "$(printf '%s\n' "$menu" | grep -n 'if-11' | cut -d: -f1)" -lt \
  "$(printf '%s\n' "$menu" | grep -n 'if-10' | cut -d: -f1)" ]
ok $? "⑩ logout stays last, after ⑪"
form=$($CU -b "$JAR" "$LRA/codesign.cgi")
has "$form" '<code>token</code>' "the screen lists the key-protection codes"
has "$form" 'action="codesign.cgi"' "and posts to itself"

# Issue: a P-256 and an RSA-3072 CSR, each with its statement.
CN1="Yamada Lab Code Signing"
CN2="NII Software Release"
c1=$(csr cs1 "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=$CN1")
c2=$(csr cs2 "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=$CN2" rsa:3072)
{ row "CN=$CN1,$DN" 31 "" "" "" "$c1" token
  row "CN=$CN2,$DN" 31 "" "" "" "$c2" hsm
} | sjis ok.tsv
out=$(up ok.tsv issue abort)
ok $? "a Shift_JIS issue file of a P-256 and an RSA-3072 CSR is accepted"
is "$(printf '%s\n' "$out" | grep -c '	OK	')" 2 "both rows OK"
is "$(sql "SELECT string_agg(key_protection, ',' ORDER BY seq) FROM ra.request WHERE kind = 'code_signing'")" \
    "token,hsm" "the key-protection statements are stored with the requests"
is "$(sql "SELECT count(*) FROM ra.request WHERE kind = 'code_signing' AND csr_der IS NOT NULL
           AND key_secret IS NULL AND profile_id = 31")" 2 "CSR requests of profile 31, no server-made key"
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null
is "$(sql "SELECT count(*) FROM ra.certificate WHERE kind = 'code_signing' AND state = 'issued'")" 2 "and issued"
ca=$(sql "SELECT a.name FROM ra.certificate c JOIN ra.ca a USING (ca_id) WHERE c.cn = '$CN1'")
is "$ca" "ra Demo Code Signing CA" "by the code-signing CA"

# Another screen's file on ⑪: one line saying where it goes.  A server
# file (the same 13 columns, a server profile, FQDN and software named)
# and a client file (15 columns, the 7th empty, the user's mail 14th).
before=$(count)
printf 'CN=www.nii.ac.jp,%s\t21\t\t\t\t\t%s\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\twww.nii.ac.jp\tApache httpd 2.4\t\r\n' \
    "$DN" "$c1" | sjis server-file.tsv
up server-file.tsv issue abort >/dev/null
[ $? -ne 0 ]; ok $? "a server file on ⑪ is refused"
is "$(grep -c "^[0-9][0-9]*:" "$T/up.err")" 1 "with one error line"
has "$(cat "$T/up.err")" "216:0,,このファイルはサーバ証明書の申請ファイル（13列、7列目がCSR）です。「サーバ証明書　発行・更新・失効」の画面でアップロードしてください" \
    "which says it is a server file and where to upload it"
printf 'CN=taro.001,%s\t14\t1\t\t\t\t\t山田花子\t情報基盤センター\thanako@nii.ac.jp\t情報 太郎\tNIIcert-001\t\ttaro@nii.ac.jp\t\r\n' \
    "$DN" | sjis client-file.tsv
up client-file.tsv issue abort >/dev/null
[ $? -ne 0 ]; ok $? "a client file on ⑪ is refused"
has "$(cat "$T/up.err")" "216:0,,このファイルはクライアント証明書の申請ファイル（15列）です。" \
    "which says it is a client file"
is "$(count)" "$before" "and nothing is queued"

# What the certificate carries.
sql "SELECT encode(der, 'base64') FROM ra.certificate WHERE cn = '$CN1'" |
    openssl base64 -d | openssl x509 -inform DER -out "$T/cs1.crt"
txt=$(openssl x509 -in "$T/cs1.crt" -noout -text)
has "$txt" "X509v3 Extended Key Usage: 
                Code Signing" "EKU codeSigning"
has "$txt" "X509v3 Key Usage: critical
                Digital Signature" "key usage critical digitalSignature"
has "$txt" "Policy: 2.23.140.1.4.1" "the CSBR policy OID"
has "$txt" "X509v3 CRL Distribution Points" "a CRL distribution point"
has "$txt" "CA Issuers - URI:" "and AIA caIssuers"
hasnt "$txt" "Subject Alternative Name" "no host names"
hasnt "$txt" "OU =" "no OU"
has "$txt" "ASN1 OID: prime256v1" "the P-256 key"
is "$(sql "SELECT ceil(extract(epoch FROM not_after - not_before) / 86400) FROM ra.certificate WHERE cn = '$CN1'")" 460 \
    "valid 460 days (CSBR: at most 460)"
has "$(sql "SELECT encode(der, 'base64') FROM ra.certificate WHERE cn = '$CN2'" | openssl base64 -d |
    openssl x509 -inform DER -noout -text)" "Public-Key: (3072 bit)" "the RSA-3072 key"

# One broken rule per row, in abort mode: nothing is kept.  Each row its
# own CN and key, so no row is only a duplicate of another (229).
bad() {	# bad N ALG: the CSR of "Signer N"
	csr "b$1" "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=Signer $1" "${2:-p256}"
}
ou=$(csr ou "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/OU=Lab/CN=OU Signer")
wo=$(csr wo "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=Other University/CN=Other Signer")
again=$(csr again "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=$CN1")
before=$(count)
{ row "CN=Signer 1,$DN" 31 "" "" "" "$(bad 1)" token
  row "CN=Signer 2,$DN" 31 "" "" "" "$(bad 2)" ""
  row "CN=Signer 3,$DN" 31 "" "" "" "$(bad 3)" yubikey
  row "CN=Signer 4,$DN" 31 "" "" "" "$(bad 4 rsa:2048)" token
  row "CN=Signer 5,$DN" 31 "" "" "" "$(bad 5)" token www.nii.ac.jp
  row "CN=Signer 6,$DN" 31 "" "" "" "$(bad 6)" token "" www.nii.ac.jp
  row "CN=OU Signer,OU=Lab,$DN" 31 "" "" "" "$ou" token
  row "CN=Other Signer,O=Other University,L=Chiyoda-ku,ST=Tokyo,C=JP" 31 "" "" "" "$wo" token
  row "CN=$CN1,$DN" 31 "" "" "" "$again" token
  row "CN=Signer 10,$DN" 21 "" "" "" "$(bad 10)" token
} | sjis rules.tsv
out=$(up rules.tsv issue abort)
[ $? -ne 0 ]; ok $? "a file with bad rows: non-zero exit"
is "$(count)" "$before" "abort mode: nothing is queued, not even the good row"
is "$(printf '%s\n' "$out" | head -n 1 | cut -f14)" OK "the good row is reported OK"
has "$out" "201:2,鍵保護方式,鍵保護方式は入力必須項目です。" "no key-protection statement: 201 on column 鍵保護方式"
has "$out" "260:3,鍵保護方式,yubikeyは登録された鍵保護方式ではありません" "an unknown statement: 260"
has "$out" "228:4,CSR,rsa2048の鍵はプロファイル31では使えません。$(sql "SELECT array_to_string(key_algs, ',') FROM ra.profile WHERE profile_id = 31")の鍵でCSRを作り直してください (a rsa2048 key" \
    "a 2048-bit RSA key: 228 on the CSR column"
has "$out" "217:5,FQDN,FQDNは空欄にしてください。" "FQDN filled: 217"
has "$out" "217:6,dNSName,dNSNameは空欄にしてください。" "dNSName filled: 217"
has "$out" "261:7,主体者DN,コード署名用証明書の主体者DNにOUは指定できません。" "an OU: 261"
has "$out" "221:8,主体者DN,Oは機関の英語名（$O）でなければなりません。" "another O: 221"
has "$out" "212:9,主体者DN,指定したDNはすでに存在しています。" "a CN already issued: 212 (use renewal)"
has "$out" "225:10,証明書プロファイルID,21はコード署名用証明書のプロファイルではありません。" \
    "a server profile: 225"
out=$(up rules.tsv issue dry-run)
is "$(count)" "$before" "a dry run queues nothing"
# P-256 spelt out as explicit parameters: OpenSSL names the curve, but
# RFC 5480 allows only the named-curve OID, and the CA copies the key.
openssl ecparam -name prime256v1 -param_enc explicit -genkey -out "$T/explicit.key" 2>/dev/null
ex=$(openssl req -new -key "$T/explicit.key" -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=Explicit Signer" |
    tr -d '\n')
row "CN=Explicit Signer,$DN" 31 "" "" "" "$ex" token | sjis explicit.tsv
out=$(up explicit.tsv issue dry-run)
has "$out" "228:1,CSR,ec-explicitの鍵はプロファイル" \
    "a P-256 key with explicit curve parameters: 228"

# Renewal with a new key, and only once.
s1=$(sql "SELECT serial FROM ra.certificate WHERE cn = '$CN1'")
s2=$(sql "SELECT serial FROM ra.certificate WHERE cn = '$CN2'")
r1=$(csr r1 "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=$CN1" rsa:3072)
row "CN=$CN1,$DN" 31 "$s1" "" "" "$r1" cloud-hsm | sjis renew.tsv
up renew.tsv renew abort >/dev/null
ok $? "renewal with a new key"
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null
is "$(sql "SELECT r.key_protection FROM ra.certificate c JOIN ra.request r USING (request_id)
           WHERE r.action = 'renew' AND c.kind = 'code_signing'")" cloud-hsm "the renewal is issued with its statement"
# M9: two weeks on, the old certificate still valid: the officer is reminded.
sql "UPDATE ra.certificate SET issued_at = now() - interval '15 days' WHERE cert_id =
     (SELECT c.cert_id FROM ra.certificate c JOIN ra.request r USING (request_id)
       WHERE r.action = 'renew' AND c.kind = 'code_signing')"
is "$(as_worker "$TOOLSDIR/mail.cgi" remind)" "1 reminder(s) queued" "M9 for the renewed code-signing certificate"
has "$(sql "SELECT data->>'RevokeTSV' FROM ra.mail WHERE template = 'codesign-renew-reminder'")" \
    "	$s1	4	" "with the old certificate's revocation TSV"
r2=$(csr r2 "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=$CN1")
row "CN=$CN1,$DN" 31 "$s1" "" "" "$r2" token | sjis renew2.tsv
out=$(up renew2.tsv renew abort)
has "$out" "235:1,シリアル番号,${s1}の証明書はすでに更新されています。" "renewing the old certificate again: 235"

# Another institution's officer reaches none of nii's certificates.
"$D" institution-add --code kyoto --name-ja 京都大学 --name-en "Kyoto University" --st Kyoto --l Kyoto \
    --from 2026-01-01 --until 2030-12-31 >/dev/null
"$D" domain-add --institution kyoto --domain kyoto-u.ac.jp >/dev/null
koff=$("$D" officer-add --institution kyoto --name-ja 京大 --romaji Kyodai --mail ra@kyoto-u.ac.jp \
    --phone 075-000-0000 --domains kyoto-u.ac.jp --interfaces 11 | sed -n 's/^officer \([0-9]*\) .*/\1/p')
is "$(sql "SELECT string_agg(interface::text, ',') FROM ra.officer_permission WHERE officer_id = $koff")" 11 \
    "desk officer-add accepts interface 11"
rev() { printf '%s\t\t\t%s\t%s\t%s\t\t\t\t%s\t\t\t\r\n' "$1" "$2" "$3" "$4" "${5:-hanako@nii.ac.jp}"; }
rev "CN=$CN2,$DN" "$s2" 1 "" ra@kyoto-u.ac.jp | sjis kyoto.tsv
out=$(up kyoto.tsv revoke abort "$koff")
has "$out" "231:1,シリアル番号,${s2}は自機関のコード署名用証明書ではありません。" "another institution's serial: 231"
srv=$(sql "SELECT serial FROM ra.certificate WHERE kind = 'ra_officer' LIMIT 1")
rev "CN=Taro Yamada,$DN" "$srv" 1 "" | sjis notcs.tsv
out=$(up notcs.tsv revoke abort)
has "$out" "231:1,シリアル番号,${srv}は自機関のコード署名用証明書ではありません。" \
    "a certificate of another kind: 231"

# Revocation, as for servers, and its mail.
rev "CN=$CN2,$DN" "$s2" 5 "" | sjis rev.tsv
up rev.tsv revoke abort >/dev/null
ok $? "revocation by serial"
is "$(sql "SELECT reason FROM ra.revocation v JOIN ra.certificate c USING (cert_id) WHERE c.cn = '$CN2'")" 5 \
    "recorded with its reason"
mails_settle
m=$(mail_to hanako@nii.ac.jp コード署名用証明書失効完了通知)
[ -n "$m" ]; ok $? "the revocation mail names a code-signing certificate"

# M6: the user administrator's URL (no FQDN in it), certget, M7.
m=$(mail_to hanako@nii.ac.jp コード署名用証明書発行通知)
[ -n "$m" ]; ok $? "the user administrator gets the retrieval mail"
body=$(mail_text "$m")
has "$body" "　CN=$CN1" "with the DN block"
hasnt "$body" "サーバ" "and no word of servers"
link=$(printf '%s\n' "$body" | grep -o 'https://[^ ]*certget.cgi?t=[A-Za-z0-9_-]*' | head -n 1)
page=$(curl -sS --cacert "$CACERT" "$link")
has "$page" "コード署名用証明書取得" "certget names a code-signing certificate"
curl -sS --cacert "$CACERT" -o "$T/got.pem" "$link&f=pem"
has "$(openssl x509 -in "$T/got.pem" -noout -ext extendedKeyUsage 2>&1)" "Code Signing" \
    "and hands it out"
mails_settle
m=$(mail_to taro@nii.ac.jp コード署名用証明書取得通知)
[ -n "$m" ]; ok $? "the officer hears of the first download (M7)"

# The 46-column download: the statement in column 17, the administrator in 13-15.
"$OFFICERDIR/codesigndl.cgi" --officer "$off" | iconv -f CP932 -t UTF-8 | tr -d '\r' >"$T/cs.tsv"
is "$(head -n 1 "$T/cs.tsv" | cut -f17)" "利用管理者ソフトウェア名・バージョン" "column 17's header"
is "$(grep -F "CN=$CN2," "$T/cs.tsv" | cut -f13,15,16,17)" "山田花子	hanako@nii.ac.jp		hsm" \
    "column 17 is the key-protection statement; no FQDN"
is "$(grep -c "CN=$CN1," "$T/cs.tsv")" 2 "the certificate and its renewal"
is "$(awk -F '\t' '{print NF}' "$T/cs.tsv" | sort -u)" 46 "46 columns on every line"
$CU -b "$JAR" -o "$T/cs-web.tsv" "$LRA/codesigndl.cgi"
is "$(iconv -f CP932 -t UTF-8 "$T/cs-web.tsv" | tr -d '\r' | grep -F "CN=$CN2," | cut -f17)" hsm \
    "the same from the screen"

# The desk's paper route: the same rules, no officer, audited as the desk.
p1=$(csr p1 "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=Paper Signer")
pw=$(csr pw "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=Paper Weak" rsa:2048)
row "CN=Paper Signer,$DN" 31 "" "" "" "$p1" signing-service | sjis paper.tsv
row "CN=Paper Weak,$DN" 31 "" "" "" "$pw" token | sjis paper-weak.tsv
before=$(count)
out=$("$D" codesign-add --institution nii --file "$T/paper.tsv" --dry-run 2>/dev/null)
has "$out" "	OK	" "desk dry run: the row passes"
is "$(count)" "$before" "and nothing is queued"
out=$("$D" codesign-add --institution nii --file "$T/paper-weak.tsv" 2>/dev/null)
[ $? -ne 0 ]; ok $? "desk: a 2048-bit key fails"
has "$out" "228:1,CSR," "with the same error"
"$D" codesign-add --institution nii --file "$T/paper.tsv" >/dev/null 2>&1
ok $? "desk codesign-add registers the paper application"
is "$(sql "SELECT coalesce(officer_id::text, 'none') || ' ' || key_protection FROM ra.request WHERE cn = 'Paper Signer'")" \
    "none signing-service" "with no officer, and the statement"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'codesign.upload' AND actor LIKE 'desk:%' AND officer_id IS NULL")" 3 \
    "each desk run is audited as the desk"
is "$(sql "SELECT count(*) FROM ra.batch b JOIN ra.request r USING (batch_id) WHERE r.cn = 'Paper Signer' AND b.officer_id IS NULL")" 1 \
    "in a batch of its own"
"$D" codesign-add --institution nosuch --file "$T/paper.tsv" >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "desk: an institution not registered is refused"
is "$(sql "SELECT detail->>'institution' || ': ' || (detail->>'why') || ' ' || (detail->'operator'->>'via') FROM ra.audit
           WHERE event = 'desk.codesign.add' AND actor LIKE 'desk:%' AND outcome = 'refused'")" \
    "nosuch: the institution is not registered shell" "and the refusal audited as the desk's"
is "$(sql "SELECT string_agg((detail->>'rows_ok') || '/' || (detail->>'rows_ng') || ' ' || (detail->>'dry_run') || ' ' || (detail->>'kept'), ',' ORDER BY audit_id)
           FROM ra.audit WHERE event = 'desk.codesign.add' AND outcome = 'ok'")" \
    "1/0 true false,0/1 false false,1/0 false true" "each paper run has its desk row: rows, dry run, kept"

out=$(psql -h "$T/var/pgsock" -U ra_desk -d ra -Atq -c "INSERT INTO ra.batch (institution_id,
      officer_id, kind, action, error_mode, rows_total, rows_ok) VALUES (1, 1, 'code_signing',
      'issue', 'abort', 0, 0)" 2>&1)
has "$out" "row-level security" "the desk zone cannot upload in an officer's name"
out=$(psql -h "$T/var/pgsock" -U ra_desk -d ra -Atq -c "SELECT count(result_tsv) FROM ra.batch" 2>&1)
has "$out" "permission denied" "nor read the officers' result files"

# A race for one CN: two uploads at once, one certificate.
a=$(csr ra "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=Race Signer")
b=$(csr rb "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=Race Signer")
row "CN=Race Signer,$DN" 31 "" "" "" "$a" token | sjis race-a.tsv
row "CN=Race Signer,$DN" 31 "" "" "" "$b" token | sjis race-b.tsv
"$S" --officer "$off" --action issue --mode abort "$T/race-a.tsv" >"$T/ra.out" 2>&1 &
"$S" --officer "$off" --action issue --mode abort "$T/race-b.tsv" >"$T/rb.out" 2>&1 &
wait
is "$(sql "SELECT count(*) FROM ra.request WHERE cn = 'Race Signer' AND state IN ('queued', 'done')")" 1 \
    "two concurrent uploads of one CN: one request"
has "$(cat "$T/ra.out" "$T/rb.out")" "212:1,主体者DN,指定したDNはすでに存在しています。" "the other is told 212"
# Nor the same CN again with a space more: X509_NAME_cmp folds spaces, so
# these would be Race Signer's name a second and third time.
n=0
for cn in "Race Signer " " Race Signer" "Race  Signer"; do
	n=$((n + 1))
	c=$(csr "sp$n" "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=$cn")
	row "CN=$cn,$DN" 31 "" "" "" "$c" token
done | sjis spaced.tsv
out=$(up spaced.tsv issue partial)
is "$(printf '%s\n' "$out" | grep -c '206:[123],主体者DN,主体者DNのCNの先頭・末尾に空白、または連続した空白があります。')" 3 \
    "Race Signer with a leading, trailing or double space: 206 on each row"
is "$(sql "SELECT count(*) FROM ra.request WHERE lower(btrim(cn)) LIKE 'race%signer'")" 1 \
    "and still one request for that name"

# The database refuses what the C checks refuse, whoever writes.
sql "INSERT INTO ra.request (institution_id, action, kind, profile_id, subject_der, cn, csr_der, spki_sha256)
     SELECT institution_id, 'issue', kind, 31, subject_der, 'x', csr_der, sha256(csr_der) FROM ra.request
      WHERE cn = '$CN2'" 2>"$T/sql.err"
has "$(cat "$T/sql.err")" "request_codesign_key_protection" "no request without a statement, by CHECK"
sql "INSERT INTO ra.request (institution_id, action, kind, profile_id, subject_der, cn, key_protection)
     SELECT institution_id, 'issue', kind, 31, subject_der, 'x', 'token' FROM ra.request
      WHERE cn = '$CN2'" 2>"$T/sql.err"
has "$(cat "$T/sql.err")" "request_codesign_csr" "no request without a CSR (no server-made key), by CHECK"
sql "UPDATE ra.profile SET validity_days = 500 WHERE profile_id = 31" 2>"$T/sql.err"
has "$(cat "$T/sql.err")" "profile_codesign_csbr" "profile 31 stays within CSBR (460 days), by CHECK"
# A row the upload rules never saw (the officer zone's role writes
# requests): the worker does not put host names in a code-signing
# certificate.  A new key under CN2's subject, so that is all it could refuse.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
    -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=$CN2" -outform DER -out "$T/san.der" 2>/dev/null
sql "WITH r AS (INSERT INTO ra.request (institution_id, action, kind, profile_id, subject_der, cn, csr_der,
                  spki_sha256, key_protection, san_dns, state)
           SELECT institution_id, 'issue', kind, 31, subject_der, 'SAN Signer',
                  '\\x$(od -An -v -tx1 "$T/san.der" | tr -d ' \n')',
                  sha256(convert_to('t53 san', 'UTF8')), 'token', '{www.nii.ac.jp}', 'queued'
             FROM ra.request WHERE cn = '$CN2' AND action = 'issue' RETURNING request_id)
     INSERT INTO ra.job (request_id) SELECT request_id FROM r" >/dev/null
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null 2>&1
is "$(sql "SELECT state || ': ' || error FROM ra.request WHERE cn = 'SAN Signer'")" \
    "failed: host names are only for server certificates" "the worker refuses a code-signing request with a dNSName"
is "$(sql "SELECT count(*) FROM ra.certificate c JOIN ra.request r USING (request_id)
           WHERE r.cn = 'SAN Signer'")" 0 "and issues nothing"

# ⑤ reaches code-signing certificates of the institution (no domain in them).
sql "INSERT INTO ra.officer_permission VALUES ($off, 5)"
s3=$(sql "SELECT c.serial FROM ra.certificate c JOIN ra.request r USING (request_id)
           WHERE r.action = 'renew' AND c.kind = 'code_signing'")
printf 'CN=%s,%s\t%s\t山田次郎\t情報基盤センター\tjiro@nii.ac.jp\r\n' "$CN1" "$DN" "$s3" | sjis admin.tsv
"$OFFICERDIR/admin.cgi" --officer "$off" --mode abort "$T/admin.tsv" >"$T/admin.out" 2>&1
ok $? "⑤ changes a code-signing certificate's user administrator"
is "$(sql "SELECT r.admin_mail FROM ra.certificate c JOIN ra.request r USING (request_id) WHERE c.serial = $s3")" \
    jiro@nii.ac.jp "stored on its request"
"$OFFICERDIR/codesigndl.cgi" --officer "$off" | iconv -f CP932 -t UTF-8 | tr -d '\r' >"$T/cs2.tsv"
is "$(awk -F '\t' -v s="$s3" '$24 == s { print $13 "/" $15 }' "$T/cs2.tsv")" "山田次郎/jiro@nii.ac.jp" \
    "and shown in the download"
# ⑥ lists them too, in the same lines as ⑪'s download.
sql "INSERT INTO ra.officer_permission VALUES ($off, 6)"
"$OFFICERDIR/alldl.cgi" --officer "$off" | iconv -f CP932 -t UTF-8 | tr -d '\r' >"$T/all.tsv"
is "$(grep -F "$s3" "$T/all.tsv")" "$(grep -F "$s3" "$T/cs2.tsv")" "⑥ has the code-signing row as ⑪'s download"
is "$(awk -F '\t' -v s="$s3" '$24 == s { print $10 "/" $17 }' "$T/all.tsv")" "code_signing/cloud-hsm" \
    "with its kind and key-protection statement"

# Without ⑪: 403, audited.
sql "DELETE FROM ra.officer_permission WHERE officer_id = $off AND interface = 11"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/codesign.cgi")" 403 "without permission ⑪: 403"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/codesigndl.cgi")" 403 "and its download too"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'web.refused' AND detail->>'error' = 'access denied'
           AND detail->>'script' IN ('/ra/lra/codesign.cgi', '/ra/lra/codesigndl.cgi')")" 2 "audited"
hasnt "$($CU -b "$JAR" "$LRA/menu.cgi")" "codesign.cgi" "and the menu no longer shows ⑪"

done_testing
