#!/bin/sh
# Expiry reminders (issue 13 item 5), the clock moved through the data
# (not_after set into the window as postgres): "mail.cgi remind" mails the
# user administrator of each server, code-signing and client certificate
# once at 60 and once at 30 days (Mail.ExpiryDays), never for a renewed
# one; run twice, or twice at once, it mails nothing more; "mail.cgi
# digest" mails the RA officer, once a week, the list of what ends within
# 60 days as a Shift_JIS TSV attached, which the test takes out of the
# signed mail and reads.
. "$(dirname "$0")/lib.sh"
stack_up
officer_with_cert 1,2,3,11
O="National Institute of Informatics"
DN="O=$O,L=Chiyoda-ku,ST=Tokyo,C=JP"
M=$TOOLSDIR/mail.cgi
worker_stop
drain() { as_worker "$TOOLSDIR/worker.cgi" drain >/dev/null 2>>"$T/worker.log"; }
sjis() { iconv -f UTF-8 -t CP932 >"$T/$1"; }
csr() {	# csr NAME CN [KEY]
	openssl req -new -newkey "${3:-rsa:2048}" -nodes -keyout "$T/$1.key" \
	    -subj "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=$O/CN=$2" 2>/dev/null | tr -d '\n'
}
# srow CN SERIAL CSR ADMIN-MAIL: a server row (issue, or renew with SERIAL)
srow() {
	printf 'CN=%s,%s\t21\t\t%s\t\t\t%s\t山田太郎\t情報基盤センター\t%s\t%s\tApache\t\r\n' \
	    "$1" "$DN" "$2" "$3" "$4" "$1"
}
up() { "$OFFICERDIR/$1" --officer 1 --action "$2" --mode abort "$T/$3" >"$T/up.out" 2>&1; }
cid() { sql "SELECT cert_id FROM ra.certificate WHERE cn = '$1' ORDER BY cert_id LIMIT 1"; }
expires_in() {	# expires_in DAYS CERT_ID...: the clock moved, as the data sees it
	d=$1; shift
	for c in "$@"; do
		sql "UPDATE ra.certificate SET not_after = now() + interval '$d days' - interval '1 hour'
		      WHERE cert_id = $c"
	done
}
notices() {	# notices DAYS: "to" of the expiry notices at that offset, sorted
	sql "SELECT string_agg(array_to_string(recipients, ','), ' ' ORDER BY recipients)
	       FROM ra.mail WHERE template = 'cert-expiry-notice' AND data->>'Days' = '$1'"
}

# --- certificates: a (server), b (server, to be renewed), c (server, far
# from its end), a code-signing and a client certificate --------------
{ srow a.nii.ac.jp "" "$(csr a a.nii.ac.jp)" a-admin@nii.ac.jp
  srow b.nii.ac.jp "" "$(csr b b.nii.ac.jp)" b-admin@nii.ac.jp
  srow c.nii.ac.jp "" "$(csr c c.nii.ac.jp)" c-admin@nii.ac.jp
} | sjis s.tsv
up server.cgi issue s.tsv; ok $? "three server certificates queued"
printf 'CN=NII Release,%s\t31\t\t\t\t\t%s\t山田花子\t情報基盤センター\tcs-admin@nii.ac.jp\t\ttoken\t\r\n' \
    "$DN" "$(csr cs 'NII Release' rsa:3072)" | sjis cs.tsv
up codesign.cgi issue cs.tsv; ok $? "a code-signing certificate queued"
printf 'CN=taro.001,%s\t14\t1\t\t\t\t\t国立 管理者\t情報基盤センター\tcl-admin@nii.ac.jp\t国立 太郎\tNIIcert-001\t研究部\ttaro.001@nii.ac.jp\t\r\n' \
    "$DN" | sjis cl.tsv
up client.cgi issue cl.tsv; ok $? "a client certificate queued"
drain
A=$(cid a.nii.ac.jp); B=$(cid b.nii.ac.jp); C=$(cid c.nii.ac.jp)
CS=$(cid 'NII Release'); CL=$(cid taro.001)
[ -n "$A" ] && [ -n "$B" ] && [ -n "$C" ] && [ -n "$CS" ] && [ -n "$CL" ]
ok $? "all five issued"
srow b.nii.ac.jp "$(sql "SELECT serial FROM ra.certificate WHERE cert_id = $B")" \
    "$(csr b2 b.nii.ac.jp)" b-admin@nii.ac.jp | sjis renew.tsv
up server.cgi renew renew.tsv; ok $? "b renewed"
drain
is "$(sql "SELECT count(*) FROM ra.certificate WHERE cn = 'b.nii.ac.jp' AND state = 'issued'")" 2 \
    "b has its new certificate"
is "$(as_worker "$M" remind)" "0 reminder(s) queued" "nothing ends soon: no reminder"

# --- 60 days: one notice each, none for b, none for c -----------------
expires_in 50 "$A" "$B" "$CS" "$CL"
expires_in 90 "$C"
is "$(as_worker "$M" remind)" "3 reminder(s) queued" "50 days left: three notices"
is "$(notices 60)" "a-admin@nii.ac.jp cl-admin@nii.ac.jp cs-admin@nii.ac.jp" \
    "to the user administrators of a, the client and the code-signing certificate"
