-- 021-cert-url-reissue.sql: the RA officer gives a user administrator a
-- fresh retrieval URL (certget.cgi, M6) for a server or code-signing
-- certificate still 取得待ち, voiding the old one (① server.cgi and ⑪
-- codesign.cgi --reissue, lib/retrieve.c).
--
-- One live retrieval URL per certificate, whoever makes it: the worker at
-- issuance, or a reissue.  "Live" here is "not used up"; an expired URL
-- is given way to as a live one is, by the reissue that replaces it.
-- A table made before this index had at most one such URL per
-- certificate (the worker makes one, once); should a second have crept
-- in, the older gives way as a reissue would make it.
UPDATE ra.access_token t
   SET used_at = pg_catalog.now(),
       expires_at = LEAST(t.expires_at, pg_catalog.now())
 WHERE t.purpose = 'cert_download' AND t.used_at IS NULL
   AND EXISTS (SELECT 1 FROM ra.access_token n
                WHERE n.purpose = 'cert_download' AND n.cert_id = t.cert_id
                  AND n.used_at IS NULL AND n.token_id > t.token_id);
CREATE UNIQUE INDEX access_token_cert_live ON ra.access_token (cert_id)
    WHERE purpose = 'cert_download' AND used_at IS NULL;

-- A fresh retrieval URL for certificate "cert", asked for by officer
-- "officer"; "sha" is the new token's hash (the token itself never comes
-- here).  The officer zone has no right on ra.access_token: this is its
-- only way to make or void one.
--
-- Refused, with a word the caller turns into a message and audits:
--   notfound    no issued server or code-signing certificate "cert"
--   officer     the officer is not active, or the institution is not
--               active or outside its usage period
--   institution another institution's certificate
--   permission  the officer lacks ① (server) or ⑪ (code signing)
--   domain      a server certificate whose CN is not under one of the
--               officer's domains (① renews and revokes no others)
--   revoked, superseded (a renewal of it was issued), expired,
--   retrieved   (downloaded already: 発行済み, nothing to hand over)
--   noadmin     no user administrator's mail to send it to
--   recent      a live URL of it is less than 5 minutes old: a double
--               click, or two officers at once; the one mail is on its way
-- '' when made: the old URLs are dead (used up and expired now, so not
-- even certget's hour after a download applies), the new one is live
-- for 31 days as the worker's (lib/retrieve.c), and the user
-- administrator of record, the request's (⑤ may have changed it), is
-- returned for the mail with the new expiry.
--
-- The certificate row is locked first: two reissues of one certificate
-- run one after the other, and the second, seeing the first's URL live
-- and new, is refused; the unique index above stands behind it.
CREATE FUNCTION ra.cert_url_reissue(officer bigint, cert bigint, sha bytea)
RETURNS TABLE (why text, admin_name text, admin_mail text, expires text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    c   ra.certificate;
    o   record;
    q   ra.request;
    until_at timestamptz;
BEGIN
    admin_name := '';
    admin_mail := '';
    expires := '';
    SELECT x.* INTO c FROM ra.certificate x
     WHERE x.cert_id = cert AND x.state = 'issued'
       AND x.kind IN ('server', 'code_signing')
       FOR UPDATE;
    IF NOT FOUND THEN
        why := 'notfound';
        RETURN NEXT;
        RETURN;
    END IF;
    SELECT f.institution_id,
           f.status = 'active' AND i.status = 'active'
             AND current_date BETWEEN i.usage_from AND i.usage_until AS active
      INTO o
      FROM ra.officer f
      JOIN ra.institution i ON i.institution_id = f.institution_id
     WHERE f.officer_id = officer;
    SELECT r.* INTO q FROM ra.request r WHERE r.request_id = c.request_id;
    why := CASE
        WHEN o.institution_id IS NULL OR NOT o.active THEN 'officer'
        WHEN o.institution_id <> c.institution_id THEN 'institution'
        WHEN NOT EXISTS (SELECT 1 FROM ra.officer_permission p
                          WHERE p.officer_id = officer
                            AND p.interface = CASE c.kind
                                WHEN 'server' THEN 1 ELSE 11 END)
            THEN 'permission'
        WHEN c.kind = 'server' AND NOT EXISTS (SELECT 1
              FROM ra.officer_domain od
              JOIN ra.domain d ON d.domain_id = od.domain_id
             WHERE od.officer_id = officer
               AND (pg_catalog.lower(c.cn) = d.name
                    OR pg_catalog.right(pg_catalog.lower(c.cn),
                           pg_catalog.length(d.name) + 1) = '.' || d.name))
            THEN 'domain'
        WHEN EXISTS (SELECT 1 FROM ra.revocation v WHERE v.cert_id = c.cert_id)
            THEN 'revoked'
        WHEN c.superseded_by IS NOT NULL THEN 'superseded'
        WHEN c.not_after <= pg_catalog.now() THEN 'expired'
        WHEN c.retrieved_at IS NOT NULL THEN 'retrieved'
        WHEN q.admin_mail IS NULL THEN 'noadmin'
        WHEN EXISTS (SELECT 1 FROM ra.access_token t
                      WHERE t.purpose = 'cert_download' AND t.cert_id = c.cert_id
                        AND t.used_at IS NULL
                        AND t.expires_at > pg_catalog.now()
                        AND t.created_at > pg_catalog.now() - interval '5 minutes')
            THEN 'recent'
        ELSE '' END;
    IF why <> '' THEN
        RETURN NEXT;
        RETURN;
    END IF;
    UPDATE ra.access_token t
       SET used_at = pg_catalog.now(),
           expires_at = LEAST(t.expires_at, pg_catalog.now()),
           step_sha256 = NULL, step_expires_at = NULL
     WHERE t.purpose = 'cert_download' AND t.cert_id = c.cert_id
       AND t.used_at IS NULL;
    INSERT INTO ra.access_token (purpose, token_sha256, institution_id,
                                 cert_id, expires_at)
        VALUES ('cert_download', sha, c.institution_id, c.cert_id,
                pg_catalog.now() + interval '31 days')
        RETURNING expires_at INTO until_at;
    admin_name := coalesce(q.admin_name, '');
    admin_mail := q.admin_mail::text;
    expires := pg_catalog.to_char(until_at AT TIME ZONE 'Asia/Tokyo',
                                  'YYYY-MM-DD HH24:MI');
    RETURN NEXT;
END
$$;
REVOKE ALL ON FUNCTION ra.cert_url_reissue(bigint, bigint, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.cert_url_reissue(bigint, bigint, bytea)
    TO ra_officer;
