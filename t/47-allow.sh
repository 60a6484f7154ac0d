#!/bin/sh
# ⑧ allowList.tsv (allowdl.cgi): the OU allow list of the officer's
# domains, "ドメイン名<TAB>OU", sorted, Shift_JIS, CRLF; not a domain of
# the institution the officer is not registered for, nor another
# institution's.  The desk's ou-add and ou-remove (shell and screen),
# audited with the domain and the OU, show in ⑧ and in ① (371); its
# institution-status, audited old -> new, leaves a suspended
# institution's officers ⑧ but no uploads (215).
. "$(dirname "$0")/lib.sh"
stack_up
officer_with_cert 1,8,10
CU="curl -sS --cacert $CACERT --cert-type P12 --cert $OFFICER_P12:$OFFICER_PASS"
LRA=$URL/ra/lra
JAR=$T/jar
D=$DESKDIR/desk.cgi
O="National Institute of Informatics"
off=1

# Two domains for the officer, a third of the institution he is not
# registered for, and another institution's.
"$D" domain-add --institution nii --domain sinet.ac.jp >/dev/null &&
"$D" domain-add --institution nii --domain third-nii.ac.jp >/dev/null &&
sql "INSERT INTO ra.officer_domain (institution_id, officer_id, domain_id)
     SELECT institution_id, $off, domain_id FROM ra.domain WHERE name = 'sinet.ac.jp'" &&
"$D" institution-add --code kyoto --name-ja 京都大学 --name-en "Kyoto University" --st Kyoto --l Kyoto \
    --from 2026-01-01 --until 2030-12-31 >/dev/null &&
"$D" domain-add --institution kyoto --domain kyoto-u.ac.jp >/dev/null
ok $? "domains: nii.ac.jp and sinet.ac.jp the officer's, third-nii.ac.jp not, kyoto-u.ac.jp another institution's"
for p in "nii.ac.jp:Research Center" "nii.ac.jp:Information Center" "sinet.ac.jp:Network Ops" \
    "nii.ac.jp:ABC Lab" "third-nii.ac.jp:Third Lab" "kyoto-u.ac.jp:Kyoto Lab"; do
	"$D" ou-add --domain "${p%%:*}" --ou "${p#*:}" >>"$T/ou.out" 2>&1 || echo "# ou-add $p failed"
done
has "$(cat "$T/ou.out")" "OU ABC Lab added to the allow list of nii.ac.jp" "desk ou-add says what it did"
is "$(sql "SELECT detail->>'domain' || '|' || (detail->>'ou') FROM ra.audit
           WHERE event = 'desk.ou.add' ORDER BY audit_id LIMIT 1")" "nii.ac.jp|Research Center" \
    "ou-add is audited with the domain and the OU"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'desk.ou.add'")" 6 "each one"
"$D" ou-add --domain nii.ac.jp --ou "ABC Lab" 2>"$T/err"
[ $? -ne 0 ]; ok $? "ou-add twice: refused"
has "$(cat "$T/err")" "already registered" "as already registered"
"$D" ou-add --domain nowhere.ac.jp --ou "ABC Lab" 2>"$T/err"
has "$(cat "$T/err")" "domain nowhere.ac.jp is not registered" "ou-add to an unknown domain: refused, named"
is "$(sql "SELECT string_agg(detail->>'domain' || '|' || (detail->>'why'), ' / ' ORDER BY audit_id)
           FROM ra.audit WHERE event = 'desk.ou.add' AND outcome = 'refused'")" \
    "nii.ac.jp|OU allow list: already registered / nowhere.ac.jp|domain nowhere.ac.jp is not registered" \
    "both refusals audited, with the domain and why"
n=$(sql "SELECT count(*) FROM ra.domain_ou")
for bad in "X" "123-45" "ABC  Lab" " ABC Lab" "ABC_Lab"; do
	"$D" ou-add --domain nii.ac.jp --ou "$bad" 2>"$T/err"
	[ $? -ne 0 ]; ok $? "ou-add \"$bad\": refused"
	has "$(cat "$T/err")" "OU \"$bad\" cannot be registered: 2 to 64 half-width letters" "and told why in words"
