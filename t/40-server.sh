#!/bin/sh
# ① server certificates by TSV: a real-world Shift_JIS CRLF file issues;
# then one row per rule, each refused with its code, and nothing queued
# in abort mode; renewals and revocations by serial; whole-file errors.
. "$(dirname "$0")/lib.sh"
stack_up
D=$DESKDIR/desk.cgi
S=$OFFICERDIR/server.cgi
O="National Institute of Informatics"
"$D" institution-add --code nii --name-ja 国立情報学研究所 --name-en "$O" --st Tokyo --l Chiyoda-ku \
    --from 2026-01-01 --until 2030-12-31 >/dev/null
"$D" domain-add --institution nii --domain nii.ac.jp >/dev/null
"$D" ou-add --domain nii.ac.jp --ou "Cyber Science Infrastructure Development Department" >/dev/null
"$D" institution-add --code kyoto --name-ja 京都大学 --name-en "Kyoto University" --st Kyoto --l Kyoto \
    --from 2026-01-01 --until 2030-12-31 >/dev/null
"$D" domain-add --institution kyoto --domain kyoto-u.ac.jp >/dev/null
off=$("$D" officer-add --institution nii --name-ja 山田太郎 --romaji "Taro Yamada" --mail taro@nii.ac.jp \
    --phone 03-1234-5678 --domains nii.ac.jp --interfaces 1,2,10 | sed -n 's/^officer \([0-9]*\) .*/\1/p')
koff=$("$D" officer-add --institution kyoto --name-ja 京大 --romaji Kyodai --mail ra@kyoto-u.ac.jp \
    --phone 075-000-0000 --domains kyoto-u.ac.jp --interfaces 1 | sed -n 's/^officer \([0-9]*\) .*/\1/p')
DN="O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP"
count() { sql "SELECT count(*) FROM ra.request"; }

# csr NAME SUBJECT [BITS]: a one-line PEM CSR, as the TSV tool writes it.
csr() {
	openssl req -new -newkey "rsa:${3:-2048}" -nodes -keyout "$T/$1.key" -subj "$2" 2>/dev/null |
	    tr -d '\n'
}
# row DN PROFILE SERIAL REASON COMMENT CSR FQDN [DNSNAME]
row() {
	printf '%s\t%s\t\t%s\t%s\t%s\t%s\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\t%s\tApache httpd 2.4\t%s\r\n' \
	    "$1" "$2" "$3" "$4" "$5" "$6" "$7" "${8:-}"
}
sjis() { iconv -f UTF-8 -t CP932 >"$T/$1"; }
up() {	# up FILE ACTION MODE [OFFICER]
	"$S" --officer "${4:-$off}" --action "$2" --mode "$3" "$T/$1" 2>"$T/up.err"
}

c1=$(csr www "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=www.nii.ac.jp")
c2=$(csr mail "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=mail.nii.ac.jp")
{ row "CN=www.nii.ac.jp,$DN" 21 "" "" "" "$c1" www.nii.ac.jp "nii.ac.jp"
  printf '\r\n'
  row "CN=mail.nii.ac.jp,$DN" 21 "" "" "" "$c2" mail.nii.ac.jp
} | sjis ok.tsv
out=$(up ok.tsv issue abort)
ok $? "a Shift_JIS CRLF issue file with a blank line is accepted"
is "$(printf '%s\n' "$out" | grep -c '	OK	')" 2 "both rows OK in the result TSV"
is "$(count)" 2 "two requests queued"
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null
is "$(sql "SELECT count(*) FROM ra.certificate WHERE kind = 'server' AND state = 'issued'")" 2 "and issued"
has "$(sql "SELECT array_to_string(san_dns, ' ') FROM ra.request WHERE subject_dn LIKE 'CN=www%'")" \
    "www.nii.ac.jp nii.ac.jp" "the dNSName column becomes SANs after the CN"
is "$(sql "SELECT attrs->>'affiliation' || ' / ' || (attrs->>'software') FROM ra.request WHERE subject_dn LIKE 'CN=www%'")" \
    "情報基盤センター / Apache httpd 2.4" "the administrator's affiliation and the server software are kept"

