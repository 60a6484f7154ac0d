-- 020-ra-renewal.sql: the RA certificate's renewal done right (issue 12).
--
-- 1. The P12 password of an RA officer's retrieval URL (a new RA
--    certificate or a renewal) is made once, on the first view of the page
--    before 【発行】, and kept sealed under the URL's token (lib/seal.c): the
--    database keeps only the token's hash, so what it holds cannot be
--    opened at rest.  Every later view shows the same password, 【発行】
--    encrypts the key under it, whatever the form says, and it goes when
--    the URL is used up.
-- 2. Older RA certificates of an officer are revoked, superseded (4),
--    once a newer one has logged in, or some days after the newer one was
--    issued (desk.cgi renew-notify, daily), or, never delivered, when the
--    desk reissues the renewal URL that made them.

ALTER TABLE ra.access_token
    ADD COLUMN p12_sealed bytea CHECK (length(p12_sealed) BETWEEN 29 AND 300),
    ADD CONSTRAINT access_token_p12_sealed
        CHECK (p12_sealed IS NULL OR purpose IN ('ra_cert', 'ra_renew'));

-- A used-up URL keeps no password, whoever used it up (the download, a
-- newer URL, the desk).
CREATE FUNCTION ra.access_token_unseal() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
    NEW.p12_sealed := NULL;
    RETURN NEW;
END
$$;
CREATE TRIGGER access_token_unseal BEFORE UPDATE OF used_at ON ra.access_token
    FOR EACH ROW WHEN (NEW.used_at IS NOT NULL AND NEW.p12_sealed IS NOT NULL)
    EXECUTE FUNCTION ra.access_token_unseal();
REVOKE ALL ON FUNCTION ra.access_token_unseal() FROM PUBLIC;

-- The URL's sealed P12 password: "sealed" is kept if the URL has none
-- yet, and what the URL keeps comes back (NULL: none, or the URL is not
-- live).  One statement, under the row lock ra_url_open took: two views
-- at once keep one password.  Called with NULL it only reads.
CREATE FUNCTION ra.ra_url_pass_keep(tok text, sealed bytea)
RETURNS bytea
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
    UPDATE ra.access_token
       -- a URL made before this migration whose 発行 was pressed has
       -- its key under a password no seal holds: none is made up for it
       SET p12_sealed = CASE WHEN request_id IS NULL
                             THEN coalesce(p12_sealed, sealed)
                             ELSE p12_sealed END
     WHERE token_sha256 = pg_catalog.sha256(pg_catalog.convert_to(tok, 'UTF8'))
       AND purpose IN ('ra_cert', 'ra_renew')
       AND used_at IS NULL AND locked_at IS NULL
       AND expires_at > pg_catalog.now()
    RETURNING p12_sealed