is "$(sql "SELECT count(*) FROM ra.mail WHERE template = 'cert-expiry-notice'
           AND ('b-admin@nii.ac.jp' = ANY (recipients) OR 'c-admin@nii.ac.jp' = ANY (recipients))")" 0 "none for renewed b, none for c (90 days)"
is "$(as_worker "$M" remind)" "0 reminder(s) queued" "run again: none"
is "$(sql "SELECT count(*) FROM ra.mail WHERE template = 'cert-expiry-notice'")" 3 "still three"

# --- 30 days: two runs at once, held at the same claim, mail once -----
expires_in 20 "$A" "$B" "$CS" "$CL"
mkfifo "$T/hold"
psql -h "$T/var/pgsock" -U postgres -d ra -Atq <"$T/hold" >/dev/null 2>&1 &
hold=$!
exec 3>"$T/hold"
echo "BEGIN; INSERT INTO ra.expiry_notice (cert_id, offset_days) VALUES ($A, 30);" >&3
i=0
until [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'
                AND query LIKE '%INSERT INTO ra.expiry_notice%'")" = 1 ] ||
    [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
as_worker "$M" remind >"$T/r1" 2>&1 &
r1=$!
as_worker "$M" remind >"$T/r2" 2>&1 &
r2=$!
# Both wait on the claim the held transaction made (a row lock of its key).
i=0
until [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
                AND query LIKE '%expiry_notice%'")" = 2 ] || [ $i -ge 200 ]; do
	sleep 0.1; i=$((i + 1))
done
[ $i -lt 200 ]; ok $? "two runs at once both wait on the same claim"
echo "ROLLBACK;" >&3
exec 3>&-
wait "$r1"; wait "$r2"; wait "$hold"
is "$(cat "$T/r1" "$T/r2" | sort | tr '\n' ' ')" "0 reminder(s) queued 3 reminder(s) queued " \
    "one run queued the three 30-day notices, the other none"
is "$(notices 30)" "a-admin@nii.ac.jp cl-admin@nii.ac.jp cs-admin@nii.ac.jp" "once each"
is "$(sql "SELECT count(*) FROM ra.expiry_notice")" 6 "six claims: three certificates, two offsets"
is "$(as_worker "$M" remind)" "0 reminder(s) queued" "and a third run: none"

# --- the mail the administrator reads ----------------------------------
mails_settle
f=$(mail_to a-admin@nii.ac.jp 有効期限のお知らせ（30日前）)
[ -n "$f" ]; ok $? "the 30-day notice to a's administrator was delivered"
t=$(mail_text "$f")
has "$t" "$(sql "SELECT serial FROM ra.certificate WHERE cert_id = $A")" "it names a's serial"
has "$t" "CN=a.nii.ac.jp" "and its DN"
has "$t" "有効期限が30日以内" "and the offset"

# --- the officer's weekly digest ---------------------------------------
is "$(as_worker "$M" digest)" "1 digest(s) queued" "digest: one officer with certificates ending"
is "$(as_worker "$M" digest)" "0 digest(s) queued" "run again the same week: none"
mails_settle
f=$(mail_to taro@nii.ac.jp 有効期限の近い証明書の一覧)
[ -n "$f" ]; ok $? "the digest was delivered to the RA officer"
openssl smime -verify -in "$f" -CAfile "$CACERT" -out "$T/digest.mime" 2>/dev/null
ok $? "its signature verifies"
has "$(tr -d '\r' <"$T/digest.mime")" 'Content-Type: text/tab-separated-values; charset=Shift_JIS; name="expiring-1.tsv"' \
    "it has a Shift_JIS TSV part"
has "$(mail_text "$f")" "まだ更新されていないものが3件" "the text says three"
tr -d '\r' <"$T/digest.mime" |
    sed -n '/^Content-Transfer-Encoding: base64$/,/^--/p' | sed '1,2d;$d' |
    base64 -d | iconv -f CP932 -t UTF-8 >"$T/digest.tsv"
ok $? "the attachment decodes (base64, Shift_JIS)"
is "$(head -n 1 "$T/digest.tsv" | tr -d '\r')" \
    "$(printf '種別\t主体者DN\tシリアル番号\t有効期限\t残り日数\t利用管理者氏名\t利用管理者メールアドレス')" \
    "its header"
is "$(sed 1d "$T/digest.tsv" | tr -d '\r' | cut -f1,7 | sort | tr '\n' ' ')" \
    "クライアント証明書	cl-admin@nii.ac.jp コード署名用証明書	cs-admin@nii.ac.jp サーバ証明書	a-admin@nii.ac.jp " \
    "it lists a, the client and the code-signing certificate, not renewed b, not c"
is "$(grep -c "$(printf '\r$')" "$T/digest.tsv")" 4 "CRLF lines, as the downloads"
is "$(sed -n 2p "$T/digest.tsv" | cut -f5)" 20 "20 days left"

# --- a certificate issued anew under a live CN counts as renewed --------
sql "UPDATE ra.certificate SET superseded_by = NULL WHERE cert_id = $B" >/dev/null
is "$(sql "SELECT ra.cert_unrenewed($B)")" "f" "b with superseded_by cleared: its done renewal still counts as renewed"
done_testing
