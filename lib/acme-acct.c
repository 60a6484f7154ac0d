/*
 * acme-acct.c: accounts (RFC 8555 7.3).  newAccount takes an external
 * account binding or nothing: the inner JWS (HS256, no nonce) names an
 * application by its key id, is MACed with that application's HMAC key
 * and signs the outer key; the key id is spent by the same transaction
 * that makes the account (UPDATE ... WHERE eab_used_at IS NULL), so two
 * requests with one key id cannot both win.  An account key already
 * registered gets its account back.  Then the account itself (contact,
 * deactivation), its orders, and the key roll-over.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ra.h"
#include "domain.h"
#include "acme.h"

/* What a newAccount or account update payload says, shape checked. */
static const char SQL_ACCOUNT_PAYLOAD[] =
    "SELECT coalesce(p->'onlyReturnExisting' = 'true'::jsonb, false) AS only_existing,"
    "       p ? 'externalAccountBinding' AS has_eab,"
    "       (p->'externalAccountBinding')::text AS eab,"
    "       p ? 'contact' AS has_contact,"
    "       p->>'status' AS status,"
    "       coalesce(pg_catalog.jsonb_typeof(p->'status'), 'string') = 'string'"
    "       AND (NOT p ? 'contact' OR"
    "        (pg_catalog.jsonb_typeof(p->'contact') = 'array'"
    "         AND pg_catalog.jsonb_array_length(p->'contact') <= 4"
    "         AND NOT EXISTS (SELECT 1"
    "               FROM pg_catalog.jsonb_array_elements(p->'contact') e"
    "              WHERE pg_catalog.jsonb_typeof(e) <> 'string'"
    "                 OR pg_catalog.char_length(e #>> '{}') > 254"
    "                 OR (e #>> '{}') !~ '^mailto:[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$')))"
    "       AS shape_ok"
    "  FROM (SELECT ra.acme_json($1) AS p) v"
    " WHERE pg_catalog.jsonb_typeof(p) = 'object'";
static const char SQL_BY_KEY[] =
    "SELECT a.account_id, p.institution_id FROM ra.acme_account a"
    "  JOIN ra.acme_application p USING (application_id)"
    " WHERE a.jwk_sha256 = $1::bytea";
static const char SQL_EAB[] =
    "SELECT application_id, institution_id, eab_hmac, status,"
    "       eab_used_at IS NOT NULL AS used"
    "  FROM ra.acme_application WHERE eab_kid = $1";
static const char SQL_EAB_SPEND[] =
    "UPDATE ra.acme_application SET eab_used_at = pg_catalog.now()"
    " WHERE application_id = $1::bigint AND eab_used_at IS NULL"
    "   AND status = 'active'"
    " RETURNING 1";
static const char SQL_ACCOUNT_ADD[] =
    "INSERT INTO ra.acme_account (application_id, jwk_sha256, jwk, contact)"
    " VALUES ($1::bigint, $2::bytea, $3::jsonb, ARRAY(SELECT"
    "   pg_catalog.jsonb_array_elements_text(coalesce(ra.acme_json($4)->'contact', '[]'))))"
    " RETURNING account_id";
static const char SQL_CONTACT[] =
    "UPDATE ra.acme_account SET updated_at = pg_catalog.now(),"
    "       contact = ARRAY(SELECT pg_catalog.jsonb_array_elements_text("
    "         ra.acme_json($2)->'contact'))"
    " WHERE account_id = $1::bigint";
static const char SQL_DEACTIVATE[] =
    "UPDATE ra.acme_account SET status = 'deactivated',"
    "       updated_at = pg_catalog.now()"
    " WHERE account_id = $1::bigint AND status = 'valid'";
static const char SQL_ACCOUNT_JSON[] =
    "SELECT pg_catalog.jsonb_build_object('status', status,"
    "         'contact', pg_catalog.to_jsonb(contact),"
    "         'orders', $2 || '/acct/' || account_id || '/orders')::text AS j"
    "  FROM ra.acme_account WHERE account_id = $1::bigint";
