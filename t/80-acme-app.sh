#!/bin/sh
# ⑫ ACME利用情報作成申請 (issue 15, the officer's side): the application
# TSV over HTTPS with the RA certificate makes applications and mails each
# user administrator a one-time URL; row errors name row and column and
# change nothing in abort mode; the EAB URL shows the key id and HMAC key
# once, to one of two concurrent visits; the list shows accounts, orders
# and certificates (② and ⑥ include them, ① revokes them); suspend,
# resume and close (final), within the officer's institution and domains
# only; the officer zone cannot read the HMAC keys.
. "$(dirname "$0")/lib.sh"
stack_up
officer_with_cert 1,2,6,10,12
CU="curl -sS --cacert $CACERT --cert-type P12 --cert $OFFICER_P12:$OFFICER_PASS"
LRA=$URL/ra/lra
JAR=$T/jar
APP=$OFFICERDIR/acme-app.cgi
O="National Institute of Informatics"
$CU -c "$JAR" -o /dev/null "$LRA/login.cgi"
menu=$($CU -b "$JAR" "$LRA/menu.cgi")
has "$menu" 'href="acme-app.cgi"' "the menu links ⑫"
form=$($CU -b "$JAR" "$LRA/acme-app.cgi")
has "$form" "エラーが有れば全件処理を中止" "the upload form offers the error modes"
has "$form" 'id="no-apps"' "and no applications yet"
csrf=$(printf '%s' "$form" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)

# Two rows, Shift_JIS, CRLF, a blank line; upper case and a trailing dot.
{ printf '山田花子\t情報基盤センター\thanako@nii.ac.jp\twww.nii.ac.jp, API.nii.ac.jp.\t\r\n'
  printf '\r\n'
  printf '佐藤次郎\t附属図書館\tjiro@nii.ac.jp\tlib.nii.ac.jp\t41\r\n'
} | iconv -f UTF-8 -t CP932 >"$T/acme.tsv"
code=$($CU -b "$JAR" -o /dev/null -w '%{http_code}' -F errorFlg=abort -F "file=@$T/acme.tsv" "$LRA/acme-app.cgi")
is "$code" 403 "an upload without the CSRF token is refused"
is "$(sql "SELECT count(*) FROM ra.acme_application")" 0 "(and makes nothing)"
page=$($CU -b "$JAR" -F "csrf=$csrf" -F errorFlg=abort -F "file=@$T/acme.tsv" "$LRA/acme-app.cgi")
has "$page" "ファイルのアップロード処理が完了しました。（2件）" "two applications accepted over HTTPS"
has "$page" "<tr><td>3</td><td>OK</td>" "the result names the file's rows"
has "$page" 'id="app-' "and the list below shows the new applications"
is "$(sql "SELECT string_agg(array_to_string(fqdns, ',') || ':' || profile_id || ':' || status, ' ' ORDER BY application_id)
           FROM ra.acme_application")" "www.nii.ac.jp,api.nii.ac.jp:41:active lib.nii.ac.jp:41:active" \
    "stored lower-cased, the trailing dot gone, the CN first, profile 41"
is "$(sql "SELECT count(*) FROM ra.acme_application WHERE eab_kid ~ '^[A-Za-z0-9_-]{43}\$' AND length(eab_hmac) = 32")" 2 \
    "each with a 43-character key id and a 32-byte HMAC key"
is "$(sql "SELECT count(*) FROM ra.access_token WHERE purpose = 'acme_eab' AND used_at IS NULL
           AND expires_at BETWEEN now() + interval '30 days' AND now() + interval '32 days'")" 2 \
    "two one-time URLs, a month each"
is "$(audit_last acme.upload "outcome || ' ' || (detail->>'ok')")" "ok 2" "the upload is audited as ①'s"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'acme.application' AND outcome = 'ok'")" 2 \
    "and each application"
