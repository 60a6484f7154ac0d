#!/bin/sh
# The schema makes bad states impossible: constraints, roles, and the
# append-only, hash-chained audit log.
. "$(dirname "$0")/lib.sh"
stack_up

# sqlstate SQL [ROLE]: the SQLSTATE the statement fails with, or "ok".
sqlstate() {
	out=$(psql -h "$T/var/pgsock" -U "${2:-postgres}" -d ra -Atq -v ON_ERROR_STOP=1 \
	    -v VERBOSITY=verbose -c "$1" 2>&1) && { echo ok; return; }
	printf '%s' "$out" | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' | head -n 1
}

sql "INSERT INTO ra.institution (code, name_ja, name_en, st, l, status, usage_from, usage_until)
     VALUES ('a', 'A大学', 'A University', 'Tokyo', 'Chiyoda-ku', 'active', '2026-01-01', '2030-12-31'),
            ('b', 'B大学', 'B University', 'Kyoto', 'Kyoto', 'active', '2026-01-01', '2030-12-31');
     INSERT INTO ra.domain (institution_id, name)
     SELECT institution_id, code || '.ac.jp' FROM ra.institution;
     INSERT INTO ra.officer (institution_id, name_ja, name_romaji, mail, phone)
     SELECT institution_id, '担当', 'Tanto', 'ra@' || code || '.ac.jp', '03-0000-0000' FROM ra.institution;"

inst() { echo "(SELECT institution_id FROM ra.institution WHERE code = '$1')"; }
insert_inst="INSERT INTO ra.institution (code, name_ja, name_en, st, l, usage_from, usage_until) VALUES"

is "$(sqlstate "$insert_inst ('c', 'C', 'C University', 'Tokyo', 'Academe', '2026-01-01', '2027-01-01')")" \
    23514 "L=Academe is refused"
is "$(sqlstate "$insert_inst ('c', 'C', 'C University', 'Tokyo', 'Default City', '2026-01-01', '2027-01-01')")" \
    23514 "L containing Default is refused"
is "$(sqlstate "$insert_inst ('c', 'C', 'C Univ\"ersity', 'Tokyo', 'Minato-ku', '2026-01-01', '2027-01-01')")" \
    23514 "a double quote in O is refused"
is "$(sqlstate "$insert_inst ('c', 'C', 'C University', 'Tokyo', 'Minato-ku', '2027-01-01', '2026-01-01')")" \
    23514 "a usage period that ends before it starts is refused"
is "$(sqlstate "INSERT INTO ra.domain (institution_id, name) VALUES ($(inst a), 'Upper.AC.JP')")" \
    23514 "a domain not in lower case is refused"
is "$(sqlstate "INSERT INTO ra.domain (institution_id, name) VALUES ($(inst b), 'a.ac.jp')")" \
    23505 "a domain belongs to one institution only"
is "$(sqlstate "INSERT INTO ra.domain_ou (domain_id, ou) SELECT domain_id, '123' FROM ra.domain LIMIT 1")" \
    23514 "an OU of digits only is never registrable"
is "$(sqlstate "INSERT INTO ra.domain_ou (domain_id, ou) SELECT domain_id, 'Graduate School of Informatics' FROM ra.domain LIMIT 1")" \
    ok "an ordinary OU is accepted"
is "$(sqlstate "INSERT INTO ra.officer_domain (institution_id, officer_id, domain_id)
     SELECT o.institution_id, o.officer_id, d.domain_id FROM ra.officer o, ra.domain d
      WHERE o.institution_id = $(inst a) AND d.institution_id = $(inst b)")" \
    23503 "an officer cannot get another institution's domain"
is "$(sqlstate "INSERT INTO ra.officer_domain (institution_id, officer_id, domain_id)
     SELECT o.institution_id, o.officer_id, d.domain_id FROM ra.officer o, ra.domain d
      WHERE o.institution_id = $(inst a) AND d.institution_id = $(inst a)")" \
    ok "an officer gets their own institution's domain"
is "$(sqlstate "INSERT INTO ra.profile (profile_id, kind, name_ja, name_en, validity_days, key_algs, key_gen, key_usage, subject_attrs, subject_required)
     VALUES (90, 'server', 'x', 'x', 398, '{rsa2048}', 'csr', 'digitalSignature', '{CN}', '{CN}')")" \
    23514 "a server profile longer than 198 days is refused"