static const char SQL_ORDERS_JSON[] =
    "SELECT pg_catalog.jsonb_build_object('orders', coalesce(pg_catalog.jsonb_agg("
    "         $2 || '/order/' || order_id ORDER BY order_id), '[]'))::text AS j"
    "  FROM ra.acme_order WHERE account_id = $1::bigint"
    "   AND status IN ('pending', 'ready', 'processing')";
/* A key-change payload: the account URL and the old key. */
static const char SQL_ROLLOVER[] =
    "SELECT p->>'account' AS account, (p->'oldKey')::text AS old_key"
    "  FROM (SELECT ra.acme_json($1) AS p) v"
    " WHERE pg_catalog.jsonb_typeof(p) = 'object'"
    "   AND pg_catalog.jsonb_typeof(p->'account') = 'string'"
    "   AND pg_catalog.jsonb_typeof(p->'oldKey') = 'object'";
static const char SQL_ROLL[] =
    "UPDATE ra.acme_account SET jwk_sha256 = $2::bytea, jwk = $3::jsonb,"
    "       updated_at = pg_catalog.now()"
    " WHERE account_id = $1::bigint AND jwk_sha256 = $4::bytea";

/*
 * The account object; "status" 200 or 201, "where" with its Location
 * (201, and newAccount's 200 for a known key: Apache makes a CGI's 200
 * with a Location a 302, so that one reaches clients as a 302).
 */
static int
account_answer(struct acme *a, int64_t id, int status, int where)
{
	PGresult	*res = NULL;
	enum ra_err	 er;
	int		 ok;

	if ((er = ra_db_run1(a->db, "account", SQL_ACCOUNT_JSON, &res,
	    RA_ARGS(RA_INT(id), RA_TEXT(a->base)))) != RA_OK) {
		PQclear(res);
		return acme_fail(a, er);
	}
	ok = acme_answer(a, status, ra_get_text(res, 0, "j"));
	PQclear(res);
	free(a->location);
	a->location = NULL;
	if (ok && where && (a->location = acme_url(a, "/acct/", id)) == NULL)
		return acme_problem(a, ACME_P_INTERNAL, "out of memory");
	return ok;
}

/* The payload's shape; "*res" the caller's. */
static int
account_payload(struct acme *a, PGresult **res)
{
	enum ra_err	 er;

	*res = NULL;
	er = ra_db_run(a->db, "account payload", SQL_ACCOUNT_PAYLOAD, res,
	    RA_ARGS(RA_TEXT(a->payload)));
	if (er != RA_OK || PQntuples(*res) != 1) {
		PQclear(*res);
		*res = NULL;
		return er != RA_OK && er != RA_EINPUT && er != RA_EDB ?
		    acme_fail(a, er) : acme_problem(a, ACME_P_MALFORMED,
		    "the payload is not a JSON object");
	}
	if (strcmp(acme_col(*res, "shape_ok"), "t") != 0) {
		PQclear(*res);
		*res = NULL;
		return acme_problem(a, ACME_P_MALFORMED, "contact must be at "
		    "most 4 mailto: URLs, status a string");
	}
	return 1;
}

/*
 * The external account binding "eab" (JSON text) for the outer key:
 * "*app" the application it names, its HMAC checked.
 */
