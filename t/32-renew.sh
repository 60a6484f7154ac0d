#!/bin/sh
# Manual 2-3-1-2: an RA certificate near expiry.  Cron mails a renewal URL;
# the URL authenticates with the current RA certificate (no PIN), shows
# the new P12 password, issues once and downloads.
. "$(dirname "$0")/lib.sh"
stack_up
officer_with_cert 1,10
CU="curl -sS --cacert $CACERT"
OLD="--cert-type P12 --cert $OFFICER_P12:$OFFICER_PASS"

is "$("$DESKDIR/desk.cgi" renew-notify --days 30)" "0 renewal notice(s) queued; 0 superseded RA certificate(s) revoked" \
    "nothing to renew while the certificate has 25 months left"
sql "UPDATE ra.certificate SET not_after = now() + interval '20 days' WHERE kind = 'ra_officer'"
is "$("$DESKDIR/desk.cgi" renew-notify --days 30)" "1 renewal notice(s) queued; 0 superseded RA certificate(s) revoked" \
    "cron: one notice at 20 days left"
is "$("$DESKDIR/desk.cgi" renew-notify --days 30)" "0 renewal notice(s) queued; 0 superseded RA certificate(s) revoked" \
    "and only one"
mails_settle
f=$(ls -t "$T/var/mail/maildir/new/"* | head -n 1)
openssl smime -verify -in "$f" -CAfile "$CACERT" -out "$T/renew.body" 2>/dev/null
ok $? "the renewal mail is signed"
body=$(iconv -f ISO-2022-JP -t UTF-8 "$T/renew.body" | tr -d '\r')
has "$body" "登録担当者用証明書の有効期限" "it is the renewal notice"
link=$(printf '%s\n' "$body" | grep -o 'https://[^ ]*raget.cgi?t=[A-Za-z0-9_-]*')
t=${link#*t=}

page=$($CU "$link")
has "$page" "更新する登録担当者用証明書" "without a certificate the renewal URL refuses"
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/x.key" -out "$T/x.csr" \
    -subj "/C=JP/O=National Institute of Informatics/L=Academe-ops/CN=Taro Yamada" 2>/dev/null
printf 'keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nauthorityKeyIdentifier=keyid\n' >"$T/x.ext"
openssl x509 -req -in "$T/x.csr" -CA "$T/var/pki/ra-ca.crt" -CAkey "$T/var/pki/private/ra-ca.key" \
    -CAcreateserial -days 30 -extfile "$T/x.ext" -out "$T/x.crt" 2>/dev/null
page=$($CU --cert "$T/x.crt" --key "$T/x.key" "$link")
has "$page" "更新する登録担当者用証明書" "nor with a look-alike certificate"

page=$($CU $OLD "$link")
has "$page" "クライアント認証に成功しました" "the current RA certificate opens it"
pass=$(printf '%s' "$page" | sed -n 's/.*id="p12pin">\([^<]*\)<.*/\1/p')
s=$(printf '%s' "$page" | sed -n 's/.*name="s" value="\([^"]*\)".*/\1/p')
is "${#pass}" 16 "the P12 password is shown before 発行"
page=$($CU $OLD -d "t=$t&s=$s&step=issue&pass=$pass" "$URL/ra/raget.cgi")
has "$page" "【STEP3】" "発行"
page=$($CU $OLD -d "t=$t&s=$s&step=issue&pass=$pass" "$URL/ra/raget.cgi")
has "$page" "id=\"p12pin\">$pass<" "a second 発行 shows the same STEP3 and password"
is "$(sql "SELECT count(*) FROM ra.request WHERE action = 'renew'")" 1 "and issues nothing"
i=0
until [ "$(sql "SELECT count(*) FROM ra.request WHERE action = 'renew' AND state = 'done'")" = 1 ] ||
    [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
code=$($CU $OLD -o "$T/new.p12" -w '%{http_code}' -d "t=$t&s=$s&step=download&pass=$pass&format=legacy" \
    "$URL/ra/raget.cgi")
is "$code" 200 "the renewed PKCS#12 downloads (legacy format asked for)"
has "$(openssl pkcs12 -in "$T/new.p12" -passin "pass:$pass" -info -noout 2>&1)" "pbeWithSHA1And3-KeyTripleDES-CBC" \
    "in the legacy format"
is "$(sql "SELECT count(*) FROM ra.certificate WHERE kind = 'ra_officer' AND state = 'issued'")" 2 \
    "one new RA certificate, the renewal of the old"
is "$(sql "SELECT count(*) FROM ra.request WHERE action = 'renew' AND target_cert_id IS NOT NULL")" 1 \
    "recorded as a renewal of the old one"
is "$(sql "SELECT count(*) FROM ra.certificate o JOIN ra.certificate n ON n.cert_id = o.superseded_by
           WHERE o.kind = 'ra_officer'")" 1 "the old certificate is marked superseded by the new (更新済み)"
login=$($CU --cert-type P12 --cert "$T/new.p12:$pass" -o /dev/null -w '%{http_code}' "$URL/ra/lra/login.cgi")
is "$login" 303 "the renewed certificate logs in"

done_testing
