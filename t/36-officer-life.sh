#!/bin/sh
# An RA officer's whole life, as the desk and the officer see it: added
# on the screen, RA certificate, renewal (the old one superseded once the
# new one logs in), a lost certificate (revoked, a new URL and PIN), a
# change of details, suspended and resumed, retired.  At each step: who
# can log in, what was mailed, and the audit row, which names the desk
# operator by certificate fingerprint and says what changed.  And the
# desk operators themselves: added and retired on the screen and the shell.
. "$(dirname "$0")/lib.sh"
stack_up
D=$DESKDIR/desk.cgi
DESK=$URL/ra/desk/desk.cgi
LRA=$URL/ra/lra
CU="curl -sS --cacert $CACERT"

desk_operator_up "Hanako Desk"
has "$(cat "$T/operator.out")" "SHA-256 $FP" "desk: an operator is registered and shown by fingerprint"
post() { desk_post "$@"; }
arow() { audit_last "$@"; }
op_is() {	# op_is EVENT VIA DESCRIPTION
	is "$(arow "$1" "detail->'operator'->>'sha256' || ' ' || (detail->'operator'->>'via')")" \
	    "$FP $2" "$3"
}
login() { ra_login "$@"; }
serial_of() { ra_cert_serial "$@"; }

# ---- added on the screen, the RA certificate ------------------------------
"$D" institution-add --code nii --name-ja 国立情報学研究所 \
    --name-en "National Institute of Informatics" --st Tokyo --l Chiyoda-ku \
    --from 2026-01-01 --until 2030-12-31 >/dev/null
"$D" domain-add --institution nii --domain nii.ac.jp >/dev/null
"$D" domain-add --institution nii --domain soken.ac.jp >/dev/null
page=$(post --data-urlencode step=officer --data-urlencode institution=nii \
    --data-urlencode name_ja=山田太郎 --data-urlencode "romaji=Taro Yamada" \
    --data-urlencode mail=taro@nii.ac.jp --data-urlencode phone=03-1234-5678 \
    --data-urlencode domains=nii.ac.jp --data-urlencode interfaces=1,2,10)
has "$page" "the retrieval URL is mailed to taro@nii.ac.jp" "the desk adds an officer on the screen"
O=$(sql "SELECT officer_id FROM ra.officer WHERE mail = 'taro@nii.ac.jp'")
op_is desk.officer.add screen "its audit row names the operator by fingerprint, on the screen"
is "$(arow desk.officer.add "detail->'changes'->0->>'op' || ' ' || (detail->'changes'->0->>'table') || ' ' || (detail->'changes'->0->'after'->>'mail')")" \
    "insert officer taro@nii.ac.jp" "and what was added"
ra_cert_fetch taro@nii.ac.jp "$O" "$T/c1"
is "$(login "$T/c1")" 303 "the first RA certificate logs in"

