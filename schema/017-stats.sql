-- 017-stats.sql: ⑦ 発行証明書統計照会 (stats.cgi, reference §3.4).
--
-- ⑦ counts an institution's certificates per registered domain, kind,
-- profile and month of issue (JST), over a million rows in one scan of
-- one narrow index.  Four facts about a certificate live elsewhere and
-- would cost a join or a time-zone conversion a row (a million rows: a
-- second, bench/stats.sh): which registered domain it falls under (a
-- suffix match of its FQDN, or of its user's mail domain, against
-- ra.domain), whether it came from a renewal (ra.request.action),
-- whether it is revoked (ra.revocation) and its month of issue in JST.
-- So they are kept with the certificate: the first two set when it is
-- inserted (the domain redone when a domain is registered or removed, so
-- it is always the longest registered domain the name lies under), the
-- third by the revocation itself, the fourth generated from issued_at.

ALTER TABLE ra.certificate
    ADD COLUMN domain_id bigint REFERENCES ra.domain ON DELETE SET NULL,
    ADD COLUMN renewal boolean NOT NULL DEFAULT false,
    ADD COLUMN revoked boolean NOT NULL DEFAULT false,
    -- Asia/Tokyo has been UTC+9 without daylight saving since 1951.
    ADD COLUMN issued_month date GENERATED ALWAYS AS
        (pg_catalog.date_trunc('month', issued_at AT TIME ZONE 'Asia/Tokyo')::date) STORED;

-- The registered domain of institution "inst" that name "host" is, or
-- lies under; the longest such, NULL for none.
CREATE FUNCTION ra.domain_of(inst bigint, host text)
RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
    SELECT d.domain_id FROM ra.domain d
     WHERE d.institution_id = inst
       AND (pg_catalog.lower(host) = d.name
            OR pg_catalog.right(pg_catalog.lower(host),
                   pg_catalog.length(d.name) + 1) = '.' || d.name)
     ORDER BY pg_catalog.length(d.name) DESC
     LIMIT 1
$$;

-- What a certificate's domain is named after: a server's FQDN (its CN,
-- as ② scopes it); for the other kinds the mail domain of the user the
-- request names (client, S/MIME); none for a kind without either (code
-- signing, the RA's own).
CREATE FUNCTION ra.cert_domain_host(kind text, cn text, user_mail text)
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = '' AS $$
    SELECT CASE WHEN kind = 'server' THEN cn
                WHEN kind = 'ra_officer' THEN NULL
                ELSE NULLIF(pg_catalog.split_part(user_mail, '@', 2), '')
           END
$$;

CREATE FUNCTION ra.certificate_stats_facts() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    q record;
BEGIN
    SELECT r.action, r.user_mail::text AS user_mail INTO q
      FROM ra.request r WHERE r.request_id = NEW.request_id;
    NEW.renewal := coalesce(q.action = 'renew', false);
    NEW.domain_id := ra.domain_of(NEW.institution_id,
        ra.cert_domain_host(NEW.kind, NEW.cn, q.user_mail));
    RETURN NEW;
END
$$;
CREATE TRIGGER certificate_stats_facts BEFORE INSERT ON ra.certificate
    FOR EACH ROW EXECUTE FUNCTION ra.certificate_stats_facts();

-- A domain registered or removed: the certificates of its institution
-- whose name is it or lies under it take their longest domain again.
CREATE FUNCTION ra.domain_stats_redo() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    d record;
BEGIN
    IF TG_OP = 'DELETE' THEN
        d := OLD;
    ELSE
        d := NEW;
    END IF;
    UPDATE ra.certificate c SET domain_id = x.dom
      FROM (SELECT c2.cert_id, ra.domain_of(c2.institution_id, h.host) AS dom
              FROM ra.certificate c2
              JOIN ra.request r ON r.request_id = c2.request_id,
                   LATERAL (SELECT pg_catalog.lower(ra.cert_domain_host(c2.kind,
                       c2.cn, r.user_mail::text)) AS host) h
             WHERE c2.institution_id = d.institution_id
               AND (h.host = d.name OR pg_catalog.right(h.host,
                        pg_catalog.length(d.name) + 1) = '.' || d.name)) x
     WHERE c.cert_id = x.cert_id AND c.domain_id IS DISTINCT FROM x.dom;
    RETURN NULL;
END
$$;
CREATE TRIGGER domain_stats_redo AFTER INSERT OR DELETE ON ra.domain
    FOR EACH ROW EXECUTE FUNCTION ra.domain_stats_redo();

-- Revoked, whoever revoked it (and no longer, should a row ever go).
CREATE FUNCTION ra.revocation_stats_flag() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE ra.certificate SET revoked = false WHERE cert_id = OLD.cert_id;
    ELSE
        UPDATE ra.certificate SET revoked = true WHERE cert_id = NEW.cert_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER revocation_stats_flag AFTER INSERT OR DELETE ON ra.revocation
    FOR EACH ROW EXECUTE FUNCTION ra.revocation_stats_flag();

REVOKE ALL ON FUNCTION ra.domain_of(bigint, text),
    ra.certificate_stats_facts(), ra.domain_stats_redo(),
    ra.revocation_stats_flag() FROM PUBLIC;

-- The certificates there are already.
UPDATE ra.certificate c
   SET renewal = (r.action = 'renew'),
       revoked = EXISTS (SELECT 1 FROM ra.revocation v
                          WHERE v.cert_id = c.cert_id),
       domain_id = ra.domain_of(c.institution_id,
           ra.cert_domain_host(c.kind, c.cn, r.user_mail::text))
  FROM ra.request r
 WHERE r.request_id = c.request_id;

-- ⑦ reads an institution's issued certificates by time of issue, and
-- only these columns: an index-only scan, whatever else a row holds
-- (its DER, its to-be-signed part, its key).
CREATE INDEX certificate_stats ON ra.certificate (institution_id, issued_at)
    INCLUDE (issued_month, kind, profile_id, domain_id, renewal, revoked,
             not_after, superseded_by, retrieved_at)
    WHERE state = 'issued';

-- ⑦ is built: the menu links it.
UPDATE ra.interface SET screen = 'stats.cgi' WHERE interface = 7;