# One rule per row, in abort mode: the whole file is refused.
bad=$(csr bad "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=other.nii.ac.jp")
weak=$(csr weak "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=weak.nii.ac.jp" 1024)
k=$(csr k "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=www.kyoto-u.ac.jp")
ou=$(csr ou "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/OU=Unknown Lab/CN=lab.nii.ac.jp")
wo=$(csr wo "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=Other University/CN=wo.nii.ac.jp")
ac=$(csr ac "/C=JP/ST=Tokyo/L=Academe/O=$O/CN=ac.nii.ac.jp")
n1=$(csr n1 "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=new1.nii.ac.jp")
before=$(count)
{ row "CN=new1.nii.ac.jp,$DN" 21 "" "" "" "$n1" new1.nii.ac.jp
  row "CN=csr.nii.ac.jp,$DN" 21 "" "" "" "$bad" csr.nii.ac.jp
  row "CN=weak.nii.ac.jp,$DN" 21 "" "" "" "$weak" weak.nii.ac.jp
  row "CN=www.kyoto-u.ac.jp,$DN" 21 "" "" "" "$k" www.kyoto-u.ac.jp
  row "CN=lab.nii.ac.jp,OU=Unknown Lab,$DN" 21 "" "" "" "$ou" lab.nii.ac.jp
  row "CN=wo.nii.ac.jp,O=Other University,L=Chiyoda-ku,ST=Tokyo,C=JP" 21 "" "" "" "$wo" wo.nii.ac.jp
  row "CN=ac.nii.ac.jp,O=$O,L=Academe,ST=Tokyo,C=JP" 21 "" "" "" "$ac" ac.nii.ac.jp
  row "\"CN=q.nii.ac.jp,$DN\"" 21 "" "" "" "$n1" q.nii.ac.jp
  row "CN=www.nii.ac.jp,$DN" 21 "" "" "" "$c1" www.nii.ac.jp
  row "CN=new1.nii.ac.jp,$DN" 21 "" "" "" "$n1" new1.nii.ac.jp
  row "CN=x.nii.ac.jp,$DN" 99 "" "" "" "$n1" x.nii.ac.jp
  printf 'CN=t.nii.ac.jp,%s\t21\t\t\t\t\t%s\t山田\t所属\tyamada@nii.ac.jp\tt.nii.ac.jp\tApache\tt2.nii.ac.jp\textra\r\n' "$DN" "$n1"
} | sjis rules.tsv
out=$(up rules.tsv issue abort)
[ $? -ne 0 ]; ok $? "a file with bad rows: non-zero exit"
is "$(count)" "$before" "abort mode: nothing is queued, not even the good row"
has "$out" "227:2,CSR,CSRの主体者DNが申請の主体者DNと一致しません。" "a CSR for another DN: 227"
has "$out" "228:3,CSR,rsa1024の鍵はプロファイル21では使えません。" "a 1024-bit key: 228"
has "$out" "224:4,FQDN,www.kyoto-u.ac.jpは登録担当者のドメイン配下ではありません。" "an FQDN of another institution: 224"
has "$out" "371:5,主体者DN,主体者DNのOUが許可リストとして登録された値と一致しません。" "an OU not on the allow list: 371"
has "$out" "221:6,主体者DN,Oは機関の英語名（$O）でなければなりません。" "another O: 221"
has "$out" "222:7,主体者DN,STとLは機関に登録された値でなければなりません" "L=Academe (not the institution's L): 222"
has "$out" "206:8,主体者DN,主体者DNがDN情報のフォーマットに準じていません。" "a quoted DN: 206"
has "$out" "212:9,主体者DN,指定したDNはすでに存在しています。" "a DN already issued: 212 (use renewal)"
has "$out" "229:10,FQDN,new1.nii.ac.jpはファイル内で重複しています。" "a duplicate inside the file: 229"
has "$out" "225:11,証明書プロファイルID,99はサーバ証明書のプロファイルではありません。" "an unknown profile: 225"
has "$out" "216:12,,列数が13列を超えています" "a TAB inside a field (one column too many): 216"
is "$(printf '%s\n' "$out" | head -n 1 | cut -f14)" OK "the good row is reported OK"

out=$(up rules.tsv issue partial)
is "$(($(count) - before))" 1 "partial mode: the one good row is queued"
out=$(up rules.tsv issue dry-run)
is "$(($(count) - before))" 1 "a dry run queues nothing"

# No host name: a trailing dot or a wildcard is said against its own
# column with what to change (237), not as "outside your domains" (224)
# nor against the CSR.
td=$(csr td "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=td.nii.ac.jp.")
wc=$(csr wc "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=wc.nii.ac.jp")
wn=$(csr wn "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=*.nii.ac.jp")
before=$(count)
{ row "CN=td.nii.ac.jp.,$DN" 21 "" "" "" "$td" td.nii.ac.jp.
  row "CN=wc.nii.ac.jp,$DN" 21 "" "" "" "$wc" wc.nii.ac.jp "wc.nii.ac.jp,*.nii.ac.jp"
  row "CN=*.nii.ac.jp,$DN" 21 "" "" "" "$wn" "*.nii.ac.jp"
} | sjis hosts.tsv
out=$(up hosts.tsv issue partial)
has "$out" "237:1,FQDN,td.nii.ac.jp.の末尾に「.」があります。末尾の「.」を除いてください。" \
    "a trailing dot: 237 on the FQDN, saying to drop it"
