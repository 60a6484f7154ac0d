#!/bin/sh
# Screen ③: the officer uploads a client TSV over HTTPS with their RA
# certificate; the result table shows 機関名, 所属名, 氏名, メールアドレス
# and the notes of the completion screen; ③ needs interface ③ and the
# session's CSRF token; a user gets a fresh certificate URL from the
# screen, with the same access PIN, and the old URL stops working.
. "$(dirname "$0")/lib.sh"
stack_up
officer_with_cert 1,3,4,10
CU="curl -sS --cacert $CACERT --cert-type P12 --cert $OFFICER_P12:$OFFICER_PASS"
LRA=$URL/ra/lra
JAR=$T/jar
cu="curl -sS --cacert $CACERT"
$CU -c "$JAR" -o /dev/null "$LRA/login.cgi"
menu=$($CU -b "$JAR" "$LRA/menu.cgi")
has "$menu" 'href="client.cgi"' "the menu links ③ now that it is built"
form=$($CU -b "$JAR" "$LRA/client.cgi")
has "$form" "クライアント証明書　発行・更新・失効" "the ③ form"
csrf=$(printf '%s' "$form" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)
DN="O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP"
{ printf 'CN=sato.001,%s\t14\t1\t\t\t\t\t国立 管理者\t情報基盤センター\tadmin@nii.ac.jp\t佐藤 一郎\tNIIcert-001\t情報学研究科\tsato@nii.ac.jp\t\r\n' "$DN"
  printf 'CN=suzuki.002,%s\t14\t9\t\t\t\t\t国立 管理者\t情報基盤センター\tadmin@nii.ac.jp\t鈴木 次郎\tNIIcert-002\t工学部\tsuzuki@nii.ac.jp\t\r\n' "$DN"
} | iconv -f UTF-8 -t CP932 >"$T/c.tsv"
code=$($CU -b "$JAR" -o /dev/null -w '%{http_code}' -F applyType=1 -F errorFlg=partial -F "file=@$T/c.tsv" \
    "$LRA/client.cgi")
is "$code" 403 "an upload without the CSRF token is refused"
page=$($CU -b "$JAR" -F "csrf=$csrf" -F applyType=1 -F errorFlg=partial -F "file=@$T/c.tsv" "$LRA/client.cgi")
has "$page" "<th>機関名</th><th>所属名</th><th>氏名</th><th>メールアドレス</th>" "the result table's columns"
has "$page" "<td>国立情報学研究所</td><td>情報学研究科</td><td>佐藤 一郎</td><td>sato@nii.ac.jp</td>" \
    "row 1 with its institution, affiliation, name and mail"
has "$page" "240:2,ダウンロード方法" "row 2 refused with its code"
has "$page" "エラーのない 1件を処理しました" "partial mode: the good row is processed"
is "$(sql "SELECT count(*) FROM ra.request WHERE kind = 'client'")" 1 "one client request queued"
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null
mails_settle

# A fresh URL: the old one stops, the new one works with the same PIN.
old=$(m2_url "$(mail_to sato@nii.ac.jp "[UPKI] クライアント証明書発行受付通知")")
ok $? "M2 to the user"
serial=$(sql "SELECT serial FROM ra.certificate WHERE cn = 'sato.001'")
page=$($CU -b "$JAR" -F "csrf=$csrf" -F "reissue=$serial" "$LRA/client.cgi")
has "$page" "新しい証明書取得URLをメールで送りました" "the screen gives a fresh URL by serial"
mails_settle
new=$(m2_url "$(mail_to sato@nii.ac.jp "[UPKI] クライアント証明書発行受付通知")")
[ -n "$new" ] && [ "$new" != "$old" ]; ok $? "a second M2 with another URL"
is "$($cu -o /dev/null -w '%{http_code}' "$old")" 410 "the old URL no longer works"
pin=$(m1_where admin@nii.ac.jp "r.cn = 'sato.001'")
$cu -o "$T/pin.zip" -d "t=$(tok_of "$pin")" "$URL/ra/pinget.cgi"
p=$(unzip -p "$T/pin.zip" accesspin.txt | iconv -f CP932 -t UTF-8 | tr -d '\r' | awk -F'\t' 'NR == 2 { print $3 }')
is "$($cu -o "$T/sato.p12" -w '%{http_code}' -d "t=$(tok_of "$new")&step=pin&pin=$p&format=modern" "$URL/ra/cliget.cgi")" \
    200 "the new URL gives the P12 with the same access PIN"
openssl pkcs12 -in "$T/sato.p12" -passin "pass:$p" -noout 2>/dev/null
ok $? "which opens with it"
page=$($CU -b "$JAR" -F "csrf=$csrf" -F "reissue=sato@nii.ac.jp" "$LRA/client.cgi")
has "$page" "ダウンロード済み" "once downloaded, no fresh URL: renew instead"
page=$($CU -b "$JAR" -F "csrf=$csrf" -F "reissue=nobody@nii.ac.jp" "$LRA/client.cgi")
has "$page" "見つかりません" "an unknown user: said so"
is "$(sql "SELECT string_agg(outcome, ',' ORDER BY audit_id) FROM ra.audit WHERE event = 'client.url_reissue'")" \
    "ok,refused,refused" "every fresh-URL attempt is audited"
"$OFFICERDIR/client.cgi" --officer 1 --reissue nobody@nii.ac.jp >/dev/null 2>"$T/re.err"
[ $? -ne 0 ]; ok $? "the shell twin refuses the same"

# A ③ result TSV (users' names and mails) is not ①'s to hand out.
batch=$(sql "SELECT max(batch_id) FROM ra.batch WHERE kind = 'client'")
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/client.cgi?batch=$batch")" 200 "③ gives its result TSV"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/server.cgi?batch=$batch")" 404 "① does not give ③'s"

# ③ needs interface ③.
sql "DELETE FROM ra.officer_permission WHERE interface = 3"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/client.cgi")" 403 "without interface ③: 403"

done_testing
