#!/bin/sh
# An institution's life at the desk (issue 12 item 3): add, domains and
# OUs, status review -> active -> suspended -> withdrawn with its stated
# effects, names and usage period, bulk revocation; each on the shell
# and on the screen, each audited with the operator's certificate
# fingerprint and what changed, before and after.
. "$(dirname "$0")/lib.sh"
stack_up
D=$DESKDIR/desk.cgi
S=$OFFICERDIR/server.cgi
DESK=$URL/ra/desk/desk.cgi
LRA=$URL/ra/lra
CU="curl -sS --cacert $CACERT"
NII="(SELECT institution_id FROM ra.institution WHERE code = 'nii')"

# The desk operator, registered with the shell login that acts for them,
# so shell rows name them too (t/lib.sh).
desk_operator_up "Hanako Desk"
post() { desk_post "$@"; }

# av WHERE EXPR: EXPR over the newest audit row WHERE holds.
av() { sql "SELECT $2 FROM ra.audit WHERE $1 ORDER BY audit_id DESC LIMIT 1"; }
# by EVENT OUTCOME: the operator of the newest such row, "sha256 via".
by() { av "event = '$1' AND outcome = '$2'" "(detail->'operator'->>'sha256') || ' ' || (detail->'operator'->>'via')"; }
# ch EVENT PATH: a value of the newest done row's first change.
ch() { av "event = '$1' AND outcome = 'ok'" "detail->'changes'->0#>>'{$2}'"; }

# --- shell: institution, domain, OU (nii, with an officer and his RA
# certificate through the real flow) ----------------------------------
officer_with_cert 1,2,10
P12="--cert-type P12 --cert $OFFICER_P12:$OFFICER_PASS"
is "$(by desk.institution.add ok)" "$FP shell" "shell institution-add: the row names the operator by fingerprint"
is "$(ch desk.institution.add table),$(ch desk.institution.add op),$(ch desk.institution.add after,code),$(ch desk.institution.add after,name_en)" \
    "institution,insert,nii,National Institute of Informatics" "and carries the new row"
is "$(by desk.domain.add ok) $(ch desk.domain.add after,name)" "$FP shell nii.ac.jp" "shell domain-add: operator and the domain"
"$D" ou-add --domain nii.ac.jp --ou "Information Center" >/dev/null &&
"$D" ou-add --domain nii.ac.jp --ou "Old Lab" >/dev/null
ok $? "shell ou-add"
is "$(by desk.ou.add ok) $(ch desk.ou.add after,ou)" "$FP shell Old Lab" "its row: operator and the added OU"
"$D" ou-remove --domain nii.ac.jp --ou "Old Lab" >/dev/null
is "$(by desk.ou.remove ok) $(ch desk.ou.remove op) $(ch desk.ou.remove before,ou)" "$FP shell delete Old Lab" \
    "shell ou-remove: operator and the OU removed"

# --- screen: the same four ---------------------------------------------
page=$(post --data-urlencode step=institution --data-urlencode code=kyoto \
    --data-urlencode name_ja=京都大学 --data-urlencode "name_en=Kyoto University" \
    --data-urlencode st=Kyoto --data-urlencode l=Kyoto --data-urlencode from=2026-01-01 \
    --data-urlencode until=2030-12-31)
has "$page" "institution registered" "screen institution-add"
is "$(by desk.institution.add ok) $(ch desk.institution.add after,code)" "$FP screen kyoto" "its row: operator by fingerprint, the new code"
page=$(post -d step=domain -d institution=kyoto -d domain=kyoto-u.ac.jp)
is "$(by desk.domain.add ok) $(ch desk.domain.add after,name)" "$FP screen kyoto-u.ac.jp" "screen domain-add"
page=$(post -d step=ou -d domain=kyoto-u.ac.jp --data-urlencode "ou=Graduate School")
is "$(by desk.ou.add ok) $(ch desk.ou.add after,ou)" "$FP screen Graduate School" "screen ou-add"
page=$(post -d step=ou-remove -d domain=kyoto-u.ac.jp --data-urlencode "ou=Graduate School")
is "$(by desk.ou.remove ok) $(ch desk.ou.remove before,ou)" "$FP screen Graduate School" "screen ou-remove"
has "$page" '<tr><td>利用停止 (suspended)</td><td>ログインと証明書情報のダウンロード' "the screen states each status's effects"
has "$page" 'id="institution-update"' "and has the update form"
has "$page" '<option value="5">運用停止 (cessationOfOperation, 5)</option>' "and the bulk revocation form with its reasons"

# Certificates to revoke later: a client certificate of kyoto, and a
# server certificate of nii by ① (the worker stops after it: what is
# queued from now on stays queued until a test drains it).
out=$(echo "kyoto-secret-1" | "$TOOLSDIR/ca.cgi" request --institution kyoto --profile 14 \
    --subject "CN=Kyodai User,O=Kyoto University,C=JP" --secret-stdin --wait 20)