has "$out" "237:2,dNSName,*.nii.ac.jpはワイルドカードです。" "a wildcard dNSName: 237 on dNSName"
has "$out" "237:3,FQDN,*.nii.ac.jpはワイルドカードです。" "a wildcard FQDN: 237 on the FQDN"
hasnt "$out" "224:" "none of them is called outside the officer's domains"
hasnt "$out" ",CSR," "nor blamed on the CSR"
is "$(count)" "$before" "and none is queued"

# A client file on the server screen: one line saying where it goes.
{ crow "CN=taro.001,$DN" 14 1 "" NIIcert-001 "情報 太郎" taro@nii.ac.jp
  crow "CN=hanako.001,$DN" 14 1 "" NIIcert-002 "情報 花子" hanako@nii.ac.jp
} | sjis client-file.tsv
up client-file.tsv issue abort >/dev/null
[ $? -ne 0 ]; ok $? "a client file on the server screen is refused"
is "$(grep -c "^[0-9][0-9]*:" "$T/up.err")" 1 "with one error line, not errors a row"
has "$(cat "$T/up.err")" "216:0,,このファイルはクライアント証明書の申請ファイル（15列）です。「クライアント証明書　発行・更新・失効」の画面でアップロードしてください" \
    "which says it is a client file and where to upload it"
is "$(count)" "$before" "nothing is queued"
# A code-signing file (the same 13 columns; profile 31, a key-protection
# statement where a server file names its software) on the server screen.
printf 'CN=NII Release,%s\t31\t\t\t\t\t%s\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\t\ttoken\t\r\n' \
    "$DN" "$c1" | sjis codesign-file.tsv
up codesign-file.tsv issue abort >/dev/null
[ $? -ne 0 ]; ok $? "a code-signing file on the server screen is refused"
is "$(grep -c "^[0-9][0-9]*:" "$T/up.err")" 1 "with one error line"
has "$(cat "$T/up.err")" "216:0,,このファイルはコード署名用証明書の申請ファイル（13列、7列目がCSR）です。「コード署名用証明書　発行・更新・失効」の画面でアップロードしてください (this is a code-signing certificate file" \
    "which says it is a code-signing file and where to upload it"
is "$(count)" "$before" "nothing is queued"

# Renewal and revocation by decimal serial.
serial=$(sql "SELECT serial FROM ra.certificate WHERE cn = 'www.nii.ac.jp'")
c3=$(csr www3 "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=www.nii.ac.jp")
c4=$(csr unk "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=unknown.nii.ac.jp")
{ row "CN=www.nii.ac.jp,$DN" 21 "$serial" "" "" "$c1" www.nii.ac.jp
  row "CN=unknown.nii.ac.jp,$DN" 21 "12345" "" "" "$c4" unknown.nii.ac.jp
} | sjis renew-bad.tsv
out=$(up renew-bad.tsv renew partial)
has "$out" "228:1,CSR,この鍵は以前に使われています。新しい鍵ペアでCSRを作り直してください" "renewal with the old key: refused"
has "$out" "230:2,シリアル番号,12345の証明書が存在しません。" "renewal of an unknown serial: 230"
row "CN=www.nii.ac.jp,$DN" 21 "$serial" "" "" "$c3" www.nii.ac.jp | sjis renew.tsv
up renew.tsv renew abort >/dev/null
ok $? "renewal with a new key"
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null
serial2=$(sql "SELECT c.serial FROM ra.certificate c JOIN ra.request r USING (request_id) WHERE r.action = 'renew'")
[ -n "$serial2" ]; ok $? "the renewal is issued"
c6=$(csr www6 "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=www.nii.ac.jp")
row "CN=www.nii.ac.jp,$DN" 21 "$serial" "" "" "$c6" www.nii.ac.jp | sjis renew2.tsv
out=$(up renew2.tsv renew abort)
has "$out" "235:1,シリアル番号,${serial}の証明書はすでに更新されています。" "renewing the old certificate again: 235"
kc=$(csr kc "/C=JP/ST=Kyoto/L=Kyoto/O=Kyoto University/CN=www.kyoto-u.ac.jp")
printf '%s\t21\t\t%s\t\t\t%s\t京大\t情報環境機構\tra@kyoto-u.ac.jp\twww.kyoto-u.ac.jp\tnginx\t\r\n' \
    "CN=www.kyoto-u.ac.jp,O=Kyoto University,L=Kyoto,ST=Kyoto,C=JP" "$serial" "$kc" | sjis kyoto.tsv
