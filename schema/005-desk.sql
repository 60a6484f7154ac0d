-- 005-desk.sql: service-desk operators for the desk screen.  An operator
-- is a client certificate (its SHA-256), registered from a shell with
-- desk.cgi operator-add; the screen accepts nobody else.
CREATE TABLE ra.desk_operator (
    operator_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    cert_sha256 bytea NOT NULL UNIQUE CHECK (length(cert_sha256) = 32),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT ON ra.desk_operator TO ra_web;