is "$(sqlstate "INSERT INTO ra.profile (profile_id, kind, name_ja, name_en, validity_days, key_algs, key_gen, key_usage, subject_attrs, subject_required)
     VALUES (90, 'server', 'x', 'x', 198, '{rsa1024}', 'csr', 'digitalSignature', '{CN}', '{CN}')")" \
    23514 "an unknown key algorithm is refused"
is "$(sqlstate "INSERT INTO ra.revocation (cert_id, ca_id, serial, not_after, reason) VALUES (1, 1, 1, now(), 7)")" \
    23514 "revocation reason 7 (unused in RFC 5280) is refused"
is "$(sqlstate "SELECT count(*) FROM ra.ca_kind WHERE current GROUP BY kind HAVING count(*) > 1")" \
    ok "the demo CAs are registered"
is "$(sql "SELECT count(*) FROM ra.ca_kind WHERE current")" 6 "one current CA for each issuing kind (the TSA CA too)"
is "$(sqlstate "INSERT INTO ra.ca_kind (ca_id, kind, current)
     SELECT ca_id, 'server', true FROM ra.ca WHERE name = 'ra Demo Client CA'")" \
    23505 "a second current CA for one kind is refused"

# Roles, one per web zone: each reads and appends what its screens need;
# none signs or rewrites history.
is "$(sqlstate "SELECT count(*) FROM ra.institution" ra_officer)" ok "ra_officer reads institutions"
is "$(sqlstate "INSERT INTO ra.crl (ca_id, crl_number, this_update, next_update, entries, der)
     VALUES (1, 1, now(), now() + interval '1 day', 0, '\\x00')" ra_officer)" \
    42501 "ra_officer cannot publish a CRL"
is "$(sqlstate "UPDATE ra.certificate SET der = NULL" ra_officer)" 42501 "ra_officer cannot write certificates"
is "$(sqlstate "SELECT key_secret FROM ra.request" ra_officer)" 42501 "ra_officer cannot read key passwords back"
is "$(sqlstate "SELECT state, subject_dn FROM ra.request" ra_officer)" ok "but reads the rest of a request"
for c in token_sha256 pin_hash pin_salt step_sha256 failures; do
	is "$(sqlstate "SELECT $c FROM ra.access_token" ra_officer)" 42501 "ra_officer cannot read retrieval URLs' $c"
done
is "$(sqlstate "SELECT cert_id, request_id, purpose, expires_at FROM ra.access_token" ra_officer)" ok \
    "only when one expires (② and ④ column 28)"
is "$(sqlstate "SELECT count(*) FROM ra.desk_operator" ra_officer)" 42501 "nor the desk operators"
is "$(sqlstate "INSERT INTO ra.officer (institution_id, name_ja, name_romaji, mail, phone)
     VALUES (1, 'x', 'X', 'x@a.ac.jp', '0000')" ra_officer)" 42501 "nor register officers"
is "$(sqlstate "INSERT INTO ra.officer_domain (institution_id, officer_id, domain_id) VALUES (1, 1, 1)" \
    ra_officer)" 42501 "nor widen an officer's domains"
for t in officer session access_token mail desk_operator officer_domain batch; do
	is "$(sqlstate "SELECT * FROM ra.$t LIMIT 1" ra_public)" 42501 "ra_public cannot read ra.$t"
done
is "$(sqlstate "SELECT admin_mail FROM ra.request" ra_public)" 42501 "nor user administrators' mail addresses"
is "$(sqlstate "SELECT count(*) FROM ra.certificate" ra_public)" ok "ra_public reads certificates (public documents)"
is "$(sqlstate "UPDATE ra.access_token SET failures = 0" ra_public)" 42501 "ra_public cannot reset a PIN counter"
is "$(sqlstate "SELECT count(*) FROM ra.ra_url_open('\\x00')" ra_public)" ok \
    "it finds a URL only through ra_url_open, by the token's hash"
