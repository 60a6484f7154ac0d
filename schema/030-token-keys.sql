-- 030-token-keys.sql: a CA key in a PKCS#11 token.  ra.ca.key_path is
-- then the key's PKCS#11 URI (RFC 7512), which the worker opens through
-- Worker.Pkcs11Module; a file key stays an absolute path below
-- Worker.KeyDir.  The PIN is never here (Worker.TokenPinFile).
ALTER TABLE ra.ca DROP CONSTRAINT ca_key_path_check;
ALTER TABLE ra.ca ADD CONSTRAINT ca_key_path_check
    CHECK (key_path ~ '^/' OR key_path ~ '^pkcs11:[^?]*$');