static int
eab_check(struct acme *a, const char *eab, int64_t *app)
{
	PGresult	*h = NULL, *res = NULL;
	struct acme_jwk	 j;
	char		*p = NULL, *y = NULL, *s = NULL, *payload = NULL,
			*mem[5] = { NULL }, *url = NULL, *input = NULL;
	unsigned char	*mac = NULL, *hmac = NULL, thumb[32];
	const char	*kid;
	size_t		 maclen, hmaclen, i;
	int		 ok = 0, used;
	enum ra_err	 er;

	*app = 0;
	if (!acme_jws_split(a, eab, &p, &y, &s) || !acme_header(a, p, &h))
		goto out;
	kid = acme_col(h, "kid");
	if (strcmp(acme_col(h, "alg"), "HS256") != 0) {
		ok = acme_problem(a, ACME_P_MALFORMED, "externalAccountBinding: "
		    "alg must be HS256");
		goto out;
	}
	if (acme_col(h, "nonce") != NULL || strcmp(acme_col(h, "has_jwk"),
	    "t") == 0 || kid == NULL) {
		ok = acme_problem(a, ACME_P_MALFORMED, "externalAccountBinding: "
		    "its header has kid, alg and url, no nonce, no jwk");
		goto out;
	}
	if ((url = acme_url(a, "/new-account", 0)) == NULL ||
	    strcmp(acme_col(h, "url"), url) != 0) {
		ok = acme_problem(a, ACME_P_MALFORMED, "externalAccountBinding: "
		    "url must be the newAccount URL");
		goto out;
	}
	if (!acme_b64u_text(a, y, "externalAccountBinding's payload",
	    &payload, NULL) ||
	    !acme_jwk_parse(a, payload, "externalAccountBinding's payload",
	    &j, mem, NULL, thumb))
		goto out;
	if (memcmp(thumb, a->thumb, sizeof(thumb)) != 0) {
		ok = acme_problem(a, ACME_P_MALFORMED, "externalAccountBinding "
		    "binds another key than the account's");
		goto out;
	}
	if (acme_b64u_decode(s, strlen(s), &mac, &maclen) != RA_OK) {
		ok = acme_problem(a, ACME_P_MALFORMED, "externalAccountBinding: "
		    "the signature is not base64url");
		goto out;
	}
	if ((er = ra_db_run(a->db, "EAB", SQL_EAB, &res,
	    RA_ARGS(RA_TEXT(kid)))) != RA_OK) {
		ok = acme_fail(a, er);
		goto out;
	}
	if (PQntuples(res) != 1) {
		ok = acme_problem(a, ACME_P_UNAUTHORIZED, "externalAccountBinding:"
		    " no such key id");
		goto out;
	}
	(void)ra_get_i64(res, 0, "institution_id", &a->institution_id);
	if (strcmp(ra_get_text(res, 0, "status"), "active") != 0) {
		ok = acme_problem(a, ACME_P_UNAUTHORIZED, "the application of "
		    "this key id is %s", ra_get_text(res, 0, "status"));
		goto out;
	}
	if (ra_get_bool(res, 0, "used", &used) != RA_OK || used) {
		ok = acme_problem(a, ACME_P_UNAUTHORIZED, "externalAccountBinding:"
		    " this key id was used already (it is good for one account)");
		goto out;
	}
	if ((er = ra_get_bytea(res, 0, "eab_hmac", &hmac, &hmaclen)) != RA_OK) {
		ok = acme_fail(a, er);
		goto out;
	}
	if (asprintf(&input, "%s.%s", p, y) < 0) {
		input = NULL;
		ok = acme_problem(a, ACME_P_INTERNAL, "out of memory");
		goto out;
	}
	if (!acme_hs256_ok(hmac, hmaclen, input, strlen(input), mac, maclen)) {
		ok = acme_problem(a, ACME_P_UNAUTHORIZED, "externalAccountBinding:"
		    " the MAC does not verify with this key id's HMAC key");
		goto out;
	}
	if (ra_get_i64(res, 0, "application_id", app) != RA_OK) {
		ok = acme_problem(a, ACME_P_INTERNAL, "application id");
		goto out;
	}
	ok = 1;
out:
	if (hmac != NULL) {
		OPENSSL_cleanse(hmac, hmaclen);
		PQfreemem(hmac);
	}
	PQclear(h);
	PQclear(res);
	for (i = 0; i < RA_NITEMS(mem); i++)
		free(mem[i]);
	free(p);
	free(y);
	free(s);
	free(payload);
	free(url);
	free(input);
	free(mac);
	return ok;
}

