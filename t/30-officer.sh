#!/bin/sh
# Chapter 2 of the manual, end to end: the desk registers an institution
# and an officer, the retrieval mail arrives (S/MIME-signed, ISO-2022-JP),
# the desk issues the access PIN, the officer goes through STEP1-3 and gets
# a PKCS#12; with the mistakes a real officer makes along the way.
. "$(dirname "$0")/lib.sh"
stack_up

D=$DESKDIR/desk.cgi
CU="curl -sS --cacert $CACERT"
GET=$URL/ra/raget.cgi
mails() { ls "$T/var/mail/maildir/new" 2>/dev/null | wc -l; }
# The newest mail to $1, verified, decoded to UTF-8.
mail_to() {
	f=$(grep -l "^To: $1" "$T/var/mail/maildir/new/"* | tail -n 1)
	openssl smime -verify -in "$f" -CAfile "$CACERT" -out "$T/mail.body" 2>"$T/smime.err" &&
	iconv -f ISO-2022-JP -t UTF-8 "$T/mail.body" | tr -d '\r'
}
# Run mail delivery now rather than waiting for the daemon's next round.
deliver() { mails_settle; }

"$D" institution-add --code nii --name-ja 国立情報学研究所 --name-en "National Institute of Informatics" \
    --st Tokyo --l Chiyoda-ku --from 2026-01-01 --until 2030-12-31 >/dev/null &&
"$D" domain-add --institution nii --domain nii.ac.jp >/dev/null &&
"$D" ou-add --domain nii.ac.jp --ou "Cyber Science Infrastructure Development Department" >/dev/null
ok $? "desk: institution, domain and OU registered"
out=$("$D" officer-add --institution nii --name-ja 山田太郎 --romaji "Taro Yamada" --mail taro@nii.ac.jp \
    --phone 03-1234-5678 --domains nii.ac.jp --interfaces 1,2,7,10)
ok $? "desk: officer registered"
has "$out" "mailed to taro@nii.ac.jp" "the desk is told where the URL went, not the URL"
err=$("$D" officer-add --institution nii --name-ja 鈴木 --romaji Suzuki --mail suzuki@nii.ac.jp \
    --phone 03-1234-5678 --domains other.ac.jp --interfaces 1 2>&1)
[ $? -ne 0 ]; ok $? "an officer for a domain the institution lacks is refused"
has "$err" "every domain must be registered" "and says why"

deliver
body=$(mail_to taro@nii.ac.jp)
ok $? "the retrieval mail arrives and its S/MIME signature verifies"
# Secrets: once delivered, the outbox keeps neither the message nor the URL.
is "$(sql "SELECT count(*) FILTER (WHERE message IS NULL AND NOT data ? 'URL'), count(*)
           FROM ra.mail WHERE state = 'sent'")" "1|1" "a delivered mail keeps no message and no one-time URL"
tok_sent=$(printf '%s' "$body" | tr -d '\r' | grep -o 'raget.cgi?t=[A-Za-z0-9_-]*' | cut -d= -f2)
is "$(sql "SELECT count(*) FROM ra.mail WHERE position('$tok_sent' IN data::text) > 0
           OR position(convert_to('$tok_sent', 'UTF8') IN coalesce(message, '')) > 0")" 0 \
    "the token is nowhere in the outbox"
has "$(cat "$T/var/mail/maildir/new/"*)" "Subject: =?ISO-2022-JP?B?" "subject in ISO-2022-JP"
subject=$(sed -n 's/^Subject: =?ISO-2022-JP?B?\(.*\)?=\r*$/\1/p' "$(grep -l '^To: taro@' "$T/var/mail/maildir/new/"*)" |
    base64 -d | iconv -f ISO-2022-JP -t UTF-8)