done
is "$(sql "SELECT count(*) FROM ra.domain_ou")" "$n" "none of them stored"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'desk.ou.add' AND outcome = 'refused'")" 7 "each refusal audited"
sql "INSERT INTO ra.domain_ou (domain_id, ou) SELECT domain_id, 'ABC  Lab' FROM ra.domain
     WHERE name = 'nii.ac.jp'" 2>"$T/sql.err"
has "$(cat "$T/sql.err")" "domain_ou_spaces" "the database refuses a doubled space itself"

# ⑧ from the screen and from the shell.
want() {	# want LINES...: the expected file, CP932 with CRLF
	printf 'ドメイン名\tOU\r\n' | iconv -f UTF-8 -t CP932
	for l in "$@"; do printf '%s\r\n' "$l"; done
}
$CU -c "$JAR" -o /dev/null "$LRA/login.cgi"
has "$($CU -b "$JAR" "$LRA/menu.cgi")" 'href="allowdl.cgi"' "the menu links ⑧"
$CU -b "$JAR" -o "$T/allow.tsv" -D "$T/allow.hdr" "$LRA/allowdl.cgi"
has "$(cat "$T/allow.hdr")" 'filename="allowList.tsv"' "⑧ is allowList.tsv"
has "$(cat "$T/allow.hdr")" 'charset=Shift_JIS' "in Shift_JIS"
want "nii.ac.jp	ABC Lab" "nii.ac.jp	Information Center" "nii.ac.jp	Research Center" \
    "sinet.ac.jp	Network Ops" >"$T/want.tsv"
cmp -s "$T/allow.tsv" "$T/want.tsv"
ok $? "the officer's two domains, one line per (domain, OU), sorted by domain then OU, CRLF"
[ $? -eq 0 ] || od -c "$T/allow.tsv" | sed 's/^/# /' | head -n 20
is "$(head -n 1 "$T/allow.tsv" | iconv -f CP932 -t UTF-8)" "$(printf 'ドメイン名\tOU\r')" \
    "the header, decoded from CP932"
hasnt "$(cat "$T/allow.tsv")" "Third Lab" "not the institution's domain he is not registered for"
hasnt "$(cat "$T/allow.tsv")" "Kyoto" "nor another institution's"
"$OFFICERDIR/allowdl.cgi" --officer $off >"$T/sh.tsv" 2>"$T/sh.err"
ok $? "allowdl.cgi --officer from a shell"
cmp -s "$T/allow.tsv" "$T/sh.tsv"
ok $? "the same bytes as the screen's"
"$OFFICERDIR/allowdl.cgi" --officer $off --utf8 >/dev/null 2>"$T/sh.err"
is "$?" 2 "⑧ has no UTF-8 option: usage error"

