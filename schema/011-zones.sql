-- 011-zones.sql: one database role per web zone, in place of ra_web.
--
--   ra_public   the anonymous screens (front page, one-time URLs): no
--               table of people, tokens, sessions or mail at all; a URL's
--               token is looked up and changed through the functions
--               below, which need the token itself (only its hash is
--               stored), so one URL cannot reach another.
--   ra_officer  the RA officer's screens: its institution's records,
--               uploads, sessions; no token, no desk record.
--   ra_desk     the service desk's screen and commands: institutions,
--               officers, their domains and permissions, retrieval URLs.
--
-- Each zone's programs run as their own Unix user (conf/zones), which
-- pg_ident.conf maps to the zone's role alone.

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['ra_public', 'ra_officer', 'ra_desk'] LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I LOGIN', r);
        END IF;
    END LOOP;
END
$$;

GRANT USAGE ON SCHEMA ra TO ra_public, ra_officer, ra_desk;

-- What every zone may read: the catalogue of kinds, profiles and CAs, and
-- certificates (public documents; the request behind them is not).
GRANT SELECT ON ra.cert_kind, ra.profile, ra.ca, ra.ca_kind, ra.interface,
    ra.certificate, ra.revocation, ra.schema_migration
    TO ra_public, ra_officer, ra_desk;
GRANT SELECT (institution_id, code, name_ja, name_en, status, usage_from,
              usage_until)
    ON ra.institution TO ra_public;
GRANT SELECT (request_id, state, error, spki_sha256)
    ON ra.request TO ra_public;

-- Everyone appends to the audit log (the trigger stamps the real role).
GRANT INSERT ON ra.audit TO ra_public, ra_officer, ra_desk;
-- Queueing a mail needs its id back, nothing more; no zone reads mail.
GRANT INSERT ON ra.mail TO ra_public, ra_officer, ra_desk;
GRANT SELECT (mail_id) ON ra.mail TO ra_public, ra_officer, ra_desk;

-- Public: an RA officer's own certificate request from the retrieval URL,
-- and the one download of a server-made key.
GRANT INSERT ON ra.request, ra.job TO ra_public;
GRANT UPDATE (retrieved_at) ON ra.certificate TO ra_public;
-- (DELETE ... RETURNING needs SELECT: the keys are encrypted under each
-- request's own random password, which this role cannot read; and only
-- the key of a request some retrieval URL made is within its reach.)
GRANT SELECT, DELETE ON ra.p12_pending TO ra_public;

-- Officer: its institution's records, its uploads and its sessions.
GRANT SELECT ON ra.institution, ra.domain, ra.domain_ou, ra.officer,
    ra.officer_domain, ra.officer_permission, ra.batch, ra.job, ra.crl,
    ra.session
    TO ra_officer;
GRANT SELECT (request_id, institution_id, officer_id, batch_id, seq, action,
              kind, profile_id, subject_der, subject_dn, san_dns, san_email,
              csr_der, spki_sha256, target_cert_id, revoke_reason,
              revoke_comment, admin_name, admin_mail, user_name, user_mail,
              attrs, state, error, created_at, done_at, cn)
    ON ra.request TO ra_officer;
GRANT INSERT ON ra.batch, ra.request, ra.job, ra.revocation TO ra_officer;
GRANT UPDATE (result_tsv, rows_ok, rows_ng) ON ra.batch TO ra_officer;
GRANT UPDATE (state, done_at, error) ON ra.request TO ra_officer;
GRANT INSERT, UPDATE ON ra.session TO ra_officer;
-- A revocation locks the certificate (FOR UPDATE), which needs UPDATE on
-- one of its columns: the least harmful one.
GRANT UPDATE (retrieved_at) ON ra.certificate TO ra_officer;

-- Desk: who may act, what they may reach, and the URLs that let them in.
GRANT SELECT, INSERT, UPDATE ON ra.institution, ra.domain, ra.officer,
    ra.access_token, ra.desk_operator
    TO ra_desk;
GRANT SELECT, INSERT, DELETE ON ra.domain_ou, ra.officer_domain,
    ra.officer_permission
    TO ra_desk;

