/*
 * desk-operator.c: who may use the desk screen.  An operator is one
 * client certificate issued by ra, known by its SHA-256 fingerprint and
 * shown with it; one name is one active operator (schema 019).  Retired
 * operators stay on record, so old audit rows still name someone.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ra.h"
#include "domain.h"
#include "desk.h"

/*
 * Whether ra issued this very certificate (so its revocation is known
 * here: Apache checks no CRL) and whether it is revoked.
 */
#define SQL_CERT_STATE							\
    "EXISTS (SELECT 1 FROM ra.certificate c"				\
    "         WHERE c.der = $2::bytea AND c.state = 'issued') AS ours,"	\
    " EXISTS (SELECT 1 FROM ra.certificate c"				\
    "          JOIN ra.revocation v ON v.cert_id = c.cert_id"		\
    "         WHERE c.der = $2::bytea) AS revoked"

/* At registration, also: a client certificate, not a server's or an
 * RA officer's, so the desk's key is no other role's. */
static const char SQL_ADD_CHECK[] =
    "SELECT $1::text AS sha256, " SQL_CERT_STATE ","
    " EXISTS (SELECT 1 FROM ra.certificate c"
    "          WHERE c.der = $2::bytea AND c.kind = 'client') AS client";
static const char SQL_ADD[] =
    "INSERT INTO ra.desk_operator (name, cert_sha256, unix_user)"
    " VALUES ($1, pg_catalog.decode($2, 'hex'), nullif($3, ''))"
    " RETURNING operator_id";
static const char SQL_OPERATOR[] =
    "SELECT d.name, pg_catalog.encode(d.cert_sha256, 'hex') AS sha256, "
    SQL_CERT_STATE
    "  FROM ra.desk_operator d"
    " WHERE d.cert_sha256 = pg_catalog.decode($1, 'hex') AND d.active";
static const char SQL_BY_UNIX[] =
    "SELECT name, pg_catalog.encode(cert_sha256, 'hex') AS sha256"
    "  FROM ra.desk_operator WHERE unix_user = $1 AND active";
static const char SQL_RETIRE[] =
    "UPDATE ra.desk_operator"
    "   SET active = false, retired_at = pg_catalog.now()"
    " WHERE active AND (name = $1"
    "       OR pg_catalog.encode(cert_sha256, 'hex') = pg_catalog.lower($2))"
    " RETURNING name, pg_catalog.encode(cert_sha256, 'hex') AS sha256";
static const char SQL_LIST[] =
    "SELECT operator_id, name, pg_catalog.encode(cert_sha256, 'hex') AS sha256,"
    "       coalesce(unix_user, '') AS unix_user,"
    "       CASE WHEN active THEN 'active' ELSE 'retired' END AS status,"
    "       to_char(created_at AT TIME ZONE 'Asia/Tokyo',"
    "         'YYYY-MM-DD HH24:MI') AS created,"
    "       coalesce(to_char(retired_at AT TIME ZONE 'Asia/Tokyo',"
    "         'YYYY-MM-DD HH24:MI'), '') AS retired"
    "  FROM ra.desk_operator ORDER BY active DESC, name, operator_id"
    " LIMIT 1000";

/* A certificate's SHA-256 fingerprint, lowercase hex; its DER too. */
static enum ra_err
cert_print(X509 *crt, char hex[65], unsigned char **der, int *derlen)
{
	static const char	 digits[] = "0123456789abcdef";
	unsigned char		 md[32];
	unsigned int		 n, i;

	*der = NULL;
	if (!X509_digest(crt, EVP_sha256(), md, &n) || n != 32 ||
	    (*derlen = i2d_X509(crt, der)) <= 0)
		return RA_ECRYPTO;
	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	return RA_OK;
}

