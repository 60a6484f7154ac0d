-- 027-validity-crl.sql: the dated maximum validity of certificates as
-- data, and the clock the worker issues by.
--
-- ra.validity_limit: from an issuance date on, a certificate of a kind is
-- valid at most max_days (notBefore to notAfter, both included: RFC 5280
-- 4.1.2.5, BR 1.6.1 "Validity Period").  The worker gives a certificate
-- the shorter of its profile's validity and the limit in force on the
-- issuance date (lib/validity.c); the profile's own CHECKs (001, 014) stay
-- as they are, so ra keeps its 198-day server margin under the 200-day
-- rule (BR 6.3.2 says SHOULD 199).
CREATE TABLE ra.validity_limit (
    kind        text NOT NULL REFERENCES ra.cert_kind,
    from_date   date NOT NULL,          -- issued on or after, UTC
    max_days    integer NOT NULL CHECK (max_days > 0),
    source      text NOT NULL CHECK (source <> ''),
    PRIMARY KEY (kind, from_date)
);

INSERT INTO ra.validity_limit (kind, from_date, max_days, source) VALUES
    ('server', '2020-09-01', 398, 'TLS BR 6.3.2 (CA/B SC-31)'),
    ('server', '2026-03-15', 200, 'TLS BR 6.3.2 (CA/B SC-081)'),
    ('server', '2027-03-15', 100, 'TLS BR 6.3.2 (CA/B SC-081)'),
    ('server', '2029-03-15', 47, 'TLS BR 6.3.2 (CA/B SC-081)'),
    ('smime', '2020-09-01', 825, 'S/MIME BR 6.3.2'),
    ('code_signing', '2026-03-01', 460, 'CS BR 6.3.2');

-- The worker's clock: now(), unless the session's setting ra.now names
-- another instant.  Tests set it (PGOPTIONS='-c ra.now=2027-03-15' for a
-- worker they start, or ALTER ROLE ra_worker SET ra.now) to issue "on"
-- another date, since the worker's own clock cannot be moved; production
-- never sets it.  Anyone able to set it for the worker's session (the
-- worker's environment, or a role that may ALTER ROLE ra_worker) can do
-- far worse already, so the setting opens nothing new; ops.cgi status
-- and the worker's log do not show it, t/63-validity.sh does.
CREATE FUNCTION ra.clock() RETURNS timestamptz
LANGUAGE sql STABLE SET search_path = '' AS $$
    SELECT coalesce(nullif(
               pg_catalog.current_setting('ra.now', true), '')::timestamptz,
           pg_catalog.now())
$$;

-- The limit in force for "kind" on the UTC date of "issued"; NULL: none.
CREATE FUNCTION ra.validity_limit_days(kind text, issued timestamptz)
RETURNS integer
LANGUAGE sql STABLE SET search_path = '' AS $$
    SELECT l.max_days FROM ra.validity_limit l
     WHERE l.kind = validity_limit_days.kind
       AND l.from_date <= (issued AT TIME ZONE 'UTC')::date
     ORDER BY l.from_date DESC LIMIT 1
$$;

REVOKE ALL ON FUNCTION ra.clock(), ra.validity_limit_days(text, timestamptz)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.clock(), ra.validity_limit_days(text, timestamptz)
    TO ra_worker;
GRANT SELECT ON ra.validity_limit TO ra_worker;
