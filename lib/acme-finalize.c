/*
 * acme-finalize.c: finalize (RFC 8555 7.4): the order ready, the CSR's
 * names its identifiers, the key one the profile takes; then the CSR is
 * queued as a request like a TSV row (lib/request.c), issued once per
 * host name and institution and renewed after (schema/008's "only one"
 * indexes), for the application's officer, mailed to no one.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "ra.h"
#include "domain.h"
#include "acme.h"

static const char SQL_CSR[] =
    "SELECT p->>'csr' AS csr FROM (SELECT ra.acme_json($1) AS p) v"
    " WHERE pg_catalog.jsonb_typeof(p->'csr') = 'string'";
/* What finalize needs of the order, locked against a second finalize. */
static const char SQL_FINALIZE_LOCK[] =
    "SELECT o.identifiers::text AS identifiers, p.institution_id,"
    "       p.officer_id, p.profile_id, p.status AS app_status,"
    "       p.admin_name, p.admin_mail,"
    "       i.name_en, i.st, i.l, i.status = 'active'"
    "         AND CURRENT_DATE BETWEEN i.usage_from AND i.usage_until"
    "         AS inst_active"
    "  FROM ra.acme_order o"
    "  JOIN ra.acme_account a USING (account_id)"
    "  JOIN ra.acme_application p USING (application_id)"
    "  JOIN ra.institution i ON i.institution_id = p.institution_id"
    " WHERE o.order_id = $1::bigint AND o.request_id IS NULL"
    "   FOR UPDATE OF o";
static const char SQL_IDENT_LIST[] =
    "SELECT i FROM pg_catalog.unnest($1::text[]) WITH ORDINALITY AS u(i, n) ORDER BY n";
/*
 * A host name is issued once per institution and then renewed
 * (schema/008: request_cn_issue_once, request_renew_once): the newest
 * issued certificate of the name that no renewal took yet.
 */
static const char SQL_RENEW_TARGET[] =
    "SELECT c.cert_id FROM ra.certificate c"
    " WHERE c.institution_id = $1::bigint AND c.kind = 'server'"
    "   AND pg_catalog.lower(c.cn) = pg_catalog.lower($2) AND c.state = 'issued'"
    "   AND NOT EXISTS (SELECT 1 FROM ra.request r"
    "                    WHERE r.target_cert_id = c.cert_id AND r.action = 'renew'"
    "                      AND r.state IN ('waiting', 'queued', 'done'))"
    " ORDER BY c.cert_id DESC LIMIT 1";
static const char SQL_ISSUED_ONCE[] =
    "SELECT 1 FROM ra.request WHERE institution_id = $1::bigint"
    "   AND kind = 'server' AND action = 'issue'"
    "   AND pg_catalog.lower(cn) = pg_catalog.lower($2)"
    "   AND state IN ('queued', 'done')";
static const char SQL_REQUEST_TAG[] =
    "UPDATE ra.request SET attrs = attrs ||"
    "       pg_catalog.jsonb_build_object('acme_order', $2::bigint)"
    " WHERE request_id = $1::bigint";
static const char SQL_ORDER_QUEUED[] =
    "UPDATE ra.acme_order SET request_id = $2::bigint, status = 'processing',"
    "       updated_at = pg_catalog.now()"
    " WHERE order_id = $1::bigint";

/* Add "name" (lower-cased) to the set "set" of "*n"; 0 if full. */
static int
set_add(char set[][256], int *n, const char *name)
{
	char	 v[256];
	int	 k;

	snprintf(v, sizeof(v), "%s", name);
	acme_lower(v);
	for (k = 0; k < *n; k++)
		if (strcmp(set[k], v) == 0)
			return 1;
	if (*n >= ACME_IDENT_MAX + 1 || strlen(name) >= sizeof(v))
		return 0;
	snprintf(set[(*n)++], 256, "%s", v);
	return 1;
}

static int
set_has(char set[][256], int n, const char *v)
{
	int	 k;

	for (k = 0; k < n; k++)
		if (strcasecmp(set[k], v) == 0)
			return 1;
	return 0;
}

/*
 * The CSR's names (its CN, if any, and its dNSNames) as the order's
 * identifiers, as sets.  "*cn" the CN to certify (the CSR's or the
 * first identifier).  0 with badCSR set.
 */