/* Why "crt" cannot be an operator's (NULL: it can), from SQL_CERT_STATE. */
static const char *
cert_refusal(const PGresult *res, X509 *crt)
{
	int	 ours = 0, revoked = 1;

	if (ra_get_bool(res, 0, "ours", &ours) != RA_OK ||
	    ra_get_bool(res, 0, "revoked", &revoked) != RA_OK)
		return "desk operator certificate not checked";
	if (!ours)
		return "desk operator certificate not issued by ra";
	if (revoked)
		return "desk operator certificate revoked";
	if (X509_cmp_current_time(X509_get0_notBefore(crt)) >= 0 ||
	    X509_cmp_current_time(X509_get0_notAfter(crt)) <= 0)
		return "desk operator certificate not valid now (expired)";
	return NULL;
}

/*
 * Register an operator (a->name_ja: the name) by their client
 * certificate; a->unix_user, if any, is the login that acts for them
 * from a shell.
 */
enum ra_err
ra_desk_operator_add(struct ra_desk *d, const struct ra_desk_args *a,
    X509 *crt)
{
	PGresult	*res = NULL, *add = NULL;
	unsigned char	*der = NULL;
	const char	*why;
	char		 hex[65], detail[160];
	int		 derlen = 0, client = 0;
	enum ra_err	 er;

	if (a->name_ja == NULL || crt == NULL)
		return RA_EUSAGE;
	if ((er = cert_print(crt, hex, &der, &derlen)) != RA_OK)
		goto out;
	if ((er = ra_db_begin(d->db)) != RA_OK ||
	    (er = ra_db_run1(d->db, "certificate", SQL_ADD_CHECK, &res,
	    RA_ARGS(RA_TEXT(hex), RA_BYTES(der, (size_t)derlen)))) != RA_OK)
		goto out;
	if ((why = cert_refusal(res, crt)) == NULL) {
		if ((er = ra_get_bool(res, 0, "client", &client)) != RA_OK)
			goto out;
		if (!client)
			why = "desk operator certificate not a client "
			    "certificate";
	}
	if (why != NULL) {
		er = desk_why(d, RA_EINPUT, "%s: not registered (SHA-256 %s)",
		    why, hex);
		goto out;
	}
	if ((er = ra_db_run1(d->db, "desk operator", SQL_ADD, &add,
	    RA_ARGS(RA_TEXT(a->name_ja), RA_TEXT(hex),
	    RA_TEXT(a->unix_user != NULL ? a->unix_user : "")))) != RA_OK) {
		if (er == RA_EDUP)
			er = desk_why(d, er, "an active desk operator already "
			    "has the name \"%s\" or the login %s, or a desk "
			    "operator, active or retired, this certificate "
			    "(SHA-256 %s): a certificate serves one operator "
			    "once", a->name_ja, a->unix_user != NULL ?
			    a->unix_user : "-", hex);
		goto out;
	}
	snprintf(detail, sizeof(detail), "{\"sha256\": \"%s\"}", hex);
	if ((er = desk_audit(d, "desk.operator.add", 0, 0, detail)) == RA_OK &&
	    (er = ra_db_commit(d->db)) == RA_OK)
		desk_said(d, "desk operator \"%s\" registered, certificate "
		    "SHA-256 %s", a->name_ja, hex);
out:
	PQclear(res);
	PQclear(add);
	OPENSSL_free(der);
	er = desk_db_why(d, er, "desk operator");
	ra_db_rollback(d->db);
	return er != RA_OK && *d->why != '\0' ?
	    desk_refused(d, er, "desk.operator.add", a) : er;
}

/*
 * Retire the operator named a->name_ja or of fingerprint a->fingerprint.
 * On the screen nobody retires themselves: the desk would lock itself
 * out, and it takes a second person to remove one.
 */