out=$(up kyoto.tsv renew abort "$koff")
has "$out" "231:1,シリアル番号,${serial}は自機関のサーバ証明書ではありません。" "another institution's serial: 231"

# M9: two weeks after a renewal, the old certificate still valid.
is "$(as_worker "$TOOLSDIR/mail.cgi" remind)" "0 reminder(s) queued" "no reminder the day of the renewal"
sql "UPDATE ra.certificate SET issued_at = now() - interval '15 days' WHERE cert_id =
     (SELECT c.cert_id FROM ra.certificate c JOIN ra.request r USING (request_id) WHERE r.action = 'renew')"
is "$(as_worker "$TOOLSDIR/mail.cgi" remind)" "1 reminder(s) queued" "a reminder 14 days on"
is "$(as_worker "$TOOLSDIR/mail.cgi" remind)" "0 reminder(s) queued" "and only one"
has "$(sql "SELECT data->>'RevokeTSV' FROM ra.mail WHERE template = 'server-renew-reminder'")" \
    "	$serial	4	" "with the old certificate's revocation TSV (reason 4, superseded)"

rev() { printf '%s\t\t\t%s\t%s\t%s\t\t\t\tyamada@nii.ac.jp\r\n' "$1" "$2" "$3" "$4"; }
mserial=$(sql "SELECT serial FROM ra.certificate WHERE cn = 'mail.nii.ac.jp'")
# An officer given one domain of the institution revokes nothing of another.
"$D" domain-add --institution nii --domain soken.ac.jp >/dev/null
doff=$("$D" officer-add --institution nii --name-ja 総研 --romaji Soken --mail ra@soken.ac.jp \
    --phone 03-0000-0000 --domains soken.ac.jp --interfaces 1 | sed -n 's/^officer \([0-9]*\) .*/\1/p')
rev "CN=mail.nii.ac.jp,$DN" "$mserial" 1 "" |
    sjis rev-other-domain.tsv
out=$(up rev-other-domain.tsv revoke partial "$doff")
has "$out" "224:1,シリアル番号,mail.nii.ac.jpは登録担当者のドメイン配下ではありません。" \
    "revoking a certificate of another domain of the institution: 224"
is "$(sql "SELECT count(*) FROM ra.revocation r JOIN ra.certificate c USING (cert_id) WHERE c.cn = 'mail.nii.ac.jp'")" 0 \
    "and nothing is revoked"
{ rev "CN=www.nii.ac.jp,$DN" "$serial" 0 ""
  rev "CN=mail.nii.ac.jp,$DN" "$mserial" 2 ""
  rev "CN=other.nii.ac.jp,$DN" "$serial2" 1 ""
} | sjis rev-bad.tsv
out=$(up rev-bad.tsv revoke partial)
has "$out" "201:1,失効理由コメント,失効理由コメントは入力必須項目です。" "reason 0 without a comment: 201"
has "$out" "233:2,失効理由,失効理由2はこの証明書には使えません。$(sql "SELECT array_to_string(revoke_reasons, ', ')
    FROM ra.cert_kind WHERE kind = 'server'")のいずれかにしてください" "a CA-only reason: 233, naming the reasons to use"
has "$out" "232:3,シリアル番号,${serial2}の証明書の主体者DN(CN)が一致しません。" "a serial with another DN: 232"
rev "CN=www.nii.ac.jp,$DN" "$serial" 9 "" | sed 's/\r$/\t\r/' | sjis rev-tab.tsv
out=$(up rev-tab.tsv revoke abort)
hasnt "$(cat "$T/up.err")" "クライアント証明書の申請ファイル" "a server row with a stray TAB (14 columns) is not taken for a client file"
# An empty 14th column is no error (216 is for a 14th with a value): the
# row is read as a server row and gets its own answer, the reason's.
has "$out" "NG	233:1,失効理由,失効理由9はこの証明書には使えません。0, 1, 3, 4, 5のいずれかにしてください" \
    "but is read as the server row it is, and answered on its own column"
rev "CN=mail.nii.ac.jp,$DN" "$mserial" 0 "サーバ廃止のため" |
    sjis rev.tsv