static int
csr_names(struct acme *a, X509_REQ *csr, char ids[][256], int nids,
    char *cn, size_t cnsz)
{
	STACK_OF(X509_EXTENSION)	*exts = NULL;
	GENERAL_NAMES			*gens = NULL;
	GENERAL_NAME			*g;
	char				 got[ACME_IDENT_MAX + 1][256], *s = NULL;
	unsigned char			*u;
	int				 n = 0, i, ok = 0, len;

	if ((s = ra_dn_get(X509_REQ_get_subject_name(csr), NID_commonName)) !=
	    NULL) {
		if (!set_add(got, &n, s)) {
			ok = acme_problem(a, ACME_P_BADCSR, "the CSR's CN is too "
			    "long");
			goto out;
		}
		snprintf(cn, cnsz, "%.255s", got[0]);
	} else
		snprintf(cn, cnsz, "%.255s", ids[0]);
	exts = X509_REQ_get_extensions(csr);
	gens = exts != NULL ? X509V3_get_d2i(exts, NID_subject_alt_name, NULL,
	    NULL) : NULL;
	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		if (g->type != GEN_DNS) {
			ok = acme_problem(a, ACME_P_BADCSR, "the CSR names "
			    "something other than DNS names in its SAN");
			goto out;
		}
		len = ASN1_STRING_length(g->d.dNSName);
		u = (unsigned char *)ASN1_STRING_get0_data(g->d.dNSName);
		if (len <= 0 || len > 253 || memchr(u, '\0', (size_t)len) != NULL) {
			ok = acme_problem(a, ACME_P_BADCSR, "a dNSName of the CSR "
			    "is empty or not text");
			goto out;
		}
		{
			char	 v[256];

			snprintf(v, sizeof(v), "%.*s", len, (const char *)u);
			if (!set_add(got, &n, v)) {
				ok = acme_problem(a, ACME_P_BADCSR, "the CSR has "
				    "more names than the order");
				goto out;
			}
		}
	}
	for (i = 0; i < n; i++)
		if (!set_has(ids, nids, got[i])) {
			ok = acme_problem(a, ACME_P_BADCSR, "the CSR names %s, "
			    "which the order does not", got[i]);
			goto out;
		}
	for (i = 0; i < nids; i++)
		if (!set_has(got, n, ids[i])) {
			ok = acme_problem(a, ACME_P_BADCSR, "the CSR lacks %s, "
			    "which the order names", ids[i]);
			goto out;
		}
	ok = 1;
out:
	free(s);
	GENERAL_NAMES_free(gens);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return ok;
}

/* C=JP, ST, L, O of the institution, CN: the subject ra certifies. */
static X509_NAME *
subject(const PGresult *res, const char *cn)
{
	X509_NAME	*name;

	if ((name = X509_NAME_new()) == NULL)
		return NULL;
	if (!X509_NAME_add_entry_by_NID(name, NID_countryName, MBSTRING_UTF8,
	    (const unsigned char *)"JP", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_NID(name, NID_stateOrProvinceName,
	    MBSTRING_UTF8, (const unsigned char *)ra_get_text(res, 0, "st"),
	    -1, -1, 0) ||
	    !X509_NAME_add_entry_by_NID(name, NID_localityName, MBSTRING_UTF8,
	    (const unsigned char *)ra_get_text(res, 0, "l"), -1, -1, 0) ||
	    !X509_NAME_add_entry_by_NID(name, NID_organizationName,
	    MBSTRING_UTF8, (const unsigned char *)ra_get_text(res, 0,
	    "name_en"), -1, -1, 0) ||
	    !X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0)) {
		X509_NAME_free(name);
		return NULL;
	}
	return name;
}

/* The CSR of the payload, decoded and its signature checked. */
static int
finalize_csr(struct acme *a, X509_REQ **csr, unsigned char **der,
    size_t *derlen)
{
	PGresult	*res = NULL;
	const char	*b64;
	char		 why[256];
	int		 ok = 0;

	*csr = NULL;
	*der = NULL;
	if (ra_db_run(a->db, "csr", SQL_CSR, &res,
	    RA_ARGS(RA_TEXT(a->payload))) != RA_OK || PQntuples(res) != 1) {
		ok = acme_problem(a, ACME_P_MALFORMED, "the payload has no csr");
		goto out;
	}
	b64 = ra_get_text(res, 0, "csr");
	if (acme_b64u_decode(b64, strlen(b64), der, derlen) != RA_OK ||
	    *derlen == 0 || (*der)[0] != 0x30) {
		ok = acme_problem(a, ACME_P_BADCSR, "csr is not base64url DER");
		goto out;
	}
	if (ra_csr_parse(*der, *derlen, csr, why, sizeof(why)) != RA_OK) {
		ok = acme_problem(a, ACME_P_BADCSR, "%s", why);
		goto out;
	}
	ok = 1;
out:
	PQclear(res);
	return ok;
}

