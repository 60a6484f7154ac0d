#!/bin/sh
# Issue 12, the RA certificate's renewal done right: one P12 password per
# retrieval URL however often it is opened (before and after 発行, for a
# new RA certificate and a renewal), and the key under it whatever a form
# says; the desk reissues a renewal URL (the old one void, what it made
# but nobody downloaded revoked); the old certificate logs in until the
# new one does, then is revoked (superseded), audited, mailed, in the CRL;
# or without a login once the grace after the new one's issue is over.
# Time is moved through the data, never slept through.
. "$(dirname "$0")/lib.sh"
stack_up

D=$DESKDIR/desk.cgi
CU="curl -sS --cacert $CACERT"
GET=$URL/ra/raget.cgi
LRA=$URL/ra/lra
pass_of() { printf '%s' "$1" | sed -n 's/.*id="p12pin">\([^<]*\)<.*/\1/p'; }
nonce_of() { printf '%s' "$1" | sed -n 's/.*name="s" value="\([^"]*\)".*/\1/p'; }
link_of() { mail_text "$1" | grep -o 'https://[^ ]*raget.cgi?t=[A-Za-z0-9_-]*'; }
# The worker is fast but not instant: wait (bounded) for the newest RA
# request to be issued; the state is read from the database, not guessed.
wait_issued() {
	i=0
	until [ "$(sql "SELECT state FROM ra.request WHERE request_id =
	            (SELECT max(request_id) FROM ra.request WHERE kind = 'ra_officer')")" = done ] ||
	    [ $i -ge 150 ]; do sleep 0.1; i=$((i + 1)); done
}
newest_cert() { sql "SELECT max(cert_id) FROM ra.certificate WHERE kind = 'ra_officer'"; }
serial_of() { sql "SELECT serial FROM ra.certificate WHERE cert_id = $1"; }
login() {	# login P12:PASS JAR -> HTTP status
	$CU --cert-type P12 --cert "$1" -c "$2" -o /dev/null -w '%{http_code}' "$LRA/login.cgi"
}
menu() { $CU --cert-type P12 --cert "$1" -b "$2" "$LRA/menu.cgi"; }

"$D" institution-add --code nii --name-ja 国立情報学研究所 \
    --name-en "National Institute of Informatics" --st Tokyo --l Chiyoda-ku \
    --from 2026-01-01 --until 2030-12-31 >/dev/null &&
"$D" domain-add --institution nii --domain nii.ac.jp >/dev/null &&
"$D" officer-add --institution nii --name-ja 山田太郎 --romaji "Taro Yamada" \
    --mail taro@nii.ac.jp --phone 03-1234-5678 --domains nii.ac.jp --interfaces 1,10 >/dev/null