up rev.tsv revoke abort >/dev/null
ok $? "revocation with reason 0 and a comment"
is "$(sql "SELECT reason || ' ' || comment FROM ra.revocation r JOIN ra.certificate c USING (cert_id) WHERE c.cn = 'mail.nii.ac.jp'")" \
    "0 サーバ廃止のため" "recorded with its comment"
mails_settle
m=$(grep -l '^To: taro@nii.ac.jp,yamada@nii.ac.jp' "$T/var/mail/maildir/new/"* | head -n 1)
[ -n "$m" ]; ok $? "the revocation mail goes to the officer and the user administrator of record"
has "$(openssl smime -verify -noverify -in "$m" 2>/dev/null | iconv -f ISO-2022-JP -t UTF-8)" "その他 (unspecified)" \
    "with the reason's label"
is "$(for f in "$T/var/mail/maildir/new/"*; do
	openssl smime -verify -noverify -in "$f" 2>/dev/null | iconv -f ISO-2022-JP -t UTF-8 2>/dev/null
      done | grep -c '更新から2週間が経過')" 1 "the M9 reminder reads 2週間 for the default 14 days"
out=$(up rev.tsv revoke abort)
has "$out" "234:1,シリアル番号,${mserial}はすでに失効しています。" "revoking twice: 234"

# Host names in any case: the domain (224), the OU allow list (371) and
# ② match them alike.
OU="Cyber Science Infrastructure Development Department"
c5=$(csr upper "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/OU=$OU/CN=Upper.NII.ac.jp")
row "CN=Upper.NII.ac.jp,OU=$OU,$DN" 21 "" "" "" "$c5" Upper.NII.ac.jp | sjis upper.tsv
up upper.tsv issue abort >/dev/null
ok $? "an upper-case CN under an allowed OU is accepted"
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null
# The TLS BR (7.1.2.7.4) forbid an OU in a server certificate: since
# 2022-07-26 UPKI issues such a row without it (reference §2.1), and so
# does ra; the worker's lint would refuse an OU.
is "$(sql "SELECT state || ' ' || subject_dn FROM ra.request WHERE lower(cn) = 'upper.nii.ac.jp'")" \
    "done CN=Upper.NII.ac.jp,O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP" "issued without the OU"
is "$("$OFFICERDIR/download.cgi" --officer "$off" | iconv -f CP932 -t UTF-8 | grep -c 'Upper.NII.ac.jp')" 1 \
    "and listed by ② for the officer of nii.ac.jp"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'server.export' AND officer_id = $off")" 1 \
    "the download is audited"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'server.upload' AND detail->>'action' = 'revoke'
           AND detail->>'ng' = '3' AND detail->>'committed' = 'true'")" 1 \
    "each upload is audited with its counts, NG rows included"
is "$(sql "SELECT data->>'Days' FROM ra.mail WHERE template = 'server-renew-reminder'")" 14 \
    "the reminder says how many days"

# Whole-file errors.
before=$(count)
cp "$T/ok.tsv" "$T/ok.csv"
up ok.csv issue abort >/dev/null
has "$(cat "$T/up.err")" "209:0,,指定したファイルの拡張子が不正です。" "a .csv file: 209"
printf 'CN=x\r\n\202\377\r\n' >"$T/badsjis.tsv"
up badsjis.tsv issue abort >/dev/null
has "$(cat "$T/up.err")" "218:2,,Shift_JISとして読めない文字があります" "an invalid Shift_JIS sequence: 218 on its line"
head -c 2048 /bin/ls >"$T/binary.tsv"
up binary.tsv issue abort >/dev/null
has "$(cat "$T/up.err")" "218:" "a binary file renamed .tsv: 218"
: >"$T/empty.tsv"
up empty.tsv issue abort >/dev/null
has "$(cat "$T/up.err")" "213:1,,申請ファイルに入力がありません。" "an empty file: 213"
dd if=/dev/zero of="$T/big.tsv" bs=1M count=50 2>/dev/null
up big.tsv issue abort >/dev/null
[ $? -ne 0 ]; ok $? "a 50 MB file is refused"
has "$(cat "$T/up.err")" "not a regular file of at most" "before it is read"
is "$(count)" "$before" "none of the bad files queued anything"
is "$(sql "SELECT string_agg(detail->>'file_error', ' ' ORDER BY audit_id) FROM ra.audit
           WHERE event = 'server.upload' AND outcome = 'refused' AND officer_id = $off")" "216 216 209 218 218 213" \
    "each file refused whole is audited, with its error code"

done_testing
