-- 024-officer-life.sql: the desk suspends, resumes and retires RA officers
-- and handles a lost RA certificate.  Each ends the officer's sessions at
-- once, cancels their queued RA-certificate request, voids their
-- retrieval URLs and revokes their live RA certificates, in one
-- transaction: what the desk needs for that, and no more.

-- Revocation rows (the CRL is made from them); the desk names no officer
-- as the requester.
GRANT INSERT ON ra.revocation TO ra_desk;

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