batch=$(printf '%s' "$page" | sed -n 's/.*acme-app.cgi?batch=\([0-9]*\).*/\1/p')
$CU -b "$JAR" -o "$T/result.tsv" "$LRA/acme-app.cgi?batch=$batch"
has "$(iconv -f CP932 -t UTF-8 "$T/result.tsv")" "hanako@nii.ac.jp	www.nii.ac.jp, API.nii.ac.jp.		OK" \
    "the result TSV downloads in Shift_JIS"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/server.cgi?batch=$batch")" 404 "but not from ①"
A1=$(sql "SELECT application_id FROM ra.acme_application WHERE admin_mail = 'hanako@nii.ac.jp'")
A2=$(sql "SELECT application_id FROM ra.acme_application WHERE admin_mail = 'jiro@nii.ac.jp'")

mails_settle
m1=$(mail_to hanako@nii.ac.jp ACME利用情報発行通知)
m2=$(mail_to jiro@nii.ac.jp ACME利用情報発行通知)
[ -n "$m1" ] && [ -n "$m2" ]; ok $? "two mails, one to each user administrator"
b1=$(mail_text "$m1")
has "$b1" "山田花子 様" "addressed to the user administrator"
has "$b1" "【対象FQDN】" "with the labels of the other mails"
has "$b1" "　www.nii.ac.jp api.nii.ac.jp" "the FQDNs"
has "$b1" "certbot certonly --server" "how to use it with certbot"
has "$b1" "lego --server" "and with lego"
has "$b1" "English follows Japanese." "Japanese first, English after"
has "$b1" "EAB URL: " "(the English part)"
u1=$(printf '%s\n' "$b1" | sed -n 's/^EAB取得URL：\(https:[^ ]*eabget.cgi?t=[A-Za-z0-9_-]*\)$/\1/p')
u2=$(mail_text "$m2" | sed -n 's/^EAB取得URL：\(https:[^ ]*eabget.cgi?t=[A-Za-z0-9_-]*\)$/\1/p')
[ -n "$u1" ] && [ -n "$u2" ]; ok $? "each mail has its EAB URL"
url_is "$u1" "t.purpose = 'acme_eab' AND t.application_id = $A1"; ok $? "the URL is the application's"
hasnt "$b1" "$(sql "SELECT encode(eab_hmac, 'base64') FROM ra.acme_application WHERE application_id = $A1")" \
    "the mail does not carry the key"

