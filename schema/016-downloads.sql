-- 016-downloads.sql: ⑥ 全証明書情報一括ダウンロード and ⑧ 許可リスト一括
-- ダウンロード are built: the menu links them.
--
-- Both read only what ② and ④ read already (ra.certificate, the
-- request's exported columns, ra.domain, ra.domain_ou, ra.officer_domain):
-- ra_officer needs no new grant, and the desk's OU removal and status
-- changes use the DELETE on ra.domain_ou and the UPDATE on ra.institution
-- that 011-zones.sql gave ra_desk.
UPDATE ra.interface SET screen = 'alldl.cgi' WHERE interface = 6;
UPDATE ra.interface SET screen = 'allowdl.cgi' WHERE interface = 8;

-- ⑥ walks an institution's issued certificates of four kinds in cert_id
-- order (its cursor's ORDER BY): this index gives them in that order, so
-- the export streams from the first row instead of sorting them all
-- first.  certificate_cn (institution_id, kind, cn) serves ②'s lookups.
CREATE INDEX certificate_institution_export ON ra.certificate
    (institution_id, cert_id) WHERE state = 'issued';

-- An OU is compared as X.509 compares names, spaces folded: an entry with
-- a space at an end or two in a row would be another entry's name again.
-- NOT VALID: rows registered before keep working; the desk checks too.
ALTER TABLE ra.domain_ou ADD CONSTRAINT domain_ou_spaces
    CHECK (ou !~ '(^ | $|  )') NOT VALID;
