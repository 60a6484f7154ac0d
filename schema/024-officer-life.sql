-- 024-officer-life.sql: the desk suspends, resumes and retires RA officers
-- and handles a lost RA certificate.  Each ends the officer's sessions at
-- once, cancels their queued RA-certificate request, voids their
-- retrieval URLs and revokes their live RA certificates, in one
-- transaction: what the desk needs for that, and no more.

-- Revocation rows (the CRL is made from them) of one officer's RA
-- certificates only, through a function: the desk zone gets no INSERT on
-- ra.revocation, which would let it revoke any certificate, blame an
-- officer or backdate a revocation.  A certificate the worker has
-- reserved but not yet stored is revoked too: the worker signs it all
-- the same, and it must not come out live.
CREATE FUNCTION ra.desk_officer_revoke(officer bigint, reason smallint,
                                       why text)
RETURNS TABLE (serial ra.serial)
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
    INSERT INTO ra.revocation (cert_id, ca_id, serial, not_after, reason,
                               comment)
    SELECT c.cert_id, c.ca_id, c.serial, c.not_after, reason, why
      FROM ra.certificate c
     WHERE c.officer_id = officer AND c.kind = 'ra_officer'
       AND c.state IN ('reserved', 'issued')
       AND c.not_after > pg_catalog.now()
       AND reason IN (1, 3, 4, 5, 9)
       AND NOT EXISTS (SELECT 1 FROM ra.revocation v
                        WHERE v.cert_id = c.cert_id)
    ON CONFLICT DO NOTHING
    RETURNING serial
$$;
REVOKE ALL ON FUNCTION ra.desk_officer_revoke(bigint, smallint, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ra.desk_officer_revoke(bigint, smallint, text)
    TO ra_desk;

-- Sessions: ended, never read (the cookie's hash stays unknown here).
GRANT SELECT (officer_id, ended_at), UPDATE (ended_at) ON ra.session TO ra_desk;

-- A queued RA-certificate request cancelled, its P12 password gone with
-- it (001's CHECK: key_secret only while queued); only RA-officer
-- requests, and only into "cancelled".
GRANT UPDATE (state, done_at, error, key_secret) ON ra.request TO ra_desk;
CREATE POLICY request_desk_update ON ra.request AS RESTRICTIVE FOR UPDATE
    TO ra_desk
    USING (kind = 'ra_officer' AND state = 'queued')
    WITH CHECK (kind = 'ra_officer' AND state = 'cancelled'
                AND key_secret IS NULL);

-- A retired officer stays retired, whoever updates the row: registering
-- the person again makes a new officer (desk-officer.c says so first).
CREATE FUNCTION ra.officer_retired_final() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
    IF OLD.status = 'retired' AND NEW.status IS DISTINCT FROM 'retired' THEN
        RAISE EXCEPTION 'officer % is retired for good', OLD.officer_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER officer_retired_final BEFORE UPDATE OF status ON ra.officer
    FOR EACH ROW EXECUTE FUNCTION ra.officer_retired_final();
