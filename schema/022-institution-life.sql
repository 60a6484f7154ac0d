-- 022-institution-life.sql: an institution's life, review -> active ->
-- suspended -> withdrawn, with what each status lets its officers do
-- declared once, here, where the login, the session check and the
-- worker's claim read it; the desk's bulk revocation; and the
-- cancellation of what a withdrawn institution left queued.

-- What a status means.  logins: its officers log in, read and download
-- (②④⑥⑦⑧); applies: uploads and applications are taken (error 215
-- otherwise) and the worker issues its queued requests (they wait
-- otherwise); bulk_revoke: the desk may revoke its certificates in bulk;
-- becomes: the statuses it may change to (withdrawn is final).
CREATE TABLE ra.institution_state (
    status      text PRIMARY KEY,
    logins      boolean NOT NULL,
    applies     boolean NOT NULL,
    bulk_revoke boolean NOT NULL,
    becomes     text[] NOT NULL,
    CHECK (NOT applies OR logins),
    CHECK (NOT (status = ANY (becomes)))
);
INSERT INTO ra.institution_state (status, logins, applies, bulk_revoke, becomes)
VALUES
    ('review',    false, false, false, '{active,withdrawn}'),
    ('active',    true,  true,  false, '{suspended,withdrawn}'),
    ('suspended', true,  false, true,  '{active,withdrawn}'),
    ('withdrawn', false, false, true,  '{}');
ALTER TABLE ra.institution
    ADD CONSTRAINT institution_status_declared
        FOREIGN KEY (status) REFERENCES ra.institution_state;
GRANT SELECT ON ra.institution_state TO ra_officer, ra_desk, ra_worker;

-- The database's word on transitions (the desk says the same in words
-- first): a status changes only to one it "becomes".
CREATE FUNCTION ra.institution_transition() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status AND NOT EXISTS (
        SELECT 1 FROM ra.institution_state s
         WHERE s.status = OLD.status AND NEW.status = ANY (s.becomes)) THEN
        RAISE EXCEPTION 'institution %: % may not become %', OLD.code,
            OLD.status, NEW.status USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER institution_transition BEFORE UPDATE OF status
    ON ra.institution FOR EACH ROW
    EXECUTE FUNCTION ra.institution_transition();

-- A withdrawn institution's issue and renew requests that no worker has
-- started on (no certificate reserved: one that is will be finished)
-- are cancelled with the reason, and their jobs closed.  Only for a
-- withdrawn institution: the desk zone gets no UPDATE on requests.
CREATE FUNCTION ra.institution_cancel_queued(inst bigint)
RETURNS TABLE (request_id bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ra.institution i
                    WHERE i.institution_id = inst
                      AND i.status = 'withdrawn') THEN
        RAISE EXCEPTION 'institution % is not withdrawn', inst
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN QUERY
    WITH q AS (
        UPDATE ra.request r
           SET state = 'cancelled', done_at = pg_catalog.now(),
               key_secret = NULL,
               error = '機関が退会したため取り消しました (the institution withdrew)'
         WHERE r.institution_id = inst AND r.state IN ('queued', 'waiting')
           AND r.action IN ('issue', 'renew')
           AND NOT EXISTS (SELECT 1 FROM ra.certificate c
                            WHERE c.request_id = r.request_id)
        RETURNING r.request_id),
    j AS (
        UPDATE ra.job j
           SET state = 'done', finished_at = pg_catalog.now(),
               last_error = 'cancelled: the institution withdrew'
          FROM q
         WHERE j.request_id = q.request_id AND j.state IN ('queued', 'running')
        RETURNING 1)
    SELECT q.request_id FROM q ORDER BY q.request_id;
END
$$;
REVOKE ALL ON FUNCTION ra.institution_cancel_queued(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.institution_cancel_queued(bigint) TO ra_desk;

-- The desk's bulk revocation: every live certificate of the kinds given
-- of a suspended or withdrawn institution, with the reason, as rows of
-- ra.revocation (what the CRL is made from).  The desk zone gets no
-- INSERT on ra.revocation for it: only this, which checks the status
-- itself.  Returns what it revoked.
CREATE FUNCTION ra.institution_revoke(inst bigint, kinds text[],
                                      reason smallint, why text)
RETURNS TABLE (cert_id bigint, serial text, kind text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
    -- the reasons desk-institution.c offers, and no others: not the
    -- CA's own (2), nor one a base CRL has no place for (8)
    IF reason IS NULL OR reason NOT IN (1, 3, 5, 9) THEN
        RAISE EXCEPTION 'reason % is not one for a bulk revocation', reason
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ra.institution i
                     JOIN ra.institution_state s ON s.status = i.status
                    WHERE i.institution_id = inst AND s.bulk_revoke) THEN
        RAISE EXCEPTION 'institution % is neither suspended nor withdrawn',
            inst USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT kinds <@ '{server,client,smime,code_signing,ra_officer}'::text[]
    THEN
        RAISE EXCEPTION 'an institution holds no certificates of kinds %',
            kinds USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN QUERY
    WITH v AS (
        INSERT INTO ra.revocation (cert_id, ca_id, serial, not_after, reason,
                                   comment)
        SELECT c.cert_id, c.ca_id, c.serial, c.not_after, reason, why
          FROM ra.certificate c
         WHERE c.institution_id = inst AND c.kind = ANY (kinds)
           AND c.state = 'issued' AND c.not_after > pg_catalog.now()
        ON CONFLICT DO NOTHING
        RETURNING ra.revocation.cert_id, ra.revocation.serial)
    SELECT v.cert_id, v.serial::text, c.kind
      FROM v JOIN ra.certificate c ON c.cert_id = v.cert_id
     ORDER BY v.cert_id;
END
$$;
REVOKE ALL ON FUNCTION ra.institution_revoke(bigint, text[], smallint, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.institution_revoke(bigint, text[], smallint, text)
    TO ra_desk;
