-- 012-client.sql: client and S/MIME certificates (reference §1.4, §2.4,
-- §3.5, §10.2, §10.5), and server profile 3.
--
-- A client row is uploaded with a download method (TSV column 3):
--   1 P12個別     the worker makes the key at once; the user administrator
--                gets the access PIN by one URL (M1), the user the
--                certificate by another (M2), which opens only once the
--                PIN was fetched; the P12 is encrypted with the PIN.
--   2 P12一括     the same for a whole upload: one PIN ZIP and one ZIP of
--                P12 files per user administrator, once every row is done.
--   3 ブラウザ個別 the request waits ('waiting') until the user presses
--                【発行】 on the certificate URL; only then is the key made.
-- The access PIN protects the key at rest (PKCS#8 under the PIN), and is
-- kept only sealed under the URL token that hands it out (ra.pin_seal):
-- the database holds that token's hash, never the token, so neither a
-- dump nor a zone without the mail can read a PIN.

-- §10.2: real server TSVs carry profile ID 3; it is the server RSA profile.
INSERT INTO ra.profile (profile_id, kind, name_ja, name_en, validity_months,
                        validity_days, key_algs, key_gen, key_usage,
                        ext_key_usage, subject_attrs, subject_required)
    SELECT 3, kind, name_ja, name_en, validity_months, validity_days,
           key_algs, key_gen, key_usage, ext_key_usage, subject_attrs,
           subject_required
      FROM ra.profile WHERE profile_id = 21;

-- certificatePolicies, X509V3 config syntax (comma-separated OIDs).  S/MIME
-- BR v1.0.10: the CN-is-the-mail subject is Mailbox-validated Strict.
ALTER TABLE ra.profile
    ADD COLUMN policies text NOT NULL DEFAULT ''
        CHECK (policies ~ '^([0-9]+(\.[0-9]+)+(,[0-9]+(\.[0-9]+)+)*)?$');
UPDATE ra.profile SET policies = '2.23.140.1.5.1.3' WHERE kind = 'smime';
ALTER TABLE ra.profile ADD CONSTRAINT profile_smime_strict
    CHECK (kind <> 'smime' OR (policies = '2.23.140.1.5.1.3'
                               AND ext_key_usage = 'emailProtection'));

-- The client columns of a request.  p12_name is TSV column 12, the P12's
-- base name (a file name inside a ZIP: no path, no leading dot).
ALTER TABLE ra.request
    ADD COLUMN download_method smallint CHECK (download_method BETWEEN 1 AND 3),
    ADD COLUMN p12_name text CHECK (p12_name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    ADD CONSTRAINT request_client_method
        CHECK (download_method IS NULL OR kind IN ('client', 'smime')),
    ADD CONSTRAINT request_client_p12
        CHECK ((download_method IS NULL) = (p12_name IS NULL));

-- 'waiting': a ブラウザ個別 request before its 【発行】 (no job yet).
-- A bulk row keeps its PIN (key_secret) after issuance until the last row
-- of its upload is done and every PIN is sealed under the batch's URLs.
ALTER TABLE ra.request DROP CONSTRAINT request_state_check;
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT conname FROM pg_catalog.pg_constraint
              WHERE conrelid = 'ra.request'::regclass AND contype = 'c'
                AND pg_catalog.pg_get_constraintdef(oid) LIKE '%key_secret IS NULL%' LOOP
        EXECUTE pg_catalog.format('ALTER TABLE ra.request DROP CONSTRAINT %I',
            c.conname);
    END LOOP;
END
$$;
ALTER TABLE ra.request
    ADD CONSTRAINT request_state
        CHECK (state IN ('waiting', 'queued', 'done', 'failed', 'cancelled')),
    ADD CONSTRAINT request_key_secret
        CHECK (key_secret IS NULL OR state = 'queued'
               OR (state = 'done' AND download_method = 2)),
    ADD CONSTRAINT request_waiting
        CHECK (state <> 'waiting' OR download_method = 3);

-- 212 for client and S/MIME: a DN is issued once per institution and
-- kind (a renewal keeps it); a waiting request holds it as firmly.  For
-- client certificates the DN is CN and OUs (from 2020-07-15, §2.1: the OU
-- with a student number tells apart people of the same name); for S/MIME
-- the CN, which is the mail.  ou: the OUs in TSV order, comma-joined.
ALTER TABLE ra.request ADD COLUMN ou text NOT NULL DEFAULT ''
    CHECK (char_length(ou) <= 1024);
CREATE UNIQUE INDEX request_cn_client_once
    ON ra.request (institution_id, kind, lower(cn), ou)
    WHERE action = 'issue' AND kind IN ('client', 'smime')
      AND state IN ('waiting', 'queued', 'done');
DROP INDEX ra.request_renew_once;
CREATE UNIQUE INDEX request_renew_once ON ra.request (target_cert_id)
    WHERE action = 'renew' AND state IN ('waiting', 'queued', 'done');
CREATE INDEX request_batch_open ON ra.request (batch_id)
    WHERE state IN ('waiting', 'queued');

-- The client URLs.  pin_download: the PIN (ZIP) of one request or, for
-- P12一括, of a batch's rows for one user administrator; p12_download: one
-- request's certificate (methods 1 and 3); p12_bulk: the ZIP of P12s.  A
-- certificate URL opens only once its PIN URL (after_token_id) was used.
ALTER TABLE ra.access_token
    DROP CONSTRAINT access_token_purpose_check,
    ADD CONSTRAINT access_token_purpose CHECK (purpose IN
        ('ra_cert', 'ra_renew', 'cert_download', 'pin_download',
         'p12_download', 'p12_bulk')),
    ADD COLUMN batch_id bigint REFERENCES ra.batch,
    ADD COLUMN after_token_id bigint REFERENCES ra.access_token,
    ADD CONSTRAINT access_token_client CHECK (
        (purpose <> 'p12_download' OR (request_id IS NOT NULL AND batch_id IS NULL))
        AND (purpose <> 'p12_bulk' OR (batch_id IS NOT NULL AND request_id IS NULL))
        AND (purpose <> 'pin_download' OR (request_id IS NULL) <> (batch_id IS NULL)));
-- One live URL of a purpose per request (a fresh one replaces the old).
CREATE UNIQUE INDEX access_token_request_live ON ra.access_token (request_id, purpose)
    WHERE used_at IS NULL AND purpose IN ('pin_download', 'p12_download');
CREATE INDEX access_token_batch ON ra.access_token (batch_id) WHERE batch_id IS NOT NULL;

-- An access PIN sealed under the token of the URL that hands it out
-- (AES-256-GCM, the key derived from the token); the rows of a URL are
-- also what it covers.  Gone when the URL is used up or expires.
CREATE TABLE ra.pin_seal (
    token_id    bigint NOT NULL REFERENCES ra.access_token ON DELETE CASCADE,
    request_id  bigint NOT NULL REFERENCES ra.request,
    sealed      bytea NOT NULL CHECK (length(sealed) BETWEEN 29 AND 300),
    PRIMARY KEY (token_id, request_id)
);
CREATE INDEX pin_seal_request ON ra.pin_seal (request_id);

GRANT INSERT ON ra.pin_seal TO ra_worker;
-- A waiting key lives as long as the URL that hands it out (client.c).
GRANT UPDATE (expires_at) ON ra.p12_pending TO ra_worker;
GRANT SELECT (token_id, request_id) ON ra.pin_seal TO ra_worker;
GRANT SELECT (download_method, p12_name, ou) ON ra.request TO ra_officer;

-- The officer zone makes the URLs of a ブラウザ個別 row at upload, and only
-- for a waiting request its own transaction inserted (created_at is the
-- transaction's start, which no other transaction shares; xmin would not
-- do, a row's savepoint has its own): it cannot give a URL to anyone
-- else's request.  The token's hash comes in, never the token.
CREATE FUNCTION ra.client_url_add(p_purpose text, sha bytea, request bigint,
                                  after bigint, days integer, salt bytea,
                                  hash bytea, cost integer, seal bytea)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    q ra.request;
    id bigint;
BEGIN
    SELECT * INTO q FROM ra.request r
     WHERE r.request_id = request AND r.state = 'waiting'
       AND r.created_at = pg_catalog.now();
    IF NOT FOUND OR p_purpose NOT IN ('pin_download', 'p12_download')
       OR (p_purpose = 'p12_download' AND NOT EXISTS (SELECT 1
           FROM ra.access_token a WHERE a.token_id = after
            AND a.request_id = request AND a.purpose = 'pin_download'
            AND a.used_at IS NULL))
       OR (p_purpose = 'pin_download' AND after IS NOT NULL) THEN
        RAISE EXCEPTION 'no URL for request %', request
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO ra.access_token (purpose, token_sha256, institution_id,
                                 request_id, after_token_id, pin_kdf,
                                 pin_salt, pin_hash, pin_cost, pin_set_at,
                                 expires_at)
        VALUES (p_purpose, sha, q.institution_id, request, after,
                CASE WHEN hash IS NOT NULL THEN 'pbkdf2-sha256' END, salt,
                hash, CASE WHEN hash IS NOT NULL THEN cost END,
                CASE WHEN hash IS NOT NULL THEN pg_catalog.now() END,
                pg_catalog.now() + pg_catalog.make_interval(days => days))
        RETURNING token_id INTO id;
    IF seal IS NOT NULL THEN
        INSERT INTO ra.pin_seal (token_id, request_id, sealed)
            VALUES (id, request, seal);
    END IF;
    RETURN id;
END
$$;
REVOKE ALL ON FUNCTION ra.client_url_add(text, bytea, bigint, bigint, integer,
    bytea, bytea, integer, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.client_url_add(text, bytea, bigint, bigint,
    integer, bytea, bytea, integer, bytea) TO ra_officer;

-- A client URL, found by its token's hash and locked for the transaction,
-- with what its screens show and the mails they send need.
CREATE FUNCTION ra.client_url_open(tok text)
RETURNS TABLE (token_id bigint, purpose text, request_id bigint,
               batch_id bigint, institution_id bigint, pin_salt bytea,
               pin_hash bytea, pin_cost integer, failures integer,
               locked boolean, expired boolean, used boolean, gate_open boolean,
               step_sha256 bytea, step_expired boolean, state text,
               download_method integer, action text, user_name text,
               user_mail text, admin_name text, admin_mail text,
               officer_name text, officer_mail text, institution_ja text,
               active boolean, cert_id bigint, serial text, subject_dn text,
               old_serial text, p12_name text)
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
    SELECT t.token_id, t.purpose, coalesce(t.request_id, 0),
           coalesce(t.batch_id, 0), t.institution_id, t.pin_salt, t.pin_hash,
           coalesce(t.pin_cost, 0), t.failures, t.locked_at IS NOT NULL,
           t.expires_at <= pg_catalog.now(), t.used_at IS NOT NULL,
           coalesce((SELECT a.used_at IS NOT NULL FROM ra.access_token a
                      WHERE a.token_id = t.after_token_id), true),
           t.step_sha256,
           coalesce(t.step_expires_at <= pg_catalog.now(), true),
           coalesce(q.state, ''), coalesce(q.download_method, 2)::integer,
           coalesce(q.action, ''), coalesce(q.user_name, ''),
           coalesce(q.user_mail::text, ''), coalesce(q.admin_name, b.admin_name, ''),
           coalesce(q.admin_mail::text, b.admin_mail, ''),
           coalesce(o.name_ja, ''), coalesce(o.mail::text, ''), i.name_ja,
           i.status = 'active', coalesce(c.cert_id, 0),
           coalesce(c.serial::text, ''), coalesce(c.subject_dn, q.subject_dn, ''),
           coalesce(old.serial::text, ''), coalesce(q.p12_name, '')
      FROM ra.access_token t
      JOIN ra.institution i ON i.institution_id = t.institution_id
      LEFT JOIN ra.request q ON q.request_id = t.request_id
      LEFT JOIN ra.certificate c ON c.request_id = q.request_id
           AND c.state = 'issued'
      LEFT JOIN ra.certificate old ON old.cert_id = q.target_cert_id
      LEFT JOIN LATERAL (SELECT r.admin_name, r.admin_mail::text, r.officer_id
                           FROM ra.pin_seal s
                           JOIN ra.request r ON r.request_id = s.request_id
                          WHERE s.token_id = t.token_id
                          ORDER BY r.seq LIMIT 1) b ON t.batch_id IS NOT NULL
      LEFT JOIN ra.officer o ON o.officer_id = coalesce(q.officer_id, b.officer_id)
     WHERE t.token_sha256 = pg_catalog.sha256(pg_catalog.convert_to(tok, 'UTF8'))
       AND t.purpose IN ('pin_download', 'p12_download', 'p12_bulk')
       FOR UPDATE OF t
$$;

-- The rows a PIN or bulk URL covers, each with its sealed PIN, in upload
-- order: the contents of the PIN ZIP and of the bulk ZIP.
CREATE FUNCTION ra.client_url_rows(tok text)
RETURNS TABLE (request_id bigint, seq integer, sealed bytea, user_name text,
               user_mail text, subject_dn text, p12_name text,
               cert_id bigint, serial text, key_waiting boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
    SELECT q.request_id, coalesce(q.seq, 1), s.sealed,
           coalesce(q.user_name, ''), coalesce(q.user_mail::text, ''),
           coalesce(c.subject_dn, q.subject_dn, ''), coalesce(q.p12_name, ''),
           coalesce(c.cert_id, 0), coalesce(c.serial::text, ''),
           EXISTS (SELECT 1 FROM ra.p12_pending p
                    WHERE p.cert_id = c.cert_id
                      AND p.expires_at > pg_catalog.now())
      FROM ra.access_token t
      JOIN ra.pin_seal s ON s.token_id = t.token_id
      JOIN ra.request q ON q.request_id = s.request_id
      LEFT JOIN ra.certificate c ON c.request_id = q.request_id
           AND c.state = 'issued'
     WHERE t.token_sha256 = pg_catalog.sha256(pg_catalog.convert_to(tok, 'UTF8')) AND t.used_at IS NULL
       AND t.expires_at > pg_catalog.now()
     ORDER BY q.seq, q.request_id
$$;

-- 【発行】 of a ブラウザ個別 URL: its waiting request is queued, once, with
-- the PIN the new key is to be encrypted under.
CREATE FUNCTION ra.client_url_issue(tok text, secret text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    rid bigint;
BEGIN
    UPDATE ra.request q SET state = 'queued', key_secret = secret
      FROM ra.access_token t
     WHERE t.token_sha256 = pg_catalog.sha256(pg_catalog.convert_to(tok, 'UTF8'))
       AND t.purpose = 'p12_download'
       AND t.used_at IS NULL AND t.locked_at IS NULL
       AND t.expires_at > pg_catalog.now()
       AND (t.after_token_id IS NULL OR EXISTS (SELECT 1
            FROM ra.access_token a WHERE a.token_id = t.after_token_id
             AND a.used_at IS NOT NULL))
       AND q.request_id = t.request_id AND q.state = 'waiting'
    RETURNING q.request_id INTO rid;
    IF rid IS NULL THEN
        RETURN false;
    END IF;
    -- The worker checks the secret against the URL's PIN hash before it
    -- makes the key (client.c): a caller with the wrong PIN gets nothing.
    INSERT INTO ra.job (request_id) VALUES (rid)
        ON CONFLICT (request_id) DO UPDATE SET state = 'queued',
           run_after = pg_catalog.now(), finished_at = NULL;
    RETURN true;
END
$$;

-- A client URL used up: its sealed PINs go with it.
CREATE FUNCTION ra.client_url_used(tok text)
RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
    WITH u AS (
        UPDATE ra.access_token
           SET used_at = coalesce(used_at, pg_catalog.now()),
               step_sha256 = NULL, step_expires_at = NULL
         WHERE token_sha256 = pg_catalog.sha256(pg_catalog.convert_to(tok, 'UTF8'))
           AND purpose IN ('pin_download', 'p12_download', 'p12_bulk')
        RETURNING token_id),
    d AS (DELETE FROM ra.pin_seal s USING u WHERE s.token_id = u.token_id)
    SELECT EXISTS (SELECT 1 FROM u)
$$;

REVOKE ALL ON FUNCTION ra.client_url_open(text), ra.client_url_rows(text),
    ra.client_url_issue(text, text), ra.client_url_used(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.client_url_open(text), ra.client_url_rows(text),
    ra.client_url_issue(text, text), ra.client_url_used(text) TO ra_public;

-- The waiting keys the public zone can reach: also those of a client
-- certificate whose certificate or bulk URL is not used up yet.
CREATE OR REPLACE FUNCTION ra.url_holds_key(cert bigint)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
    SELECT EXISTS (SELECT 1 FROM ra.certificate c
                     JOIN ra.access_token t ON t.request_id = c.request_id
                    WHERE c.cert_id = cert AND t.used_at IS NULL
                      AND t.purpose IN ('ra_cert', 'ra_renew', 'p12_download'))
        OR EXISTS (SELECT 1 FROM ra.certificate c
                     JOIN ra.pin_seal s ON s.request_id = c.request_id
                     JOIN ra.access_token t ON t.token_id = s.token_id
                    WHERE c.cert_id = cert AND t.used_at IS NULL
                      AND t.purpose = 'p12_bulk')
$$;

-- The RA officer's fresh certificate URL for a user whose mail was lost
-- or whose URL expired: the same PIN (its hash is copied) and the same
-- PIN URL before it, the old certificate URL giving way.  Only for a
-- P12個別 or ブラウザ個別 request of the officer's institution whose key is
-- still to be made or still waiting, and whose PIN reached the user
-- administrator or still can.  '' when made, else why not.
CREATE FUNCTION ra.client_url_reissue(request bigint, officer bigint,
                                      sha bytea, days integer)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    q ra.request;
    old ra.access_token;
    pin ra.access_token;
BEGIN
    SELECT r.* INTO q FROM ra.request r
      JOIN ra.officer o ON o.institution_id = r.institution_id
     WHERE r.request_id = request AND o.officer_id = officer
       AND o.status = 'active' AND r.download_method IN (1, 3)
       FOR UPDATE OF r;
    IF NOT FOUND THEN
        RETURN 'notfound';
    END IF;
    SELECT t.* INTO old FROM ra.access_token t
     WHERE t.request_id = request AND t.purpose = 'p12_download'
     ORDER BY t.token_id DESC LIMIT 1 FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 'notyet';            -- P12個別 before its issuance
    END IF;
    SELECT t.* INTO pin FROM ra.access_token t
     WHERE t.token_id = old.after_token_id;
    IF pin.used_at IS NULL AND pin.expires_at <= pg_catalog.now() THEN
        RETURN 'pin';               -- the PIN never reached anyone
    END IF;
    IF NOT (q.state = 'waiting'
            OR (q.state IN ('queued', 'done') AND EXISTS (
                SELECT 1 FROM ra.certificate c
                  JOIN ra.p12_pending p ON p.cert_id = c.cert_id
                 WHERE c.request_id = request
                   AND p.expires_at > pg_catalog.now()))) THEN
        RETURN 'key';               -- downloaded, or the key expired
    END IF;
    UPDATE ra.access_token SET used_at = pg_catalog.now()
     WHERE token_id = old.token_id AND used_at IS NULL;
    -- The waiting key lives as long as the new URL.
    UPDATE ra.p12_pending p
       SET expires_at = GREATEST(p.expires_at, pg_catalog.now() +
           pg_catalog.make_interval(days => days))
      FROM ra.certificate c
     WHERE p.cert_id = c.cert_id AND c.request_id = request;
    INSERT INTO ra.access_token (purpose, token_sha256, institution_id,
                                 request_id, after_token_id, pin_kdf,
                                 pin_salt, pin_hash, pin_cost, pin_set_at,
                                 expires_at)
        VALUES ('p12_download', sha, q.institution_id, request,
                old.after_token_id, old.pin_kdf, old.pin_salt, old.pin_hash,
                old.pin_cost, old.pin_set_at,
                pg_catalog.now() + pg_catalog.make_interval(days => days));
    RETURN '';
END
$$;
REVOKE ALL ON FUNCTION ra.client_url_reissue(bigint, bigint, bytea, integer)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.client_url_reissue(bigint, bigint, bytea, integer)
    TO ra_officer;

-- Cron (worker.cgi expire): sealed PINs of expired URLs go, and a
-- ブラウザ個別 request whose certificate URL expired before 【発行】 is
-- cancelled, giving its CN back.
GRANT DELETE ON ra.pin_seal TO ra_worker;

-- ③ is built: the menu links it.
UPDATE ra.interface SET screen = 'client.cgi' WHERE interface = 3;

-- The public zone's URL functions take the token itself and hash it here:
-- the stored hash is then no credential (a dump, or a zone that may read
-- ra.access_token, learns nothing it can present).  The RA-officer and
-- server-certificate URLs of 011 get the same treatment.
DROP FUNCTION ra.ra_url_open(bytea);
DROP FUNCTION ra.cert_url_open(bytea);
DROP FUNCTION ra.url_pin_failed(bytea, integer);
DROP FUNCTION ra.url_step_set(bytea, bytea);
DROP FUNCTION ra.url_requested(bytea, bigint);
DROP FUNCTION ra.url_used(bytea);

CREATE FUNCTION ra.ra_url_open(tok text)
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
     WHERE t.token_sha256 = pg_catalog.sha256(pg_catalog.convert_to(tok, 'UTF8'))
       AND t.purpose IN ('ra_cert', 'ra_renew')
       FOR UPDATE OF t
$$;

CREATE FUNCTION ra.cert_url_open(tok text)
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
     WHERE t.token_sha256 = pg_catalog.sha256(pg_catalog.convert_to(tok, 'UTF8'))
       AND t.purpose = 'cert_download'
       AND t.expires_at > pg_catalog.now()
       AND (t.used_at IS NULL
            OR t.used_at > pg_catalog.now() - interval '1 hour')
       FOR UPDATE OF t
$$;

CREATE FUNCTION ra.url_pin_failed(tok text, max integer)
RETURNS TABLE (failures integer, locked boolean)
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
    UPDATE ra.access_token SET failures = failures + 1,
           locked_at = CASE WHEN failures + 1 >= max
                            THEN pg_catalog.now() END
     WHERE token_sha256 = pg_catalog.sha256(pg_catalog.convert_to(tok, 'UTF8'))
       AND used_at IS NULL
    RETURNING failures, locked_at IS NOT NULL
$$;

CREATE FUNCTION ra.url_step_set(tok text, step bytea)
RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
    WITH u AS (
        UPDATE ra.access_token SET step_sha256 = step,
               step_expires_at = pg_catalog.now() + interval '30 minutes'
         WHERE token_sha256 = pg_catalog.sha256(pg_catalog.convert_to(tok, 'UTF8'))
           AND used_at IS NULL AND locked_at IS NULL
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM u)
$$;

CREATE FUNCTION ra.url_requested(tok text, request bigint)
RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
    WITH u AS (
        UPDATE ra.access_token t SET request_id = request
         WHERE t.token_sha256 = pg_catalog.sha256(pg_catalog.convert_to(tok, 'UTF8'))
           AND t.request_id IS NULL
           AND t.used_at IS NULL AND t.locked_at IS NULL
           AND EXISTS (SELECT 1 FROM ra.request q
                        WHERE q.request_id = request
                          AND q.officer_id = t.officer_id
                          AND q.kind = 'ra_officer')
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM u)
$$;

CREATE FUNCTION ra.url_used(tok text)
RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
    WITH u AS (
        UPDATE ra.access_token
           SET used_at = coalesce(used_at, pg_catalog.now()),
               step_sha256 = NULL, step_expires_at = NULL
         WHERE token_sha256 = pg_catalog.sha256(pg_catalog.convert_to(tok, 'UTF8'))
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM u)
$$;

REVOKE ALL ON FUNCTION ra.ra_url_open(text), ra.cert_url_open(text),
    ra.url_pin_failed(text, integer), ra.url_step_set(text, bytea),
    ra.url_requested(text, bigint), ra.url_used(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.ra_url_open(text), ra.cert_url_open(text),
    ra.url_pin_failed(text, integer), ra.url_step_set(text, bytea),
    ra.url_requested(text, bigint), ra.url_used(text) TO ra_public;

-- A job of the public zone is only ever the RA-officer request its own
-- transaction just made (raget.cgi's 【発行】); a client request is queued
-- by ra.client_url_issue alone.  Without this a job could be put before
-- a ブラウザ個別 request's 【発行】 and close it unissued.
CREATE FUNCTION ra.job_public_ok(request bigint)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
    SELECT EXISTS (SELECT 1 FROM ra.request q
                    WHERE q.request_id = request AND q.kind = 'ra_officer'
                      AND q.created_at = pg_catalog.now())
$$;
REVOKE ALL ON FUNCTION ra.job_public_ok(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.job_public_ok(bigint) TO ra_public;
ALTER TABLE ra.job ENABLE ROW LEVEL SECURITY;
CREATE POLICY job_public_insert ON ra.job FOR INSERT TO ra_public
    WITH CHECK (ra.job_public_ok(request_id));
CREATE POLICY job_others ON ra.job
    TO ra_officer, ra_desk, ra_worker, ra_mailer USING (true) WITH CHECK (true);

-- The waiting client keys are out of the public zone's reach as a table:
-- it takes one through ra.client_key_take with the URL's token.  What is
-- left to the old policy is the RA certificate's own key (raget.cgi).
CREATE OR REPLACE FUNCTION ra.url_holds_key(cert bigint)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
    SELECT EXISTS (SELECT 1 FROM ra.certificate c
                     JOIN ra.access_token t ON t.request_id = c.request_id
                    WHERE c.cert_id = cert AND t.used_at IS NULL
                      AND t.purpose IN ('ra_cert', 'ra_renew'))
$$;

-- The waiting key of request "request" as URL "tok" may hand it out: its
-- own certificate URL, or a bulk URL whose rows include it; taken is
-- deleted (a wrong PIN rolls the caller's transaction back).
CREATE FUNCTION ra.client_key_take(tok text, request bigint)
RETURNS TABLE (enc_key bytea, der bytea, ca_id bigint, cn text,
               cert_id bigint, serial text, institution_id bigint,
               officer_id bigint, subject_dn text)
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
    WITH u AS (
        SELECT t.token_id, t.purpose, t.request_id
          FROM ra.access_token t
         WHERE t.token_sha256 = pg_catalog.sha256(pg_catalog.convert_to(tok, 'UTF8'))
           AND t.used_at IS NULL AND t.expires_at > pg_catalog.now()
           AND t.purpose IN ('p12_download', 'p12_bulk')),
    k AS (
        DELETE FROM ra.p12_pending p USING ra.certificate c, u
         WHERE p.cert_id = c.cert_id AND c.request_id = request
           AND c.state = 'issued' AND p.expires_at > pg_catalog.now()
           AND ((u.purpose = 'p12_download' AND u.request_id = request)
                OR (u.purpose = 'p12_bulk' AND EXISTS (SELECT 1
                    FROM ra.pin_seal s WHERE s.token_id = u.token_id
                     AND s.request_id = request)))
        RETURNING p.enc_key, c.der, c.ca_id, c.cn, c.cert_id,
                  c.serial::text, c.institution_id,
                  coalesce(c.officer_id, 0), c.subject_dn)
    SELECT * FROM k
$$;
REVOKE ALL ON FUNCTION ra.client_key_take(text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.client_key_take(text, bigint) TO ra_public;

-- A revoked certificate is not handed out any more: its waiting key goes,
-- its URLs are used up and its sealed PINs deleted, whoever revoked it.
CREATE FUNCTION ra.revoked_cleanup() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    rid bigint;
BEGIN
    SELECT c.request_id INTO rid FROM ra.certificate c
     WHERE c.cert_id = NEW.cert_id;
    DELETE FROM ra.p12_pending WHERE cert_id = NEW.cert_id;
    UPDATE ra.access_token SET used_at = pg_catalog.now()
     WHERE used_at IS NULL
       AND ((purpose = 'cert_download' AND cert_id = NEW.cert_id)
            OR (purpose IN ('pin_download', 'p12_download')
                AND request_id = rid));
    DELETE FROM ra.pin_seal WHERE request_id = rid;
    RETURN NULL;
END
$$;
CREATE TRIGGER revoked_cleanup AFTER INSERT ON ra.revocation
    FOR EACH ROW EXECUTE FUNCTION ra.revoked_cleanup();