-- A URL's token, found by its hash and locked for the transaction: the
-- columns raget.cgi needs for an RA officer's URL.
CREATE FUNCTION ra.ra_url_open(sha bytea)
RETURNS TABLE (token_id bigint, officer_id bigint, institution_id bigint,
               pin_salt bytea, pin_hash bytea, pin_cost integer,
               failures integer, locked boolean, expired boolean,
               used boolean, request_id bigint, step_sha256 bytea,
               step_expired boolean, name_ja text, name_romaji text,
               institution_ja text, institution_en text, active boolean,
               purpose text, cert_id bigint)
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
    SELECT t.token_id, t.officer_id, t.institution_id, t.pin_salt,
           t.pin_hash, coalesce(t.pin_cost, 0), t.failures,
           t.locked_at IS NOT NULL, t.expires_at <= pg_catalog.now(),
           t.used_at IS NOT NULL, coalesce(t.request_id, 0), t.step_sha256,
           coalesce(t.step_expires_at <= pg_catalog.now(), true),
           o.name_ja, o.name_romaji, i.name_ja, i.name_en::text,
           o.status = 'active' AND i.status = 'active', t.purpose,
           coalesce(t.cert_id, 0)
      FROM ra.access_token t
      JOIN ra.officer o ON o.officer_id = t.officer_id
      JOIN ra.institution i ON i.institution_id = t.institution_id
     WHERE t.token_sha256 = sha AND t.purpose IN ('ra_cert', 'ra_renew')
       FOR UPDATE OF t
$$;

-- The same for a user administrator's certificate URL (certget.cgi): live
-- for an hour after its first use.
CREATE FUNCTION ra.cert_url_open(sha bytea)
RETURNS TABLE (token_id bigint, cert_id bigint, der bytea, ca_id bigint,
               subject_dn text, serial text, not_after text, first boolean,
               officer_name text, officer_mail text, old_subject_dn text,
               old_serial text, old_live boolean, admin_mail text,
               institution_id bigint, officer_id bigint)
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
    SELECT t.token_id, c.cert_id, c.der, c.ca_id, c.subject_dn,
           c.serial::text,
           pg_catalog.to_char(c.not_after AT TIME ZONE 'Asia/Tokyo',
               'YYYY-MM-DD'),
           t.used_at IS NULL, coalesce(o.name_ja, ''),
           coalesce(o.mail::text, ''), coalesce(old.subject_dn, ''),
           coalesce(old.serial::text, ''),
           old.cert_id IS NOT NULL AND NOT EXISTS (SELECT 1
             FROM ra.revocation v WHERE v.cert_id = old.cert_id),
           coalesce(r.admin_mail::text, ''), c.institution_id, r.officer_id
      FROM ra.access_token t
      JOIN ra.certificate c ON c.cert_id = t.cert_id
      JOIN ra.request r ON r.request_id = c.request_id
      LEFT JOIN ra.officer o ON o.officer_id = r.officer_id
      LEFT JOIN ra.certificate old ON old.cert_id = r.target_cert_id
     WHERE t.token_sha256 = sha AND t.purpose = 'cert_download'
       AND t.expires_at > pg_catalog.now()
       AND (t.used_at IS NULL
            OR t.used_at > pg_catalog.now() - interval '1 hour')
       FOR UPDATE OF t
$$;

-- A wrong PIN: counted, and the URL locked at "max" failures.
CREATE FUNCTION ra.url_pin_failed(sha bytea, max integer)
RETURNS TABLE (failures integer, locked boolean)
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
    UPDATE ra.access_token SET failures = failures + 1,
           locked_at = CASE WHEN failures + 1 >= max
                            THEN pg_catalog.now() END
     WHERE token_sha256 = sha AND used_at IS NULL
    RETURNING failures, locked_at IS NOT NULL
$$;

-- The step nonce handed out after the right PIN (its hash).
CREATE FUNCTION ra.url_step_set(sha bytea, step bytea)
RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
    WITH u AS (
        UPDATE ra.access_token SET step_sha256 = step,
               step_expires_at = pg_catalog.now() + interval '30 minutes'
         WHERE token_sha256 = sha AND used_at IS NULL AND locked_at IS NULL
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM u)
$$;

-- 【発行】: the URL's request, once, and only the RA-officer request of the
-- URL's own officer.
CREATE FUNCTION ra.url_requested(sha bytea, request bigint)
RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
    WITH u AS (
        UPDATE ra.access_token t SET request_id = request
         WHERE t.token_sha256 = sha AND t.request_id IS NULL
           AND t.used_at IS NULL AND t.locked_at IS NULL
           AND EXISTS (SELECT 1 FROM ra.request q
                        WHERE q.request_id = request
                          AND q.officer_id = t.officer_id
                          AND q.kind = 'ra_officer')
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM u)
$$;

-- The URL used up (the first time only), its step nonce gone.
CREATE FUNCTION ra.url_used(sha bytea)
RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
    WITH u AS (
        UPDATE ra.access_token
           SET used_at = coalesce(used_at, pg_catalog.now()),
               step_sha256 = NULL, step_expires_at = NULL
         WHERE token_sha256 = sha
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM u)
$$;

