#!/bin/sh
# The desk's operations view, on the screen and from the shell: failed
# mails with the MTA's answer and their resending, stuck jobs, CRLs due,
# certificates expiring soon, the audit chain.  The shell exits 1 with a
# one-line reason whenever the view holds something for the desk.
. "$(dirname "$0")/lib.sh"
stack_up
D=$DESKDIR/desk.cgi
OPS="$URL/ra/desk/desk.cgi?view=ops"
desk_operator_up "Hanako Desk"
CU="curl -sS --cacert $CACERT"
mails_settle

base=$("$D" ops-status 2>"$T/ops.err")
rc=$?
problems=$(cat "$T/ops.err")
has "$base" "== audit: audit chain intact:" "the shell shows the audit chain intact"
has "$base" "== crl: Last CRL of each CA" "and the CRLs"
is "$rc $problems" "0 " "a fresh stack holds nothing for the desk: exit 0"

# The stack's mail daemon would take a resent mail at once, and the test
# reads the queue after a resend: it stops, so no answer depends on speed.
mpid=$(cat "$T/var/run/mail.pid")
kill "$mpid"
while kill -0 "$mpid" 2>/dev/null; do sleep 0.1; done
# A mail the MTA refused for good, and one that carried a one-time URL.
sql "INSERT INTO ra.mail (template, recipients, data, state, attempts, last_error)
     VALUES ('server-cert-revoked', '{admin@nii.ac.jp}', '{}', 'failed', 20,
             '550 5.1.1 <admin@nii.ac.jp>: Recipient address rejected'),
            ('server-cert-url', '{admin2@nii.ac.jp}', '{}', 'failed', 20, '554 rejected')"
M=$(sql "SELECT mail_id FROM ra.mail WHERE template = 'server-cert-revoked' AND state = 'failed'")
U=$(sql "SELECT mail_id FROM ra.mail WHERE template = 'server-cert-url' AND state = 'failed'")
# A job claimed an hour ago and never finished.
sql "UPDATE ra.job SET state = 'running', finished_at = NULL, claimed_by = 'worker-x',
     claimed_at = now() - interval '1 hour' WHERE job_id = (SELECT min(job_id) FROM ra.job)"
J=$(sql "SELECT min(job_id) FROM ra.job")
# A certificate expiring in ten days.
sql "UPDATE ra.certificate SET not_after = now() + interval '10 days'
     WHERE cert_id = (SELECT max(cert_id) FROM ra.certificate)"
S=$(sql "SELECT serial FROM ra.certificate WHERE cert_id = (SELECT max(cert_id) FROM ra.certificate)")

out=$("$D" ops-status 2>"$T/ops.err")
is "$?" 1 "something for the desk: ops-status exits 1"
has "$(cat "$T/ops.err")" "mail-failed 2, jobs-stuck 1" "with a one-line reason"
has "$out" "$(printf '%s\tserver-cert-revoked\tadmin@nii.ac.jp\t20\t550 5.1.1' "$M")" \
    "the failed mail with the MTA's answer"
has "$out" "$(printf '%s\t' "$J")" "the stuck job"
has "$out" "$S" "the certificate expiring soon"

page=$($CU $OP "$OPS")
has "$page" "送信に失敗したメール" "the screen shows the failed mails"
has "$page" "550 5.1.1 &lt;admin@nii.ac.jp&gt;: Recipient address rejected" "with the MTA's answer, escaped"
has "$page" "滞留しているジョブ" "the stuck jobs"
has "$page" "worker-x" "which worker holds the job"
has "$page" "audit chain intact" "the audit chain"
page=$(desk_post -d view=ops -d step=mail-resend -d "mail_id=$M")
has "$page" "mail $M is queued again" "a failed mail is sent again from the screen"
is "$(sql "SELECT state || ' ' || attempts FROM ra.mail WHERE mail_id = $M")" "pending 0" "pending, attempts afresh"
is "$(audit_last desk.mail.resend "outcome || ' ' || (detail->>'mail_id') || ' ' || (detail->'operator'->>'sha256')")" \
    "ok $M $FP" "audited under the operator"
out=$("$D" mail-resend --mail-id "$U" 2>&1)
has "$out" "its one-time URL was dropped when it failed: reissue the URL" \
    "a mail whose one-time URL was dropped is not sent without it"
is "$(audit_last desk.mail.resend "outcome")" refused "and the refusal is audited"
out=$("$D" mail-resend --mail-id "$M" 2>&1)
has "$out" "the mail is pending, not failed" "nor is a pending one queued twice"

sql "UPDATE ra.crl SET this_update = now() - interval '5 days', next_update = now() - interval '1 hour'
     WHERE (ca_id, crl_number) = (SELECT ca_id, max(crl_number) FROM ra.crl GROUP BY ca_id ORDER BY ca_id LIMIT 1)"
"$D" ops-status >/dev/null 2>"$T/ops.err"
has "$(cat "$T/ops.err")" "crl-overdue 1" "a CRL past its nextUpdate is for the desk"

has "$base" "== ocsp: OCSP signers" "the OCSP signers are shown"
sql "UPDATE ra.ocsp_signer SET not_before = now() - interval '7 days', not_after = now() + interval '2 hours'"
"$D" ops-status >/dev/null 2>"$T/ops.err"
has "$(cat "$T/ops.err")" "ocsp-expiring" "a signer ending within a day is for the desk"

# The chain: a row changed behind the triggers' back is found.
sql "ALTER TABLE ra.audit DISABLE TRIGGER audit_no_update;
     UPDATE ra.audit SET actor = 'desk:someone-else' WHERE audit_id = 3;
     ALTER TABLE ra.audit ENABLE TRIGGER audit_no_update"
out=$("$D" ops-status 2>"$T/ops.err")
has "$out" "== audit: audit chain broken at row 3" "a tampered audit row is found"
has "$(cat "$T/ops.err")" "audit chain broken" "and named in the reason"
has "$($CU $OP "$OPS")" "audit chain broken at row 3" "on the screen too"

done_testing
