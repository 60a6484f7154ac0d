-- 035-acme-hardening.sql: what the attack test (t/82) found in the ACME
-- zone and the database must change for.
--
-- An ACME application is the approval of the RA officer who uploaded it,
-- for names under that officer's domains (034 checks so at upload).  The
-- ACME server checked each ordered name only against the institution's
-- domains, so an application went on ordering for a domain its officer
-- had since lost (taken off the officer by the desk).  The server now
-- asks ra.acme_officer_name_ok (034) for the application's officer on
-- newOrder and again on finalize; it needs to read the officer's domains
-- for that, nothing more.
GRANT SELECT (officer_id, domain_id) ON ra.officer_domain TO ra_acme;
GRANT SELECT (domain_id) ON ra.domain TO ra_acme;
GRANT EXECUTE ON FUNCTION ra.acme_officer_name_ok(bigint, text) TO ra_acme;