$$;
REVOKE ALL ON FUNCTION ra.ra_url_pass_keep(text, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.ra_url_pass_keep(text, bytea) TO ra_public;

-- What a superseding revocation did, for the audit and the mail.
CREATE TYPE ra.ra_superseded AS (
    cert_id         bigint,
    officer_id      bigint,
    institution_id  bigint,
    serial          text,
    subject_dn      text,
    issuer_dn       text,
    revoked_at      text,       -- JST, YYYY-MM-DD HH24:MI
    new_serial      text,       -- '' when no newer certificate
    by_what         text,       -- login, grace, reissue
    mail            text,
    name_ja         text,
    institution_ja  text
);

-- Revoke (4, superseded) every live RA certificate of the officer of
-- "newer" that is older than it (made before it: a smaller cert_id; the
-- worker issues an officer's one at a time), when "newer" is itself live
-- and was delivered.  At most once each (the revocation's key); only what this
-- call revoked comes back.  Not granted: the callers below are.
CREATE FUNCTION ra.ra_cert_supersede(newer bigint, by_officer bigint,
                                     how text)
RETURNS SETOF ra.ra_superseded
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
    WITH n AS (
        SELECT c.cert_id, c.officer_id, c.serial
          FROM ra.certificate c
         WHERE c.cert_id = newer AND c.kind = 'ra_officer'
           AND c.state = 'issued' AND c.retrieved_at IS NOT NULL
           AND c.not_after > pg_catalog.now()
           AND NOT EXISTS (SELECT 1 FROM ra.revocation v
                            WHERE v.cert_id = c.cert_id)),
    old AS (
        SELECT o.cert_id, o.ca_id, o.serial, o.not_after, n.serial AS newer_serial
          FROM ra.certificate o JOIN n ON n.officer_id = o.officer_id
         WHERE o.kind = 'ra_officer' AND o.state = 'issued'
           AND o.cert_id < n.cert_id
           AND o.not_after > pg_catalog.now()
           AND NOT EXISTS (SELECT 1 FROM ra.revocation v
                            WHERE v.cert_id = o.cert_id)
           FOR UPDATE OF o),
    v AS (
        INSERT INTO ra.revocation (cert_id, ca_id, serial, not_after, reason,
                                   comment, officer_id)
        SELECT old.cert_id, old.ca_id, old.serial, old.not_after, 4,
               'superseded by RA certificate ' || old.newer_serial::text || ' (' ||
               how || ')', by_officer
          FROM old
        ON CONFLICT DO NOTHING
        RETURNING cert_id, revoked_at)
    SELECT c.cert_id, c.officer_id, c.institution_id, c.serial::text,
           c.subject_dn, a.subject_dn,
           pg_catalog.to_char(v.revoked_at AT TIME ZONE 'Asia/Tokyo',
               'YYYY-MM-DD HH24:MI'),
           (SELECT n.serial::text FROM n), how, o.mail::text, o.name_ja,
           i.name_ja
      FROM v
      JOIN ra.certificate c ON c.cert_id = v.cert_id
      JOIN ra.ca a ON a.ca_id = c.ca_id
      JOIN ra.officer o ON o.officer_id = c.officer_id
      JOIN ra.institution i ON i.institution_id = c.institution_id
     ORDER BY c.cert_id
$$;
REVOKE ALL ON FUNCTION ra.ra_cert_supersede(bigint, bigint, text) FROM PUBLIC;

-- The officer zone, at login: the certificate of the session this very
-- transaction opened supersedes that officer's older ones.  Nothing
-- else: no other session, no other officer, no certificate newer than
-- the one presented.
CREATE FUNCTION ra.ra_cert_supersede_login(sess bytea)
RETURNS SETOF ra.ra_superseded
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
    SELECT r.*
      FROM ra.session s,
           LATERAL ra.ra_cert_supersede(s.cert_id, s.officer_id, 'login') r
     WHERE s.session_sha256 = sess AND s.ended_at IS NULL
       AND s.created_at = pg_catalog.now()
$$;
REVOKE ALL ON FUNCTION ra.ra_cert_supersede_login(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.ra_cert_supersede_login(bytea) TO ra_officer;

-- The desk's daily sweep: an officer's newest delivered RA certificate
-- issued "grace" days ago (JST dates, so the day the menu names is the
-- day) or earlier supersedes the older ones, logged in or not.
CREATE FUNCTION ra.ra_cert_supersede_due(grace integer)
RETURNS SETOF ra.ra_superseded
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
    SELECT r.*
      FROM (SELECT DISTINCT ON (n.officer_id) n.cert_id
              FROM ra.certificate n
             WHERE n.kind = 'ra_officer' AND n.state = 'issued'
               AND n.retrieved_at IS NOT NULL
               AND n.not_after > pg_catalog.now()
               AND (n.issued_at AT TIME ZONE 'Asia/Tokyo')::date +
                   GREATEST(grace, 0) <=
                   (pg_catalog.now() AT TIME ZONE 'Asia/Tokyo')::date
               AND NOT EXISTS (SELECT 1 FROM ra.revocation v
                                WHERE v.cert_id = n.cert_id)
             ORDER BY n.officer_id, n.cert_id DESC) d,
           LATERAL ra.ra_cert_supersede(d.cert_id, NULL, 'grace') r
$$;
REVOKE ALL ON FUNCTION ra.ra_cert_supersede_due(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.ra_cert_supersede_due(integer) TO ra_desk;

-- The desk reissues a renewal URL: the officer's unused renewal URLs are
-- void; their requests are cancelled (issued or not: nothing was
-- delivered), and a certificate of theirs, never downloaded, is revoked
-- (superseded; its waiting key goes with it, ra.revoked_cleanup), even
-- one the worker is signing right now (reserved), so nothing
-- half-delivered stays live.
CREATE FUNCTION ra.ra_renew_url_void(officer bigint)
RETURNS SETOF ra.ra_superseded
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    req bigint;
BEGIN
    FOR req IN
        UPDATE ra.access_token t SET used_at = pg_catalog.now()
         WHERE t.officer_id = ra_renew_url_void.officer
           AND t.purpose = 'ra_renew' AND t.used_at IS NULL
        RETURNING t.request_id
    LOOP
        CONTINUE WHEN req IS NULL;
        -- Cancelled, issued or not: "a certificate is renewed once"
        -- (request_renew_once) counts delivered renewals, so the new URL
        -- can renew the same certificate again.
        UPDATE ra.request q
           SET state = 'cancelled',
               done_at = coalesce(q.done_at, pg_catalog.now()),
               key_secret = NULL,
               error = 'renewal URL reissued by the desk before the download'
         WHERE q.request_id = req AND q.state IN ('queued', 'done');
        RETURN QUERY
        WITH v AS (
            INSERT INTO ra.revocation (cert_id, ca_id, serial, not_after,
                                       reason, comment)
            SELECT c.cert_id, c.ca_id, c.serial, c.not_after, 4,
                   'never downloaded; the renewal URL was reissued'
              FROM ra.certificate c
             WHERE c.request_id = req AND c.retrieved_at IS NULL
               AND c.state IN ('reserved', 'issued')
            ON CONFLICT DO NOTHING
            RETURNING cert_id, revoked_at)
        SELECT c.cert_id, c.officer_id, c.institution_id, c.serial::text,
               c.subject_dn, a.subject_dn,
               pg_catalog.to_char(v.revoked_at AT TIME ZONE 'Asia/Tokyo',
                   'YYYY-MM-DD HH24:MI'),
               ''::text, 'reissue'::text, o.mail::text, o.name_ja, i.name_ja
          FROM v
          JOIN ra.certificate c ON c.cert_id = v.cert_id
          JOIN ra.ca a ON a.ca_id = c.ca_id
          JOIN ra.officer o ON o.officer_id = c.officer_id
          JOIN ra.institution i ON i.institution_id = c.institution_id;
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION ra.ra_renew_url_void(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.ra_renew_url_void(bigint) TO ra_desk;
