/*
 * acme-req.c: what every ACME request shares (RFC 8555 6): the flattened
 * JWS, parsed by PostgreSQL (ra.acme_json) and checked here -- the nonce
 * taken by DELETE ... RETURNING, the "url" header against Acme.BaseURL,
 * RS256 or ES256, "jwk" or "kid" (the account URL), the signature --
 * and the answer: a Replay-Nonce on every one, no caching, the
 * directory's Link, and RFC 7807 problem documents, each audited.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "ra.h"
#include "domain.h"
#include "acme.h"

#define NONCE_LEN	16

static const struct {
	const char	*type;		/* after urn:ietf:params:acme:error: */
	int		 status;
} prob[] = {
	[ACME_P_MALFORMED]	= { "malformed", 400 },
	[ACME_P_BADNONCE]	= { "badNonce", 400 },
	[ACME_P_BADALG]		= { "badSignatureAlgorithm", 400 },
	[ACME_P_UNAUTHORIZED]	= { "unauthorized", 403 },
	[ACME_P_NOACCOUNT]	= { "accountDoesNotExist", 400 },
	[ACME_P_EABREQUIRED]	= { "externalAccountRequired", 400 },
	[ACME_P_REJECTEDID]	= { "rejectedIdentifier", 400 },
	[ACME_P_BADCSR]		= { "badCSR", 400 },
	[ACME_P_NOTREADY]	= { "orderNotReady", 403 },
	[ACME_P_RATELIMITED]	= { "rateLimited", 429 },
	[ACME_P_INTERNAL]	= { "serverInternal", 500 },
	[ACME_P_BADREASON]	= { "badRevocationReason", 400 },
	[ACME_P_REVOKED]	= { "alreadyRevoked", 400 },
	[ACME_P_NOTFOUND]	= { "malformed", 404 },
	[ACME_P_METHOD]		= { "malformed", 405 },
	[ACME_P_TYPE]		= { "malformed", 415 },
	[ACME_P_CONFLICT]	= { "malformed", 409 },
	[ACME_P_BADPUBKEY]	= { "badPublicKey", 400 },
};
_Static_assert(RA_NITEMS(prob) == ACME_P__MAX, "prob[] out of sync");

static const char SQL_SPLIT[] =
    "SELECT j->>'protected' AS p, j->>'payload' AS y, j->>'signature' AS s"
    "  FROM (SELECT ra.acme_json($1) AS j) v"
    " WHERE pg_catalog.jsonb_typeof(j) = 'object'"
    "   AND pg_catalog.jsonb_typeof(j->'protected') = 'string'"
    "   AND pg_catalog.jsonb_typeof(j->'payload') = 'string'"
    "   AND pg_catalog.jsonb_typeof(j->'signature') = 'string'"
    "   AND (SELECT pg_catalog.count(*) FROM pg_catalog.jsonb_object_keys(j)) = 3";
/* The protected header: strings where strings belong, jwk an object. */
static const char SQL_HEADER[] =
    "SELECT h->>'alg' AS alg, h->>'nonce' AS nonce, h->>'url' AS url,"
    "       h->>'kid' AS kid, h ? 'jwk' AS has_jwk, h ? 'kid' AS has_kid,"
    "       (h->'jwk')::text AS jwk_text,"
    "       h->'jwk'->>'kty' AS kty, h->'jwk'->>'n' AS n, h->'jwk'->>'e' AS e,"
    "       h->'jwk'->>'crv' AS crv, h->'jwk'->>'x' AS x, h->'jwk'->>'y' AS y,"
    "       h ? 'crit' OR h ? 'b64' AS has_crit"
    "  FROM (SELECT ra.acme_json($1) AS h) v"
    " WHERE pg_catalog.jsonb_typeof(h) = 'object'"
    "   AND coalesce(pg_catalog.jsonb_typeof(h->'alg'), '') = 'string'"
    "   AND coalesce(pg_catalog.jsonb_typeof(h->'nonce'), 'string') = 'string'"
    "   AND coalesce(pg_catalog.jsonb_typeof(h->'url'), '') = 'string'"
    "   AND coalesce(pg_catalog.jsonb_typeof(h->'kid'), 'string') = 'string'"
    "   AND coalesce(pg_catalog.jsonb_typeof(h->'jwk'), 'object') = 'object'"
    "   AND NOT EXISTS (SELECT 1 FROM pg_catalog.jsonb_each(coalesce(h->'jwk', '{}')) m"
    "                    WHERE pg_catalog.jsonb_typeof(m.value) <> 'string'"
    "                      AND m.key IN ('kty', 'n', 'e', 'crv', 'x', 'y'))";