/* Issue or renew: the target of a renewal, 0 for an issue, -1 refused. */
static int
renew_target(struct acme *a, int64_t inst, const char *cn, int64_t *target)
{
	PGresult	*res = NULL;
	enum ra_err	 er;
	int		 ok = 0;

	*target = 0;
	if ((er = ra_db_run(a->db, "renew target", SQL_RENEW_TARGET, &res,
	    RA_ARGS(RA_INT(inst), RA_TEXT(cn)))) != RA_OK)
		return acme_fail(a, er);
	if (PQntuples(res) == 1) {
		ok = ra_get_i64(res, 0, "cert_id", target) == RA_OK ? 1 :
		    acme_fail(a, RA_EDB);
		PQclear(res);
		return ok;
	}
	PQclear(res);
	res = NULL;
	if ((er = ra_db_run(a->db, "issued once", SQL_ISSUED_ONCE, &res,
	    RA_ARGS(RA_INT(inst), RA_TEXT(cn)))) != RA_OK)
		return acme_fail(a, er);
	ok = PQntuples(res) == 0 ? 1 : acme_problem(a, ACME_P_RATELIMITED,
	    "a certificate for %s is being issued now; try again shortly", cn);
	PQclear(res);
	return ok;
}

/* Queue the request of a checked CSR, inside the open transaction. */
static int
finalize_queue(struct acme *a, int64_t order, const PGresult *lk,
    X509_REQ *csr, const unsigned char *der, size_t derlen, const char *cn,
    const char *sans)
{
	struct ra_newreq	 rq;
	struct ra_profile	 prof;
	X509_NAME		*name = NULL;
	int64_t			 inst = 0, officer = 0, target = 0, rid = 0;
	int			 pid = 0, ok = 0;
	char			 why[256];
	enum ra_err		 er;

	(void)ra_get_i64(lk, 0, "institution_id", &inst);
	(void)ra_get_i64(lk, 0, "officer_id", &officer);
	(void)ra_get_int(lk, 0, "profile_id", &pid);
	if (ra_profile_load(a->db, pid, &prof) != RA_OK || !prof.active ||
	    strcmp(prof.kind, "server") != 0)
		return acme_problem(a, ACME_P_INTERNAL, "the application's "
		    "profile %d is not a server profile in use", pid);
	if (ra_profile_check_key(&prof, X509_REQ_get0_pubkey(csr), why,
	    sizeof(why)) != RA_OK)
		return acme_problem(a, ACME_P_BADCSR, "%s", why);
	if (!renew_target(a, inst, cn, &target))
		return 0;
	if ((name = subject(lk, cn)) == NULL)
		return acme_problem(a, ACME_P_INTERNAL, "the subject");
	memset(&rq, 0, sizeof(rq));
	rq.institution_id = inst;
	rq.officer_id = officer;
	rq.admin_name = ra_get_text(lk, 0, "admin_name");
	rq.admin_mail = ra_get_text(lk, 0, "admin_mail");
	rq.profile_id = prof.id;
	rq.profile = &prof;
	rq.subject = name;
	rq.san_dns = sans;
	rq.csr = der;
	rq.csrlen = derlen;
	rq.csr_parsed = csr;
	rq.target_cert_id = target;
	er = ra_request_add(a->db, &rq, &rid, why, sizeof(why));
	if (er == RA_EDUP)
		ok = acme_problem(a, ACME_P_RATELIMITED, "%s; try again shortly",
		    why);
	else if (er == RA_EINPUT || er == RA_EPOLICY)
		ok = acme_problem(a, ACME_P_BADCSR, "%s", why);
	else if (er != RA_OK)
		ok = acme_fail(a, er);
	else if ((er = ra_db_run(a->db, "request tag", SQL_REQUEST_TAG, NULL,
	    RA_ARGS(RA_INT(rid), RA_INT(order)))) != RA_OK ||
	    (er = ra_db_run(a->db, "order queued", SQL_ORDER_QUEUED, NULL,
	    RA_ARGS(RA_INT(order), RA_INT(rid)))) != RA_OK ||
	    (er = ra_queue_notify(a->db)) != RA_OK)
		ok = acme_fail(a, er);
	else {
		snprintf(why, sizeof(why), "request %lld (%s %.200s)", (long long)rid,
		    target != 0 ? "renew" : "issue", cn);
		acme_audit(a, "acme.finalize", "ok", NULL, why);
		ok = 1;
	}
	X509_NAME_free(name);
	return ok;
}

