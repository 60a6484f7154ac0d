/*
 * cadb.c: the CA catalogue in ra.ca and ra.ca_kind: registering a CA
 * (imported or made for the demo), which kinds it issues, which one is
 * current, and finding one by name or by key identifier.  The keys stay
 * where they are: only their paths are recorded, for the worker.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "ra.h"
#include "domain.h"

static const char SQL_CA_INSERT[] =
    "INSERT INTO ra.ca (name, slug, role, parent_ca_id, subject_dn, cert_der,"
    "  ski, key_path, not_before, not_after, crl_url, issuer_url)"
    " VALUES ($1, $2, $3, nullif($4, '0')::bigint, $5, $6::bytea, $7::bytea,"
    "  $8, $9::timestamptz, $10::timestamptz, nullif($11, ''),"
    "  nullif($12, ''))"
    " ON CONFLICT DO NOTHING RETURNING ca_id";
static const char SQL_CA_KIND_ADD[] =
    "INSERT INTO ra.ca_kind (ca_id, kind, current)"
    " VALUES ($1::bigint, $2, $3::boolean) ON CONFLICT DO NOTHING";
static const char SQL_CA_UNCURRENT[] =
    "UPDATE ra.ca_kind SET current = false WHERE kind = $1 AND current";
static const char SQL_CA_CURRENT[] =
    "UPDATE ra.ca_kind SET current = true"
    " WHERE kind = $2 AND ca_id = (SELECT ca_id FROM ra.ca WHERE name = $1)";
static const char SQL_CA_BY_NAME[] =
    "SELECT ca_id FROM ra.ca WHERE name = $1";
static const char SQL_CA_BY_SKI[] =
    "SELECT ca_id FROM ra.ca WHERE ski = $1::bytea";
static const char SQL_CA_SAME[] =
    "SELECT count(*) FROM ra.ca"
    " WHERE name = $1 AND slug = $2 AND cert_der = $3::bytea";
static const char SQL_CA_URLS[] =
    "UPDATE ra.ca SET crl_url = coalesce(nullif($2, '-'), crl_url),"
    "  issuer_url = coalesce(nullif($3, '-'), issuer_url)"
    " WHERE slug = $1 RETURNING coalesce(crl_url, ''), coalesce(issuer_url, '')";

/*
 * A CRL distribution point or caIssuers URL a CA puts in what it signs:
 * "" or NULL (none), or http:// without a comma or a space, which the
 * extension's text form could not carry.  Relying parties fetch them
 * without TLS (RFC 5280 4.2.1.13).
 */
static int
url_ok(const char *u)
{
	return u == NULL || u[0] == '\0' ||
	    (strncmp(u, "http://", 7) == 0 && u[7] != '\0' &&
	    strpbrk(u, ", \t\r\n") == NULL);
}

static const char URL_RULE[] = "a CRL or issuer URL is http://HOST/PATH, "
    "or \"\" for none (relying parties fetch them without TLS, RFC 5280 "
    "4.2.1.13)";

/*
 * Register a CA; "*id" its ca_id.  RA_EDUP, with nothing changed, when a
 * CA of that name, slug or certificate is registered already.
 */
enum ra_err
ra_ca_insert(PGconn *db, const struct ra_ca_row *ca, int64_t *id)
{
	enum ra_err	 er;

	if (!url_ok(ca->crl_url) || !url_ok(ca->issuer_url)) {
		ra_warnx("%s", URL_RULE);
		return RA_EINPUT;
	}
	er = ra_db_run_i64(db, "register CA", SQL_CA_INSERT, "ca_id", id,
	    RA_ARGS(RA_TEXT(ca->name), RA_TEXT(ca->slug),
	    RA_TEXT(ca->parent_ca_id == 0 ? "root" : "issuing"),
	    RA_INT(ca->parent_ca_id), RA_TEXT(ca->subject),
	    RA_TEXT(ca->der_hex), RA_TEXT(ca->ski_hex), RA_TEXT(ca->key_path),
	    RA_TEXT(ca->not_before), RA_TEXT(ca->not_after),
	    RA_TEXT(ca->crl_url), RA_TEXT(ca->issuer_url)));
	return er == RA_ENOTFOUND ? RA_EDUP : er;
}

/* CA "id" issues certificates of "kind" (current: the one for new ones). */
enum ra_err
ra_ca_kind_add(PGconn *db, int64_t id, const char *kind, int current)
{
	return ra_db_run(db, "CA kind", SQL_CA_KIND_ADD, NULL,
	    RA_ARGS(RA_INT(id), RA_TEXT(kind),
	    RA_TEXT(current ? "true" : "false")));
}

/*
 * Inside a transaction: CA "name" issues the new certificates of "kind".
 * RA_EINPUT when that CA does not issue that kind.
 */
enum ra_err
ra_ca_make_current(PGconn *db, const char *name, const char *kind)
{
	PGresult	*res = NULL;
	const char	*param[2];
	enum ra_err	 er;

	param[0] = kind;
	if ((er = ra_db_command(db, "uncurrent", SQL_CA_UNCURRENT, 1,
	    param)) != RA_OK)
		return er;
	param[0] = name;
	param[1] = kind;
	if ((er = ra_db_query(db, "current", SQL_CA_CURRENT, 2, param,
	    &res)) != RA_OK)
		return er;
	if (strcmp(PQcmdTuples(res), "1") != 0) {
		ra_warnx("CA %s does not issue %s certificates", name, kind);
		er = RA_EINPUT;
	}
	PQclear(res);
	return er;
}

