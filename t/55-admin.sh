#!/bin/sh
# ⑤ 利用管理者情報 更新: a five-column TSV (DN, serial, name, affiliation,
# mail) gives a server and a client certificate a new user administrator;
# the revocation completion mail then goes to the new address at the SMTP
# sink, ② shows the new values; each bad row is refused with its row and
# column and changes nothing; the three modes; the audit's old and new
# values; the screen needs interface ⑤; Shift_JIS as the other uploads.
. "$(dirname "$0")/lib.sh"
stack_up
officer_with_cert 1,2,3,5,10
D=$DESKDIR/desk.cgi
A=$OFFICERDIR/admin.cgi
CU="curl -sS --cacert $CACERT --cert-type P12 --cert $OFFICER_P12:$OFFICER_PASS"
LRA=$URL/ra/lra
JAR=$T/jar
O="National Institute of Informatics"
DN="O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP"
off=1
worker_stop		# this test drains the queue itself
drain() { as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null 2>>"$T/worker.log"; mails_settle; }
sjis() { iconv -f UTF-8 -t CP932 >"$T/$1"; }
csr() {	# csr NAME CN: a one-line PEM CSR
	openssl req -new -newkey rsa:2048 -nodes -keyout "$T/$1.key" \
	    -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=$2" 2>/dev/null | tr -d '\n'
}
srow() {	# srow DN CN CSR: a server issue row, administrator 山田太郎
	printf '%s\t21\t\t\t\t\t%s\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\t%s\tApache httpd 2.4\t\r\n' \
	    "$1" "$3" "$2"
}
serial() { sql "SELECT serial FROM ra.certificate WHERE cn = '$1'"; }
admin_of() {	# the user administrator of record of certificate $1 (serial)
	sql "SELECT r.admin_name || '|' || (r.attrs->>'affiliation') || '|' || r.admin_mail
	       FROM ra.certificate c JOIN ra.request r ON r.request_id = c.request_id
	      WHERE c.serial = $1"
}
state() { sql "SELECT string_agg(r.admin_mail || '/' || (r.attrs->>'affiliation') || '/' || r.admin_name, ' ' ORDER BY c.cert_id)
	         FROM ra.certificate c JOIN ra.request r ON r.request_id = c.request_id
	        WHERE c.kind <> 'ra_officer'"; }
up() {	# up FILE MODE: ⑤ from the shell, result TSV on stdout
	"$A" --officer "$off" --mode "$2" "$T/$1" 2>"$T/up.err"
}

# --- certificates to act on -------------------------------------------
# nii: www and old (server, nii.ac.jp), taro (client); a second officer
# of nii with only the domain nii.jp: lab.nii.jp; Kyoto: www.kyoto-u.ac.jp.
"$D" domain-add --institution nii --domain nii.jp >/dev/null
off2=$("$D" officer-add --institution nii --name-ja 別担当 --romaji "Betsu Tanto" \
    --mail betsu@nii.jp --phone 03-0000-0001 --domains nii.jp --interfaces 1,5 |
    sed -n 's/^officer \([0-9]*\) .*/\1/p')
"$D" institution-add --code kyoto --name-ja 京都大学 --name-en "Kyoto University" --st Kyoto \
    --l Kyoto --from 2026-01-01 --until 2030-12-31 >/dev/null
"$D" domain-add --institution kyoto --domain kyoto-u.ac.jp >/dev/null
koff=$("$D" officer-add --institution kyoto --name-ja 京大担当 --romaji "Kyodai Tanto" \
    --mail ra@kyoto-u.ac.jp --phone 075-000-0000 --domains kyoto-u.ac.jp --interfaces 1,5 |
    sed -n 's/^officer \([0-9]*\) .*/\1/p')
{ srow "CN=www.nii.ac.jp,$DN" www.nii.ac.jp "$(csr www www.nii.ac.jp)"
  srow "CN=old.nii.ac.jp,$DN" old.nii.ac.jp "$(csr old old.nii.ac.jp)"
} | sjis nii.tsv
"$OFFICERDIR/server.cgi" --officer "$off" --action issue "$T/nii.tsv" >/dev/null 2>&1
ok $? "two server certificates of nii queued"
srow "CN=lab.nii.jp,$DN" lab.nii.jp "$(csr lab lab.nii.jp)" | sjis lab.tsv
"$OFFICERDIR/server.cgi" --officer "$off2" --action issue "$T/lab.tsv" >/dev/null 2>&1
ok $? "one under nii.jp by the other officer"
KDN="CN=www.kyoto-u.ac.jp,O=Kyoto University,L=Kyoto,ST=Kyoto,C=JP"
k=$(openssl req -new -newkey rsa:2048 -nodes -keyout "$T/k.key" \
    -subj "/C=JP/ST=Kyoto/L=Kyoto/O=Kyoto University/CN=www.kyoto-u.ac.jp" 2>/dev/null | tr -d '\n')
srow "$KDN" www.kyoto-u.ac.jp "$k" | sjis kyoto.tsv
"$OFFICERDIR/server.cgi" --officer "$koff" --action issue "$T/kyoto.tsv" >/dev/null 2>&1
ok $? "one of Kyoto"
CDN="CN=taro.001,$DN"
printf '%s\t14\t1\t\t\t\t\t国立 管理者\t情報基盤センター\tkanri@nii.ac.jp\t国立 太郎\tNIIcert-001\t研究部\ttaro.001@nii.ac.jp\t\r\n' \
    "$CDN" | sjis client.tsv
"$OFFICERDIR/client.cgi" --officer "$off" --action issue "$T/client.tsv" >/dev/null 2>&1
ok $? "a client certificate queued"
drain
www=$(serial www.nii.ac.jp); old=$(serial old.nii.ac.jp); lab=$(serial lab.nii.jp)
kyo=$(serial www.kyoto-u.ac.jp); taro=$(serial taro.001)
[ -n "$www" ] && [ -n "$old" ] && [ -n "$lab" ] && [ -n "$kyo" ] && [ -n "$taro" ]
ok $? "all five issued"
# old is revoked before ⑤ sees it.
printf 'CN=old.nii.ac.jp,%s\t\t\t%s\t5\t\t\t\t\tyamada@nii.ac.jp\t\t\t\r\n' "$DN" "$old" | sjis rv.tsv
"$OFFICERDIR/server.cgi" --officer "$off" --action revoke "$T/rv.tsv" >/dev/null 2>&1
ok $? "old.nii.ac.jp revoked by ①"
before=$(state)

# --- bad rows: each refused with row and column, nothing changed ------
G="新担当 花子	情報戦略室	hanako@nii.ac.jp"
{ printf 'CN=www.nii.ac.jp,%s\t%s\t%s\r\n' "$DN" "$www" "$G"
  printf 'CN=www.nii.ac.jp,%s\t%s\t%s\r\n' "$DN" 123456789 "$G"
  printf 'CN=mail.nii.ac.jp,%s\t%s\t%s\r\n' "$DN" "$taro" "$G"
  printf '%s\t%s\t%s\r\n' "$KDN" "$kyo" "$G"
  printf 'CN=lab.nii.jp,%s\t%s\t%s\r\n' "$DN" "$lab" "$G"
  printf '%s\t%s\t新担当 花子\t情報戦略室\thanako(at)nii.ac.jp\r\n' "$CDN" "$taro"
  printf 'CN=www.nii.ac.jp,%s\t%s\t%s\r\n' "$DN" "$www" "$G"
  printf '%s\t%s\t%s\t情報戦略室\thanako@nii.ac.jp\r\n' "$CDN" "$taro" \
      "$(printf '長%.0s' $(seq 1 65))"
  printf 'CN=old.nii.ac.jp,%s\t%s\t%s\r\n' "$DN" "$old" "$G"
  printf 'CN=www.nii.ac.jp,%s\t%s\t\t情報戦略室\thanako@nii.ac.jp\r\n' "$DN" "$www"
} | sjis bad.tsv
out=$(up bad.tsv abort)
[ $? -ne 0 ]; ok $? "a file with bad rows: exit status not 0"
bad() {	# bad LINE CODE:COLUMN,MESSAGE WHAT
	printf '%s\n' "$out" | sed -n "${1}p" | grep -qF -- "NG	$2"
	ok $? "row $1 refused: $3"
	printf '%s\n' "$out" | sed -n "${1}p" | grep -qF -- "NG	$2" ||
	    echo "#   got: $(printf '%s\n' "$out" | sed -n "${1}p" | cut -f6-)"
}
is "$(printf '%s\n' "$out" | sed -n 1p | cut -f6)" OK "row 1 is good by itself"
bad 2 "230:2,シリアル番号,123456789の証明書が存在しません。" "unknown serial (230)"
bad 3 "251:3,主体者DN,${taro}の証明書の主体者DNが一致しません。" "DN of another certificate (251)"
bad 4 "231:4,シリアル番号,${kyo}は自機関の証明書ではありません。" "another institution's serial (231)"
bad 5 "224:5,シリアル番号,lab.nii.jpは登録担当者のドメイン配下ではありません。" "outside the officer's domains (224)"
bad 6 "206:6,利用管理者メールアドレス,利用管理者メールアドレスはメール形式ではありません。" "bad mail (206)"
bad 7 "229:7,シリアル番号,${www}はファイル内で重複しています。" "duplicate serial (229)"
bad 8 "202:8,利用管理者氏名,利用管理者氏名は64桁以内で入力してください。" "a 65-character name (202)"
bad 9 "234:9,シリアル番号,${old}はすでに失効しています。" "revoked certificate (234)"
bad 10 "201:10,利用管理者氏名,利用管理者氏名は入力必須項目です。" "empty name (201)"
has "$(cat "$T/up.err")" "1 OK, 9 NG; nothing was kept" "abort mode: nothing kept"
is "$(state)" "$before" "abort mode with bad rows changes no administrator"
is "$(sql "SELECT count(*) FROM ra.admin_change")" 0 "and records no change"
is "$(sql "SELECT (detail->>'ng') || ':' || (detail->>'committed') || ':' || outcome FROM ra.audit
           WHERE event = 'admin.upload' ORDER BY audit_id DESC LIMIT 1")" "9:false:fail" \
    "the refused upload is audited with its NG count"
has "$(sql "SELECT convert_from(result_tsv, 'UTF8') FROM ra.batch WHERE action = 'update'
            ORDER BY batch_id DESC LIMIT 1")" "234:9,シリアル番号" "its result, every row's error, is kept with the batch"
is "$(sql "SELECT kind IS NULL FROM ra.batch WHERE action = 'update' LIMIT 1")" t \
    "an update batch has no certificate kind"
{ printf 'CN=taro.001,OU=Web,%s\t%s\t%s\r\n' "$DN" "$taro" "$G"
  printf 'CN=www.nii.ac.jp,%s\t0%s\t%s\r\n' "$DN" "$www" "$G"
  printf 'CN=www.nii.ac.jp,%s\t%s\t%s\r\n' "$DN" "$www" "$G"
} | sjis ou.tsv
out=$(up ou.tsv abort)
bad 1 "251:1,主体者DN,${taro}の証明書の主体者DNが一致しません。" "the same CN in another DN (251)"
is "$(printf '%s\n' "$out" | sed -n 2p | cut -f6)" OK "a serial with leading zeros is the certificate's"
bad 3 "229:3,シリアル番号,${www}はファイル内で重複しています（2行目）。" "the same serial without the zero (229)"
is "$(state)" "$before" "(nothing changed)"

# Dry run: every row checked, nothing changed.
{ printf 'CN=www.nii.ac.jp,%s\t%s\t%s\r\n' "$DN" "$www" "$G"
  printf '%s\t%s\t%s\r\n' "$CDN" "$taro" "$G"
} | sjis good.tsv
out=$(up good.tsv dry-run)
is "$(printf '%s\n' "$out" | cut -f6 | tr '\n' ' ')" "OK OK " "dry run: both rows OK"
is "$(state)" "$before" "and nothing changed"

# Partial: the good rows are changed, the bad not.
{ printf 'CN=www.nii.ac.jp,%s\t%s\t新担当 花子\t情報戦略室\thanako@nii.ac.jp\r\n' "$DN" "$www"
  printf 'CN=lab.nii.jp,%s\t%s\t%s\r\n' "$DN" "$lab" "$G"
  printf '%s\t%s\t新管理 次郎\t研究推進課\tjiro@nii.ac.jp\r\n' "$CDN" "$taro"
} | sjis part.tsv
out=$(up part.tsv partial)
is "$(printf '%s\n' "$out" | cut -f6 | tr '\n' ' ')" "OK NG OK " "partial: rows 1 and 3 OK, 2 NG"
is "$(admin_of "$www")" "新担当 花子|情報戦略室|hanako@nii.ac.jp" "the server certificate has its new administrator"
is "$(admin_of "$taro")" "新管理 次郎|研究推進課|jiro@nii.ac.jp" "so has the client certificate"
is "$(admin_of "$lab")" "山田太郎|情報基盤センター|yamada@nii.ac.jp" "the refused row's certificate has not"
is "$(sql "SELECT old_mail || '>' || new_mail FROM ra.admin_change c JOIN ra.certificate x USING (cert_id)
           WHERE x.serial = $www")" "yamada@nii.ac.jp>hanako@nii.ac.jp" "ra.admin_change keeps old and new"
a=$(sql "SELECT detail->'old'->>'mail' || ' ' || (detail->'new'->>'mail') || ' ' || (detail->'new'->>'name')
           || ' ' || (detail->>'serial') || ' ' || outcome || ' ' || officer_id
           FROM ra.audit WHERE event = 'admin.update' AND detail->>'kind' = 'server'")
is "$a" "yamada@nii.ac.jp hanako@nii.ac.jp 新担当 花子 $www ok $off" "the change is audited with old and new values"
is "$(sql "SELECT detail->'old'->>'name' || '>' || (detail->'new'->>'name') || ' ' || (detail->'old'->>'affiliation')
           FROM ra.audit WHERE event = 'admin.update' AND detail->>'kind' = 'client'")" \
    "国立 管理者>新管理 次郎 情報基盤センター" "the client certificate's too"

# ② shows the new administrator (columns 13-15 of a server row).
"$OFFICERDIR/download.cgi" --officer "$off" | iconv -f CP932 -t UTF-8 | tr -d '\r' >"$T/serverAll.u"
is "$(awk -F'\t' -v s="$www" '$24 == s { print $13 "|" $14 "|" $15 }' "$T/serverAll.u")" \
    "新担当 花子|情報戦略室|hanako@nii.ac.jp" "② columns 13-15: the new name, affiliation and mail"

# --- the mail goes to the new person ---------------------------------
printf 'CN=www.nii.ac.jp,%s\t\t\t%s\t5\t\t\t\t\thanako@nii.ac.jp\t\t\t\r\n' "$DN" "$www" | sjis rv2.tsv
"$OFFICERDIR/server.cgi" --officer "$off" --action revoke "$T/rv2.tsv" >/dev/null 2>&1
ok $? "the server certificate revoked by ①"
mails_settle
m=$(mail_to hanako@nii.ac.jp "[UPKI] サーバ証明書失効完了通知")
ok $? "the revocation completion mail goes to the new administrator"
has "$(mail_text "$m")" "$www" "(it names the serial)"
has "$(mail_text "$m")" "新担当 花子 様" "and greets the user administrator it goes to, not only the officer"
n=0
for f in $(grep -l '^To: .*yamada@nii.ac.jp' "$T/var/mail/maildir/new/"*); do
	sed -n 's/^Subject: =?ISO-2022-JP?B?\(.*\)?=\r*$/\1/p' "$f" | base64 -d 2>/dev/null |
	    iconv -f ISO-2022-JP -t UTF-8 2>/dev/null | grep -q 失効完了通知 &&
	    mail_text "$f" | grep -qF "$www" && n=$((n + 1))
done
is "$n" 0 "and none about it to the old one"
printf '%s\t\t\t%s\t5\t\t\t\t\tjiro@nii.ac.jp\t\t\t\ttaro.001@nii.ac.jp\t\r\n' "$CDN" "$taro" | sjis rv3.tsv
"$OFFICERDIR/client.cgi" --officer "$off" --action revoke "$T/rv3.tsv" >/dev/null 2>&1
ok $? "the client certificate revoked by ③"
mails_settle
m=$(mail_to jiro@nii.ac.jp "[UPKI] クライアント証明書失効完了通知")
ok $? "M5 goes to its new administrator"
hasnt "$(grep -h '^To:' "$(mail_to taro.001@nii.ac.jp "[UPKI] クライアント証明書失効完了通知")")" kanri@nii.ac.jp \
    "and not to the old one"

# --- the screen -------------------------------------------------------
$CU -c "$JAR" -o /dev/null "$LRA/login.cgi"
menu=$($CU -b "$JAR" "$LRA/menu.cgi")
has "$menu" 'href="admin.cgi"' "the menu links ⑤"
form=$($CU -b "$JAR" "$LRA/admin.cgi")
has "$form" "エラーが有れば全件処理を中止" "the form offers the error modes"
hasnt "$form" 'name="applyType"' "and no 処理内容: ⑤ only updates"
csrf=$(printf '%s' "$form" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p')
printf 'CN=lab.nii.jp,%s\t%s\t%s\r\n' "$DN" "$lab" "$G" | sjis web.tsv
page=$($CU -b "$JAR" -F "csrf=$csrf" -F errorFlg=abort -F "file=@$T/web.tsv" "$LRA/admin.cgi")
has "$page" "<tr><td>1</td><td>NG</td>" "the screen: row 1 NG"
has "$page" "224:1,シリアル番号,lab.nii.jpは登録担当者のドメイン配下ではありません。" "with its error"
has "$page" "新担当 花子" "and the row's new administrator"
# The other officer of nii reaches lab.nii.jp; the screen as theirs is the shell's.
printf 'CN=lab.nii.jp,%s\t%s\t研究 三郎\t研究所\tsaburo@nii.jp\r\n' "$DN" "$lab" | sjis lab2.tsv
"$A" --officer "$off2" "$T/lab2.tsv" >/dev/null 2>&1
ok $? "the shell, --action left out: lab.nii.jp updated by the officer of nii.jp"
is "$(admin_of "$lab")" "研究 三郎|研究所|saburo@nii.jp" "(its administrator of record)"
printf 'CN=taro.001,%s\t%s\t%s\r\n' "$DN" "$taro" "$G" | sjis rev.tsv
page=$($CU -b "$JAR" -F "csrf=$csrf" -F errorFlg=partial -F "file=@$T/rev.tsv" "$LRA/admin.cgi")
has "$page" "234:1,シリアル番号,${taro}はすでに失効しています。" "the screen refuses a revoked client certificate"
batch=$(printf '%s' "$page" | sed -n 's/.*admin.cgi?batch=\([0-9]*\).*/\1/p')
$CU -b "$JAR" -o "$T/result.tsv" "$LRA/admin.cgi?batch=$batch"
has "$(iconv -f CP932 -t UTF-8 "$T/result.tsv")" "NG	234:1" "the result TSV downloads, in Shift_JIS"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/server.cgi?batch=$batch")" 404 \
    "⑤'s result is not ①'s to hand out"
"$A" --officer "$off" --action issue "$T/good.tsv" >/dev/null 2>&1
is $? 2 "the shell refuses another action (usage)"
"$OFFICERDIR/server.cgi" --officer "$off" --action update "$T/good.tsv" >/dev/null 2>&1
is $? 2 "and ① refuses ⑤'s"

sql "DELETE FROM ra.officer_permission WHERE officer_id = $off AND interface = 5"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/admin.cgi")" 403 "without permission ⑤: 403"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' -F "csrf=$csrf" -F errorFlg=abort \
    -F "file=@$T/good.tsv" "$LRA/admin.cgi")" 403 "an upload too"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'web.refused' AND detail->>'script' = '/ra/lra/admin.cgi'
           AND detail->>'error' = 'access denied'")" 2 "both refusals audited"

# The officer zone changes an administrator only through ra.admin_update.
sql "INSERT INTO ra.officer_permission VALUES ($off, 5)"
sqlstate() {	# sqlstate SQL ROLE: "ok" or the error's SQLSTATE
	o=$(psql -h "$T/var/pgsock" -U "$2" -d ra -Atq -v ON_ERROR_STOP=1 \
	    -v VERBOSITY=verbose -c "$1" 2>&1) && { echo ok; return; }
	printf '%s' "$o" | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' | head -n 1
}
# Ids looked up here: the officer role reads neither table whole.
ub=$(sql "SELECT max(batch_id) FROM ra.batch WHERE action = 'update' AND officer_id = $off")
cid() { sql "SELECT cert_id FROM ra.certificate WHERE serial = $1"; }
is "$(sqlstate "UPDATE ra.request SET admin_mail = 'evil@nii.ac.jp'" ra_officer)" 42501 \
    "the officer role has no UPDATE of admin_mail"
is "$(sqlstate "SELECT * FROM ra.admin_update($off, $(cid "$kyo"), $ub, 'x', 'y', 'evil@nii.ac.jp')" \
    ra_officer)" 42501 \
    "ra.admin_update refuses another institution's certificate itself"
is "$(sqlstate "SELECT * FROM ra.admin_update($off, $(cid "$lab"), $ub, 'x', 'y', 'evil@nii.ac.jp')" \
    ra_officer)" 42501 \
    "and a certificate outside the officer's domains"
is "$(admin_of "$kyo")|$(admin_of "$lab")" "山田太郎|情報基盤センター|yamada@nii.ac.jp|研究 三郎|研究所|saburo@nii.jp" "(both unchanged)"
# lab.nii.jp: live, under the second officer's nii.jp, changed by them above.
ub2=$(sql "SELECT max(batch_id) FROM ra.batch WHERE action = 'update' AND officer_id = $off2")
call="SELECT * FROM ra.admin_update($off2, $(cid "$lab"), $ub2, '直接', 'y', 'direct@nii.ac.jp')"
is "$(sqlstate "$call" ra_officer)" ok "called directly for a certificate in reach, it changes it"
sql "DELETE FROM ra.officer_permission WHERE officer_id = $off2 AND interface = 5"
is "$(sqlstate "$call" ra_officer)" 42501 "but not once the officer lost ⑤"
sql "INSERT INTO ra.officer_permission VALUES ($off2, 5)"
sql "UPDATE ra.institution SET status = 'suspended' WHERE code = 'nii'"
is "$(sqlstate "$call" ra_officer)" 42501 "nor while the institution is suspended"
sql "UPDATE ra.institution SET status = 'active' WHERE code = 'nii'"

# An expired certificate: no mail will go out for it again; refused.
sql "UPDATE ra.certificate SET not_before = now() - interval '400 days',
       not_after = now() - interval '1 day' WHERE serial = $lab"
printf 'CN=lab.nii.jp,%s\t%s\t%s\r\n' "$DN" "$lab" "$G" | sjis exp.tsv
out=$("$A" --officer "$off2" "$T/exp.tsv" 2>/dev/null)
bad 1 "252:1,シリアル番号,${lab}の証明書は有効期限が切れています。" "an expired certificate (252)"

done_testing