/*
 * The order's names are still the application's and under its officer's
 * domains (035): an order made before the officer or the institution
 * lost a domain is not issued after.
 */
static int
still_allowed(struct acme *a, const char *idents)
{
	PGresult	*res = NULL;
	enum ra_err	 er;
	int		 i, ok = 1;

	if ((er = ra_db_run(a->db, "allowed names", ACME_SQL_ALLOWED, &res,
	    RA_ARGS(RA_INT(a->account_id), RA_TEXT(idents)))) != RA_OK) {
		PQclear(res);
		return acme_fail(a, er);
	}
	for (i = 0; ok && i < PQntuples(res); i++)
		if (strcmp(ra_get_text(res, i, "in_app"), "t") != 0 ||
		    strcmp(ra_get_text(res, i, "in_domain"), "t") != 0)
			ok = acme_problem(a, ACME_P_UNAUTHORIZED, "%s is no "
			    "longer a name this account may have certified",
			    ra_get_text(res, i, "name"));
	PQclear(res);
	return ok;
}

/* finalize (RFC 8555 7.4): the order ready, the CSR its names, queued. */
int
acme_finalize(struct acme *a, int64_t id)
{
	PGresult	*res = NULL, *lk = NULL, *il = NULL;
	X509_REQ	*csr = NULL;
	unsigned char	*der = NULL;
	size_t		 derlen = 0;
	char		 ids[ACME_IDENT_MAX][256], cn[256], sans[ACME_IDENT_MAX * 256];
	int		 nids = 0, i, ok = 0;
	enum ra_err	 er;

	if (!acme_jws(a, ACME_KID) || !acme_view(a, ACME_SQL_ORDER_VIEW, "order", id,
	    &res))
		goto out;
	if (strcmp(ra_get_text(res, 0, "status"), "ready") != 0) {
		ok = acme_problem(a, ACME_P_NOTREADY, "the order is %s, not "
		    "ready", ra_get_text(res, 0, "status"));
		goto out;
	}
	if (!finalize_csr(a, &csr, &der, &derlen))
		goto out;
	if ((er = ra_db_begin(a->db)) != RA_OK ||
	    (er = ra_db_run(a->db, "finalize", SQL_FINALIZE_LOCK, &lk,
	    RA_ARGS(RA_INT(id)))) != RA_OK) {
		ok = acme_fail(a, er);
		goto out;
	}
	if (PQntuples(lk) != 1) {
		ok = acme_problem(a, ACME_P_NOTREADY, "the order is finalized "
		    "already");
		goto out;
	}
	if (strcmp(ra_get_text(lk, 0, "app_status"), "active") != 0 ||
	    strcmp(ra_get_text(lk, 0, "inst_active"), "t") != 0) {
		ok = acme_problem(a, ACME_P_UNAUTHORIZED, "the application or "
		    "its institution is not active");
		goto out;
	}
	if (!still_allowed(a, ra_get_text(lk, 0, "identifiers")))
		goto out;
	if ((er = ra_db_run(a->db, "identifiers", SQL_IDENT_LIST, &il,
	    RA_ARGS(RA_TEXT(ra_get_text(lk, 0, "identifiers"))))) != RA_OK) {
		ok = acme_fail(a, er);
		goto out;
	}
	*sans = '\0';
	for (i = 0; i < PQntuples(il) && nids < ACME_IDENT_MAX; i++) {
		snprintf(ids[nids++], sizeof(ids[0]), "%s", PQgetvalue(il, i, 0));
		if (strlen(sans) + strlen(PQgetvalue(il, i, 0)) + 2 < sizeof(sans))
			snprintf(sans + strlen(sans), sizeof(sans) - strlen(sans),
			    "%s%s", i > 0 ? "," : "", PQgetvalue(il, i, 0));
	}
	if (nids == 0 || !csr_names(a, csr, ids, nids, cn, sizeof(cn)) ||
	    !finalize_queue(a, id, lk, csr, der, derlen, cn, sans))
		goto out;
	if ((er = ra_db_commit(a->db)) != RA_OK) {
		ok = acme_fail(a, er);
		goto out;
	}
	ok = acme_order_answer(a, id, 200);
out:
	if (!ok && a->db != NULL)
		ra_db_rollback(a->db);
	PQclear(res);
	PQclear(lk);
	PQclear(il);
	X509_REQ_free(csr);
	free(der);
	return ok;
}