# ---- renewal: one password however often the page is opened ---------------
sql "UPDATE ra.certificate SET not_after = now() + interval '20 days' WHERE kind = 'ra_officer'"
is "$("$D" renew-notify --days 30)" "1 renewal notice(s) queued; 0 superseded RA certificate(s) revoked" "cron: a renewal notice"
mails_settle
link=$(mail_text "$(mail_to taro@nii.ac.jp 登録担当者用証明書更新)" | grep -o 'https://[^ ]*raget.cgi?t=[A-Za-z0-9_-]*')
C1="--cert-type P12 --cert $T/c1.p12:$(cat "$T/c1.pass")"
p1=$($CU $C1 "$link" | sed -n 's/.*id="p12pin">\([^<]*\)<.*/\1/p')
page=$($CU $C1 "$link")
p2=$(printf '%s' "$page" | sed -n 's/.*id="p12pin">\([^<]*\)<.*/\1/p')
is "$p2" "$p1" "the renewal page shows the same P12 password when opened again"
s=$(printf '%s' "$page" | sed -n 's/.*name="s" value="\([^"]*\)".*/\1/p')
$CU $C1 -o /dev/null -d "t=${link#*t=}&s=$s&step=issue&pass=$p1" "$URL/ra/raget.cgi"
page=$($CU $C1 "$link")
p3=$(printf '%s' "$page" | sed -n 's/.*id="p12pin">\([^<]*\)<.*/\1/p')
is "$p3" "$p1" "and after 発行 too"
s=$(printf '%s' "$page" | sed -n 's/.*name="s" value="\([^"]*\)".*/\1/p')
i=0
until [ "$(sql "SELECT count(*) FROM ra.request WHERE action = 'renew' AND state = 'done'")" = 1 ] ||
    [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
is "$($CU $C1 -o "$T/c2.p12" -w '%{http_code}' -d "t=${link#*t=}&s=$s&step=download&pass=$p1&format=modern" \
    "$URL/ra/raget.cgi")" 200 "the renewed certificate downloads with that password"
printf '%s' "$p1" >"$T/c2.pass"
openssl pkcs12 -in "$T/c2.p12" -passin "pass:$p1" -nokeys -clcerts 2>/dev/null | openssl x509 >"$T/c2.pem"
is "$(login "$T/c1")" 303 "the old certificate still logs in until the new one has"
is "$(login "$T/c2")" 303 "the new certificate logs in"
is "$(login "$T/c1")" 403 "and from then on the old one is refused"
S1=$(serial_of "$T/c1")
is "$(sql "SELECT reason FROM ra.revocation WHERE serial = $S1")" 4 "revoked as superseded"

# ---- lost: revoked, a new URL, a new PIN -----------------------------------
S2=$(serial_of "$T/c2")
page=$(post -d step=officer-lost -d "officer=$O")
has "$page" "RA certificate(s) revoked: $S2" "the desk reports the certificate lost on the screen"
is "$(login "$T/c2")" 403 "the lost certificate no longer logs in"
is "$(sql "SELECT reason FROM ra.revocation WHERE serial = $S2")" 1 "revoked for key compromise"
op_is desk.officer.lost screen "audited under the operator's fingerprint"
is "$(arow desk.officer.lost "detail->'revoked'->>0 || ' ' || (detail->>'reason')")" "$S2 1" \
    "with the certificate it revoked and why"
mails_settle
has "$(mail_text "$(mail_to taro@nii.ac.jp 登録担当者用証明書失効通知)")" "$S2" "the officer is told which certificate was revoked"
has "$(mail_text "$(mail_to taro@nii.ac.jp 登録担当者用証明書発行受付通知)")" "紛失のお届けを受け" \
    "and gets a new retrieval URL, worded for a lost certificate"
"$D" officer-lost --officer "$O" >"$T/lost.out" 2>&1
is "$(cat "$T/lost.out")" "desk.cgi: officer $O has no live RA certificate to report lost; url-reissue mails a new retrieval URL" \
    "a second report (a double click) finds nothing to revoke and sends no second URL"
is "$(sql "SELECT count(*) FROM ra.access_token WHERE officer_id = $O AND purpose = 'ra_cert' AND used_at IS NULL")" 1 \
    "one live retrieval URL"
ra_cert_fetch taro@nii.ac.jp "$O" "$T/c3"
is "$(login "$T/c3")" 303 "the replacement logs in"

# ---- changes of details, from the shell and the screen --------------------
out=$("$D" officer-update --officer "$O" --mail taro.yamada@nii.ac.jp --domains nii.ac.jp,soken.ac.jp \
    --interfaces 1,2,3,10)
is "$out" "officer $O updated" "desk: the officer's mail, domains and interfaces change"
op_is desk.officer.update shell "the shell's row names the operator registered for its login"
is "$(arow desk.officer.update "detail->'changes'->0->'before'->>'mail' || ' -> ' || (detail->'changes'->0->'after'->>'mail')")" \
    "taro@nii.ac.jp -> taro.yamada@nii.ac.jp" "with the mail before and after"
is "$(arow desk.officer.update "(SELECT string_agg(c->>'table' || ':' || (c->>'op'), ',') FROM jsonb_array_elements(detail->'changes') c)")" \
    "officer:update,officer_domain:insert,officer_permission:insert" "and the domain and interface added"
is "$(sql "SELECT string_agg(interface::text, ',' ORDER BY interface) FROM ra.officer_permission WHERE officer_id = $O")" \
    "1,2,3,10" "the interfaces are the new list"
page=$(post -d step=officer-update -d "officer=$O" -d phone=03-9999-0000 -d interfaces=1,10)
has "$page" "officer $O updated" "and on the screen, only the fields filled in"
is "$(sql "SELECT phone || ' ' || mail FROM ra.officer WHERE officer_id = $O")" "03-9999-0000 taro.yamada@nii.ac.jp" \
    "the phone changed, the mail kept"
is "$(arow desk.officer.update "(SELECT string_agg(c->>'op' || ':' || coalesce(c->'before'->>'interface', c->'before'->>'phone'), ',') FROM jsonb_array_elements(detail->'changes') c)")" \
    "update:03-1234-5678,delete:2,delete:3" "the screen's row says the old phone and the interfaces removed"
page=$(post -d step=officer-update -d "officer=$O" -d interfaces=1,99)
has "$page" "interfaces are the menu&#39;s numbers" "an unknown interface is refused in words"
is "$(arow desk.officer.update "outcome")" refused "and the refusal audited"

# ---- suspended: the open session ends at once; resumed ---------------------
JAR=$T/jar
login "$T/c3" "$JAR" >/dev/null
C3="--cert-type P12 --cert $T/c3.p12:$(cat "$T/c3.pass")"
is "$($CU $C3 -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/menu.cgi")" 200 "logged in, the menu"
open=$(sql "SELECT count(*) FROM ra.session WHERE officer_id = $O AND ended_at IS NULL")
page=$(post -d step=officer-suspend -d "officer=$O")
has "$page" "suspended; $open session(s) ended" "the desk suspends the officer on the screen"
is "$($CU $C3 -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/menu.cgi")" 403 "the open session ends at once"
is "$(login "$T/c3")" 403 "no new login"
is "$(sql "SELECT reason FROM ra.revocation WHERE serial = $(serial_of "$T/c3")")" 9 "the certificate is revoked (privilege withdrawn)"
is "$(arow desk.officer.suspend "detail->'changes'->0->'before'->>'status' || ' -> ' || (detail->'changes'->0->'after'->>'status') || ' ' || (detail->>'sessions_ended')")" \
    "active -> suspended $open" "audited with the status before and after and the sessions ended"
