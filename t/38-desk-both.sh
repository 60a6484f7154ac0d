#!/bin/sh
# Every officer action of the desk, on the screen and from the shell
# alike, and each audit row: the operator by certificate fingerprint,
# how it came (screen, shell), and what changed, before and after.
. "$(dirname "$0")/lib.sh"
stack_up
D=$DESKDIR/desk.cgi
DESK=$URL/ra/desk/desk.cgi
LRA=$URL/ra/lra
CU="curl -sS --cacert $CACERT"

desk_operator_up "Hanako Desk"
post() { desk_post "$@"; }
arow() { audit_last "$@"; }
login() { ra_login "$@"; }
serial_of() { ra_cert_serial "$@"; }

"$D" institution-add --code nii --name-ja 国立情報学研究所 \
    --name-en "National Institute of Informatics" --st Tokyo --l Chiyoda-ku \
    --from 2026-01-01 --until 2030-12-31 >/dev/null
"$D" domain-add --institution nii --domain nii.ac.jp >/dev/null

# What the newest row of EVENT says: "via sha256 | changes as table:op".
said() {
	arow "$1" "(detail->'operator'->>'via') || ' ' || coalesce(detail->'operator'->>'sha256', '-') || ' |' ||
	    coalesce((SELECT string_agg(' ' || (c->>'table') || ':' || (c->>'op'), '' ORDER BY n)
	              FROM jsonb_array_elements(detail->'changes') WITH ORDINALITY AS x(c, n)), '')"
}
both() {	# both EVENT WANT-CHANGES DESCRIPTION: the screen's row, then the shell's
	n=$(sql "SELECT count(*) FROM ra.audit WHERE event = '$1' AND outcome = 'ok'")
	is "$n" 2 "$1: one row from each"
	is "$(sql "SELECT string_agg((detail->'operator'->>'via') || ' ' || (detail->'operator'->>'sha256'), ',' ORDER BY audit_id)
	           FROM ra.audit WHERE event = '$1' AND outcome = 'ok'")" "screen $FP,shell $FP" \
	    "$1: both name the operator's fingerprint, with how they came"
	is "$(sql "SELECT string_agg(coalesce((SELECT string_agg((c->>'table') || ':' || (c->>'op'), ' ' ORDER BY n)
	              FROM jsonb_array_elements(detail->'changes') WITH ORDINALITY AS x(c, n)), '-'), ',' ORDER BY audit_id)
	           FROM ra.audit WHERE event = '$1' AND outcome = 'ok'")" "$2" "$3"
}
oid() { sql "SELECT officer_id FROM ra.officer WHERE mail = '$1'"; }
add_form() {	# add_form MAIL ROMAJI
	post --data-urlencode step=officer --data-urlencode institution=nii --data-urlencode name_ja=情報花子 \
	    --data-urlencode "romaji=$2" --data-urlencode "mail=$1" --data-urlencode phone=03-0000-0000 \
	    --data-urlencode domains=nii.ac.jp --data-urlencode interfaces=1,10 >/dev/null
}

# officer-add
add_form a@nii.ac.jp "Hanako A"
"$D" officer-add --institution nii --name-ja 情報次郎 --romaji "Jiro B" --mail b@nii.ac.jp \
    --phone 03-0000-0001 --domains nii.ac.jp --interfaces 1,10 >/dev/null
A=$(oid a@nii.ac.jp) B=$(oid b@nii.ac.jp)
both desk.officer.add \
    "officer:insert officer_domain:insert officer_permission:insert officer_permission:insert access_token:insert,officer:insert officer_domain:insert officer_permission:insert officer_permission:insert access_token:insert" \
    "officer-add: the officer, domain, interfaces and retrieval URL added"
is "$(arow desk.officer.add "(SELECT c->'after'->>'mail' FROM jsonb_array_elements(detail->'changes') c WHERE c->>'table' = 'officer')")" \
    b@nii.ac.jp "with the values added"
is "$(arow desk.officer.add "(SELECT count(*) FROM jsonb_array_elements(detail->'changes') c WHERE c->>'table' = 'access_token'
      AND (c->'after' ? 'token_sha256' OR c->'after' ? 'pin_hash'))")" 0 "but never a token's or a PIN's hash"

# url-reissue: the old URL voided, a new one made
post -d step=reissue -d "officer=$A" >/dev/null
"$D" url-reissue --officer "$B" >/dev/null
both desk.url.reissue "access_token:update access_token:insert,access_token:update access_token:insert" \
    "url-reissue: the old URL marked used, a new one added"
is "$(arow desk.url.reissue "(SELECT (c->'before'->>'used_at') IS NULL AND (c->'after'->>'used_at') IS NOT NULL
      FROM jsonb_array_elements(detail->'changes') c WHERE c->>'op' = 'update')")" t "the old one's used_at, before and after"

