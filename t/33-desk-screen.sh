#!/bin/sh
# The service desk's screen: registered desk operators only, same-origin
# POSTs only; an officer registered there gets the same retrieval mail.
. "$(dirname "$0")/lib.sh"
stack_up
D=$DESKDIR/desk.cgi
DESK=$URL/ra/desk/desk.cgi

# A desk operator's client certificate, issued by ra (so that its
# revocation is known: Apache checks no CRL).
"$D" institution-add --code ops --name-ja サービス窓口 --name-en "UPKI Service Desk" --st Tokyo \
    --l Chiyoda-ku --from 2026-01-01 --until 2030-12-31 >/dev/null
out=$(echo "desk-secret-1" | "$TOOLSDIR/ca.cgi" request --institution ops --profile 14 \
    --subject "CN=Desk Operator,O=UPKI Service Desk,C=JP" --secret-stdin --wait 20)
rid=$(printf '%s' "$out" | sed -n '1s/request \([0-9]*\) queued/\1/p')
echo "desk-secret-1" | "$TOOLSDIR/ca.cgi" p12 --request "$rid" --format modern --out "$T/desk.p12"
openssl pkcs12 -in "$T/desk.p12" -passin pass:desk-secret-1 -nokeys -clcerts 2>/dev/null >"$T/desk.pem"
OP="--cert-type P12 --cert $T/desk.p12:desk-secret-1"
CU="curl -sS --cacert $CACERT"

is "$($CU $OP -o /dev/null -w '%{http_code}' "$DESK")" 403 "a certificate that is not a desk operator's: 403"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'web.refused'
           AND detail->>'why' = 'not a registered desk operator'
           AND cert_subject LIKE 'CN=Desk Operator,%' AND detail->>'script' = '/ra/desk/desk.cgi'")" 1 \
    "and the refusal is audited with the certificate and the screen"
"$D" operator-add --name "Hanako Desk" --cert "$T/desk.pem" >/dev/null
ok $? "desk: operator registered from a shell"
page=$($CU $OP "$DESK")
has "$page" "担当: Hanako Desk" "the operator's screen"
is "$($CU -o /dev/null -w '%{http_code}' "$DESK")" 403 "no certificate: 403"

post() { $CU $OP -H "Origin: https://localhost:$RA_PORT" "$@" "$DESK"; }
page=$(post --data-urlencode step=institution --data-urlencode code=kyoto \
    --data-urlencode name_ja=京都大学 --data-urlencode "name_en=Kyoto University" \
    --data-urlencode st=Kyoto --data-urlencode l=Kyoto --data-urlencode from=2026-01-01 \
    --data-urlencode until=2030-12-31)
has "$page" "institution registered" "an institution registered on the screen"
has "$page" "<td>京都大学</td>" "and listed"
page=$(post -d step=domain -d institution=kyoto -d domain=kyoto-u.ac.jp)
has "$page" "domain registered" "a domain"
page=$(post -d step=ou -d domain=kyoto-u.ac.jp -d ou=X)
has "$page" "cannot be registered: 2 to 64 half-width letters" "an OU the rules forbid is refused, with the reason in words"
hasnt "$page" "SQLSTATE" "told as a reason, not as a captured log line"
page=$(post --data-urlencode step=officer --data-urlencode institution=kyoto \
    --data-urlencode name_ja=京大花子 --data-urlencode romaji=Hanako --data-urlencode mail=hanako@kyoto-u.ac.jp \
    --data-urlencode phone=075-000-0000 --data-urlencode domains=kyoto-u.ac.jp --data-urlencode interfaces=1,10)
has "$page" "the retrieval URL is mailed to hanako@kyoto-u.ac.jp" "an officer registered on the screen"
oid=$(sql "SELECT officer_id FROM ra.officer WHERE mail = 'hanako@kyoto-u.ac.jp'")
page=$(post -d step=pin -d "officer=$oid")
has "$page" "access PIN for officer $oid (Hanako):" "the PIN shown once on the screen"
code=$($CU $OP -H "Origin: https://evil.example" -o /dev/null -w '%{http_code}' -d step=pin -d "officer=$oid" "$DESK")
is "$code" 403 "a cross-site POST is refused"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'web.refused' AND detail->>'why' LIKE 'cross-site POST%'")" 1 \
    "and audited"
is "$(sql "SELECT count(*) FROM ra.audit WHERE actor = 'desk:Hanako Desk' AND outcome = 'ok'")" 4 \
    "the four screen actions that took effect are audited under the operator"
mails_settle
grep -q "^To: hanako@kyoto-u.ac.jp" "$T/var/mail/maildir/new/"*
ok $? "the officer's retrieval mail went out"

# A revoked operator certificate no longer opens the desk (the attack run
# registered an officer with one and issued its PIN).
"$TOOLSDIR/ca.cgi" revoke --serial "$(sql "SELECT serial FROM ra.certificate WHERE request_id = $rid")" \
    --reason 1 >/dev/null
ok $? "the operator's certificate is revoked (key compromise)"
is "$($CU $OP -o /dev/null -w '%{http_code}' "$DESK")" 403 "a revoked desk operator: 403"
code=$(post -o /dev/null -w '%{http_code}' -d step=pin -d "officer=$oid")
is "$code" 403 "and cannot issue an access PIN"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'web.refused'
           AND detail->>'why' = 'desk operator certificate revoked'")" 2 "both refusals audited"

done_testing