is "$subject" "登録担当者用証明書発行受付通知" "the manual's subject line"
has "$body" "山田太郎 様" "addressed to the officer"
link=$(printf '%s\n' "$body" | grep -o 'https://[^ ]*raget.cgi?t=[A-Za-z0-9_-]*')
t=${link#*t=}
is "${#t}" 43 "the URL carries a 256-bit token"
is "$(sql "SELECT count(*) FROM ra.access_token WHERE token_sha256 = sha256('$t'::bytea)")" 1 \
    "only the token's hash is stored"

page=$($CU "$link")
has "$page" "【STEP1】アクセスPIN入力" "STEP1 asks for the access PIN"
page=$($CU -d "t=$t&step=pin&pin=whatever" "$GET")
has "$page" "アクセスPINはまだ発行されていません" "a PIN attempt before the PIN exists is refused"

pin=$(umask 077; "$D" pin-issue --officer 1 --letter - 2>&1 >"$T/letter.html" | sed 's/.*: //')
is "${#pin}" 12 "desk: a 12-character access PIN, printed once"
has "$(cat "$T/letter.html")" "$pin" "and a printable PIN letter"
is "$(stat -c %a "$T/letter.html")" 600 "readable by the desk only"
is "$(sql "SELECT count(*) FROM ra.access_token WHERE pin_hash IS NOT NULL AND pin_kdf = 'pbkdf2-sha256'
                                                 AND position('$pin'::bytea IN pin_hash) = 0")" 1 \
    "the PIN is stored as a salted PBKDF2 hash"

page=$($CU -d "t=$t&step=pin&pin=wrongwrong12" "$GET")
has "$page" "アクセスPINが正しくありません" "a wrong PIN is refused"
has "$page" "あと 4 回" "and says how many tries are left"
page=$($CU -d "t=$t&step=pin&pin=$pin" "$GET")
has "$page" "【STEP2】証明書発行" "the right PIN leads to STEP2"
s=$(printf '%s' "$page" | sed -n 's/.*name="s" value="\([^"]*\)".*/\1/p')
pass=$(printf '%s' "$page" | sed -n 's/.*id="p12pin">\([^<]*\)<.*/\1/p')
is "${#pass}" 16 "the P12 password is shown before 発行 (manual 2-3-1-2)"
hasnt "$page" "name=\"pass\"" "and the 発行 form does not carry it back (the URL keeps it)"
code=$($CU -o /dev/null -w '%{http_code}' -d "t=$t&step=issue&pass=$pass" "$GET")
is "$code" 403 "発行 without the step nonce (CSRF) is refused"
is "$(sql "SELECT count(*) FROM ra.request")" 0 "and requests nothing"

# D3: 発行 pressed twice 0.15 s apart; the browser keeps whichever answer
# comes last.  Both must show STEP3 with the password noted before 発行.
$CU -o "$T/issue1.html" -d "t=$t&s=$s&step=issue&pass=$pass" "$GET" &
sleep 0.15
$CU -o "$T/issue2.html" -d "t=$t&s=$s&step=issue&pass=$pass" "$GET" &
wait
page=$(cat "$T/issue1.html")
page2=$(cat "$T/issue2.html")
has "$page" "【STEP3】証明書ダウンロード" "発行 leads to STEP3"
has "$page2" "【STEP3】証明書ダウンロード" "the second 発行 leads to the same STEP3"
has "$page" "id=\"p12pin\">$pass<" "the first answer shows the password"
has "$page2" "id=\"p12pin\">$pass<" "and so does the second: no click order loses it"
is "$(sql "SELECT count(*) FROM ra.request WHERE kind = 'ra_officer'")" 1 "one request however often 発行 is pressed"
# The URL opened again after 発行: STEP3 again, with the same password.
page3=$($CU -d "t=$t&step=pin&pin=$pin" "$GET")
has "$page3" "【STEP3】証明書ダウンロード" "the URL opened again after 発行: STEP3"
has "$page3" "id=\"p12pin\">$pass<" "with the password shown before 発行, no new one"
s=$(printf '%s' "$page3" | sed -n 's/.*name="s" value="\([^"]*\)".*/\1/p')

i=0
until [ "$(sql "SELECT state FROM ra.request")" = done ] || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
code=$($CU -o "$T/officer.p12" -w '%{http_code}' -d "t=$t&s=$s&step=download&pass=$pass&format=modern" "$GET")
is "$code" 200 "the PKCS#12 downloads"
subject=$(openssl pkcs12 -in "$T/officer.p12" -passin "pass:$pass" -nokeys -clcerts 2>/dev/null | grep '^subject=')
has "$subject" "C = JP, O = National Institute of Informatics, L = Academe-ops, CN = Taro Yamada" \
    "the RA certificate carries the RA marker L=Academe-ops"
code=$($CU -o /dev/null -w '%{http_code}' -d "t=$t&s=$s&step=download&pass=$pass&format=modern" "$GET")
is "$code" 404 "the URL is used up after the download"
is "$(sql "SELECT count(*) FROM ra.certificate WHERE kind = 'ra_officer' AND state = 'issued'")" 1 \
    "exactly one RA certificate"

# --- login, menu, logout (manual 3-2 to 3-4) ----------------------------
LRA=$URL/ra/lra
JAR=$T/cookies
P12="--cert-type P12 --cert $T/officer.p12:$pass"
login=$($CU $P12 -c "$JAR" -o /dev/null -w '%{http_code} %{redirect_url}' "$LRA/login.cgi")
is "$login" "303 $LRA/menu.cgi" "login with the RA certificate leads to the menu"
has "$(grep ra_session "$JAR")" "#HttpOnly_localhost" "the session cookie is HttpOnly"
menu=$($CU $P12 -b "$JAR" "$LRA/menu.cgi")
has "$menu" '<tr id="if-1">' "menu: ① (permitted)"
has "$menu" '<tr id="if-2">' "menu: ② (permitted)"
hasnt "$menu" '<tr id="if-3">' "menu: ③ not permitted, not shown"
hasnt "$menu" '<tr id="if-9">' "menu: ⑨ not permitted, not shown"
has "$menu" '<a href="stats.cgi">⑦発行証明書統計照会</a>' "menu: ⑦ links its screen (the last of these four to be built)"
has "$menu" 'id="logout"' "menu: ⑩ logout"
is "$($CU $P12 -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/screen.cgi?i=3")" 403 \
    "a screen without permission answers 403 even when called directly"