mails_settle
has "$(mail_text "$(mail_to taro.yamada@nii.ac.jp 登録担当者利用停止通知)")" "利用を停止しました" "the officer is told"
out=$("$D" officer-suspend --officer "$O" 2>&1)
has "$out" "is suspended: cannot be suspended" "suspending twice is refused in words"
is "$(arow desk.officer.suspend outcome)" refused "and audited"
out=$("$D" officer-resume --officer "$O")
has "$out" "active again; a new retrieval URL is mailed" "desk: resumed from the shell"
op_is desk.officer.resume shell "audited under the operator"
ra_cert_fetch taro.yamada@nii.ac.jp "$O" "$T/c4"
is "$(login "$T/c4")" 303 "a new RA certificate logs in again"

# ---- retired --------------------------------------------------------------
S4=$(serial_of "$T/c4")
page=$(post -d step=officer-retire -d "officer=$O")
has "$page" "retired; 1 session(s) ended; RA certificate(s) revoked: $S4" "the desk retires the officer on the screen"
is "$(login "$T/c4")" 403 "a retired officer cannot log in"
is "$(sql "SELECT reason FROM ra.revocation WHERE serial = $S4")" 3 "revoked: affiliation changed"
is "$(sql "SELECT status FROM ra.officer WHERE officer_id = $O")" retired "on record as retired"
op_is desk.officer.retire screen "audited under the operator"
mails_settle
has "$(mail_text "$(mail_to taro.yamada@nii.ac.jp 登録担当者登録抹消通知)")" "$S4" "the officer is told"
out=$("$D" url-reissue --officer "$O" 2>&1)
has "$out" "not registered or not active" "a retired officer gets no new URL"
is "$(sql "SELECT count(*) FROM ra.certificate c WHERE officer_id = $O AND state = 'issued'
           AND NOT EXISTS (SELECT 1 FROM ra.revocation v WHERE v.cert_id = c.cert_id)")" 0 \
    "none of the officer's four RA certificates is live"

# ---- desk operators --------------------------------------------------------
desk_cert "Jiro Desk" "$T/desk2"
FP2=$(fp_of "$T/desk2.pem")
page=$(post --data-urlencode step=operator-add --data-urlencode "name_ja=Jiro Desk" \
    --data-urlencode "cert_pem@$T/desk2.pem")
has "$page" "desk operator &quot;Jiro Desk&quot; registered, certificate SHA-256 $FP2" "an operator added on the screen"
has "$page" "<code>$FP2</code>" "and listed with the fingerprint"
op_is desk.operator.add screen "audited under the adding operator"
out=$("$D" operator-add --name "Jiro Desk" --cert "$T/desk.pem" 2>&1)
has "$out" "already has the name \"Jiro Desk\"" "a second operator of the same name is refused"
is "$(arow desk.operator.add outcome)" refused "and audited"
is "$($CU --cert-type P12 --cert "$T/desk2.p12:desk-secret-1" -o /dev/null -w '%{http_code}' "$DESK")" 200 \
    "the new operator opens the desk"
page=$(post -d step=operator-retire -d "fingerprint=$FP")
has "$page" "operators cannot retire themselves" "nobody retires themselves on the screen"
page=$(post -d step=operator-retire -d "fingerprint=$FP2")
has "$page" "desk operator &quot;Jiro Desk&quot; (SHA-256 $FP2) retired" "another operator is retired on the screen"
is "$(arow desk.operator.retire "detail->'changes'->0->'after'->>'active' || ' ' || (detail->'operator'->>'sha256')")" \
    "false $FP" "audited: who retired whom"
is "$($CU --cert-type P12 --cert "$T/desk2.p12:desk-secret-1" -o /dev/null -w '%{http_code}' "$DESK")" 403 \
    "the retired operator is refused"
out=$("$D" operator-add --name "Jiro Desk" --cert "$T/desk2.pem" 2>&1)
has "$out" "active or retired, this certificate" "a retired operator's certificate is not registered again"
desk_cert "Saburo Desk" "$T/desk3"
"$D" operator-add --name "Saburo Desk" --cert "$T/desk3.pem" >/dev/null
out=$("$D" operator-retire --fingerprint "$(fp_of "$T/desk3.pem")")
has "$out" "desk operator \"Saburo Desk\" (SHA-256 $(fp_of "$T/desk3.pem")) retired" "desk: retired from the shell too"
has "$("$D" operators)" "$(printf 'Hanako Desk\t%s\troot\tactive' "$FP")" "desk: the operators listed with fingerprints"

is "$(sql "SELECT count(*) FROM ra.audit WHERE event LIKE 'desk.%' AND outcome = 'ok'
           AND actor <> 'desk:root' AND detail->'operator'->>'sha256' IS DISTINCT FROM '$FP'")" 0 \
    "every desk row of this walk names Hanako Desk's fingerprint"

done_testing