/* newAccount (RFC 8555 7.3, 7.3.4). */
int
acme_new_account(struct acme *a)
{
	PGresult	*pl = NULL, *res = NULL;
	int64_t		 app = 0, id = 0;
	enum ra_err	 er;
	int		 ok = 0;

	if (!acme_jws(a, ACME_JWK) || !account_payload(a, &pl))
		goto out;
	if ((er = ra_db_run(a->db, "account by key", SQL_BY_KEY, &res,
	    RA_ARGS(RA_BYTES(a->thumb, sizeof(a->thumb))))) != RA_OK) {
		ok = acme_fail(a, er);
		goto out;
	}
	if (PQntuples(res) == 1) {
		/* RFC 8555 7.3.1: the key's account, 200 and its Location. */
		(void)ra_get_i64(res, 0, "account_id", &id);
		ok = account_answer(a, id, 200, 1);
		goto out;
	}
	if (strcmp(acme_col(pl, "only_existing"), "t") == 0) {
		ok = acme_problem(a, ACME_P_NOACCOUNT, "no account has this key");
		goto out;
	}
	if (strcmp(acme_col(pl, "has_eab"), "t") != 0) {
		ok = acme_problem(a, ACME_P_EABREQUIRED, "an external account "
		    "binding is required (the key id and HMAC key the RA "
		    "officer's application gave)");
		goto out;
	}
	if (!eab_check(a, acme_col(pl, "eab"), &app))
		goto out;
	PQclear(res);
	res = NULL;
	if ((er = ra_db_begin(a->db)) != RA_OK ||
	    (er = ra_db_run(a->db, "EAB spend", SQL_EAB_SPEND, &res,
	    RA_ARGS(RA_INT(app)))) != RA_OK) {
		ok = acme_fail(a, er);
		goto out;
	}
	if (PQntuples(res) != 1) {
		ra_db_rollback(a->db);
		ok = acme_problem(a, ACME_P_UNAUTHORIZED, "externalAccountBinding:"
		    " this key id was used already (it is good for one account)");
		goto out;
	}
	PQclear(res);
	res = NULL;
	er = ra_db_run(a->db, "account add", SQL_ACCOUNT_ADD, &res,
	    RA_ARGS(RA_INT(app), RA_BYTES(a->thumb, sizeof(a->thumb)),
	    RA_TEXT(a->jwk_json), RA_TEXT(a->payload)));
	if (er == RA_EDUP) {
		ra_db_rollback(a->db);
		ok = acme_problem(a, ACME_P_UNAUTHORIZED, "the key id or the "
		    "account key was bound at this moment by another request");
		goto out;
	}
	if (er != RA_OK || ra_get_i64(res, 0, "account_id", &id) != RA_OK) {
		ok = acme_fail(a, er != RA_OK ? er : RA_EDB);
		goto out;
	}
	a->account_id = id;
	acme_audit(a, "acme.account.new", "ok", NULL, "account bound to its "
	    "application by the external account binding");
	if ((er = ra_db_commit(a->db)) != RA_OK) {
		ok = acme_fail(a, er);
		goto out;
	}
	ok = account_answer(a, id, 201, 1);
out:
	PQclear(pl);
	PQclear(res);
	return ok;
}