is "$(sql "SELECT count(*) FROM ra.ra_url_open('no such token')")" 0 "which names no other URL"
is "$(sqlstate "SELECT count(*) FROM ra.ra_url_open('\\x00')" ra_officer)" 42501 \
    "and the officer zone cannot call it"
is "$(sqlstate "INSERT INTO ra.request (institution_id, action, kind, profile_id, subject_der, subject_dn)
     VALUES (1, 'issue', 'server', 1, '\\x30', 'CN=x')" ra_public)" 42501 \
    "ra_public cannot queue a server certificate"
is "$(sqlstate "INSERT INTO ra.request (institution_id, officer_id, action, kind, profile_id, subject_der, subject_dn)
     VALUES (1, 1, 'issue', 'ra_officer', 1, '\\x30', 'CN=x')" ra_public)" 42501 \
    "nor an RA certificate for an officer without an open retrieval URL"
# With the officer's URL open, the request passes the row policy but not
# the commit: only ra.url_requested, which takes the token's hash, can
# make it the URL's own.
sql "INSERT INTO ra.access_token (purpose, token_sha256, institution_id, officer_id, expires_at)
     VALUES ('ra_cert', sha256('open url'), 1, 1, now() + interval '1 day')"
out=$(psql -h "$T/var/pgsock" -U ra_public -d ra -Atq -v ON_ERROR_STOP=1 -c \
    "INSERT INTO ra.request (institution_id, officer_id, action, kind, profile_id, subject_der, subject_dn)
     VALUES (1, 1, 'issue', 'ra_officer', 1, '\\x30', 'CN=x')" 2>&1)
has "$out" "a request of the public zone must be its URL's" \
    "nor one for an officer whose URL is open, without that URL's token"
is "$(sql "SELECT count(*) FROM ra.request")" 0 "and nothing is queued"
is "$(sql "SELECT count(*) FROM ra.ra_url_open('open url')")" 1 "the token opens its URL"
is "$(sql "SELECT count(*) FROM ra.ra_url_open(encode(sha256('open url'), 'hex'))")" 0 \
    "the stored hash is no token: it opens nothing"
is "$(sqlstate "SELECT ra.url_requested('wrong token', 1)" ra_public)" ok \
    "(ra.url_requested with a wrong token changes nothing)"
is "$(sql "SELECT count(*) FROM ra.access_token WHERE request_id IS NOT NULL")" 0 "and links nothing"
is "$(sqlstate "SELECT recipients, data FROM ra.mail" ra_desk)" 42501 "ra_desk cannot read the outbox"
is "$(sqlstate "SELECT session_sha256, csrf_token, source_ip FROM ra.session" ra_desk)" 42501 \
    "nor officers' session cookies or CSRF tokens (it may only end sessions)"
is "$(sqlstate "INSERT INTO ra.batch (institution_id, officer_id, kind, action, filename)
     VALUES (1, 1, 'server', 'issue', 'x')" ra_desk)" 42501 "nor upload for an institution"
is "$(psql -h "$T/var/pgsock" -U postgres -d ra -Atq -c "SELECT count(*) FROM pg_roles WHERE rolname = 'ra_web'")" 0 \
    "the one web role of old is gone"

# Mail is a zone of its own: the web role cannot read the outbox (pending
# rows hold one-time URLs); the mailer reads it and nothing else.
is "$(sqlstate "SELECT data FROM ra.mail" ra_officer)" 42501 "ra_officer cannot read the outbox"
is "$(sqlstate "SELECT message FROM ra.mail" ra_public)" 42501 "nor can ra_public read its messages"
is "$(sqlstate "SELECT data, message FROM ra.mail" ra_mailer)" ok "ra_mailer reads the outbox"
is "$(sqlstate "SELECT count(*) FROM ra.officer" ra_mailer)" 42501 "and not the officers"
is "$(sqlstate "SELECT count(*) FROM ra.certificate" ra_mailer)" 42501 "nor the certificates"
is "$(sqlstate "INSERT INTO ra.audit (event, outcome, actor) VALUES ('x', 'ok', 'x')" ra_mailer)" 42501 \
    "nor writes the audit log"
# (both keys exist, so each refusal below is a refusal, not a missing file)
[ -f "$T/var/pki/mail/mail-signer.key" ] && [ -f "$T/var/pki/private/server-ca.key" ] &&
    runuser -u ra-worker -- test -r "$T/var/pki/private/server-ca.key" &&
    ! runuser -u ra-mail -- test -r "$T/var/pki/private/server-ca.key" &&
    runuser -u ra-mail -- test -r "$T/var/pki/mail/mail-signer.key" &&
    ! runuser -u ra-worker -- test -r "$T/var/pki/mail/mail-signer.key"
ok $? "the mail user reads the mail-signer key and no CA key; the worker not the signer key"

# Audit: appended by both roles, chained, never changed.
for who in ra_officer ra_worker ra_public; do
	sqlstate "INSERT INTO ra.audit (event, outcome, actor, source_ip, detail)
	          VALUES ('login', 'ok', '$who', '127.0.0.1', '{\"n\": 1}')" $who >/dev/null
done
is "$(sql "SELECT string_agg(audit_id::text, ',' ORDER BY audit_id) FROM ra.audit")" "1,2,3" \
    "audit rows are numbered without gaps"
is "$(sql "SELECT string_agg(detail->>'db_role', ',' ORDER BY audit_id) FROM ra.audit")" \
    "ra_officer,ra_worker,ra_public" "each row is stamped with the role that really wrote it"
sqlstate "INSERT INTO ra.audit (event, outcome, actor, detail)
          VALUES ('desk.officer.add', 'ok', 'desk:forged', '{\"db_role\": \"postgres\"}')" ra_desk >/dev/null
is "$(sql "SELECT detail->>'db_role' FROM ra.audit WHERE actor = 'desk:forged'")" ra_desk \
    "a row that claims another role is stamped with the real one"
sql "ALTER TABLE ra.audit DISABLE TRIGGER audit_no_update;
     DELETE FROM ra.audit WHERE actor = 'desk:forged';
     UPDATE ra.audit_head SET last_id = 3, last_sha256 = (SELECT row_sha256 FROM ra.audit WHERE audit_id = 3);
     ALTER TABLE ra.audit ENABLE TRIGGER audit_no_update"
is "$(sql "SELECT count(*) FROM ra.audit a JOIN ra.audit p ON p.audit_id = a.audit_id - 1
           WHERE a.prev_sha256 <> p.row_sha256")" 0 "each row chains to the one before"
is "$(sql "SELECT count(*) FROM ra.audit a
           WHERE a.row_sha256 <> sha256(a.prev_sha256 || convert_to(ra.audit_canonical(a), 'UTF8'))")" \
    0 "each row's hash recomputes"
is "$(sqlstate "UPDATE ra.audit SET actor = 'mallory'" ra_desk)" 42501 "ra_desk cannot change the audit log"
is "$(sqlstate "DELETE FROM ra.audit" ra_worker)" 42501 "ra_worker cannot delete from it"
is "$(sqlstate "UPDATE ra.audit SET actor = 'mallory'")" 42501 "not even the owner can change it"
is "$(sqlstate "TRUNCATE ra.audit")" 42501 "nor truncate it"

out=$("$TOOLSDIR/ops.cgi" audit-verify)
ok $? "ops.cgi audit-verify on an intact chain"
has "$out" "audit chain intact: 3 row(s)" "and counts the rows"
# An owner who switches the guard off to edit history is caught.
sql "ALTER TABLE ra.audit DISABLE TRIGGER audit_no_update;
     UPDATE ra.audit SET actor = 'mallory' WHERE audit_id = 2;
     ALTER TABLE ra.audit ENABLE TRIGGER audit_no_update"
out=$("$TOOLSDIR/ops.cgi" audit-verify)
is $? 1 "a rewritten row: exit status 1"
has "$out" "audit chain broken at row 2: its content does not match its hash" "and names the row"
sql "ALTER TABLE ra.audit DISABLE TRIGGER audit_no_update;
     UPDATE ra.audit SET actor = 'ra_worker' WHERE audit_id = 2;
     DELETE FROM ra.audit WHERE audit_id = 3;
     ALTER TABLE ra.audit ENABLE TRIGGER audit_no_update"
has "$("$TOOLSDIR/ops.cgi" audit-verify)" "rows after it were removed" "a removed last row is caught too"

done_testing
