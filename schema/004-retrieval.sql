-- 004-retrieval.sql: what the one-time-URL screens need beyond 001.
-- After the right access PIN the screen hands out a step nonce (only its
-- hash is kept) that the next form must carry: it binds STEP2 and STEP3
-- to the PIN check and doubles as their CSRF token.
ALTER TABLE ra.access_token
    ADD COLUMN step_sha256 bytea CHECK (length(step_sha256) = 32),
    ADD COLUMN step_expires_at timestamptz,
    ADD CONSTRAINT access_token_step
        CHECK ((step_sha256 IS NULL) = (step_expires_at IS NULL));

-- At most one live retrieval URL of a purpose per officer.
CREATE UNIQUE INDEX access_token_officer_live ON ra.access_token (officer_id, purpose)
    WHERE used_at IS NULL AND officer_id IS NOT NULL;