/* POST /acct/ID: the account (POST-as-GET), its contact, its deactivation. */
int
acme_account(struct acme *a, int64_t id)
{
	PGresult	*pl = NULL;
	const char	*status;
	enum ra_err	 er = RA_OK;
	int		 ok = 0;

	if (!acme_jws(a, ACME_KID))
		return 0;
	if (a->account_id != id)
		return acme_problem(a, ACME_P_UNAUTHORIZED, "this is not the "
		    "account of the signing key");
	if (acme_payload_empty(a))
		return account_answer(a, id, 200, 0);
	if (!account_payload(a, &pl))
		return 0;
	status = acme_col(pl, "status");
	if (status != NULL && strcmp(status, "deactivated") != 0 &&
	    strcmp(status, "valid") != 0) {
		ok = acme_problem(a, ACME_P_MALFORMED, "an account may only be "
		    "deactivated");
		goto out;
	}
	if (strcmp(acme_col(pl, "has_contact"), "t") == 0 &&
	    (er = ra_db_run(a->db, "contact", SQL_CONTACT, NULL,
	    RA_ARGS(RA_INT(id), RA_TEXT(a->payload)))) == RA_OK)
		acme_audit(a, "acme.account.update", "ok", NULL, "contact");
	if (er == RA_OK && status != NULL && strcmp(status, "deactivated") == 0 &&
	    (er = ra_db_run(a->db, "deactivate", SQL_DEACTIVATE, NULL,
	    RA_ARGS(RA_INT(id)))) == RA_OK)
		acme_audit(a, "acme.account.deactivate", "ok", NULL,
		    "deactivated by its key");
	ok = er != RA_OK ? acme_fail(a, er) : account_answer(a, id, 200, 0);
out:
	PQclear(pl);
	return ok;
}

/* POST /acct/ID/orders: the account's orders still in progress. */
int
acme_account_orders(struct acme *a, int64_t id)
{
	PGresult	*res = NULL;
	enum ra_err	 er;
	int		 ok;

	if (!acme_jws(a, ACME_KID))
		return 0;
	if (a->account_id != id)
		return acme_problem(a, ACME_P_UNAUTHORIZED, "this is not the "
		    "account of the signing key");
	if ((er = ra_db_run1(a->db, "orders", SQL_ORDERS_JSON, &res,
	    RA_ARGS(RA_INT(id), RA_TEXT(a->base)))) != RA_OK) {
		PQclear(res);
		return acme_fail(a, er);
	}
	ok = acme_answer(a, 200, ra_get_text(res, 0, "j"));
	PQclear(res);
	return ok;
}