static const char SQL_NONCE_TAKE[] =
    "DELETE FROM ra.acme_nonce WHERE nonce = $1::bytea"
    "   AND created_at > pg_catalog.now() -"
    "       pg_catalog.make_interval(mins => $2::integer)"
    " RETURNING 1";
static const char SQL_NONCE_NEW[] =
    "INSERT INTO ra.acme_nonce (nonce) VALUES ($1::bytea)";
static const char SQL_ACCOUNT_KEY[] =
    "SELECT a.status, p.institution_id, a.jwk->>'kty' AS kty,"
    "       a.jwk->>'n' AS n, a.jwk->>'e' AS e, a.jwk->>'crv' AS crv,"
    "       a.jwk->>'x' AS x, a.jwk->>'y' AS y"
    "  FROM ra.acme_account a JOIN ra.acme_application p USING (application_id)"
    " WHERE a.account_id = $1::bigint";
static const char SQL_PURGE_NONCES[] =
    "DELETE FROM ra.acme_nonce WHERE created_at <= pg_catalog.now() -"
    "  pg_catalog.make_interval(mins => $1::integer)";
/* Orders never finalized, a day after they expired (the day's failures count). */
#define PURGE_WHERE \
    " request_id IS NULL AND expires_at < ra.clock() - interval '1 day'"
static const char SQL_PURGE_CHALL[] =
    "DELETE FROM ra.acme_challenge WHERE authz_id IN (SELECT authz_id"
    "  FROM ra.acme_authz WHERE order_id IN (SELECT order_id"
    "  FROM ra.acme_order WHERE" PURGE_WHERE "))";
static const char SQL_PURGE_AUTHZ[] =
    "DELETE FROM ra.acme_authz WHERE order_id IN (SELECT order_id"
    "  FROM ra.acme_order WHERE" PURGE_WHERE ")";
static const char SQL_PURGE_ORDERS[] =
    "DELETE FROM ra.acme_order WHERE" PURGE_WHERE;

static int
nonce_minutes(const struct ra_conf *c)
{
	int	 n = ra_conf_int(c, "Acme.NonceMinutes", 60);

	return n < 1 ? 1 : n;
}

void
acme_init(struct acme *a, const struct ra_conf *c, const char *method,
    const char *path, const unsigned char *body, size_t bodylen)
{
	const char	*b = ra_conf_get(c, "Acme.BaseURL");
	size_t		 n;

	memset(a, 0, sizeof(*a));
	a->conf = c;
	a->method = method;
	a->path = path;
	a->body = body;
	a->bodylen = bodylen;
	a->caller = "web";
	snprintf(a->base, sizeof(a->base), "%s", b != NULL ? b : "");
	n = strlen(a->base);
	while (n > 0 && a->base[n - 1] == '/')
		a->base[--n] = '\0';
}

void
acme_free(struct acme *a)
{
	size_t	 i;

	free(a->prot_b64);
	free(a->payload_b64);
	free(a->sig_b64);
	free(a->payload);
	for (i = 0; i < RA_NITEMS(a->jwk_mem); i++)
		free(a->jwk_mem[i]);
	free(a->jwk_json);
	EVP_PKEY_free(a->key);
	free(a->location);
	free(a->link_up);
	free(a->out);
	memset(a, 0, sizeof(*a));
}

/* JSON string contents of "s" (no quotes); 0 when it does not fit. */
int
acme_json_escape(char *dst, size_t sz, const char *s)
{
	size_t	 o = 0;
	int	 n;

	for (; *s != '\0'; s++) {
		unsigned char	 ch = (unsigned char)*s;

		if (o + 7 >= sz)
			return 0;
		if (ch == '"' || ch == '\\') {
			dst[o++] = '\\';
			dst[o++] = (char)ch;
		} else if (ch < 0x20 || ch == 0x7f) {
			n = snprintf(dst + o, sz - o, "\\u%04x", ch);
			o += (size_t)n;
		} else
			dst[o++] = (char)ch;
	}
	dst[o] = '\0';
	return 1;
}