has "$out" "done: serial" "a kyoto client certificate"
O="National Institute of Informatics"
csr() { openssl req -new -newkey rsa:2048 -nodes -keyout "$T/$1.key" -subj "$2" 2>/dev/null | tr -d '\n'; }
row() {	# row DN CSR FQDN
	printf '%s\t21\t\t\t\t\t%s\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\t%s\tApache httpd 2.4\t\r\n' "$1" "$2" "$3"
}
up() {	# up NAME DN-O CN: one issue row, to $T/NAME.tsv, uploaded as officer 1
	row "CN=$3,O=$2,L=Chiyoda-ku,ST=Tokyo,C=JP" "$(csr "$1" "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$2/CN=$3")" "$3" |
	    iconv -f UTF-8 -t CP932 >"$T/$1.tsv"
	"$S" --officer 1 --action issue --mode abort "$T/$1.tsv" >"$T/up.out" 2>"$T/up.err"
}
worker_stop
up a "$O" www.nii.ac.jp
ok $? "① while active: a server request is queued"
ra=$(sql "SELECT request_id FROM ra.request WHERE cn = 'www.nii.ac.jp'")

# --- shell: status, with its effects ------------------------------------
"$D" institution-revoke --institution nii --reason 5 --confirm nii 2>"$T/err"
[ $? -ne 0 ]; ok $? "bulk revocation of an active institution: refused"
has "$(cat "$T/err")" "institution nii is active: only a suspended or withdrawn institution's certificates are revoked in bulk" "in words"
is "$(av "event = 'desk.institution.revoke' AND outcome = 'refused'" "detail->>'institution' || ' ' || (detail->'operator'->>'sha256')")" \
    "nii $FP" "and audited, with the operator"
out=$("$D" institution-status --institution nii --status suspended)
has "$out" "institution nii: active -> suspended (利用停止): its officers may log in and download" \
    "shell institution-status: suspended, its effects said"
is "$(by desk.institution.status ok) $(ch desk.institution.status before,status)>$(ch desk.institution.status after,status)" \
    "$FP shell active>suspended" "its row: operator, status before and after"
is "$($CU $P12 -c "$T/jar" -o /dev/null -w '%{http_code}' "$LRA/login.cgi")" 303 "suspended: the officer still logs in"
menu=$($CU $P12 -b "$T/jar" "$LRA/menu.cgi")
has "$menu" 'id="suspended"' "the menu says the institution is suspended"
is "$($CU $P12 -b "$T/jar" -o /dev/null -w '%{http_code}' "$LRA/download.cgi")" 200 "② still opens"
up b "$O" mail.nii.ac.jp
[ $? -ne 0 ]; ok $? "① while suspended: refused"
has "$(cat "$T/up.err")" "215: 機関状態が無効なため申請できません。" "with error 215"
timeout 30 runuser -u ra-worker -- env RA_CONF="$RA_CONF" "$TOOLSDIR/worker.cgi" drain >/dev/null
ok $? "the worker drains, not waiting for what is held"
is "$(sql "SELECT r.state || ' ' || j.state FROM ra.request r JOIN ra.job j USING (request_id) WHERE request_id = $ra")" \
    "queued queued" "the queued request is not issued while suspended"
"$D" institution-revoke --institution nii --reason 5 --confirm nij 2>"$T/err"
[ $? -ne 0 ]; ok $? "bulk revocation with a wrong confirmation: refused"
has "$(cat "$T/err")" 'the confirmation "nij" is not the institution code nii' "in words"
is "$(av "event = 'desk.institution.revoke' AND outcome = 'refused'" "detail->>'why'")" \
    'the confirmation "nij" is not the institution code nii: type the code twice to revoke its certificates' "and audited"
"$D" institution-status --institution nii --status review 2>"$T/err"
[ $? -ne 0 ]; ok $? "suspended -> review: refused"
has "$(cat "$T/err")" "institution nii cannot go from suspended to review: suspended may become active or withdrawn only" \
    "the allowed transitions said"
is "$(av "event = 'desk.institution.status' AND outcome = 'refused'" "detail->>'status'")" review "and audited"
"$D" institution-status --institution nii --status active >/dev/null
as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null
is "$(sql "SELECT state FROM ra.request WHERE request_id = $ra")" done "active again: the held request is issued"

# --- shell: usage period and names ---------------------------------------
yesterday=$(date -d yesterday +%Y-%m-%d)
out=$("$D" institution-update --institution nii --until "$yesterday")
has "$out" "institution nii updated: usage_until" "shell institution-update: the usage period"
is "$(by desk.institution.update ok) $(ch desk.institution.update before,usage_until)>$(ch desk.institution.update after,usage_until)" \
    "$FP shell 2030-12-31>$yesterday" "its row: operator, usage_until before and after"