/*
 * Whether the CA "name" is registered with exactly this slug and
 * certificate: an import run again (ra(7) twice), as opposed to a clash.
 */
enum ra_err
ra_ca_same(PGconn *db, const struct ra_ca_row *ca, int *same)
{
	int64_t		 n = 0;
	enum ra_err	 er;

	er = ra_db_run_i64(db, "CA same", SQL_CA_SAME, "count", &n,
	    RA_ARGS(RA_TEXT(ca->name), RA_TEXT(ca->slug),
	    RA_TEXT(ca->der_hex)));
	*same = n == 1;
	return er;
}

/* The CA named "name"; RA_ENOTFOUND if none. */
enum ra_err
ra_ca_by_name(PGconn *db, const char *name, int64_t *id)
{
	return ra_db_run_i64(db, "CA", SQL_CA_BY_NAME, "ca_id", id,
	    RA_ARGS(RA_TEXT(name)));
}

/* The CA whose key identifier is "ski_hex" (bytea text); RA_ENOTFOUND. */
enum ra_err
ra_ca_by_ski(PGconn *db, const char *ski_hex, int64_t *id)
{
	return ra_db_run_i64(db, "CA", SQL_CA_BY_SKI, "ca_id", id,
	    RA_ARGS(RA_TEXT(ski_hex)));
}

/*
 * Where the CA "slug"'s CRL and certificate are served, the URLs the
 * certificates it signs carry: Pki.PublicURL/crl/<slug>.crl and .crt,
 * which the plain-HTTP virtual host serves from Paths.Crl
 * (httpd-pub.conf).  Both "" without Pki.PublicURL.
 */
enum ra_err
ra_ca_urls(const struct ra_conf *c, const char *slug, char *crl,
    size_t crlsz, char *crt, size_t crtsz)
{
	const char	*base = ra_conf_get(c, "Pki.PublicURL");

	crl[0] = crt[0] = '\0';
	if (base == NULL)
		return RA_OK;
	if ((size_t)snprintf(crl, crlsz, "%s/crl/%s.crl", base, slug) >=
	    crlsz || (size_t)snprintf(crt, crtsz, "%s/crl/%s.crt", base,
	    slug) >= crtsz) {
		ra_warnx("Pki.PublicURL %s: too long for a URL", base);
		return RA_ECONF;
	}
	return RA_OK;
}

/*
 * Publish a CA certificate as DER into Paths.Crl/<slug>.crt, where
 * ra_ca_urls points the caIssuers of the certificates below it; a
 * second run writes the same bytes again.  RA_OK without Paths.Crl.
 */
enum ra_err
ra_ca_publish_cert(const struct ra_conf *c, const char *slug, X509 *crt)
{
	const char	*dir = ra_conf_get(c, "Paths.Crl");
	unsigned char	*der = NULL;
	size_t		 len;
	char		 path[4096];
	enum ra_err	 er;

	if (dir == NULL)
		return RA_OK;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.crt", dir, slug) >=
	    sizeof(path))
		return RA_ECONF;
	if ((er = ra_cert_der(crt, &der, &len)) != RA_OK)
		return er;
	if ((er = ra_write_atomic(path, der, len, 0644)) != RA_OK)
		ra_warnx("%s: the CA certificate could not be published", path);
	OPENSSL_free(der);
	return er;
}

/*
 * Change the CRL distribution point and caIssuers URLs that the CA
 * "slug" puts in the certificates it signs from now on: "-" keeps one,
 * "" removes it.  The worker takes them on its next SIGHUP.  The new
 * values in "crl" and "issuer" (caller frees); RA_ENOTFOUND for no
 * such CA, RA_EINPUT for a URL url_ok refuses.
 */
enum ra_err
ra_ca_set_urls(PGconn *db, const char *slug, const char *crl_url,
    const char *issuer_url, char **crl, char **issuer)
{
	PGresult	*res = NULL;
	enum ra_err	 er;

	*crl = *issuer = NULL;
	if ((strcmp(crl_url, "-") != 0 && !url_ok(crl_url)) ||
	    (strcmp(issuer_url, "-") != 0 && !url_ok(issuer_url))) {
		ra_warnx("%s", URL_RULE);
		return RA_EINPUT;
	}
	if ((er = ra_db_run(db, "CA URLs", SQL_CA_URLS, &res,
	    RA_ARGS(RA_TEXT(slug), RA_TEXT(crl_url),
	    RA_TEXT(issuer_url)))) != RA_OK)
		goto out;
	if (PQntuples(res) != 1) {
		er = RA_ENOTFOUND;
		goto out;
	}
	if ((*crl = strdup(PQgetvalue(res, 0, 0))) == NULL ||
	    (*issuer = strdup(PQgetvalue(res, 0, 1))) == NULL) {
		free(*crl);
		*crl = NULL;
		er = RA_ENOMEM;
	}
out:
	PQclear(res);
	return er;
}