/* The URL of "what" (e.g. "/order/") and id; id 0: no number.  Caller frees. */
char *
acme_url(const struct acme *a, const char *what, int64_t id)
{
	char	*s = NULL;
	int	 n;

	if (id > 0)
		n = asprintf(&s, "%s%s%lld", a->base, what, (long long)id);
	else
		n = asprintf(&s, "%s%s", a->base, what);
	return n < 0 ? NULL : s;
}

/*
 * The number after "prefix" in "s" (a path like "/order/12", or with
 * the base in front, a full URL); 0 if "s" is not that.
 */
int64_t
acme_url_id(const struct acme *a, const char *prefix, const char *s)
{
	size_t		 n = strlen(a->base), k = strlen(prefix), d;
	long long	 v;

	if (s == NULL)
		return 0;
	if (n > 0 && strncmp(s, a->base, n) == 0 && s[n] == '/')
		s += n;
	if (strncmp(s, prefix, k) != 0)
		return 0;
	s += k;
	d = strspn(s, "0123456789");
	if (d == 0 || d > 18 || s[d] != '\0' || s[0] == '0')
		return 0;
	v = strtoll(s, NULL, 10);
	return v;
}

/* Audit as the ACME zone: "outcome" ok or refused; "detail" JSON or NULL. */
void
acme_audit(struct acme *a, const char *event, const char *outcome,
    const char *type, const char *why)
{
	struct ra_event	 ev;
	char		 actor[64], esc[600], *detail = NULL;

	if (a->db == NULL)
		return;
	if (a->account_id > 0)
		snprintf(actor, sizeof(actor), "acme:account:%lld",
		    (long long)a->account_id);
	else
		snprintf(actor, sizeof(actor), "acme:%s", a->caller);
	if (!acme_json_escape(esc, sizeof(esc), why != NULL ? why : ""))
		snprintf(esc, sizeof(esc), "(detail too long)");
	if (asprintf(&detail, "{\"path\":\"%s\",\"type\":\"%s\",\"detail\":\"%s\"}",
	    strspn(a->path, "abcdefghijklmnopqrstuvwxyz0123456789/-") ==
	    strlen(a->path) && strlen(a->path) < 64 ? a->path : "?",
	    type != NULL ? type : "", esc) < 0)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.event = event;
	ev.outcome = outcome;
	ev.actor = actor;
	ev.institution_id = a->institution_id;
	ev.source_ip = a->source_ip;
	ev.detail = detail;
	/* A refusal after a failed statement: the transaction is gone. */
	if (PQtransactionStatus(a->db) == PQTRANS_INERROR)
		ra_db_rollback(a->db);
	if (ra_audit(a->db, &ev) != RA_OK)
		ra_warnx("acme: %s (%s) not audited", event, outcome);
	free(detail);
}

/* The answer: a problem document, audited.  Returns 0 for "return acme_problem()". */
int
acme_problem(struct acme *a, enum acme_prob p, const char *fmt, ...)
{
	va_list	 ap;
	char	 why[512], esc[1200], ev[64];

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (!acme_json_escape(esc, sizeof(esc), why))
		snprintf(esc, sizeof(esc), "refused");
	free(a->out);
	a->out = NULL;
	if (asprintf(&a->out, "{\"type\":\"urn:ietf:params:acme:error:%s\","
	    "\"detail\":\"%s\",\"status\":%d}", prob[p].type, esc,
	    prob[p].status) < 0)
		a->out = NULL;
	a->outlen = a->out != NULL ? strlen(a->out) : 0;
	a->status = prob[p].status;
	a->ctype = "application/problem+json";
	a->done = 1;
	a->retry_after = 0;
	free(a->location);
	a->location = NULL;
	/* A refusal changes nothing: what the request began goes. */
	if (a->db != NULL && PQtransactionStatus(a->db) != PQTRANS_IDLE)
		ra_db_rollback(a->db);
	snprintf(ev, sizeof(ev), "acme.refused");
	acme_audit(a, ev, p == ACME_P_INTERNAL ? "fail" : "refused",
	    prob[p].type, why);
	return 0;
}

