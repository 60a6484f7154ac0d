-- 026-lint-policies.sql: certificatePolicies for every profile, as data,
-- and the pre-issuance lint result stored with each certificate (issue
-- 13, items 2 and 3; lib/lint.c).
--
-- ra.profile.policies (012) is the comma-separated OID list the worker
-- puts into certificatePolicies (lib/issue.c add_policies).  S/MIME
-- (2.23.140.1.5.1.3, Mailbox-validated Strict, 012) and code signing
-- (2.23.140.1.4.1, 014) are already set and held by CHECKs there.

-- Server: organisation validated (TLS BR 7.1.6.1): the subject has O, L,
-- ST and C, checked by the RA officer's institution record.
UPDATE ra.profile SET policies = '2.23.140.1.2.2' WHERE kind = 'server';

-- Client and RA-officer certificates fall under no CA/Browser Forum
-- document: they carry the operator's own policy OID, from its CP/CPS.
-- PLACEHOLDER: the arc below is a UUID-based OID (2.25, ITU-T X.667),
-- unique without registration but naming no published policy; a site
-- replaces it with its own arc (e.g. under its IANA private enterprise
-- number), with a migration or as the desk's database owner:
--   UPDATE ra.profile SET policies = '<oid>' WHERE kind = 'client';
-- .1 = client certificates, .2 = RA-officer certificates.
UPDATE ra.profile
   SET policies = '2.25.38889443278359062228387656823636950002.1'
 WHERE kind = 'client';
UPDATE ra.profile
   SET policies = '2.25.38889443278359062228387656823636950002.2'
 WHERE kind = 'ra_officer';

-- The findings of the worker's pre-issuance lint, a JSON array of
-- {id, level, source, message}; [] when clean.  NULL: issued before
-- linting.  A certificate with an error finding is never reserved, so
-- only warnings can appear here.
ALTER TABLE ra.certificate
    ADD COLUMN lint jsonb
        CHECK (lint IS NULL OR pg_catalog.jsonb_typeof(lint) = 'array');
COMMENT ON COLUMN ra.certificate.lint IS
    'pre-issuance lint findings (lib/lint.c), [] when clean; NULL before 026';