is "$($CU $P12 -b "$T/jar" -o /dev/null -w '%{http_code}' "$LRA/menu.cgi")" 403 "a usage period over: the open session ends"
is "$($CU $P12 -o /dev/null -w '%{http_code}' "$LRA/login.cgi")" 403 "and a new login is refused"
"$D" institution-update --institution nii --until 2030-12-31 --from 2031-01-01 2>"$T/err"
has "$(cat "$T/err")" "the usage period would end (2030-12-31) before it begins (2031-01-01)" "a period that ends before it begins: refused in words"
"$D" institution-update --institution nii --until 2030-12-31 >/dev/null
N="National Institute of Informatics Japan"
out=$("$D" institution-update --institution nii --name-en "$N")
has "$out" "the English name (O) changed: every RA certificate names the old one, so 1 officer(s) holding one are mailed a renewal URL" \
    "shell: a new English name sends the officers renewal URLs"
is "$(ch desk.institution.update before,name_en)>$(ch desk.institution.update after,name_en)" "$O>$N" "its row: O before and after"
is "$(av "event = 'desk.institution.update' AND outcome = 'ok'" "detail->>'renewal_urls' || ' ' || (detail->>'officers')")" \
    "1 [1]" "and whom it sent renewal URLs"
is "$(sql "SELECT count(*) FROM ra.access_token WHERE officer_id = 1 AND purpose = 'ra_renew' AND used_at IS NULL")" 1 \
    "a live renewal URL for the officer"
mails_settle
f=$(mail_to taro@nii.ac.jp 登録担当者用証明書更新のご案内)
has "$(mail_text "$f")" "機関の英語名（証明書の O）が変更されました" "the renewal mail says why"
up old "$O" old.nii.ac.jp
[ $? -ne 0 ]; ok $? "① with the old O: refused"
up c "$N" new.nii.ac.jp
ok $? "① with the new O: queued"
rc=$(sql "SELECT request_id FROM ra.request WHERE cn = 'new.nii.ac.jp'")
has "$(sql "SELECT subject_dn FROM ra.request WHERE request_id = $rc")" "O=$N" "the new request names the new O"

# --- shell: withdrawn ---------------------------------------------------
out=$("$D" institution-status --institution nii --status withdrawn)
has "$out" "active -> withdrawn (退会): its officers cannot log in; queued requests are cancelled" "shell: withdrawn"
has "$out" "1 queued request(s) cancelled" "and what was queued is cancelled"
is "$(sql "SELECT r.state || ' ' || j.state || ' ' || r.error FROM ra.request r JOIN ra.job j USING (request_id) WHERE request_id = $rc")" \
    "cancelled done 機関が退会したため取り消しました (the institution withdrew)" "with the reason, its job closed"
