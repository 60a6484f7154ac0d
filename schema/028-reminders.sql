-- 028-reminders.sql: expiry notices and the officers' weekly digest
-- (issue 13 item 5), queued by "mail.cgi remind" and "mail.cgi digest"
-- (lib/expiry.c) as ra_worker, the cron role.
--
-- "Only one" is the database's: a notice claims (certificate, offset) and
-- a digest (officer, week) by a primary key, inserted with ON CONFLICT DO
-- NOTHING in the transaction that queues the mail.  A second run, or one
-- at the same time (its INSERT waits for the first's commit on the key),
-- claims nothing and mails nothing; a run rolled back leaves no claim.

CREATE TABLE ra.expiry_notice (
    cert_id         bigint NOT NULL REFERENCES ra.certificate,
    offset_days     integer NOT NULL CHECK (offset_days BETWEEN 1 AND 365),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cert_id, offset_days)
);

CREATE TABLE ra.expiry_digest (
    officer_id      bigint NOT NULL REFERENCES ra.officer,
    week            date NOT NULL,      -- Monday of the week, in JST
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (officer_id, week),
    CHECK (extract(isodow FROM week) = 1)
);

GRANT SELECT, INSERT ON ra.expiry_notice, ra.expiry_digest TO ra_worker;

-- Whether certificate "id" still wants a reminder: issued, live, not
-- revoked, and not renewed: not superseded, no renewal of it queued or
-- done, and no live newer certificate of the same kind and CN in its
-- institution (one issued anew instead of renewed).  Declared once for
-- the notices and the digest.
CREATE FUNCTION ra.cert_unrenewed(id bigint) RETURNS boolean
LANGUAGE sql STABLE SET search_path = '' AS $$
    SELECT EXISTS (
        SELECT 1 FROM ra.certificate c
         WHERE c.cert_id = id AND c.state = 'issued'
           AND c.not_after > pg_catalog.now()
           AND c.superseded_by IS NULL
           AND NOT EXISTS (SELECT 1 FROM ra.revocation v
                            WHERE v.cert_id = c.cert_id)
           AND NOT EXISTS (SELECT 1 FROM ra.request n
                            WHERE n.target_cert_id = c.cert_id
                              AND n.action = 'renew'
                              AND n.state IN ('queued', 'done'))
           AND NOT EXISTS (SELECT 1 FROM ra.certificate n
                            WHERE n.institution_id = c.institution_id
                              AND n.kind = c.kind
                              AND pg_catalog.lower(n.cn) = pg_catalog.lower(c.cn)
                              AND n.cert_id <> c.cert_id
                              AND n.state = 'issued'
                              AND n.not_after > c.not_after
                              AND NOT EXISTS (SELECT 1 FROM ra.revocation w
                                               WHERE w.cert_id = n.cert_id)))
$$;
REVOKE ALL ON FUNCTION ra.cert_unrenewed(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.cert_unrenewed(bigint) TO ra_worker;