/* A JSON answer "body" (copied); 1. */
int
acme_answer(struct acme *a, int status, const char *body)
{
	free(a->out);
	if ((a->out = strdup(body)) == NULL)
		return acme_problem(a, ACME_P_INTERNAL, "out of memory");
	a->outlen = strlen(a->out);
	a->status = status;
	a->ctype = "application/json";
	a->done = 1;
	return 1;
}

/* A library error as the problem it is. */
int
acme_fail(struct acme *a, enum ra_err er)
{
	if (er == RA_EDBDOWN)
		return acme_problem(a, ACME_P_INTERNAL,
		    "the database is not reachable; try again later");
	return acme_problem(a, ACME_P_INTERNAL, "%s", ra_strerror(er));
}

/* A fresh nonce, base64url, stored; "buf" at least 32 bytes. */
enum ra_err
acme_nonce_new(PGconn *db, char *buf, size_t sz)
{
	unsigned char	 n[NONCE_LEN];
	char		*s;
	enum ra_err	 er;

	*buf = '\0';
	if (RAND_bytes(n, sizeof(n)) != 1)
		return RA_ECRYPTO;
	if ((er = ra_db_run(db, "nonce", SQL_NONCE_NEW, NULL,
	    RA_ARGS(RA_BYTES(n, sizeof(n))))) != RA_OK)
		return er;
	if ((s = acme_b64u_encode(n, sizeof(n))) == NULL)
		return RA_ENOMEM;
	snprintf(buf, sz, "%s", s);
	free(s);
	return RA_OK;
}

/* Write the answer, CGI headers first (the shell gets the same). */
void
acme_send(struct acme *a)
{
	char	 nonce[64] = "";

	if (!a->done)
		(void)acme_problem(a, ACME_P_INTERNAL, "no answer");
	if (a->db != NULL && PQtransactionStatus(a->db) != PQTRANS_IDLE)
		ra_db_rollback(a->db);
	if (a->db != NULL && acme_nonce_new(a->db, nonce, sizeof(nonce)) !=
	    RA_OK)
		*nonce = '\0';
	printf("Status: %d\r\n", a->status);
	if (a->status == 405)
		printf("Allow: %s\r\n", strcmp(a->path, "/directory") == 0 ?
		    "GET, HEAD" : strcmp(a->path, "/new-nonce") == 0 ?
		    "GET, HEAD" : "POST");
	if (*nonce != '\0')
		printf("Replay-Nonce: %s\r\n", nonce);
	printf("Cache-Control: no-store\r\n");
	printf("Link: <%s/directory>;rel=\"index\"\r\n", a->base);
	if (a->link_up != NULL)
		printf("Link: <%s>;rel=\"up\"\r\n", a->link_up);
	/*
	 * Apache makes a CGI's 200 with a Location a 302 (mod_cgid), and RFC
	 * 8555 7.3.1 answers a known key with 200 and its Location: under
	 * CGI that one goes out as ACME-Location, which httpd-acme.conf's
	 * mod_headers renames once the CGI is done.
	 */
	if (a->location != NULL)
		printf("%s: %s\r\n", a->status != 201 &&
		    strcmp(a->caller, "web") == 0 ? "ACME-Location" : "Location",
		    a->location);
	if (a->retry_after > 0)
		printf("Retry-After: %d\r\n", a->retry_after);
	else if (a->status == 429 || a->status == 503)
		printf("Retry-After: 60\r\n");
	if (a->out != NULL && a->outlen > 0) {
		printf("Content-Type: %s\r\nContent-Length: %zu\r\n\r\n",
		    a->ctype != NULL ? a->ctype : "application/json", a->outlen);
		if (strcmp(a->method, "HEAD") != 0)
			fwrite(a->out, 1, a->outlen, stdout);
	} else
		printf("Content-Length: 0\r\n\r\n");
	fflush(stdout);
}

