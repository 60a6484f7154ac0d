/*
 * profile.c: certificate profiles (ra.profile) and the checks they make
 * on a request: which subject attributes, which key algorithms.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/objects.h>

#include "ra.h"
#include "domain.h"

static const char SQL_PROFILE[] =
    "SELECT profile_id, kind, validity_months, validity_days,"
    "       pg_catalog.array_to_string(key_algs, ','), key_gen, key_usage,"
    "       coalesce(ext_key_usage, ''),"
    "       pg_catalog.array_to_string(subject_attrs, ','),"
    "       pg_catalog.array_to_string(subject_required, ','),"
    "       coalesce(ca_id, 0), active, policies"
    "  FROM ra.profile WHERE profile_id = $1::integer";

static void
copy(char *dst, size_t sz, const char *src)
{
	snprintf(dst, sz, "%s", src);
}

/* RA_ENOTFOUND when there is no such profile. */
enum ra_err
ra_profile_load(PGconn *db, int id, struct ra_profile *p)
{
	PGresult	*res = NULL;
	const char	*param[1];
	char		 idbuf[16];
	enum ra_err	 er;

	memset(p, 0, sizeof(*p));
	snprintf(idbuf, sizeof(idbuf), "%d", id);
	param[0] = idbuf;
	if ((er = ra_db_query(db, "profile", SQL_PROFILE, 1, param, &res)) !=
	    RA_OK)
		return er;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return RA_ENOTFOUND;
	}
	p->id = atoi(PQgetvalue(res, 0, 0));
	copy(p->kind, sizeof(p->kind), PQgetvalue(res, 0, 1));
	p->months = atoi(PQgetvalue(res, 0, 2));
	p->days = atoi(PQgetvalue(res, 0, 3));
	copy(p->key_algs, sizeof(p->key_algs), PQgetvalue(res, 0, 4));
	copy(p->key_gen, sizeof(p->key_gen), PQgetvalue(res, 0, 5));
	copy(p->key_usage, sizeof(p->key_usage), PQgetvalue(res, 0, 6));
	copy(p->ext_key_usage, sizeof(p->ext_key_usage), PQgetvalue(res, 0, 7));
	copy(p->subject_attrs, sizeof(p->subject_attrs), PQgetvalue(res, 0, 8));
	copy(p->subject_required, sizeof(p->subject_required),
	    PQgetvalue(res, 0, 9));
	p->ca_id = strtoll(PQgetvalue(res, 0, 10), NULL, 10);
	p->active = strcmp(PQgetvalue(res, 0, 11), "t") == 0;
	copy(p->policies, sizeof(p->policies), PQgetvalue(res, 0, 12));
	PQclear(res);
	return RA_OK;
}

/* Whether comma-separated "list" holds "word" exactly. */
int
ra_list_has(const char *list, const char *word)
{
	size_t		 n = strlen(word);
	const char	*p;

	for (p = list; (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/* Every attribute allowed by the profile, every required one present. */
enum ra_err
ra_profile_check_subject(const struct ra_profile *p, const X509_NAME *name,
    char *why, size_t whysz)
{
	const char	*sn, *q;
	char		 want[32];
	int		 i, nid;
	size_t		 n;

	for (i = 0; i < X509_NAME_entry_count(name); i++) {
		nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(
		    X509_NAME_get_entry(name, i)));
		sn = nid == NID_undef ? "?" : OBJ_nid2sn(nid);
		if (!ra_list_has(p->subject_attrs, sn)) {
			ra_msgf(why, whysz, "主体者DNに%sは使えません。使える"
			    "のは%sです (%s is not allowed in the subject of "
			    "profile %d)", sn, p->subject_attrs, sn, p->id);
			return RA_EPOLICY;
		}
	}
	for (q = p->subject_required; *q != '\0'; q += n + (q[n] == ',')) {
		n = strcspn(q, ",");
		snprintf(want, sizeof(want), "%.*s", (int)n, q);
		if ((nid = OBJ_sn2nid(want)) == NID_undef ||
		    X509_NAME_get_index_by_NID(name, nid, -1) < 0) {
			ra_msgf(why, whysz, "主体者DNに%sを入れてください (%s "
			    "is required in the subject of profile %d)", want,
			    want, p->id);
			return RA_EPOLICY;
		}
	}
	return RA_OK;
}

enum ra_err
ra_profile_check_key(const struct ra_profile *p, EVP_PKEY *key, char *why,
    size_t whysz)
{
	char	 alg[64];

	ra_key_alg(key, alg, sizeof(alg));
	if (!ra_list_has(p->key_algs, alg)) {
		ra_msgf(why, whysz, "%sの鍵はプロファイル%dでは使えません。"
		    "%sの鍵でCSRを作り直してください (a %s key is not allowed "
		    "by profile %d)", alg, p->id, p->key_algs, alg, p->id);
		return RA_EPOLICY;
	}
	return RA_OK;
}