# ① checks the list as it is now: an OU removed is refused (371).
csr=$(openssl req -new -newkey rsa:2048 -nodes -keyout /dev/null 2>/dev/null \
    -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/OU=Research Center/CN=www.nii.ac.jp" | tr -d '\n')
printf 'CN=www.nii.ac.jp,OU=Research Center,O=%s,L=Chiyoda-ku,ST=Tokyo,C=JP\t21\t\t\t\t\t%s\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\twww.nii.ac.jp\tnginx\t\r\n' \
    "$O" "$csr" | iconv -f UTF-8 -t CP932 >"$T/up.tsv"
upload() { "$OFFICERDIR/server.cgi" --officer $off --action issue --mode dry-run "$T/up.tsv" >"$T/up.out" 2>"$T/up.err"; }
upload
ok $? "① (dry run): OU=Research Center is on the list, the row is OK"
"$D" ou-remove --domain nii.ac.jp --ou "Research Center" >"$T/out" 2>&1
ok $? "desk ou-remove"
has "$(cat "$T/out")" "OU Research Center removed from the allow list of nii.ac.jp" "and says so"
is "$(sql "SELECT detail->>'domain' || '|' || (detail->>'ou') || '|' || actor FROM ra.audit
           WHERE event = 'desk.ou.remove'")" "nii.ac.jp|Research Center|desk:root" \
    "ou-remove is audited with the domain and the OU"
upload
[ $? -ne 0 ]; ok $? "① now refuses the row"
has "$(cat "$T/up.out" "$T/up.err")" "371" "with error 371"
"$OFFICERDIR/allowdl.cgi" --officer $off >"$T/sh2.tsv"
want "nii.ac.jp	ABC Lab" "nii.ac.jp	Information Center" "sinet.ac.jp	Network Ops" >"$T/want2.tsv"
cmp -s "$T/sh2.tsv" "$T/want2.tsv"
ok $? "⑧ no longer lists it"
"$D" ou-remove --domain nii.ac.jp --ou "Research Center" 2>"$T/err"
[ $? -ne 0 ]; ok $? "removing it again: refused"
has "$(cat "$T/err")" "OU Research Center is not on the allow list of nii.ac.jp" "with the reason"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'desk.ou.remove' AND outcome = 'refused'
           AND detail->>'ou' = 'Research Center'")" 1 "and audited"

# Institution status: audited old -> new; a non-active institution's
# officers are out of the screens and of uploads.
"$D" institution-status --institution nii --status dormant 2>"$T/err"
[ $? -ne 0 ]; ok $? "an unknown status: refused"
has "$(cat "$T/err")" "status dormant is unknown: use review, active, suspended or withdrawn" "with the statuses"
"$D" institution-status --institution nowhere --status active 2>"$T/err"
has "$(cat "$T/err")" "no institution has code nowhere" "an unknown institution: refused, named"
is "$(sql "SELECT string_agg(coalesce(detail->>'status', '') || '|' || (detail->>'why'), ' / ' ORDER BY audit_id)
           FROM ra.audit WHERE event = 'desk.institution.status' AND outcome = 'refused'")" \
    "dormant|status dormant is unknown: use review, active, suspended or withdrawn / active|no institution has code nowhere" \
    "both refusals audited, with why"
has "$("$D" institution-status --institution nii --status suspended)" \
    "institution nii: active -> suspended (利用停止): " "nii suspended"
is "$(sql "SELECT status FROM ra.institution WHERE code = 'nii'")" suspended "stored"
is "$(sql "SELECT detail->>'institution' || ' ' || (detail->>'from') || ' ' || (detail->>'to')
           FROM ra.audit WHERE event = 'desk.institution.status' AND outcome = 'ok'")" "nii active suspended" \
    "audited old -> new"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/allowdl.cgi")" 200 "suspended: the officer's session still downloads ⑧"
is "$($CU -c "$T/jar2" -o /dev/null -w '%{http_code}' "$LRA/login.cgi")" 303 "and a new login works"
upload
[ $? -ne 0 ]; ok $? "an upload from the shell is refused"
has "$(cat "$T/up.err")" "215: 機関状態が無効なため申請できません。" "with error 215"
is "$("$D" institution-status --institution nii --status suspended)" \
    "institution nii is already suspended: nothing changed" "the same status again: nothing to do"
"$D" institution-status --institution nii --status active >/dev/null
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/menu.cgi")" 200 \
    "active again: the session goes on"
upload
hasnt "$(cat "$T/up.out" "$T/up.err")" "215" "uploads are taken again (the row meets 371, not 215)"
is "$(sql "SELECT string_agg(detail->>'from' || '>' || (detail->>'to'), ' ' ORDER BY audit_id)
           FROM ra.audit WHERE event = 'desk.institution.status' AND outcome = 'ok'")" \
    "active>suspended suspended>active" \
    "each change audited, the no-op not"

# Permission.
sql "DELETE FROM ra.officer_permission WHERE officer_id = $off AND interface = 8"
is "$($CU -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/allowdl.cgi")" 403 "without permission ⑧: 403"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'web.refused'
           AND detail->>'why' = 'no permission for interface 8'")" 1 "audited, with the reason"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'allow.export'")" 4 \
    "each ⑧ given out is audited (screen and shell)"

# --- the desk screen: the allow lists and their forms -------------------
"$D" institution-add --code ops --name-ja サービス窓口 --name-en "UPKI Service Desk" --st Tokyo \
    --l Chiyoda-ku --from 2026-01-01 --until 2030-12-31 >/dev/null
