#!/bin/sh
# The SMTP sink down for a while: mails stay in the outbox and are retried
# on the backoff of ra.mail.next_attempt_at (time moved through that
# column, not slept); once the sink is back (the stack starts it again)
# each is delivered exactly once, with the S/MIME signature made at the
# first attempt, byte for byte: a retry sends the stored message, it does
# not sign again.
. "$(dirname "$0")/lib.sh"
stack_up
M=$TOOLSDIR/mail.cgi
D=$DESKDIR/desk.cgi
maildir=$T/var/mail/maildir/new

# The stack's mail daemon and sink stopped, by their pid files.
stop_pid() {	# stop_pid NAME
	pid=$(cat "$T/var/run/$1.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
	rm -f "$T/var/run/$1.pid"
}
stop_pid mail
stop_pid smtp
perl -MIO::Socket::INET -e 'exit(IO::Socket::INET->new(PeerAddr => "127.0.0.1",
    PeerPort => $ARGV[0], Proto => "tcp") ? 1 : 0)' "$RA_SMTP_PORT"
ok $? "the SMTP sink is down (nothing listens on $RA_SMTP_PORT)"
inbox0=$(ls "$maildir" | wc -l)

# Three officers registered: three mails queued.
"$D" institution-add --code nii --name-ja 国立情報学研究所 \
    --name-en "National Institute of Informatics" --st Tokyo --l Chiyoda-ku \
    --from 2026-01-01 --until 2030-12-31 >/dev/null &&
"$D" domain-add --institution nii --domain nii.ac.jp >/dev/null
for n in 1 2 3; do
	r=$(echo "Ichiro Jiro Saburo" | cut -d' ' -f$n)
	"$D" officer-add --institution nii --name-ja 山田太郎$n --romaji "$r Yamada" \
	    --mail "taro$n@nii.ac.jp" --phone 03-1234-5678 --domains nii.ac.jp \
	    --interfaces 1 >/dev/null || bail "officer $n not registered"
done
ids=$(sql "SELECT string_agg(mail_id::text, ',' ORDER BY mail_id) FROM ra.mail WHERE state = 'pending'")
is "$(sql "SELECT count(*) FROM ra.mail WHERE state = 'pending'")" 3 "three mails queued ($ids)"

# 1. First attempt, sink down: each is rendered, signed, stored, put off.
as_mailer "$M" send >"$T/send1.out" 2>"$T/send1.err"
ok $? "mail.cgi send with the sink down exits 0 (a down MTA is no error of ours)"
has "$(cat "$T/send1.err")" "will retry" "it says each will be retried"
is "$(sql "SELECT count(*) FROM ra.mail WHERE mail_id IN ($ids) AND state = 'pending'
           AND attempts = 1 AND message IS NOT NULL AND last_error <> ''
           AND next_attempt_at > now() + interval '50 seconds'")" 3 \
    "all three pending: one attempt, message stored, the error kept, next attempt a minute on"
is "$(ls "$maildir" | wc -l)" "$inbox0" "nothing delivered"
for id in $(echo "$ids" | tr ',' ' '); do
	sql "SELECT encode(message, 'base64') FROM ra.mail WHERE mail_id = $id" |
	    base64 -d >"$T/first.$id"
	openssl smime -pk7out -in "$T/first.$id" -out "$T/first.$id.p7" 2>/dev/null
done
[ -s "$T/first.${ids%%,*}.p7" ]; ok $? "the stored message carries an S/MIME signature"

# 2. Not due yet: a run now sends nothing and counts nothing.
as_mailer "$M" send >"$T/send2.out" 2>&1
has "$(cat "$T/send2.out")" "0 mail(s) handled" "before next_attempt_at nothing is tried"
is "$(sql "SELECT sum(attempts) FROM ra.mail WHERE mail_id IN ($ids)")" 3 "no attempt counted"

# 3. Time moved to the next attempt, still down: retried, backoff doubles,
# the stored message untouched.
due_now() { sql "UPDATE ra.mail SET next_attempt_at = now() - interval '1 second'
                 WHERE mail_id IN ($ids) AND state = 'pending'"; }
due_now
as_mailer "$M" send >/dev/null 2>&1
is "$(sql "SELECT count(*) FROM ra.mail WHERE mail_id IN ($ids) AND state = 'pending'
           AND attempts = 2 AND next_attempt_at > now() + interval '110 seconds'")" 3 \
    "second attempt failed too: attempts 2, the next one two minutes on"
same=0
for id in $(echo "$ids" | tr ',' ' '); do
	sql "SELECT encode(message, 'base64') FROM ra.mail WHERE mail_id = $id" |
	    base64 -d >"$T/second.$id"
	cmp -s "$T/first.$id" "$T/second.$id" || same=1
done
ok $same "the stored messages are byte for byte those of the first attempt"

# 4. The sink back, the stack's mail daemon too (the stack's own start):
# nothing goes before the next attempt is due, then each goes once.
stack_start
perl -MIO::Socket::INET -e 'exit(IO::Socket::INET->new(PeerAddr => "127.0.0.1",
    PeerPort => $ARGV[0], Proto => "tcp") ? 0 : 1)' "$RA_SMTP_PORT"
ok $? "the SMTP sink is back"
[ -s "$T/var/run/mail.pid" ] && kill -0 "$(cat "$T/var/run/mail.pid")"
ok $? "and the stack's mail daemon runs again"
as_mailer "$M" send >/dev/null 2>&1
is "$(ls "$maildir" | wc -l)" "$inbox0" "still nothing before next_attempt_at"
due_now
i=0
until [ "$(sql "SELECT count(*) FROM ra.mail WHERE mail_id IN ($ids) AND state = 'sent'")" = 3 ] ||
    [ $i -ge 150 ]; do sleep 0.1; i=$((i + 1)); done
is "$(sql "SELECT count(*) FROM ra.mail WHERE mail_id IN ($ids) AND state = 'sent' AND attempts = 3
           AND message IS NULL AND last_error IS NULL")" 3 \
    "the daemon delivered all three at the third attempt"
# Whatever runs again now finds nothing to send.
due_now
as_mailer "$M" send >/dev/null 2>&1
as_mailer "$M" send >/dev/null 2>&1
is "$(ls "$maildir" | wc -l)" "$((inbox0 + 3))" "three mails in the sink, no more"
once=0 sig=0
for id in $(echo "$ids" | tr ',' ' '); do
	f=$(grep -l "^Message-ID: <ra-mail-$id@" "$maildir"/*)
	[ "$(printf '%s\n' "$f" | grep -c .)" = 1 ] || { once=1; continue; }
	openssl smime -pk7out -in "$f" -out "$T/sent.$id.p7" 2>/dev/null &&
	    cmp -s "$T/first.$id.p7" "$T/sent.$id.p7" || sig=1
done
ok $once "each mail arrived exactly once (by its Message-ID)"
ok $sig "each with the S/MIME signature of the first attempt, byte for byte"
f=$(grep -l "^Message-ID: <ra-mail-${ids%%,*}@" "$maildir"/*)
openssl smime -verify -in "$f" -CAfile "$CACERT" -out /dev/null 2>/dev/null
ok $? "and the signature still verifies"
has "$(mail_text "$f")" "山田太郎1" "the mail is the one for its officer"

done_testing
