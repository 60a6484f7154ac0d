-- 036-officer-cert-index.sql: an officer's own certificates found by
-- index.
--
-- Every officer screen asks for the officer's RA certificates (the
-- menu's notices of a revoked or newer one, lib/officer.c), and the desk
-- for each officer's current one (lib/desk.c, lib/desk-officer.c), by
-- ra.certificate.officer_id.  Nothing indexed it, so each of those
-- requests read every certificate of every institution: make bench, with
-- 50,000 server certificates in the table, had the menu at 23 requests/s
-- against 96 for the front page.  Only RA certificates have an officer.
CREATE INDEX certificate_officer ON ra.certificate (officer_id)
    WHERE officer_id IS NOT NULL;