REVOKE ALL ON FUNCTION ra.ra_url_open(bytea), ra.cert_url_open(bytea),
    ra.url_pin_failed(bytea, integer), ra.url_step_set(bytea, bytea),
    ra.url_requested(bytea, bigint), ra.url_used(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.ra_url_open(bytea), ra.cert_url_open(bytea),
    ra.url_pin_failed(bytea, integer), ra.url_step_set(bytea, bytea),
    ra.url_requested(bytea, bigint), ra.url_used(bytea) TO ra_public;

-- The public zone may ask for an RA-officer certificate only, and only for
-- an officer whose retrieval URL is open and not yet used for a request.
CREATE FUNCTION ra.url_may_request(officer bigint)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
    SELECT EXISTS (SELECT 1 FROM ra.access_token t
                    WHERE t.officer_id = officer
                      AND t.purpose IN ('ra_cert', 'ra_renew')
                      AND t.used_at IS NULL AND t.locked_at IS NULL
                      AND t.request_id IS NULL
                      AND t.expires_at > pg_catalog.now())
$$;
REVOKE ALL ON FUNCTION ra.url_may_request(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.url_may_request(bigint) TO ra_public;

ALTER TABLE ra.request ENABLE ROW LEVEL SECURITY;
CREATE POLICY request_public_insert ON ra.request FOR INSERT TO ra_public
    WITH CHECK (kind = 'ra_officer' AND action IN ('issue', 'renew')
                AND ra.url_may_request(officer_id));
CREATE POLICY request_public_select ON ra.request FOR SELECT TO ra_public
    USING (true);
CREATE POLICY request_others ON ra.request
    TO ra_officer, ra_desk, ra_worker, ra_mailer USING (true) WITH CHECK (true);

-- And such a request must be the one of a URL by the time its transaction
-- commits: only ra.url_requested, which takes the token's hash, links
-- them, so a public screen taken over cannot ask for an officer's
-- certificate without that officer's URL.
CREATE FUNCTION ra.request_public_linked() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ra.access_token t
                    WHERE t.request_id = NEW.request_id
                      AND t.officer_id = NEW.officer_id) THEN
        RAISE EXCEPTION 'a request of the public zone must be its URL''s'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER request_public_linked
    AFTER INSERT ON ra.request DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (session_user = 'ra_public')
    EXECUTE FUNCTION ra.request_public_linked();

-- The waiting keys the public zone can reach: those of RA-officer
-- requests made from a retrieval URL that is not used up yet.
CREATE FUNCTION ra.url_holds_key(cert bigint)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
    SELECT EXISTS (SELECT 1 FROM ra.certificate c
                     JOIN ra.access_token t ON t.request_id = c.request_id
                    WHERE c.cert_id = cert AND t.used_at IS NULL
                      AND t.purpose IN ('ra_cert', 'ra_renew'))
$$;
REVOKE ALL ON FUNCTION ra.url_holds_key(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.url_holds_key(bigint) TO ra_public;

ALTER TABLE ra.p12_pending ENABLE ROW LEVEL SECURITY;
CREATE POLICY p12_public ON ra.p12_pending FOR ALL TO ra_public
    USING (ra.url_holds_key(cert_id));
CREATE POLICY p12_others ON ra.p12_pending
    TO ra_officer, ra_desk, ra_worker, ra_mailer USING (true) WITH CHECK (true);

-- ra_web served all three zones; it goes.
DO $$
DECLARE
    c record;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'ra_web') THEN
        RETURN;
    END IF;
    FOR c IN SELECT DISTINCT table_name, column_name
               FROM information_schema.column_privileges
              WHERE grantee = 'ra_web' AND table_schema = 'ra' LOOP
        EXECUTE pg_catalog.format('REVOKE ALL (%I) ON ra.%I FROM ra_web',
            c.column_name, c.table_name);
    END LOOP;
    REVOKE ALL ON ALL TABLES IN SCHEMA ra FROM ra_web;
    REVOKE ALL ON ALL SEQUENCES IN SCHEMA ra FROM ra_web;
    REVOKE ALL ON SCHEMA ra FROM ra_web;
    BEGIN
        DROP ROLE ra_web;
    EXCEPTION WHEN dependent_objects_still_exist OR insufficient_privilege THEN
        RAISE NOTICE 'ra_web is still used elsewhere, or not ours to drop; kept';
    END;
END
$$;