enum ra_err
ra_desk_operator_retire(struct ra_desk *d, const struct ra_desk_args *a)
{
	PGresult	*res = NULL;
	const char	*sha;
	enum ra_err	 er;

	if ((a->name_ja == NULL) == (a->fingerprint == NULL))
		return RA_EUSAGE;	/* one of the two */
	if ((er = ra_db_begin(d->db)) != RA_OK)
		return er;
	if ((er = ra_db_run1(d->db, "desk operator", SQL_RETIRE, &res,
	    RA_ARGS(RA_TEXT(a->name_ja), RA_TEXT(a->fingerprint)))) != RA_OK) {
		if (er == RA_ENOTFOUND)
			er = desk_why(d, RA_EINPUT, "no active desk operator "
			    "is named or has the fingerprint %s",
			    a->name_ja != NULL ? a->name_ja : a->fingerprint);
		goto out;
	}
	sha = ra_get_text(res, 0, "sha256");
	/* Nor from the shell as the operator its login acts for: their
	 * later rows would name nobody. */
	if (strcmp(sha, d->operator_sha256) == 0) {
		er = desk_why(d, RA_EDENIED, "operators cannot retire "
		    "themselves; ask another operator");
		goto out;
	}
	if ((er = desk_audit(d, "desk.operator.retire", 0, 0, NULL)) == RA_OK &&
	    (er = ra_db_commit(d->db)) == RA_OK)
		desk_said(d, "desk operator \"%s\" (SHA-256 %s) retired",
		    ra_get_text(res, 0, "name"), sha);
out:
	PQclear(res);
	er = desk_db_why(d, er, "desk operator");
	ra_db_rollback(d->db);
	return er != RA_OK && *d->why != '\0' ?
	    desk_refused(d, er, "desk.operator.retire", a) : er;
}

/*
 * Whether "crt" belongs to an active desk operator and may act now:
 * issued by ra, not revoked, within its validity.  On RA_OK the desk's
 * operator is set (d->operator_name, d->operator_sha256); RA_EDENIED
 * with the reason in d->why otherwise.
 */
enum ra_err
ra_desk_operator(struct ra_desk *d, X509 *crt)
{
	PGresult	*res = NULL;
	unsigned char	*der = NULL;
	const char	*why;
	char		 hex[65];
	int		 derlen = 0;
	enum ra_err	 er;

	if ((er = cert_print(crt, hex, &der, &derlen)) != RA_OK)
		goto out;
	if ((er = ra_db_run1(d->db, "desk operator", SQL_OPERATOR, &res,
	    RA_ARGS(RA_TEXT(hex), RA_BYTES(der, (size_t)derlen)))) != RA_OK) {
		if (er == RA_ENOTFOUND)
			er = desk_why(d, RA_EDENIED, "not a registered desk "
			    "operator");
		goto out;
	}
	if ((why = cert_refusal(res, crt)) != NULL) {
		er = desk_why(d, RA_EDENIED, "%s", why);
		goto out;
	}
	if ((er = ra_get_str(res, 0, "name", d->operator_name,
	    sizeof(d->operator_name))) == RA_OK)
		snprintf(d->operator_sha256, sizeof(d->operator_sha256), "%s",
		    hex);
out:
	PQclear(res);
	OPENSSL_free(der);
	return er;
}

/*
 * A shell command's operator: the login "user" (SUDO_USER under sudo),
 * and the operator registered for it, if any, with their fingerprint.
 */
enum ra_err
ra_desk_shell_operator(struct ra_desk *d, const char *user)
{
	PGresult	*res = NULL;
	enum ra_err	 er;

	snprintf(d->unix_user, sizeof(d->unix_user), "%s", user);
	d->via = "shell";
	er = ra_db_run1(d->db, "desk operator", SQL_BY_UNIX, &res,
	    RA_ARGS(RA_TEXT(user)));
	if (er == RA_OK &&
	    (er = ra_get_str(res, 0, "name", d->operator_name,
	    sizeof(d->operator_name))) == RA_OK)
		er = ra_get_str(res, 0, "sha256", d->operator_sha256,
		    sizeof(d->operator_sha256));
	PQclear(res);
	return er == RA_ENOTFOUND ? RA_OK : er;
}

/* Every operator, active first, for the screen and "operators". */
enum ra_err
ra_desk_operators(struct ra_desk *d, PGresult **res)
{
	return ra_db_query(d->db, "desk operators", SQL_LIST, 0, NULL, res);
}