# pin-issue, pin-reset
post -d step=pin -d "officer=$A" >/dev/null
"$D" pin-issue --officer "$B" >/dev/null
both desk.pin.issue "access_token:update,access_token:update" "pin-issue: the URL's PIN set"
is "$(arow desk.pin.issue "(SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_array_elements(detail->'changes') c,
      jsonb_object_keys(c->'after') k)")" "pin_set_at" "recorded as the time it was set, not the PIN's hash"
post -d step=reset -d "officer=$A" >/dev/null
"$D" pin-reset --officer "$B" >/dev/null
both desk.pin.reset "access_token:update,access_token:update" "pin-reset: the PIN cleared"

# officer-update
post -d step=officer-update -d "officer=$A" -d phone=03-1111-1111 >/dev/null
"$D" officer-update --officer "$B" --phone 03-2222-2222 >/dev/null
both desk.officer.update "officer:update,officer:update" "officer-update: the officer row"
is "$(arow desk.officer.update "detail->'changes'->0->'before'->>'phone' || ' -> ' || (detail->'changes'->0->'after'->>'phone')")" \
    "03-0000-0001 -> 03-2222-2222" "the phone before and after"

# suspend, resume: each officer's live RA certificate revoked on suspension
ra_cert_fetch a@nii.ac.jp "$A" "$T/a1"
ra_cert_fetch b@nii.ac.jp "$B" "$T/b1"
post -d step=officer-suspend -d "officer=$A" >/dev/null
"$D" officer-suspend --officer "$B" >/dev/null
both desk.officer.suspend "officer:update,officer:update" "officer-suspend: the status"
is "$(login "$T/a1")$(login "$T/b1")" 403403 "neither logs in"
post -d step=officer-resume -d "officer=$A" >/dev/null
"$D" officer-resume --officer "$B" >/dev/null
both desk.officer.resume "officer:update access_token:insert,officer:update access_token:insert" \
    "officer-resume: the status back, a new URL"

# lost
ra_cert_fetch a@nii.ac.jp "$A" "$T/a2"
ra_cert_fetch b@nii.ac.jp "$B" "$T/b2"
post -d step=officer-lost -d "officer=$A" >/dev/null
"$D" officer-lost --officer "$B" >/dev/null
both desk.officer.lost "access_token:insert,access_token:insert" "officer-lost: a new URL (the revocation is in the row's own detail)"
is "$(sql "SELECT string_agg(reason::text, ',') FROM ra.revocation v JOIN ra.certificate c USING (cert_id)
           WHERE c.officer_id IN ($A, $B) AND v.revoked_at > now() - interval '1 hour' AND reason = 1")" "1,1" \
    "both lost certificates revoked for key compromise"

# retire
post -d step=officer-retire -d "officer=$A" >/dev/null
"$D" officer-retire --officer "$B" >/dev/null
both desk.officer.retire "officer:update access_token:update,officer:update access_token:update" \
    "officer-retire: the status, the unused URL voided"
is "$(sql "SELECT string_agg(status, ',') FROM ra.officer WHERE officer_id IN ($A, $B)")" "retired,retired" "both retired"

# A double click: two suspensions at once, one takes effect, one is refused.
"$D" officer-add --institution nii --name-ja 情報三郎 --romaji "Saburo C" --mail c@nii.ac.jp \
    --phone 03-0000-0002 --domains nii.ac.jp --interfaces 1,10 >/dev/null
C=$(oid c@nii.ac.jp)
post -d step=officer-suspend -d "officer=$C" >"$T/s1" & post -d step=officer-suspend -d "officer=$C" >"$T/s2" &
wait
is "$(cat "$T/s1" "$T/s2" | grep -c 'suspended; ')$(cat "$T/s1" "$T/s2" | grep -c 'is suspended: cannot be suspended')" 11 \
    "a double click on 利用停止: one suspends, the other is told it already is"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'desk.officer.suspend' AND officer_id = $C GROUP BY outcome ORDER BY outcome")" \
    "$(printf '1\n1')" "one ok row, one refused row"

# What the review found: refusals before any action are audited too, the
# screen binds no shell login, an RA certificate is no desk operator's,
# and a lost certificate is not dodged with url-reissue.
"$D" officer-add --institution nii --name-ja 情報四郎 --romaji "Shiro D" --mail d@nii.ac.jp \
    --phone 03-0000-0003 --domains nii.ac.jp --interfaces 1,10 >/dev/null
E=$(oid d@nii.ac.jp)
ra_cert_fetch d@nii.ac.jp "$E" "$T/d1"
out=$("$D" url-reissue --officer "$E" 2>&1)
has "$out" "holds a live RA certificate: for a lost one use officer-lost" \
    "url-reissue for an officer with a live RA certificate points to officer-lost"