is "$($CU $P12 -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/screen.cgi?i=1")" 200 "a permitted one answers"
is "$($CU $P12 -o /dev/null -w '%{http_code}' "$LRA/menu.cgi")" 403 "no session cookie: no menu"
is "$($CU $P12 -b "$JAR" -o /dev/null -w '%{http_code}' -X POST "$LRA/logout.cgi")" 403 \
    "logout without the CSRF token is refused"
csrf=$(printf '%s' "$menu" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p')
out=$($CU $P12 -b "$JAR" -c "$JAR" -d "csrf=$csrf" "$LRA/logout.cgi")
has "$out" "ブラウザを閉じてください" "logout tells the officer to close the browser"
is "$($CU $P12 -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/menu.cgi")" 403 "after logout the session is gone"
is "$(sql "SELECT string_agg(event || ':' || outcome, ',' ORDER BY audit_id) FROM ra.audit WHERE event IN ('login', 'logout')")" \
    "login:ok,logout:ok" "login and logout are audited"
has "$(sql "SELECT cert_issuer || ' ' || cert_serial || ' ' || cert_subject || ' ' || host(source_ip) FROM ra.audit WHERE event = 'login'")" \
    "CN=ra Demo RA Officer CA" "with the certificate's issuer, serial, subject and source IP"

# A personal certificate chosen by mistake (another CA, no RA marker).
out=$(echo "personal-secret" | "$TOOLSDIR/ca.cgi" request --institution nii --profile 14 \
    --subject "CN=Taro Yamada,O=National Institute of Informatics,C=JP" --secret-stdin --wait 20)
prid=$(printf '%s' "$out" | sed -n '1s/request \([0-9]*\) queued/\1/p')
echo "personal-secret" | "$TOOLSDIR/ca.cgi" p12 --request "$prid" --format modern --out "$T/personal.p12"
page=$(curl -sS --cacert "$CACERT" --cert-type P12 --cert "$T/personal.p12:personal-secret" "$LRA/login.cgi")
has "$page" "登録担当者用証明書ではありません" "a personal certificate of another CA gets the personal-certificate screen"
# Same RA CA, no marker.
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/nomark.key" -out "$T/nomark.csr" \
    -subj "/C=JP/O=National Institute of Informatics/CN=Taro Yamada" 2>/dev/null
printf 'keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nauthorityKeyIdentifier=keyid\n' >"$T/nomark.ext"
openssl x509 -req -in "$T/nomark.csr" -CA "$T/var/pki/ra-ca.crt" -CAkey "$T/var/pki/private/ra-ca.key" \
    -CAcreateserial -days 30 -extfile "$T/nomark.ext" -out "$T/nomark.crt" 2>/dev/null
page=$(curl -sS --cacert "$CACERT" --cert "$T/nomark.crt" --key "$T/nomark.key" "$LRA/login.cgi")
has "$page" "登録担当者用証明書ではありません" "a certificate without the RA marker gets the personal-certificate screen"
# Marked, from the RA CA, but not one ra issued (unknown serial).
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/forged.key" -out "$T/forged.csr" \
    -subj "/C=JP/O=National Institute of Informatics/L=Academe-ops/CN=Taro Yamada" 2>/dev/null
openssl x509 -req -in "$T/forged.csr" -CA "$T/var/pki/ra-ca.crt" -CAkey "$T/var/pki/private/ra-ca.key" \
    -CAcreateserial -days 30 -extfile "$T/nomark.ext" -out "$T/forged.crt" 2>/dev/null
page=$(curl -sS --cacert "$CACERT" --cert "$T/forged.crt" --key "$T/forged.key" "$LRA/login.cgi")
has "$page" "失効されているか、証明書が無効です" "an RA-CA certificate ra has no record of is refused"