/* Split a flattened JWS (JSON text) into its three base64url members. */
int
acme_jws_split(struct acme *a, const char *json, char **p, char **y, char **s)
{
	PGresult	*res = NULL;
	enum ra_err	 er;

	*p = *y = *s = NULL;
	er = ra_db_run(a->db, "JWS", SQL_SPLIT, &res, RA_ARGS(RA_TEXT(json)));
	if (er != RA_OK) {
		PQclear(res);
		/* Text PostgreSQL does not take (not UTF-8) is no JSON either. */
		return er == RA_EDB ? acme_problem(a, ACME_P_MALFORMED, "the "
		    "body is not JSON text (UTF-8)") : acme_fail(a, er);
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		return acme_problem(a, ACME_P_MALFORMED, "the body is not a "
		    "flattened JWS (protected, payload, signature; nothing else)");
	}
	*p = strdup(ra_get_text(res, 0, "p"));
	*y = strdup(ra_get_text(res, 0, "y"));
	*s = strdup(ra_get_text(res, 0, "s"));
	PQclear(res);
	if (*p == NULL || *y == NULL || *s == NULL) {
		free(*p);
		free(*y);
		free(*s);
		*p = *y = *s = NULL;
		return acme_problem(a, ACME_P_INTERNAL, "out of memory");
	}
	return 1;
}

/* Decode base64url member "what" into text (no NUL inside); caller frees. */
int
acme_b64u_text(struct acme *a, const char *s, const char *what, char **out,
    size_t *len)
{
	unsigned char	*buf;
	size_t		 n;
	enum ra_err	 er;

	*out = NULL;
	if ((er = acme_b64u_decode(s, strlen(s), &buf, &n)) != RA_OK) {
		if (er == RA_EINPUT)
			return acme_problem(a, ACME_P_MALFORMED, "%s is not "
			    "base64url (RFC 7515 2, no padding)", what);
		return acme_fail(a, er);
	}
	if (memchr(buf, '\0', n) != NULL) {
		free(buf);
		return acme_problem(a, ACME_P_MALFORMED, "%s holds a NUL", what);
	}
	*out = (char *)buf;
	if (len != NULL)
		*len = n;
	return 1;
}

/* Parse a protected header; "*res" the caller's (PQclear). */
int
acme_header(struct acme *a, const char *b64, PGresult **res)
{
	char		*text = NULL;
	enum ra_err	 er;

	*res = NULL;
	if (!acme_b64u_text(a, b64, "the protected header", &text, NULL))
		return 0;
	er = ra_db_run(a->db, "JWS header", SQL_HEADER, res,
	    RA_ARGS(RA_TEXT(text)));
	free(text);
	if (er != RA_OK) {
		PQclear(*res);
		*res = NULL;
		return acme_problem(a, ACME_P_MALFORMED, "the protected header "
		    "is not JSON text");
	}
	if (PQntuples(*res) != 1) {
		PQclear(*res);
		*res = NULL;
		return acme_problem(a, ACME_P_MALFORMED, "the protected header "
		    "must be an object with string alg, url, nonce, kid and a "
		    "jwk object");
	}
	/* RFC 7515 4.1.11: a crit not understood is refused; ACME knows
	 * none, and RFC 8555 6.2 has no unencoded (b64) payload. */
	if (strcmp(acme_col(*res, "has_crit"), "t") == 0) {
		PQclear(*res);
		*res = NULL;
		return acme_problem(a, ACME_P_MALFORMED, "the protected header "
		    "has crit or b64, which ACME does not take");
	}
	return 1;
}

/* Column "name" of row 0, NULL for SQL NULL. */
const char *
acme_col(const PGresult *res, const char *name)
{
	int	 c = PQfnumber(res, name);

	return c < 0 || PQgetisnull(res, 0, c) ? NULL : PQgetvalue(res, 0, c);
}

