-- 002-roles.sql: least-privilege roles.  ra_web is what the CGIs (Apache's
-- user) connect as; ra_worker is the issuance worker and the cron commands.
-- Migrations and service-desk commands use the owner (Db.Admin).
-- Roles are cluster-wide: created here only when missing (needs CREATEROLE;
-- an administrator may create them beforehand instead).

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'ra_web') THEN
        CREATE ROLE ra_web LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'ra_worker') THEN
        CREATE ROLE ra_worker LOGIN;
    END IF;
END
$$;

REVOKE ALL ON SCHEMA ra FROM PUBLIC;
GRANT USAGE ON SCHEMA ra TO ra_web, ra_worker;
GRANT SELECT ON ALL TABLES IN SCHEMA ra TO ra_web, ra_worker;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA ra TO ra_web, ra_worker;

-- The web role writes a request's key password but never reads it back.
REVOKE SELECT ON ra.request FROM ra_web;
GRANT SELECT (request_id, institution_id, officer_id, batch_id, seq, action,
              kind, profile_id, subject_der, subject_dn, san_dns, san_email,
              csr_der, spki_sha256, target_cert_id, revoke_reason,
              revoke_comment, admin_name, admin_mail, user_name, user_mail,
              attrs, state, error, created_at, done_at)
    ON ra.request TO ra_web;

-- Screens: applications, sessions, PIN attempts, downloads, desk records.
GRANT INSERT, UPDATE ON ra.institution, ra.domain, ra.officer TO ra_web;
GRANT INSERT, DELETE ON ra.domain_ou, ra.officer_domain, ra.officer_permission TO ra_web;
GRANT INSERT ON ra.batch, ra.request, ra.job, ra.mail TO ra_web;
GRANT INSERT, UPDATE ON ra.session, ra.access_token TO ra_web;
GRANT UPDATE (retrieved_at) ON ra.certificate TO ra_web;
GRANT UPDATE (state, done_at, error) ON ra.request TO ra_web;
GRANT DELETE ON ra.p12_pending TO ra_web;

-- Worker: signs, revokes, publishes CRLs, delivers mail.
GRANT INSERT, UPDATE ON ra.certificate, ra.job, ra.crl, ra.mail TO ra_worker;
GRANT UPDATE ON ra.request TO ra_worker;
GRANT INSERT ON ra.revocation, ra.access_token TO ra_worker;
GRANT UPDATE (crl_number) ON ra.revocation TO ra_worker;
GRANT INSERT ON ra.revocation TO ra_web;
GRANT INSERT, DELETE ON ra.p12_pending TO ra_worker;

-- The audit log: both may append, neither may change or delete (and a
-- trigger refuses that even to the owner).
GRANT INSERT ON ra.audit TO ra_web, ra_worker;
REVOKE UPDATE, DELETE, TRUNCATE ON ra.audit FROM ra_web, ra_worker;