is "$(av "event = 'desk.institution.status' AND outcome = 'ok'" "(detail->>'cancelled') || ' ' || (detail->'changes'->0#>>'{after,status}')")" \
    "[$rc] withdrawn" "audited with the request cancelled"
is "$($CU $P12 -o /dev/null -w '%{http_code}' "$LRA/login.cgi")" 403 "withdrawn: login refused"
is "$(sql "SELECT count(*) FROM ra.certificate c WHERE institution_id = $NII
           AND NOT EXISTS (SELECT 1 FROM ra.revocation v WHERE v.cert_id = c.cert_id)")" 2 \
    "its certificates stay valid (the RA certificate and the server one)"
"$D" institution-status --institution nii --status active 2>"$T/err"
has "$(cat "$T/err")" "institution nii is withdrawn: that is final, it cannot become active" "withdrawn is final"

# --- shell: bulk revocation, the CRL, the mails ------------------------
out=$("$D" institution-revoke --institution nii --reason 5 --kind all --confirm nii)
has "$out" "institution nii: 2 certificate(s) revoked (cessationOfOperation, 5: ra_officer 1, server 1); the next CRL lists them" \
    "shell institution-revoke: every live certificate"
is "$(sql "SELECT string_agg(reason::text, ',') FROM ra.revocation v JOIN ra.certificate c USING (cert_id) WHERE c.institution_id = $NII")" \
    "5,5" "as revocation rows with the reason"
serials=$(sql "SELECT string_agg('\"' || serial || '\"', ', ' ORDER BY cert_id) FROM ra.certificate WHERE institution_id = $NII")
is "$(av "event = 'desk.institution.revoke' AND outcome = 'ok'" "detail->>'count' || ' ' || (detail->>'serials') || ' ' || (detail->'operator'->>'sha256')")" \
    "2 [$serials] $FP" "audited with the count, the serials and the operator"
as_worker "$TOOLSDIR/worker.cgi" crl >/dev/null
for k in server ra_officer; do
	sql "SELECT encode(c.der, 'base64') FROM ra.certificate c WHERE c.institution_id = $NII AND c.kind = '$k'" |
	    base64 -d >"$T/$k.der"
	sn=$(openssl x509 -inform DER -in "$T/$k.der" -noout -serial | sed 's/serial=//')
	[ -n "$sn" ] || bail "no serial read from the $k certificate"
	slug=$(sql "SELECT a.slug FROM ra.ca a JOIN ra.certificate c USING (ca_id) WHERE c.institution_id = $NII AND c.kind = '$k'")
	openssl crl -inform DER -in "$T/var/crl/$slug.crl" -noout -text >"$T/$k.crl.txt"
	grep -A4 "Serial Number: $sn" "$T/$k.crl.txt" | grep -q "Cessation Of Operation"
	ok $? "the next CRL of $slug lists the $k certificate as cessationOfOperation"
done
mails_settle
f=$(mail_to taro@nii.ac.jp 証明書一括失効通知)
body=$(mail_text "$f")
has "$body" "$(sql "SELECT serial FROM ra.certificate WHERE request_id = $ra")" "the officer's summary mail lists the server certificate"
has "$body" "運用停止 (cessationOfOperation)" "with the reason"
f=$(mail_to yamada@nii.ac.jp 証明書一括失効通知)
has "$(mail_text "$f")" "CN=www.nii.ac.jp" "the user administrator is told of theirs"

# --- review, from the shell -----------------------------------------------
"$D" institution-add --code rev --name-ja 審査大学 --name-en "Review University" --st Tokyo --l Minato-ku \
    --from 2026-01-01 --until 2030-12-31 --status review >/dev/null
"$D" institution-status --institution rev --status suspended 2>"$T/err"
has "$(cat "$T/err")" "review may become active or withdrawn only" "review -> suspended: refused"
has "$("$D" institution-status --institution rev --status active)" "rev: review -> active" "review -> active"
"$D" institution-update --institution rev --name-en "UPKI Service Desk" 2>"$T/err"
has "$(cat "$T/err")" 'the English name "UPKI Service Desk" is another institution'"'"'s' "an English name in use: refused in words"
is "$(av "event = 'desk.institution.update' AND outcome = 'refused'" "detail->>'institution'")" rev "and audited"

# --- screen: status, update, bulk revocation (kyoto) ------------------
page=$(post -d step=status -d institution=kyoto -d status=suspended)
has "$page" "institution kyoto: active -&gt; suspended" "screen institution-status"
is "$(by desk.institution.status ok) $(ch desk.institution.status before,status)>$(ch desk.institution.status after,status)" \
    "$FP screen active>suspended" "its row: operator, before and after"
page=$(post -d step=status -d institution=kyoto -d status=review)
has "$page" "suspended may become active or withdrawn only" "screen: a transition not allowed is refused"
is "$(by desk.institution.status refused)" "$FP screen" "and audited"
page=$(post -d step=inst-update -d institution=kyoto -d name_ja= -d name_en= -d st= -d l= -d from= -d until=2031-03-31)
has "$page" "institution kyoto updated: usage_until" "screen institution-update"
is "$(by desk.institution.update ok) $(ch desk.institution.update before,usage_until)>$(ch desk.institution.update after,usage_until)" \
    "$FP screen 2030-12-31>2031-03-31" "its row: usage_until before and after"
page=$(post -d step=inst-revoke -d institution=kyoto -d reason=3 -d kind=client -d confirm=kyot)
has "$page" "is not the institution code kyoto" "screen institution-revoke with a wrong confirmation: refused"
is "$(by desk.institution.revoke refused)" "$FP screen" "and audited"
page=$(post -d step=inst-revoke -d institution=kyoto -d reason=3 -d kind=client -d confirm=kyoto)
has "$page" "institution kyoto: 1 certificate(s) revoked (affiliationChanged, 3: client 1)" "screen institution-revoke"
is "$(sql "SELECT v.reason FROM ra.revocation v JOIN ra.certificate c USING (cert_id) JOIN ra.institution i USING (institution_id) WHERE i.code = 'kyoto'")" \
    3 "the client certificate revoked with the reason"
is "$(by desk.institution.revoke ok) $(av "event = 'desk.institution.revoke' AND outcome = 'ok'" "detail->>'count' || (detail->>'kinds')")" \
    "$FP screen 1[\"client\"]" "audited with the operator, the count and the kind"

out=$("$TOOLSDIR/ops.cgi" audit-verify)
ok $? "the audit chain verifies ($out)"

done_testing