# Revocation takes effect at once, for new logins and open sessions.
$CU $P12 -c "$JAR" -o /dev/null "$LRA/login.cgi"
is "$($CU $P12 -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/menu.cgi")" 200 "logged in again"
rserial=$(sql "SELECT serial FROM ra.certificate WHERE kind = 'ra_officer'")
"$TOOLSDIR/ca.cgi" revoke --serial "$rserial" --reason 4 >/dev/null
ok $? "the RA certificate is revoked"
is "$($CU $P12 -b "$JAR" -o /dev/null -w '%{http_code}' "$LRA/menu.cgi")" 403 "the open session ends at once"
page=$($CU $P12 "$LRA/login.cgi")
has "$page" "失効されているか、証明書が無効です" "and a new login gets the failure screen, without an Apache reload"

# A second officer locks their URL with wrong PINs; the desk unlocks it.
o2=$("$D" officer-add --institution nii --name-ja 佐藤花子 --romaji "Hanako Sato" --mail hanako@nii.ac.jp \
    --phone 03-1234-5679 --domains nii.ac.jp --interfaces 3,4,10 | sed -n 's/^officer \([0-9]*\) .*/\1/p')
deliver
link2=$(mail_to hanako@nii.ac.jp | grep -o 'https://[^ ]*raget.cgi?t=[A-Za-z0-9_-]*')
t2=${link2#*t=}
"$D" pin-issue --officer "$o2" >/dev/null
for n in 1 2 3 4 5; do page=$($CU -d "t=$t2&step=pin&pin=wrongwrong$n" "$GET"); done
has "$page" "ロックされています" "five wrong PINs lock the URL"
err=$("$D" pin-issue --officer "$o2" 2>&1)
has "$err" "locked after wrong PINs" "desk: no new PIN for a locked URL before a deliberate reset"
page=$($CU -d "t=$t2&step=pin&pin=$pin" "$GET")
has "$page" "ロックされています" "a locked URL stays locked, whatever PIN is typed"
"$D" pin-reset --officer "$o2" >/dev/null && pin2=$("$D" pin-issue --officer "$o2" | sed 's/.*: //')
page=$($CU -d "t=$t2&step=pin&pin=$pin2" "$GET")
has "$page" "【STEP2】" "after the desk's reset and a new PIN, it opens"
# Move the token's whole life back a month, so it expired a second ago and
# expires_at > created_at still holds, however young the token really is.
sql "UPDATE ra.access_token SET created_at = created_at - interval '31 days',
     expires_at = now() - interval '1 second' WHERE officer_id = $o2"
page=$($CU "$link2")
has "$page" "この証明書取得URLは無効です" "an expired URL is refused"
out=$("$D" url-reissue --officer "$o2")
has "$out" "mailed to hanako@nii.ac.jp" "desk: a new retrieval URL for the officer (new or lost certificate)"
deliver
link3=$(mail_to hanako@nii.ac.jp | grep -o 'https://[^ ]*raget.cgi?t=[A-Za-z0-9_-]*')
[ -n "$link3" ] && [ "$link3" != "$link2" ]
ok $? "it arrives by mail, a different URL"
has "$($CU "$link3")" "【STEP1】" "the new URL works"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'pin.attempt' AND outcome = 'fail'")" 6 \
    "every wrong PIN is in the audit log"

# The mail outbox survives an MTA that is down, and sends once.
kill "$(cat "$T/var/run/mail.pid")" 2>/dev/null
kill "$(cat "$T/var/run/smtp.pid")"
"$D" officer-add --institution nii --name-ja 田中 --romaji Tanaka --mail tanaka@nii.ac.jp \
    --phone 03-1234-5670 --domains nii.ac.jp --interfaces 1 >/dev/null
deliver
is "$(sql "SELECT state || ':' || attempts FROM ra.mail WHERE 'tanaka@nii.ac.jp' = ANY (recipients)")" \
    "pending:1" "with the SMTP server down, the mail waits"
before=$(mails)
/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$RA_SMTP_PORT" -c aiosmtpd.handlers.Mailbox \
    "$T/var/mail/maildir" >/dev/null 2>&1 &
echo $! >"$T/var/run/smtp.pid"
sleep 1
sql "UPDATE ra.mail SET next_attempt_at = now() WHERE state = 'pending'"
deliver
deliver
is "$(sql "SELECT state FROM ra.mail WHERE 'tanaka@nii.ac.jp' = ANY (recipients)")" sent "once it is back, the mail goes out"
is "$(($(mails) - before))" 1 "exactly once"

out=$("$TOOLSDIR/ops.cgi" audit-verify)
ok $? "the audit chain verifies ($out)"

done_testing