is "$(arow desk.url.reissue "outcome || ' ' || (detail->'operator'->>'sha256')")" "refused $FP" "and is audited"
page=$(post -d step=nosuch -d "officer=$E")
has "$page" "unknown step &quot;nosuch&quot;" "an unknown step is refused in words"
page=$(post -d step=officer-suspend -d officer=0)
has "$page" "officer-suspend: officer 0 is not a number" "an officer number out of range too"
page=$(post -d step=officer-update)
has "$page" "officer-update: 入力されていない項目があります" "a form short of a field"
is "$(sql "SELECT count(*) FROM ra.audit WHERE event = 'desk.screen' AND outcome = 'refused'
           AND detail->'operator'->>'sha256' = '$FP'")" 3 "all three audited under the operator"
page=$(post --data-urlencode step=operator-add --data-urlencode "name_ja=Root Desk" \
    --data-urlencode unix_user=root --data-urlencode "cert_pem@$T/desk.pem")
has "$page" "the shell login is registered from the shell only" "the screen binds no shell login to an operator"
out=$("$D" operator-add --name "Officer Desk" --cert "$T/d1.pem" 2>&1)
has "$out" "desk operator certificate not a client certificate" "an RA officer's certificate is no desk operator's"

# The audit copies every column of the desk's tables but a deny-list: a
# new column of ra.access_token (the one table with secrets) must be
# looked at here before it reaches the log.
is "$(sql "SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys(ra.desk_change_row(
           (SELECT to_jsonb(t) FROM ra.access_token t LIMIT 1))) k")" \
    "after_token_id,application_id,batch_id,cert_id,created_at,expires_at,failures,institution_id,locked_at,officer_id,pin_set_at,purpose,request_id,token_id,used_at" "what of a retrieval URL the audit keeps: no token, PIN or step hash, no sealed secret"

# What the attack found: a value that is not UTF-8 text, or one the
# schema refuses, is refused with a row of why, on the shell and the
# screen; the database keeps a retired officer retired and bulk
# revocations to the desk's reasons; the shell's operator cannot retire
# themselves.
before=$(sql "SELECT max(audit_id) FROM ra.audit")
"$D" ou-add --domain nii.ac.jp --ou "$(printf 'A\377\376')" >/dev/null 2>&1
is "$(sql "SELECT event || ' ' || outcome || ' ' || (detail->>'why') FROM ra.audit WHERE audit_id > $before")" \
    "desk.shell refused a value is not UTF-8 text without control characters" "a byte that is not UTF-8, from the shell: refused and audited"
before=$(sql "SELECT max(audit_id) FROM ra.audit")
page=$(post -d step=institution -d code=evil -d name_ja=%ff -d name_en=Evil -d st=Tokyo -d l=X \
    -d from=2026-01-01 -d until=2030-12-31)
has "$page" "a value is not UTF-8 text" "and from the screen"
is "$(sql "SELECT event || ' ' || outcome FROM ra.audit WHERE audit_id > $before")" "desk.screen refused" "audited"
"$D" officer-add --institution nii --name-ja 名 --romaji 'A"}' --mail z@nii.ac.jp --phone 03-0000-0000 \
    --domains nii.ac.jp --interfaces 1 >/dev/null 2>&1
is "$(arow desk.officer.add "outcome || ' ' || (detail->'operator'->>'sha256')")" "refused $FP" \
    "a value the schema refuses: the refusal audited under the operator"
"$D" domain-add --institution nii --domain '<x>' >/dev/null 2>&1
is "$(arow desk.domain.add outcome)" refused "a domain the schema refuses, too"
out=$(psql -h "$T/var/pgsock" -U ra_desk -d ra -Atq -c "UPDATE ra.officer SET status = 'active' WHERE officer_id = $A" 2>&1)
has "$out" "is retired for good" "the database keeps a retired officer retired"
out=$(psql -h "$T/var/pgsock" -U ra_desk -d ra -Atq -c "SELECT * FROM ra.institution_revoke(1, '{server}', 8::smallint, 'x')" 2>&1)
has "$out" "reason 8 is not one for a bulk revocation" "and bulk revocations to the desk's reasons"
out=$("$D" operator-retire --fingerprint "$FP" 2>&1)
has "$out" "operators cannot retire themselves" "the shell's operator cannot retire themselves either"

# Nothing a spreadsheet would run reaches the allow list or the names the
# downloads show, from the desk either.
out=$("$D" ou-add --domain nii.ac.jp --ou "=HYPERLINK(1)" 2>&1)
has "$out" "must not start with = + - @" "an OU a spreadsheet would run is refused"
is "$(audit_last desk.shell "outcome")" refused "and audited"

done_testing