/* Copy JWK members of row 0 of "res" into "j" (strings in "mem"). */
static int
jwk_copy(const PGresult *res, struct acme_jwk *j, char *mem[5])
{
	static const char *const names[5] = { "n", "e", "crv", "x", "y" };
	const char	*kty = acme_col(res, "kty");
	size_t		 i;

	memset(j, 0, sizeof(*j));
	snprintf(j->kty, sizeof(j->kty), "%s", kty != NULL &&
	    strlen(kty) < sizeof(j->kty) ? kty : "");
	for (i = 0; i < 5; i++) {
		free(mem[i]);
		mem[i] = NULL;
		if (acme_col(res, names[i]) != NULL &&
		    (mem[i] = strdup(acme_col(res, names[i]))) == NULL)
			return 0;
	}
	j->n = mem[0];
	j->e = mem[1];
	j->crv = mem[2];
	j->x = mem[3];
	j->y = mem[4];
	return 1;
}

static const char SQL_JWK[] =
    "SELECT j->>'kty' AS kty, j->>'n' AS n, j->>'e' AS e, j->>'crv' AS crv,"
    "       j->>'x' AS x, j->>'y' AS y"
    "  FROM (SELECT ra.acme_json($1) AS j) v"
    " WHERE pg_catalog.jsonb_typeof(j) = 'object'"
    "   AND NOT EXISTS (SELECT 1 FROM pg_catalog.jsonb_each(j) m"
    "                    WHERE pg_catalog.jsonb_typeof(m.value) <> 'string'"
    "                      AND m.key IN ('kty', 'n', 'e', 'crv', 'x', 'y'))";

/*
 * A JWK given as JSON text ("what" names it in the problem): "j" its
 * members (strings in "mem", the caller's), "key" (NULL: not wanted;
 * else the caller's) and its thumbprint.  0 with the problem set.
 */
int
acme_jwk_parse(struct acme *a, const char *json, const char *what,
    struct acme_jwk *j, char *mem[5], EVP_PKEY **key, unsigned char thumb[32])
{
	PGresult	*res = NULL;
	EVP_PKEY	*k = NULL;
	char		 why[256];
	int		 ok = 0;

	if (key != NULL)
		*key = NULL;
	if (json == NULL)
		return acme_problem(a, ACME_P_MALFORMED, "%s is missing", what);
	if (ra_db_run(a->db, "JWK", SQL_JWK, &res,
	    RA_ARGS(RA_TEXT(json))) != RA_OK || PQntuples(res) != 1)
		ok = acme_problem(a, ACME_P_MALFORMED, "%s is not a JWK object",
		    what);
	else if (!jwk_copy(res, j, mem))
		ok = acme_problem(a, ACME_P_INTERNAL, "out of memory");
	else if (acme_jwk_key(j, &k, why, sizeof(why)) != RA_OK)
		ok = acme_problem(a, ACME_P_BADPUBKEY, "%s: %s", what, why);
	else if (acme_jwk_thumbprint(j, thumb) != RA_OK)
		ok = acme_problem(a, ACME_P_MALFORMED, "%s: members are not "
		    "base64url", what);
	else {
		ok = 1;
		if (key != NULL) {
			*key = k;
			k = NULL;
		}
	}
	EVP_PKEY_free(k);
	PQclear(res);
	return ok;
}

/* The nonce of the header, taken once. */
static int
nonce_take(struct acme *a, const char *nonce)
{
	unsigned char	*raw = NULL;
	size_t		 len;
	PGresult	*res = NULL;
	char		 mins[16];
	enum ra_err	 er;
	int		 n;

	if (nonce == NULL)
		return acme_problem(a, ACME_P_BADNONCE, "the protected header "
		    "has no nonce");
	if (acme_b64u_decode(nonce, strlen(nonce), &raw, &len) != RA_OK ||
	    len != NONCE_LEN) {
		free(raw);
		return acme_problem(a, ACME_P_BADNONCE, "the nonce is not one "
		    "of this server");
	}
	snprintf(mins, sizeof(mins), "%d", nonce_minutes(a->conf));
	er = ra_db_run(a->db, "nonce take", SQL_NONCE_TAKE, &res,
	    RA_ARGS(RA_BYTES(raw, len), RA_TEXT(mins)));
	free(raw);
	n = er == RA_OK ? PQntuples(res) : 0;
	PQclear(res);
	if (er != RA_OK)
		return acme_fail(a, er);
	if (n != 1)
		return acme_problem(a, ACME_P_BADNONCE, "the nonce was used "
		    "before, has expired or was never given");
	return 1;
}