F=$(sql "INSERT INTO ra.mail (template, recipients, data, state, attempts, last_error)
         VALUES ('acme-eab-url', '{x@nii.ac.jp}', '{}', 'failed', 20, '554 rejected') RETURNING mail_id")
has "$(sql "SELECT ra.mail_resend(${F%% *})")" "reissue the URL" \
    "the desk does not resend a failed EAB mail without its URL"

# Row errors: each names row and column; abort mode keeps nothing.
nine="a1.nii.ac.jp a2.nii.ac.jp a3.nii.ac.jp a4.nii.ac.jp a5.nii.ac.jp a6.nii.ac.jp a7.nii.ac.jp a8.nii.ac.jp a9.nii.ac.jp"
{ printf '田中\t総務\ttanaka@nii.ac.jp\twww.kyoto-u.ac.jp\t\r\n'
  printf '田中\t総務\ttanaka@nii.ac.jp\t%s\t\r\n' "$nine"
  printf '田中\t総務\ttanaka.nii.ac.jp\tok3.nii.ac.jp\t\r\n'
  printf '田中\t総務\ttanaka@nii.ac.jp\tok4.nii.ac.jp\t99\r\n'
  printf '田中\t総務\ttanaka@nii.ac.jp\tok5.nii.ac.jp\t21\r\n'
  printf '田中\t総務\ttanaka@nii.ac.jp\t*.nii.ac.jp\t\r\n'
  printf '田中\t総務\ttanaka@nii.ac.jp\tgood.nii.ac.jp\t\r\n'
  printf '田中\t総務\ttanaka@nii.ac.jp\twww.nii.ac.jp\t\r\n'
} | iconv -f UTF-8 -t CP932 >"$T/bad.tsv"
mails=$(sql "SELECT count(*) FROM ra.mail")
out=$("$APP" --officer 1 --mode abort "$T/bad.tsv" 2>"$T/bad.err")
is "$?" 1 "the shell says NG"
has "$out" "224:1,FQDN,www.kyoto-u.ac.jpは登録担当者のドメイン配下ではありません。" "row 1: outside the officer's domains"
has "$out" "262:2,FQDN," "row 2: nine FQDNs"
has "$out" "206:3,利用管理者メールアドレス," "row 3: a bad mail"
has "$out" "225:4,証明書プロファイルID,99はACMEのプロファイルではありません。" "row 4: an unknown profile"
has "$out" "225:5,証明書プロファイルID,21は" "row 5: a profile that is not ACME's"
has "$out" "261:6,FQDN,*.nii.ac.jpはワイルドカードです。" "row 6: a wildcard"
has "$out" "263:8,FQDN,www.nii.ac.jpはすでにACME利用申請" "row 8: a name of a live application"
is "$(printf '%s\n' "$out" | sed -n 7p | cut -f6)" OK "row 7 alone is good"
is "$(sql "SELECT count(*) FROM ra.acme_application")" 2 "abort mode: no application made"
is "$(sql "SELECT count(*) FROM ra.mail")" "$mails" "no mail queued"
is "$(sql "SELECT count(*) FROM ra.access_token WHERE purpose = 'acme_eab'")" 2 "no URL made"
"$APP" --officer 1 --mode dry_run "$T/bad.tsv" >/dev/null 2>&1
is "$(sql "SELECT count(*) FROM ra.acme_application")" 2 "a dry run makes nothing either"

# The EAB URL: kid and HMAC once, the HMAC the stored one in base64url.
p=$(curl -sS --cacert "$CACERT" "$u1")
kid=$(printf '%s' "$p" | sed -n 's/.*id="kid">\([^<]*\)<.*/\1/p')
hmac=$(printf '%s' "$p" | sed -n 's/.*id="hmac">\([^<]*\)<.*/\1/p')
is "$kid" "$(sql "SELECT eab_kid FROM ra.acme_application WHERE application_id = $A1")" "the page shows the key id"
is "$hmac" "$(sql "SELECT rtrim(translate(encode(eab_hmac, 'base64'), '+/', '-_'), '=')
                   FROM ra.acme_application WHERE application_id = $A1")" "and the stored HMAC key, base64url"
is "${#hmac}" 43 "without padding"
has "$p" "https://localhost:$RA_PORT/acme/directory" "the ACME directory URL"
has "$p" "certbot certonly --server https://localhost:$RA_PORT/acme/directory --eab-kid $kid --eab-hmac-key $hmac -d www.nii.ac.jp" \
    "a certbot command line with the values"
has "$p" "lego --server https://localhost:$RA_PORT/acme/directory --eab --kid $kid --hmac $hmac --domains www.nii.ac.jp --http run" \
    "and a lego one"
code=$(curl -sS --cacert "$CACERT" -o "$T/again.html" -w '%{http_code}' "$u1")
is "$code" 410 "a second visit is refused"
again=$(cat "$T/again.html")
has "$again" "このURLは使用済みです" "it says the URL was used"
has "$again" "山田太郎（taro@nii.ac.jp）" "and whom to ask"
hasnt "$again" "$hmac" "and shows no key"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'acme.eab_retrieval' AND outcome = 'ok'")" 1 "the retrieval is audited"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'acme.eab_retrieval' AND outcome = 'refused'")" 1 "and the refusal"
code=$(curl -sS --cacert "$CACERT" -o /dev/null -w '%{http_code}' "$URL/ra/eabget.cgi?t=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
is "$code" 404 "an unknown token is not found"

# Two visits at once: one of them shows the key.
for i in 1 2 3 4; do curl -sS --cacert "$CACERT" -o "$T/race.$i" "$u2" & done
wait
is "$(grep -l 'id="hmac"' "$T"/race.* | wc -l)" 1 "of four concurrent visits exactly one shows the key"
is "$(grep -l 'このURLは使用済みです' "$T"/race.* | wc -l)" 3 "the others are told it was used"

# The officer zone cannot read the key.
has "$(psql -h "$T/var/pgsock" -U ra_officer -d ra -Atq -c 'SELECT eab_hmac FROM ra.acme_application' 2>&1)" \
    "permission denied" "ra_officer cannot SELECT eab_hmac"
is "$(psql -h "$T/var/pgsock" -U ra_officer -d ra -Atq -c 'SELECT count(eab_kid) FROM ra.acme_application' 2>&1)" 2 \
    "but reads the rest"
has "$(psql -h "$T/var/pgsock" -U ra_public -d ra -Atq -c 'SELECT eab_kid FROM ra.acme_application' 2>&1)" \
    "permission denied" "the public zone reads no application"

# An account, an order and its certificate, as the ACME server makes them:
# a request without a batch, of profile 41.
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/a.key" -out "$T/a.csr" \
    -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=www.nii.ac.jp" 2>/dev/null
rq=$("$TOOLSDIR/ca.cgi" request --institution nii --profile 41 \
    --subject "CN=www.nii.ac.jp,O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP" --csr "$T/a.csr" --san www.nii.ac.jp --wait 30 |
    sed -n '1s/request \([0-9]*\) .*/\1/p')
sql "INSERT INTO ra.acme_account (application_id, jwk_sha256, jwk, contact)
     VALUES ($A1, sha256('key1'), '{\"kty\": \"EC\"}', '{mailto:hanako@nii.ac.jp}');
     INSERT INTO ra.acme_order (account_id, identifiers, status, expires_at, request_id)
     SELECT account_id, '{www.nii.ac.jp}', 'valid', now() + interval '7 days', $rq
       FROM ra.acme_account WHERE application_id = $A1" >/dev/null
serial=$(sql "SELECT serial FROM ra.certificate WHERE request_id = $rq")
[ -n "$serial" ]; ok $? "the ACME order's certificate is issued"
list=$($CU -b "$JAR" "$LRA/acme-app.cgi")
has "$list" "<tr id=\"app-$A1\">" "the list over HTTPS shows the application"
has "$list" "利用中" "in use, with its account"
has "$list" "$(sql "SELECT rtrim(translate(encode(sha256('key1'), 'base64'), '+/', '-_'), '=')")" "the key thumbprint"
has "$list" "mailto:hanako@nii.ac.jp" "the contact"
has "$list" '<span class="failures">0</span>' "the failed validations of today"
has "$list" "www.nii.ac.jp: valid" "its order"
has "$list" "$serial www.nii.ac.jp" "and its certificate"
sh=$("$APP" --officer 1 list)
has "$sh" "certificate	$serial	www.nii.ac.jp" "the shell lists it too"
has "$sh" "application	$A2	active	申請済" "and the application without an account"
"$OFFICERDIR/download.cgi" --officer 1 | iconv -f CP932 -t UTF-8 >"$T/serverAll.tsv"
grep -q "	$serial	" "$T/serverAll.tsv"; ok $? "② lists the ACME certificate"
"$OFFICERDIR/alldl.cgi" --officer 1 --utf8 >"$T/certAll.tsv" 2>/dev/null ||
    "$OFFICERDIR/alldl.cgi" --officer 1 | iconv -f CP932 -t UTF-8 >"$T/certAll.tsv"
grep -q "	$serial	" "$T/certAll.tsv"; ok $? "⑥ too"
dn=$(sql "SELECT subject_dn FROM ra.certificate WHERE request_id = $rq")
printf '%s\t\t\t%s\t4\t\t\t\t\thanako@nii.ac.jp\r\n' "$dn" "$serial" >"$T/revoke.tsv"
"$OFFICERDIR/server.cgi" --officer 1 --action revoke "$T/revoke.tsv" >"$T/revoke.out" 2>&1
ok $? "① revokes it like any other"
is "$(sql "SELECT count(*) FROM ra.revocation v JOIN ra.certificate c USING (cert_id) WHERE c.request_id = $rq")" 1 \
    "(revoked)"
has "$("$APP" --officer 1 list)" "certificate	$serial	www.nii.ac.jp" "the list still shows it"
has "$("$APP" --officer 1 list)" "revoked=yes" "revoked"

# A fresh EAB before any account: new key, old URL void, a new URL mailed.
old_kid=$(sql "SELECT eab_kid FROM ra.acme_application WHERE application_id = $A2")
before=$(sql "SELECT count(*) FROM ra.mail WHERE template = 'acme-eab-url'")
"$APP" --officer 1 reissue "$A2" >"$T/re.out"
ok $? "the officer reissues the EAB of an application without an account"
isnt_kid=$(sql "SELECT eab_kid <> '$old_kid' FROM ra.acme_application WHERE application_id = $A2")
is "$isnt_kid" t "a new key id"
is "$(sql "SELECT count(*) FROM ra.mail WHERE template = 'acme-eab-url'")" "$((before + 1))" "one more mail"
mails_settle
b3=$(mail_text "$(mail_to jiro@nii.ac.jp ACME利用情報発行通知)")
has "$b3" "登録担当者がEABとEAB取得URLを再発行しました" "which says it replaces the earlier one"
u3=$(printf '%s\n' "$b3" | sed -n 's/^EAB取得URL：\(https:[^ ]*eabget.cgi?t=[A-Za-z0-9_-]*\)$/\1/p')
p3=$(curl -sS --cacert "$CACERT" "$u3")
is "$(printf '%s' "$p3" | sed -n 's/.*id="kid">\([^<]*\)<.*/\1/p')" \
    "$(sql "SELECT eab_kid FROM ra.acme_application WHERE application_id = $A2")" "the new URL shows the new key id"
"$APP" --officer 1 reissue "$A1" 2>"$T/re.err"
is "$?" 1 "no reissue once an account exists"
has "$(cat "$T/re.err")" "an account was made" "(it says why)"
is "$(sql "SELECT string_agg(outcome, ',' ORDER BY audit_id) FROM ra.audit WHERE event = 'acme.eab_reissue'")" \
    "ok,refused" "both audited"

# Another institution's officer reaches none of them.
"$DESKDIR/desk.cgi" institution-add --code kyoto --name-ja 京都大学 --name-en "Kyoto University" \
    --st Kyoto --l Kyoto-shi --from 2026-01-01 --until 2030-12-31 >/dev/null
"$DESKDIR/desk.cgi" domain-add --institution kyoto --domain kyoto-u.ac.jp >/dev/null
"$DESKDIR/desk.cgi" officer-add --institution kyoto --name-ja 京大花子 --romaji "Hanako Kyodai" \
    --mail hanako@kyoto-u.ac.jp --phone 075-123-4567 --domains kyoto-u.ac.jp --interfaces 10,12 >/dev/null
K=$(sql "SELECT officer_id FROM ra.officer WHERE mail = 'hanako@kyoto-u.ac.jp'")
is "$("$APP" --officer "$K" list)" "" "the other officer's list is empty (shell)"
"$APP" --officer "$K" suspend "$A1" 2>"$T/k.err"
is "$?" 1 "nor may they suspend (shell)"
"$APP" --officer "$K" close "$A2" 2>>"$T/k.err"
is "$?" 1 "or close"
"$APP" --officer "$K" reissue "$A2" 2>>"$T/k.err"
is "$?" 1 "or reissue"
is "$(sql "SELECT string_agg(status, ',' ORDER BY application_id) FROM ra.acme_application")" "active,active" "nothing changed"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'acme.application_status' AND outcome = 'refused'
           AND officer_id = $K AND detail->>'outcome' = 'denied'")" 2 "each refusal audited"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'acme.eab_reissue' AND outcome = 'refused'
           AND officer_id = $K")" 1 "(the reissue's too)"
ra_cert_fetch hanako@kyoto-u.ac.jp "$K" "$T/kyoto"
is "$(ra_login "$T/kyoto" "$T/kjar")" 303 "the other officer logs in over HTTPS"
KCU="curl -sS --cacert $CACERT --cert-type P12 --cert $T/kyoto.p12:$(cat "$T/kyoto.pass")"
kpage=$($KCU -b "$T/kjar" "$LRA/acme-app.cgi")
has "$kpage" 'id="no-apps"' "and sees no application of nii"
kcsrf=$(printf '%s' "$kpage" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)
code=$($KCU -b "$T/kjar" -o "$T/kclose.html" -w '%{http_code}' -d "csrf=$kcsrf&op=close&app=$A1" "$LRA/acme-app.cgi")
is "$code" 403 "a close of nii's application over HTTPS is refused"
has "$(cat "$T/kclose.html")" "は操作できません" "as not the officer's to change"
code=$($KCU -b "$T/kjar" -o /dev/null -w '%{http_code}' -d "csrf=$kcsrf&op=suspend&app=$A2" "$LRA/acme-app.cgi")
is "$code" 403 "so is a suspend"
is "$(sql "SELECT status FROM ra.acme_application WHERE application_id IN ($A1, $A2)")" "active
active" "(both still active)"

# Suspend (HTTPS), resume and close (shell); closing is final.
code=$($CU -b "$JAR" -o /dev/null -w '%{http_code}' -d "op=suspend&app=$A1" "$LRA/acme-app.cgi")
is "$code" 403 "a button without the CSRF token is refused"
page=$($CU -b "$JAR" -d "csrf=$csrf&op=suspend&app=$A1" "$LRA/acme-app.cgi")
has "$page" "を停止しました" "suspended over HTTPS"
is "$(sql "SELECT status FROM ra.acme_application WHERE application_id = $A1")" suspended "status suspended"
has "$page" "停止 <span class=\"en\"" "the list says 停止"
"$APP" --officer 1 resume "$A1" >/dev/null
is "$(sql "SELECT status FROM ra.acme_application WHERE application_id = $A1")" active "resumed"
"$APP" --officer 1 close "$A1" >/dev/null
is "$(sql "SELECT status || ' ' || status_by FROM ra.acme_application WHERE application_id = $A1")" "closed 1" "closed, by the officer"
is "$(sql "SELECT status FROM ra.acme_account WHERE application_id = $A1")" revoked "and its account revoked"
"$APP" --officer 1 resume "$A1" 2>"$T/final.err"
is "$?" 1 "a closed application cannot be resumed"
has "$(cat "$T/final.err")" "closing is final" "closing is final"
is "$(sql "UPDATE ra.acme_application SET status = 'active' WHERE application_id = $A1" 2>&1 | grep -c 'is closed')" 1 \
    "not even by the database owner"
page=$($CU -b "$JAR" "$LRA/acme-app.cgi")
has "$page" "廃止 <span class=\"en\"" "the list says 廃止"
page=$($CU -b "$JAR" -d "csrf=$csrf&op=reissue&app=$A2" "$LRA/acme-app.cgi")
has "$page" "のEABを再発行し、新しいEAB取得URLを jiro@nii.ac.jp へ送りました" "the EAB reissued over HTTPS"
is "$(sql "SELECT string_agg(detail->>'op' || ':' || outcome, ',' ORDER BY audit_id) FROM ra.audit
           WHERE event = 'acme.application_status' AND officer_id = 1")" "suspend:ok,resume:ok,close:ok,resume:refused" \
    "each change and refusal is audited"
done_testing