ok $? "desk: institution and officer registered"
mails_settle
link=$(link_of "$(mail_to taro@nii.ac.jp 登録担当者用証明書発行受付通知)")
t=${link#*t=}
pin=$("$D" pin-issue --officer 1 | sed 's/.*: //')

# --- a new RA certificate (ra_cert): the password after the PIN --------
p1=$($CU -d "t=$t&step=pin&pin=$pin" "$GET")
p2=$($CU -d "t=$t&step=pin&pin=$pin" "$GET")
pass=$(pass_of "$p1")
is "${#pass}" 16 "ra_cert: the P12 password is shown before 発行"
has "$p1" "必ずお控えください" "with the manual's 「必ずお控えください」"
is "$(pass_of "$p2")" "$pass" "ra_cert: opened again before 発行, the same password"
is "$(sql "SELECT count(*) FROM ra.access_token WHERE purpose = 'ra_cert' AND p12_sealed IS NOT NULL
           AND position(convert_to('$pass', 'UTF8') IN p12_sealed) = 0")" 1 \
    "the database keeps it sealed, not in clear"
has "$(psql -h "$T/var/pgsock" -U ra_public -d ra -Atq -c 'SELECT p12_sealed FROM ra.access_token' 2>&1)" \
    "permission denied" "the public zone cannot read the seal (it opens it through the token only)"
# A forged 発行 form that brings its own password: the key is not under it.
$CU -o /dev/null -d "t=$t&s=$(nonce_of "$p2")&step=issue&pass=ForgedPassword16" "$GET"
wait_issued
p3=$($CU -d "t=$t&step=pin&pin=$pin" "$GET")
has "$p3" "【STEP3】証明書ダウンロード" "ra_cert: opened again after 発行, STEP3"
is "$(pass_of "$p3")" "$pass" "with the same password"
code=$($CU -o "$T/old.p12" -w '%{http_code}' \
    -d "t=$t&s=$(nonce_of "$p3")&step=download&pass=$pass&format=modern" "$GET")
is "$code" 200 "the download works with the shown password"
openssl pkcs12 -in "$T/old.p12" -passin "pass:$pass" -noout 2>/dev/null
ok $? "the key is under the shown password, not the forged form's"
is "$(sql "SELECT count(*) FROM ra.access_token WHERE p12_sealed IS NOT NULL")" 0 \
    "the used-up URL keeps no password"
OLD=$T/old.p12:$pass
OLDID=$(newest_cert)
OLDSN=$(serial_of "$OLDID")

# --- renewal (ra_renew): the password after the certificate check -------
sql "UPDATE ra.certificate SET not_after = now() + interval '20 days' WHERE cert_id = $OLDID"
is "$("$D" renew-notify --days 30)" "1 renewal notice(s) queued; 0 superseded RA certificate(s) revoked" \
    "cron: a renewal notice at 20 days left"
mails_settle
f=$(mail_to taro@nii.ac.jp 登録担当者用証明書更新のご案内)
body=$(mail_text "$f")
has "$body" "新しい証明書で初めてログインした時点で失効します" \
    "the renewal mail says the old certificate goes at the new one's first login"
has "$body" "発行から14日後に失効します" "or 14 days (Ra.RenewGraceDays) after the new one's issue"
link=$(link_of "$f")
t=${link#*t=}
r1=$($CU --cert-type P12 --cert "$OLD" "$link")
r2=$($CU --cert-type P12 --cert "$OLD" "$link")
pass1=$(pass_of "$r1")
is "${#pass1}" 16 "ra_renew: the password is shown before 発行"
has "$r1" "必ずお控えください" "with 「必ずお控えください」"
is "$(pass_of "$r2")" "$pass1" "ra_renew: a reload (or a second tab) shows the same password"
s=$(nonce_of "$r2")
# 発行 twice at once on one URL: one request.
$CU --cert-type P12 --cert "$OLD" -o "$T/i1.html" -d "t=$t&s=$s&step=issue" "$GET" &
$CU --cert-type P12 --cert "$OLD" -o "$T/i2.html" -d "t=$t&s=$s&step=issue" "$GET" &
wait
is "$(sql "SELECT count(*) FROM ra.request WHERE action = 'renew'")" 1 "a concurrent double 発行 gives one request"
is "$(pass_of "$(cat "$T/i1.html")")|$(pass_of "$(cat "$T/i2.html")")" "$pass1|$pass1" \
    "both answers show the same password"
wait_issued
r3=$($CU --cert-type P12 --cert "$OLD" "$link")
has "$r3" "【STEP3】" "ra_renew: opened again after 発行, STEP3"
is "$(pass_of "$r3")" "$pass1" "with the same password"
N1=$(newest_cert)
N1SN=$(serial_of "$N1")
is "$(sql "SELECT count(*) FROM ra.p12_pending WHERE cert_id = $N1")" 1 "the renewed key waits for its download"

# --- the desk reissues the renewal URL before anyone downloaded ----------
out=$("$D" renew-reissue --officer 1)
ok $? "desk: renew-reissue"
has "$out" "RA certificate $OLDSN" "a new renewal URL for the certificate in use"
has "$out" "never downloaded, revoked (superseded): $N1SN" "and says what it revoked"
is "$(sql "SELECT reason FROM ra.revocation WHERE cert_id = $N1")" 4 \
    "the never-downloaded certificate is revoked, superseded (4)"
is "$(sql "SELECT count(*) FROM ra.p12_pending WHERE cert_id = $N1")" 0 "and its waiting key deleted"
is "$($CU --cert-type P12 --cert "$OLD" -o /dev/null -w '%{http_code}' "$link")" 404 "the old renewal URL is void"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'desk.renew.reissue' AND outcome = 'ok'
           AND detail->>'serial' = '$OLDSN' AND detail->'revoked' = '[$N1SN]'::jsonb")" 1 \
    "audited: which certificate, what was revoked"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'ra_cert.supersede' AND cert_serial = $N1SN
           AND detail->>'by' = 'reissue' AND actor LIKE 'desk:%'")" 1 "the revocation audited on its own"
is "$("$D" renew-notify --days 30)" "0 renewal notice(s) queued; 0 superseded RA certificate(s) revoked" \
    "renew-notify sends no second live renewal URL"
mails_settle
link2=$(link_of "$(mail_to taro@nii.ac.jp 登録担当者用証明書更新のご案内)")
[ -n "$link2" ] && [ "$link2" != "$link" ]
ok $? "the new renewal URL is mailed (ra-renew-url)"
t2=${link2#*t=}
q1=$($CU --cert-type P12 --cert "$OLD" "$link2")
pass2=$(pass_of "$q1")
[ "${#pass2}" = 16 ] && [ "$pass2" != "$pass1" ]
ok $? "the new URL works, with a password of its own"
$CU --cert-type P12 --cert "$OLD" -o /dev/null -d "t=$t2&s=$(nonce_of "$q1")&step=issue" "$GET"
wait_issued
q2=$($CU --cert-type P12 --cert "$OLD" "$link2")
is "$(pass_of "$q2")" "$pass2" "opened after 発行, the same password"
code=$($CU --cert-type P12 --cert "$OLD" -o "$T/new.p12" -w '%{http_code}' \
    -d "t=$t2&s=$(nonce_of "$q2")&step=download&pass=$pass2&format=modern" "$GET")
is "$code" 200 "the renewed PKCS#12 downloads with it"
NEW=$T/new.p12:$pass2
N2=$(newest_cert)
N2SN=$(serial_of "$N2")

# --- the old certificate logs in until the new one does ------------------
is "$(login "$OLD" "$T/jar-old")" 303 "the old certificate still logs in"
m=$(menu "$OLD" "$T/jar-old")
due=$(sql "SELECT to_char((issued_at AT TIME ZONE 'Asia/Tokyo')::date + 14, 'YYYY-MM-DD') FROM ra.certificate WHERE cert_id = $N2")
has "$m" "新しい証明書が発行済みです（シリアル番号 $N2SN）" "and the menu says a newer certificate exists"
has "$m" "日に失効します" "and when the one in use is revoked at the latest"
has "$m" "on $due at the latest" "(the new one's issue plus 14 days)"
is "$(sql "SELECT count(*) FROM ra.revocation WHERE cert_id = $OLDID")" 0 "logging in with the old one revokes nothing"
is "$(login "$NEW" "$T/jar-new")" 303 "the renewed certificate logs in"
is "$(sql "SELECT reason FROM ra.revocation WHERE cert_id = $OLDID")" 4 \
    "and its first login revokes the old one, superseded (4)"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'ra_cert.supersede' AND outcome = 'ok'
           AND cert_serial = $OLDSN AND actor = 'officer:1' AND detail->>'by' = 'login'
           AND detail->>'new_serial' = '$N2SN'")" 1 "audited, as the officer's login"
m=$(menu "$NEW" "$T/jar-new")
has "$m" "id=\"superseded-$OLDSN\"" "the menu says this login revoked the old certificate"
has "$m" "シリアル番号 $OLDSN）を" "naming its serial"
mails_settle
f=$(mail_to taro@nii.ac.jp 登録担当者用証明書失効完了通知)
body=$(mail_text "$f")
has "$body" "　$OLDSN" "the officer is mailed which serial was revoked"
has "$body" "初めてログインされたため" "and why"
has "$body" "English follows Japanese." "Japanese first, English after"
page=$($CU --cert-type P12 --cert "$OLD" "$LRA/login.cgi")
has "$page" "失効されているか、証明書が無効です" "the old certificate is refused at login now"
is "$($CU --cert-type P12 --cert "$OLD" -b "$T/jar-old" -o /dev/null -w '%{http_code}' "$LRA/menu.cgi")" 403 \
    "and its open session ends"
as_worker "$TOOLSDIR/worker.cgi" crl >/dev/null
hex=$(openssl pkcs12 -in "$T/old.p12" -passin "pass:$pass" -nokeys -clcerts 2>/dev/null |
    openssl x509 -noout -serial | cut -d= -f2)
crl=$(sql "SELECT encode(l.der, 'base64') FROM ra.crl l JOIN ra.revocation v ON v.ca_id = l.ca_id
           WHERE v.cert_id = $OLDID ORDER BY l.crl_number DESC LIMIT 1" | base64 -d |
    openssl crl -inform DER -noout -text 2>/dev/null)
has "$crl" "Serial Number: $hex" "the revocation reaches the CRL like any other"
has "$crl" "Superseded" "with its reason"

# --- the grace sweep: no login needed ------------------------------------
out=$("$D" renew-reissue --officer 1)
has "$out" "RA certificate $N2SN" "renew-reissue renews the certificate now in use"
mails_settle
link3=$(link_of "$(mail_to taro@nii.ac.jp 登録担当者用証明書更新のご案内)")
t3=${link3#*t=}
u1=$($CU --cert-type P12 --cert "$NEW" "$link3")
pass3=$(pass_of "$u1")
$CU --cert-type P12 --cert "$NEW" -o /dev/null -d "t=$t3&s=$(nonce_of "$u1")&step=issue" "$GET"
wait_issued
u2=$($CU --cert-type P12 --cert "$NEW" "$link3")
code=$($CU --cert-type P12 --cert "$NEW" -o "$T/third.p12" -w '%{http_code}' \
    -d "t=$t3&s=$(nonce_of "$u2")&step=download&pass=$pass3&format=modern" "$GET")
is "$code" 200 "a third certificate downloaded, never logged in with"
N3=$(newest_cert)
is "$("$D" renew-notify --days 30)" "0 renewal notice(s) queued; 0 superseded RA certificate(s) revoked" \
    "within the grace the older certificate stays"
is "$(login "$NEW" "$T/jar-new")" 303 "and logs in"
sql "UPDATE ra.certificate SET issued_at = issued_at - interval '15 days' WHERE cert_id = $N3"
is "$("$D" renew-notify --days 30)" "0 renewal notice(s) queued; 1 superseded RA certificate(s) revoked" \
    "15 days after the newest one's issue, the daily cron revokes the older one"
is "$(sql "SELECT reason FROM ra.revocation WHERE cert_id = $N2")" 4 "superseded (4)"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'ra_cert.supersede' AND cert_serial = $N2SN
           AND detail->>'by' = 'grace' AND actor LIKE 'desk:%'")" 1 "audited as the desk's sweep"
is "$(login "$NEW" "$T/jar-new")" 403 "the older certificate no longer logs in"
is "$(login "$T/third.p12:$pass3" "$T/jar-3")" 303 "the newest does"
mails_settle
has "$(mail_text "$(mail_to taro@nii.ac.jp 登録担当者用証明書失効完了通知)")" "発行から14日が経過したため" \
    "the officer is mailed why"
is "$("$D" renew-notify --days 30)" "0 renewal notice(s) queued; 0 superseded RA certificate(s) revoked" \
    "once only"

# --- renew-reissue refusals, audited with why ----------------------------
err=$("$D" renew-reissue --officer 99 2>&1)
[ $? -ne 0 ]; ok $? "renew-reissue for no such officer is refused"
has "$err" "officer 99 is not registered" "and says why"
"$D" officer-add --institution nii --name-ja 佐藤花子 --romaji "Hanako Sato" --mail hanako@nii.ac.jp \
    --phone 03-1234-5679 --domains nii.ac.jp --interfaces 1,10 >/dev/null
err=$("$D" renew-reissue --officer 2 2>&1)
[ $? -ne 0 ]; ok $? "renew-reissue for an officer without an RA certificate is refused"
has "$err" "has no live RA certificate" "and says why"
sql "UPDATE ra.officer SET status = 'suspended' WHERE officer_id = 2"
err=$("$D" renew-reissue --officer 2 2>&1)
has "$err" "officer 2 is suspended, not active" "a suspended officer gets no renewal URL"
is "$(sql "SELECT string_agg(detail->>'why', ' | ' ORDER BY audit_id) FROM ra.audit
           WHERE event = 'desk.renew.reissue' AND outcome = 'refused'")" \
    "officer 99 is not registered | officer 2 has no live RA certificate to renew (url-reissue gives a new one) | officer 2 is suspended, not active: no renewal URL" \
    "every refusal is audited with why"
is "$(sql "SELECT count(*) FROM ra.access_token WHERE officer_id = 2 AND purpose = 'ra_cert' AND used_at IS NULL")" 1 \
    "and changes nothing (the officer's retrieval URL stays)"

out=$("$TOOLSDIR/ops.cgi" audit-verify)
ok $? "the audit chain verifies ($out)"

done_testing