/*
 * The key of account URL "kid": "*key" the caller's, "j" its members
 * (strings in "mem", the caller's).  Sets account_id and institution_id.
 */
int
acme_account_key(struct acme *a, const char *kid, struct acme_jwk *j,
    char *mem[5], EVP_PKEY **key)
{
	PGresult	*res = NULL;
	int64_t		 id = acme_url_id(a, "/acct/", kid);
	char		 why[256];
	enum ra_err	 er;
	int		 ok = 0;

	*key = NULL;
	if (id <= 0 || strncmp(kid, a->base, strlen(a->base)) != 0)
		return acme_problem(a, ACME_P_NOACCOUNT, "kid is not an account "
		    "URL of this server");
	if ((er = ra_db_run(a->db, "account key", SQL_ACCOUNT_KEY, &res,
	    RA_ARGS(RA_INT(id)))) != RA_OK) {
		PQclear(res);
		return acme_fail(a, er);
	}
	if (PQntuples(res) != 1)
		ok = acme_problem(a, ACME_P_NOACCOUNT, "no account %lld",
		    (long long)id);
	else if (strcmp(ra_get_text(res, 0, "status"), "valid") != 0)
		ok = acme_problem(a, ACME_P_UNAUTHORIZED, "the account is %s",
		    ra_get_text(res, 0, "status"));
	else if (!jwk_copy(res, j, mem))
		ok = acme_problem(a, ACME_P_INTERNAL, "out of memory");
	else if (acme_jwk_key(j, key, why, sizeof(why)) != RA_OK)
		ok = acme_problem(a, ACME_P_INTERNAL, "the account's key: %s",
		    why);
	else {
		a->account_id = id;
		(void)ra_get_i64(res, 0, "institution_id", &a->institution_id);
		ok = 1;
	}
	PQclear(res);
	return ok;
}

/*
 * The request's JWS, all of RFC 8555 6.2-6.5: on 1 the key, the account
 * (kid) or thumbprint (jwk) and the payload are set; on 0 the problem.
 */