out=$(echo "desk-secret-1" | "$TOOLSDIR/ca.cgi" request --institution ops --profile 14 \
    --subject "CN=Desk Operator,O=UPKI Service Desk,C=JP" --secret-stdin --wait 20)
rid=$(printf '%s' "$out" | sed -n '1s/request \([0-9]*\) queued/\1/p')
echo "desk-secret-1" | "$TOOLSDIR/ca.cgi" p12 --request "$rid" --format modern --out "$T/desk.p12"
openssl pkcs12 -in "$T/desk.p12" -passin pass:desk-secret-1 -nokeys -clcerts 2>/dev/null >"$T/desk.pem"
"$D" operator-add --name "Hanako Desk" --cert "$T/desk.pem" >/dev/null
ok $? "(a desk operator, as t/33 makes one)"
DESK=$URL/ra/desk/desk.cgi
OP="--cert-type P12 --cert $T/desk.p12:desk-secret-1"
post() { curl -sS --cacert "$CACERT" $OP -H "Origin: https://localhost:$RA_PORT" "$@" "$DESK"; }
page=$(curl -sS --cacert "$CACERT" $OP "$DESK")
has "$page" '<td>nii</td><td>sinet.ac.jp</td>' "the screen lists each domain"
has "$page" '<span class="ou">ABC Lab</span>' "with its OUs"
has "$page" '<input type="hidden" name="step" value="ou-remove"><input type="hidden" name="domain" value="nii.ac.jp"><input type="hidden" name="ou" value="ABC Lab">' \
    "and a remove form for each"
has "$page" '<td>kyoto</td><td>kyoto-u.ac.jp</td>' "other institutions' too"
has "$page" '<option value="suspended">利用停止 (suspended)</option>' "a status form per institution"
page=$(post -d step=ou-remove -d domain=nii.ac.jp --data-urlencode "ou=ABC Lab")
has "$page" "OU ABC Lab removed from the allow list of nii.ac.jp" "the screen removes an OU"
hasnt "$page" '<span class="ou">ABC Lab</span>' "and no longer lists it"
page=$(post -d step=ou -d domain=sinet.ac.jp --data-urlencode "ou=Backbone Team")
has "$page" "OU Backbone Team added to the allow list of sinet.ac.jp" "adds one"
page=$(post -d step=status -d institution=kyoto -d status=withdrawn)
has "$page" "institution kyoto: active -&gt; withdrawn (退会)" "changes a status"
page=$(post -d step=status -d institution=kyoto -d status=gone)
has "$page" "status gone is unknown" "refuses an unknown status, saying why"
is "$(sql "SELECT status FROM ra.institution WHERE code = 'kyoto'")" withdrawn "and changes nothing"
is "$(sql "SELECT string_agg(event || ':' || outcome || ':' || coalesce(detail->>'ou', detail->>'to',
                  detail->>'status'), ' ' ORDER BY audit_id)
           FROM ra.audit WHERE actor = 'desk:Hanako Desk'")" \
    "desk.ou.remove:ok:ABC Lab desk.ou.add:ok:Backbone Team desk.institution.status:ok:withdrawn desk.institution.status:refused:gone" \
    "each audited under the operator, the refusal too"
"$OFFICERDIR/allowdl.cgi" --officer $off >"$T/sh3.tsv"
want "nii.ac.jp	Information Center" "sinet.ac.jp	Backbone Team" "sinet.ac.jp	Network Ops" >"$T/want3.tsv"
cmp -s "$T/sh3.tsv" "$T/want3.tsv"
ok $? "⑧ shows the screen's changes"
code=$(curl -sS --cacert "$CACERT" $OP -H "Origin: https://evil.example" -o /dev/null -w '%{http_code}' \
    -d step=ou-remove -d domain=sinet.ac.jp --data-urlencode "ou=Network Ops" "$DESK")
is "$code" 403 "a cross-site OU removal is refused"
is "$(sql "SELECT count(*) FROM ra.domain_ou WHERE ou = 'Network Ops'")" 1 "and removes nothing"

done_testing