/* key-change (RFC 8555 7.3.5): the inner JWS is signed by the new key. */
int
acme_key_change(struct acme *a)
{
	PGresult	*h = NULL, *res = NULL;
	struct acme_jwk	 nj, oj;
	EVP_PKEY	*nkey = NULL;
	unsigned char	*sig = NULL, nthumb[32], othumb[32], cur[32];
	char		*p = NULL, *y = NULL, *s = NULL, *payload = NULL,
			*nmem[5] = { NULL }, *omem[5] = { NULL }, *url = NULL,
			*acct = NULL, *input = NULL, *njson = NULL, why[256];
	size_t		 siglen, i;
	int		 ok = 0;
	enum ra_err	 er;

	if (!acme_jws(a, ACME_KID))
		return 0;
	if (!acme_jws_split(a, a->payload, &p, &y, &s) ||
	    !acme_header(a, p, &h))
		goto out;
	if (strcmp(acme_col(h, "alg"), "RS256") != 0 &&
	    strcmp(acme_col(h, "alg"), "ES256") != 0) {
		ok = acme_problem(a, ACME_P_BADALG, "the inner JWS: RS256 or "
		    "ES256");
		goto out;
	}
	if ((url = acme_url(a, "/key-change", 0)) == NULL ||
	    strcmp(acme_col(h, "url"), url) != 0 ||
	    strcmp(acme_col(h, "has_jwk"), "t") != 0 ||
	    strcmp(acme_col(h, "has_kid"), "t") == 0) {
		ok = acme_problem(a, ACME_P_MALFORMED, "the inner JWS has the "
		    "new key as jwk (no kid) and the outer url");
		goto out;
	}
	if (!acme_jwk_parse(a, acme_col(h, "jwk_text"), "the new key", &nj,
	    nmem, &nkey, nthumb))
		goto out;
	if (acme_b64u_decode(s, strlen(s), &sig, &siglen) != RA_OK ||
	    asprintf(&input, "%s.%s", p, y) < 0) {
		input = NULL;
		ok = acme_problem(a, ACME_P_MALFORMED, "the inner signature is "
		    "not base64url");
		goto out;
	}
	er = acme_jws_verify(nkey, acme_col(h, "alg"), input, strlen(input),
	    sig, siglen, why, sizeof(why));
	if (er != RA_OK) {
		ok = acme_problem(a, er == RA_EINPUT ? ACME_P_BADALG :
		    ACME_P_MALFORMED, "the inner JWS: %s", why);
		goto out;
	}
	if (!acme_b64u_text(a, y, "the inner payload", &payload, NULL))
		goto out;
	if (ra_db_run(a->db, "key-change", SQL_ROLLOVER, &res,
	    RA_ARGS(RA_TEXT(payload))) != RA_OK || PQntuples(res) != 1) {
		ok = acme_problem(a, ACME_P_MALFORMED, "the inner payload has "
		    "account and oldKey");
		goto out;
	}
	if ((acct = acme_url(a, "/acct/", a->account_id)) == NULL ||
	    strcmp(acme_col(res, "account"), acct) != 0) {
		ok = acme_problem(a, ACME_P_UNAUTHORIZED, "the inner payload "
		    "names another account");
		goto out;
	}
	if (!acme_jwk_parse(a, acme_col(res, "old_key"), "oldKey", &oj, omem,
	    NULL, othumb))
		goto out;
	if (acme_jwk_thumbprint(&a->jwk, cur) != RA_OK ||
	    memcmp(cur, othumb, sizeof(cur)) != 0) {
		ok = acme_problem(a, ACME_P_UNAUTHORIZED, "oldKey is not the "
		    "account's key");
		goto out;
	}
	PQclear(res);
	res = NULL;
	if ((er = ra_db_run(a->db, "account by key", SQL_BY_KEY, &res,
	    RA_ARGS(RA_BYTES(nthumb, sizeof(nthumb))))) != RA_OK) {
		ok = acme_fail(a, er);
		goto out;
	}
	if (PQntuples(res) > 0) {
		int64_t	 other = 0;

		(void)ra_get_i64(res, 0, "account_id", &other);
		ok = acme_problem(a, ACME_P_CONFLICT, "the new key is the key "
		    "of an account already");
		a->location = acme_url(a, "/acct/", other);
		goto out;
	}
	if ((njson = acme_jwk_json(&nj)) == NULL) {
		ok = acme_problem(a, ACME_P_INTERNAL, "out of memory");
		goto out;
	}
	er = ra_db_run(a->db, "roll over", SQL_ROLL, NULL,
	    RA_ARGS(RA_INT(a->account_id), RA_BYTES(nthumb, sizeof(nthumb)),
	    RA_TEXT(njson), RA_BYTES(cur, sizeof(cur))));
	if (er == RA_EDUP) {
		ok = acme_problem(a, ACME_P_CONFLICT, "the new key is the key "
		    "of an account already");
		goto out;
	}
	if (er != RA_OK) {
		ok = acme_fail(a, er);
		goto out;
	}
	acme_audit(a, "acme.account.key_change", "ok", NULL, "account key "
	    "rolled over");
	ok = account_answer(a, a->account_id, 200, 0);
out:
	PQclear(h);
	PQclear(res);
	EVP_PKEY_free(nkey);
	for (i = 0; i < 5; i++) {
		free(nmem[i]);
		free(omem[i]);
	}
	free(p);
	free(y);
	free(s);
	free(payload);
	free(url);
	free(acct);
	free(input);
	free(njson);
	free(sig);
	return ok;
}