int
acme_jws(struct acme *a, enum acme_need need)
{
	PGresult	*h = NULL;
	unsigned char	*sig = NULL;
	size_t		 siglen;
	char		*body = NULL, *input = NULL, *url = NULL, why[256];
	const char	*alg, *kid;
	int		 has_jwk, has_kid, ok = 0;
	enum ra_err	 er;

	if (a->bodylen == 0 || memchr(a->body, '\0', a->bodylen) != NULL)
		return acme_problem(a, ACME_P_MALFORMED, "the body is empty or "
		    "holds a NUL");
	if ((body = strndup((const char *)a->body, a->bodylen)) == NULL)
		return acme_problem(a, ACME_P_INTERNAL, "out of memory");
	if (!acme_jws_split(a, body, &a->prot_b64, &a->payload_b64, &a->sig_b64) ||
	    !acme_header(a, a->prot_b64, &h))
		goto out;
	alg = acme_col(h, "alg");
	kid = acme_col(h, "kid");
	has_jwk = strcmp(acme_col(h, "has_jwk"), "t") == 0;
	has_kid = strcmp(acme_col(h, "has_kid"), "t") == 0;
	snprintf(a->alg, sizeof(a->alg), "%s", strlen(alg) < sizeof(a->alg) ?
	    alg : "?");
	if (strcmp(alg, "RS256") != 0 && strcmp(alg, "ES256") != 0) {
		ok = acme_problem(a, ACME_P_BADALG, "alg %.16s is not taken; "
		    "RS256 and ES256 are", alg);
		goto out;
	}
	if ((url = acme_url(a, a->path, 0)) == NULL) {
		ok = acme_problem(a, ACME_P_INTERNAL, "out of memory");
		goto out;
	}
	if (strcmp(acme_col(h, "url"), url) != 0) {
		ok = acme_problem(a, ACME_P_UNAUTHORIZED, "the url header is "
		    "not the URL of this request (%s)", url);
		goto out;
	}
	if (has_jwk == has_kid) {
		ok = acme_problem(a, ACME_P_MALFORMED, "the protected header "
		    "must have jwk or kid, not both, not neither");
		goto out;
	}
	if ((need == ACME_JWK && !has_jwk) || (need == ACME_KID && !has_kid)) {
		ok = acme_problem(a, ACME_P_MALFORMED, "this resource takes "
		    "a JWS with %s", need == ACME_JWK ? "jwk" : "kid");
		goto out;
	}
	if (!nonce_take(a, acme_col(h, "nonce")))
		goto out;
	if (has_jwk) {
		if (!jwk_copy(h, &a->jwk, a->jwk_mem)) {
			ok = acme_problem(a, ACME_P_INTERNAL, "out of memory");
			goto out;
		}
		if (acme_jwk_key(&a->jwk, &a->key, why, sizeof(why)) != RA_OK) {
			ok = acme_problem(a, ACME_P_BADPUBKEY, "jwk: %s", why);
			goto out;
		}
		if ((a->jwk_json = acme_jwk_json(&a->jwk)) == NULL ||
		    acme_jwk_thumbprint(&a->jwk, a->thumb) != RA_OK) {
			ok = acme_problem(a, ACME_P_MALFORMED, "jwk members are "
			    "not base64url");
			goto out;
		}
	} else if (!acme_account_key(a, kid, &a->jwk, a->jwk_mem, &a->key))
		goto out;
	if (acme_b64u_decode(a->sig_b64, strlen(a->sig_b64), &sig, &siglen) !=
	    RA_OK) {
		ok = acme_problem(a, ACME_P_MALFORMED, "the signature is not "
		    "base64url");
		goto out;
	}
	if (asprintf(&input, "%s.%s", a->prot_b64, a->payload_b64) < 0) {
		input = NULL;
		ok = acme_problem(a, ACME_P_INTERNAL, "out of memory");
		goto out;
	}
	er = acme_jws_verify(a->key, alg, input, strlen(input), sig, siglen,
	    why, sizeof(why));
	if (er == RA_EINPUT)
		ok = acme_problem(a, ACME_P_BADALG, "%s", why);
	else if (er == RA_EDENIED)
		ok = acme_problem(a, ACME_P_MALFORMED, "%s", why);
	else if (er != RA_OK)
		ok = acme_fail(a, er);
	else
		ok = acme_b64u_text(a, a->payload_b64, "the payload", &a->payload,
		    &a->payloadlen);
out:
	PQclear(h);
	free(sig);
	free(input);
	free(url);
	free(body);
	return ok;
}

/* POST-as-GET: an empty payload (RFC 8555 6.3). */
int
acme_payload_empty(const struct acme *a)
{
	return a->payload != NULL && a->payloadlen == 0;
}

/* acme.cgi purge: old nonces, orders never finalized. */
enum ra_err
acme_purge(PGconn *db, const struct ra_conf *c, FILE *out)
{
	PGresult	*res = NULL;
	char		 mins[16];
	enum ra_err	 er;

	snprintf(mins, sizeof(mins), "%d", nonce_minutes(c));
	if ((er = ra_db_begin(db)) != RA_OK)
		return er;
	if ((er = ra_db_run(db, "purge nonces", SQL_PURGE_NONCES, &res,
	    RA_ARGS(RA_TEXT(mins)))) != RA_OK)
		goto out;
	fprintf(out, "nonces: %s deleted\n", PQcmdTuples(res));
	PQclear(res);
	res = NULL;
	if ((er = ra_db_run(db, "purge challenges", SQL_PURGE_CHALL, NULL,
	    NULL, 0)) != RA_OK ||
	    (er = ra_db_run(db, "purge authz", SQL_PURGE_AUTHZ, NULL,
	    NULL, 0)) != RA_OK ||
	    (er = ra_db_run(db, "purge orders", SQL_PURGE_ORDERS, &res,
	    NULL, 0)) != RA_OK)
		goto out;
	fprintf(out, "orders: %s deleted\n", PQcmdTuples(res));
	er = ra_db_commit(db);
out:
	PQclear(res);
	if (er != RA_OK)
		ra_db_rollback(db);
	return er;
}
