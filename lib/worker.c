/*
 * worker.c: the issuance worker's batch.  Exactly once, in three steps:
 *
 *  1. claim: jobs are picked with FOR UPDATE SKIP LOCKED and held with a
 *     session advisory lock, which dies with the worker's connection, so
 *     a killed worker's jobs are free again at once;
 *  2. reserve (one transaction): serial, validity, public key and the
 *     TBS bytes are stored as a 'reserved' certificate row, and a
 *     server-made key is stored encrypted, all before any signature;
 *  3. sign, then store (one transaction): the certificate, the request
 *     and job done, an audit row, NOTIFY ra_done.
 *
 * A worker killed anywhere leaves either nothing, a reservation (the next
 * worker rebuilds the same TBS, checks it against the stored bytes and
 * signs it), or an issued certificate (the next worker just closes the
 * job).  ra.certificate.request_id is UNIQUE: one request, one certificate.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/objects.h>
#include <openssl/rand.h>

#include "ra.h"

#define SERIAL_BYTES	16	/* 127 random bits, at most 39 digits */
#define PROFILE_CACHE	16

static const char SQL_CLAIM[] =
    "SELECT job_id, request_id FROM ra.job"
    " WHERE state IN ('queued', 'running') AND run_after <= pg_catalog.now()"
    " ORDER BY state = 'running', job_id"
    " LIMIT $1::integer FOR UPDATE SKIP LOCKED";
/* Session-level: held while we work, released if we die. */
static const char SQL_LOCK[] =
    "SELECT pg_catalog.pg_try_advisory_lock(-$1::bigint)";
static const char SQL_UNLOCK[] =
    "SELECT pg_catalog.pg_advisory_unlock(-$1::bigint)";
static const char SQL_CLAIMED[] =
    "UPDATE ra.job SET state = 'running', attempts = attempts + 1,"
    "       claimed_by = $2, claimed_at = pg_catalog.now()"
    " WHERE job_id = $1::bigint";

static const char SQL_LOAD[] =
    "SELECT r.state, r.action, r.profile_id, r.subject_der, r.csr_der,"
    "       r.key_secret,"
    "       pg_catalog.array_to_string(r.san_dns, ','),"
    "       pg_catalog.array_to_string(r.san_email, ','),"
    "       coalesce(p.ca_id, k.ca_id, 0), r.institution_id,"
    "       coalesce(r.officer_id, 0), c.cert_id, c.state, c.serial::text,"
    "       extract(epoch FROM c.not_before)::bigint,"
    "       extract(epoch FROM c.not_after)::bigint, c.spki_der, c.tbs_der,"
    "       c.ca_id"
    "  FROM ra.request r"
    "  LEFT JOIN ra.profile p ON p.profile_id = r.profile_id"
    "  LEFT JOIN ra.ca_kind k ON k.kind = p.kind AND k.current"
    "  LEFT JOIN ra.certificate c ON c.request_id = r.request_id"
    " WHERE r.request_id = $1::bigint"
    "   FOR UPDATE OF r";
enum {
	L_STATE, L_ACTION, L_PROFILE, L_SUBJECT, L_CSR, L_SECRET, L_DNS,
	L_EMAIL, L_CA, L_INST, L_OFFICER, L_CERT, L_CSTATE, L_SERIAL, L_NB,
	L_NA, L_SPKI, L_TBS, L_CCA
};

static const char SQL_RESERVE[] =
    "INSERT INTO ra.certificate (ca_id, serial, request_id, institution_id,"
    "  kind, profile_id, officer_id, subject_dn, cn, spki_der, spki_sha256,"
    "  state, tbs_der, not_before, not_after)"
    " VALUES ($1::bigint, $2::numeric, $3::bigint, $4::bigint, $5,"
    "  $6::integer, nullif($7, '0')::bigint, $8, $9, $10::bytea, $11::bytea,"
    "  'reserved', $12::bytea, pg_catalog.to_timestamp($13::bigint),"
    "  pg_catalog.to_timestamp($14::bigint))"
    " ON CONFLICT DO NOTHING RETURNING cert_id";
static const char SQL_KEY_TAKEN[] =
    "SELECT EXISTS (SELECT 1 FROM ra.certificate"
    "                WHERE spki_sha256 = $1::bytea)";
static const char SQL_KEY_PENDING[] =
    "INSERT INTO ra.p12_pending (cert_id, enc_key, expires_at)"
    " VALUES ($1::bigint, $2::bytea,"
    "  pg_catalog.now() + pg_catalog.make_interval(days => $3::integer))";

static const char SQL_ISSUED[] =
    "UPDATE ra.certificate SET der = $2::bytea, state = 'issued',"
    "       issued_at = pg_catalog.now()"
    " WHERE cert_id = $1::bigint AND state = 'reserved'";
static const char SQL_REQUEST_DONE[] =
    "UPDATE ra.request SET state = 'done', done_at = pg_catalog.now(),"
    "       key_secret = NULL"
    " WHERE request_id = $1::bigint AND state = 'queued'";
static const char SQL_REQUEST_FAILED[] =
    "UPDATE ra.request SET state = 'failed', done_at = pg_catalog.now(),"
    "       key_secret = NULL, error = $2"
    " WHERE request_id = $1::bigint AND state = 'queued'";
static const char SQL_JOB_DONE[] =
    "UPDATE ra.job SET state = $2, finished_at = pg_catalog.now(),"
    "       last_error = nullif($3, '')"
    " WHERE job_id = $1::bigint";
static const char SQL_JOB_LATER[] =
    "UPDATE ra.job SET state = 'queued', last_error = $2,"
    "       run_after = pg_catalog.now() + interval '60 seconds'"
    " WHERE job_id = $1::bigint";
static const char SQL_AUDIT_ISSUE[] =
    "INSERT INTO ra.audit (event, outcome, actor, institution_id,"
    "  officer_id, cert_issuer, cert_serial, cert_subject, detail)"
    " VALUES ('cert.issue', 'ok', $1, $2::bigint, nullif($3, '0')::bigint,"
    "  $4, $5::numeric, $6, pg_catalog.jsonb_build_object("
    "  'request_id', $7::bigint, 'cert_id', $8::bigint))";
static const char SQL_NOTIFY_DONE[] =
    "SELECT pg_catalog.pg_notify('ra_done', $1)";

enum job_state {
	JOB_NONE = 0,	/* nothing more to do in this batch */
	JOB_SIGN,	/* reserved: sign and store */
};

struct job {
	int64_t			 job_id, request_id, cert_id;
	int64_t			 institution_id, officer_id;
	enum job_state		 state;
	struct ra_signer	*sg;
	X509			*crt;
	unsigned char		*tbs;
	size_t			 tbslen;
	char			 serial[48];
	char			*subject;
};

static void
job_clear(struct job *j)
{
	X509_free(j->crt);
	OPENSSL_free(j->tbs);
	free(j->subject);
	memset(j, 0, sizeof(*j));
}

static enum ra_err
serial_new(char *buf, size_t sz)
{
	unsigned char	 b[SERIAL_BYTES];
	BIGNUM		*bn;
	char		*dec;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return RA_ECRYPTO;
	b[0] &= 0x7f;				/* positive */
	b[0] |= 0x01;				/* and never short */
	if ((bn = BN_bin2bn(b, sizeof(b), NULL)) == NULL)
		return RA_ENOMEM;
	dec = BN_bn2dec(bn);
	BN_free(bn);
	if (dec == NULL)
		return RA_ENOMEM;
	snprintf(buf, sz, "%s", dec);
	OPENSSL_free(dec);
	return RA_OK;
}

/* notAfter: the profile's months and days on, minus one second (inclusive). */
static time_t
validity_end(time_t from, int months, int days)
{
	struct tm	 tm;

	gmtime_r(&from, &tm);
	tm.tm_mon += months;
	tm.tm_mday += days;
	return timegm(&tm) - 1;
}

static const struct ra_profile *
profile_get(struct ra_worker *w, int id)
{
	size_t	 i;

	for (i = 0; i < w->nprofiles; i++)
		if (w->profiles[i].id == id)
			return &w->profiles[i];
	if (w->nprofiles == PROFILE_CACHE)
		w->nprofiles = 0;		/* a batch rarely sees many */
	if (ra_profile_load(w->db, id, &w->profiles[w->nprofiles]) != RA_OK)
		return NULL;
	return &w->profiles[w->nprofiles++];
}

static enum ra_err
job_finish(struct ra_worker *w, struct job *j, const char *state,
    const char *err)
{
	const char	*param[3];
	char		 jid[24], rid[24];
	enum ra_err	 er;

	snprintf(jid, sizeof(jid), "%lld", (long long)j->job_id);
	snprintf(rid, sizeof(rid), "%lld", (long long)j->request_id);
	param[0] = rid;
	param[1] = err;
	if (strcmp(state, "failed") == 0 &&
	    (er = ra_db_command(w->db, "request failed", SQL_REQUEST_FAILED, 2,
	    param)) != RA_OK)
		return er;
	if (strcmp(state, "done") == 0 &&
	    (er = ra_db_command(w->db, "request done", SQL_REQUEST_DONE, 1,
	    param)) != RA_OK)
		return er;
	param[0] = jid;
	param[1] = state;
	param[2] = err != NULL ? err : "";
	if ((er = ra_db_command(w->db, "job finished", SQL_JOB_DONE, 3, param)) !=
	    RA_OK)
		return er;
	param[0] = rid;
	return ra_db_command(w->db, "notify", SQL_NOTIFY_DONE, 1, param);
}

/* A request the worker refuses: failed, with the reason, for good. */
static enum ra_err
job_refuse(struct ra_worker *w, struct job *j, const char *why)
{
	ra_warnx("request %lld refused: %s", (long long)j->request_id, why);
	return job_finish(w, j, "failed", why);
}

/*
 * The public key of a new certificate: from the (re-verified) CSR, or a
 * new key made here and stored encrypted under the request's secret.
 */
static enum ra_err
job_key(const struct ra_profile *p, PGresult *res, EVP_PKEY **newkey,
    unsigned char **spki, size_t *spkilen, unsigned char sha[32], char *why,
    size_t whysz)
{
	X509_REQ	*csr = NULL;
	unsigned char	*der = NULL;
	size_t		 derlen;
	char		 alg[32];
	enum ra_err	 er;

	*newkey = NULL;
	if (!PQgetisnull(res, 0, L_CSR)) {
		if ((er = ra_bytea_get(res, 0, L_CSR, &der, &derlen)) != RA_OK)
			return er;
		er = ra_csr_parse(der, derlen, &csr, why, whysz);
		PQfreemem(der);
		if (er == RA_OK && (er = ra_profile_check_key(p,
		    X509_REQ_get0_pubkey(csr), why, whysz)) == RA_OK)
			er = ra_key_spki(X509_REQ_get0_pubkey(csr), spki,
			    spkilen, sha);
		X509_REQ_free(csr);
		return er;
	}
	if (strcmp(p->key_gen, "server") != 0 ||
	    PQgetisnull(res, 0, L_SECRET)) {
		snprintf(why, whysz, "neither a CSR nor a key password");
		return RA_EPOLICY;
	}
	snprintf(alg, sizeof(alg), "%.*s", (int)strcspn(p->key_algs, ","),
	    p->key_algs);
	if ((er = ra_key_new(alg, newkey)) != RA_OK)
		return er;
	return ra_key_spki(*newkey, spki, spkilen, sha);
}

/*
 * Step 2 for a request with no certificate yet: check everything again,
 * build the TBS and store the reservation.
 */
static enum ra_err
job_reserve(struct ra_worker *w, struct job *j, PGresult *res)
{
	const struct ra_profile	*p;
	struct ra_tbs		 t;
	X509_NAME		*subject = NULL;
	EVP_PKEY		*newkey = NULL;
	PGresult		*r2 = NULL;
	const unsigned char	*cp;
	unsigned char		*subj = NULL, *spki = NULL, *enc = NULL, sha[32];
	size_t			 subjlen = 0, spkilen = 0, enclen = 0;
	const char		*param[14];
	char			 why[256] = "", ca[24], rid[24], inst[24],
				 off[24], pid[16], nb[24], na[24], days[16],
				 *cn = NULL, *spkihex = NULL, *shahex = NULL,
				 *tbshex = NULL, *enchex = NULL;
	time_t			 now = time(NULL);
	int			 try;
	enum ra_err		 er;

	if (strcmp(PQgetvalue(res, 0, L_ACTION), "revoke") == 0)
		return job_refuse(w, j, "revocations are not queued");
	if ((p = profile_get(w, atoi(PQgetvalue(res, 0, L_PROFILE)))) == NULL)
		return job_refuse(w, j, "unknown profile");
	if (!p->active)
		return job_refuse(w, j, "the profile is no longer in use");
	j->sg = ra_signer_find(w->signers, w->nsigners,
	    strtoll(PQgetvalue(res, 0, L_CA), NULL, 10));
	if (j->sg == NULL) {
		snprintf(ca, sizeof(ca), "%lld", (long long)j->job_id);
		param[0] = ca;
		param[1] = "no usable CA key for this profile; retrying";
		ra_warnx("request %lld: %s", (long long)j->request_id, param[1]);
		return ra_db_command(w->db, "job later", SQL_JOB_LATER, 2, param);
	}
	if ((er = ra_bytea_get(res, 0, L_SUBJECT, &subj, &subjlen)) != RA_OK)
		goto out;
	cp = subj;
	if ((subject = d2i_X509_NAME(NULL, &cp, (long)subjlen)) == NULL) {
		er = job_refuse(w, j, "the stored subject is not a DER name");
		goto out;
	}
	if ((er = ra_profile_check_subject(p, subject, why, sizeof(why))) !=
	    RA_OK ||
	    (er = job_key(p, res, &newkey, &spki, &spkilen, sha, why,
	    sizeof(why))) != RA_OK) {
		if (er == RA_EINPUT || er == RA_EPOLICY)
			er = job_refuse(w, j, why);
		goto out;
	}
	if ((cn = ra_dn_get(subject, NID_commonName)) == NULL ||
	    (j->subject = ra_dn_text(subject)) == NULL ||
	    (spkihex = ra_bytea_hex(spki, spkilen)) == NULL ||
	    (shahex = ra_bytea_hex(sha, sizeof(sha))) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	if (newkey != NULL && (er = ra_key_encrypt(newkey,
	    PQgetvalue(res, 0, L_SECRET), &enc, &enclen)) != RA_OK)
		goto out;
	memset(&t, 0, sizeof(t));
	t.issuer = j->sg->cert;
	t.subject_der = subj;
	t.subject_len = subjlen;
	t.not_before = now;
	t.not_after = validity_end(now, p->months, p->days);
	t.spki_der = spki;
	t.spki_len = spkilen;
	t.prof = p;
	t.san_dns = PQgetvalue(res, 0, L_DNS);
	t.san_email = PQgetvalue(res, 0, L_EMAIL);
	t.crl_url = j->sg->crl_url;
	t.issuer_url = j->sg->issuer_url;
	t.ocsp_url = w->ocsp_url;
	t.serial_dec = j->serial;
	snprintf(ca, sizeof(ca), "%lld", (long long)j->sg->ca_id);
	snprintf(rid, sizeof(rid), "%lld", (long long)j->request_id);
	snprintf(inst, sizeof(inst), "%lld", (long long)j->institution_id);
	snprintf(off, sizeof(off), "%lld", (long long)j->officer_id);
	snprintf(pid, sizeof(pid), "%d", p->id);
	snprintf(nb, sizeof(nb), "%lld", (long long)t.not_before);
	snprintf(na, sizeof(na), "%lld", (long long)t.not_after);
	for (try = 0; try < 3; try++) {
		if ((er = serial_new(j->serial, sizeof(j->serial))) != RA_OK ||
		    (er = ra_tbs_build(&t, &j->crt, &j->tbs, &j->tbslen)) !=
		    RA_OK)
			goto out;
		free(tbshex);
		if ((tbshex = ra_bytea_hex(j->tbs, j->tbslen)) == NULL) {
			er = RA_ENOMEM;
			goto out;
		}
		param[0] = ca;
		param[1] = j->serial;
		param[2] = rid;
		param[3] = inst;
		param[4] = p->kind;
		param[5] = pid;
		param[6] = off;
		param[7] = j->subject;
		param[8] = cn;
		param[9] = spkihex;
		param[10] = shahex;
		param[11] = tbshex;
		param[12] = nb;
		param[13] = na;
		if ((er = ra_db_query(w->db, "reserve certificate",
		    SQL_RESERVE, 14, param, &r2)) != RA_OK)
			goto out;
		if (PQntuples(r2) == 1)
			break;
		PQclear(r2);
		r2 = NULL;
		/* No row: the key is taken, or (2^-127) the serial is. */
		param[0] = shahex;
		if ((er = ra_db_query(w->db, "key taken", SQL_KEY_TAKEN, 1,
		    param, &r2)) != RA_OK)
			goto out;
		if (strcmp(PQgetvalue(r2, 0, 0), "t") == 0) {
			er = job_refuse(w, j, "this key was used before");
			goto out;
		}
		PQclear(r2);
		r2 = NULL;
		X509_free(j->crt);
		OPENSSL_free(j->tbs);
		j->crt = NULL;
		j->tbs = NULL;
	}
	if (r2 == NULL) {
		er = RA_EDUP;
		goto out;
	}
	j->cert_id = strtoll(PQgetvalue(r2, 0, 0), NULL, 10);
	if (newkey != NULL) {
		if ((enchex = ra_bytea_hex(enc, enclen)) == NULL) {
			er = RA_ENOMEM;
			goto out;
		}
		param[0] = PQgetvalue(r2, 0, 0);
		param[1] = enchex;
		snprintf(days, sizeof(days), "%d", w->key_days);
		param[2] = days;
		if ((er = ra_db_command(w->db, "store key", SQL_KEY_PENDING, 3,
		    param)) != RA_OK)
			goto out;
	}
	j->state = JOB_SIGN;
out:
	PQclear(r2);
	X509_NAME_free(subject);
	EVP_PKEY_free(newkey);
	PQfreemem(subj);
	OPENSSL_free(spki);
	OPENSSL_clear_free(enc, enclen);
	free(cn);
	free(spkihex);
	free(shahex);
	free(tbshex);
	free(enchex);
	return er;
}

/*
 * Step 2 after a crash: a reservation exists.  Rebuild the certificate
 * from what was stored and insist on the very same TBS bytes.
 */
static enum ra_err
job_resume(struct ra_worker *w, struct job *j, PGresult *res)
{
	const struct ra_profile	*p;
	struct ra_tbs		 t;
	unsigned char		*subj = NULL, *spki = NULL, *tbs = NULL;
	size_t			 subjlen, spkilen, tbslen;
	X509_NAME		*subject = NULL;
	const unsigned char	*cp;
	enum ra_err		 er;

	j->cert_id = strtoll(PQgetvalue(res, 0, L_CERT), NULL, 10);
	snprintf(j->serial, sizeof(j->serial), "%s",
	    PQgetvalue(res, 0, L_SERIAL));
	if ((p = profile_get(w, atoi(PQgetvalue(res, 0, L_PROFILE)))) == NULL)
		return job_refuse(w, j, "unknown profile");
	if ((j->sg = ra_signer_find(w->signers, w->nsigners,
	    strtoll(PQgetvalue(res, 0, L_CCA), NULL, 10))) == NULL)
		return job_refuse(w, j, "the reserving CA has no usable key");
	if ((er = ra_bytea_get(res, 0, L_SUBJECT, &subj, &subjlen)) != RA_OK ||
	    (er = ra_bytea_get(res, 0, L_SPKI, &spki, &spkilen)) != RA_OK ||
	    (er = ra_bytea_get(res, 0, L_TBS, &tbs, &tbslen)) != RA_OK)
		goto out;
	cp = subj;
	if ((subject = d2i_X509_NAME(NULL, &cp, (long)subjlen)) == NULL ||
	    (j->subject = ra_dn_text(subject)) == NULL) {
		er = RA_EINPUT;
		goto out;
	}
	memset(&t, 0, sizeof(t));
	t.serial_dec = j->serial;
	t.issuer = j->sg->cert;
	t.subject_der = subj;
	t.subject_len = subjlen;
	t.not_before = (time_t)strtoll(PQgetvalue(res, 0, L_NB), NULL, 10);
	t.not_after = (time_t)strtoll(PQgetvalue(res, 0, L_NA), NULL, 10);
	t.spki_der = spki;
	t.spki_len = spkilen;
	t.prof = p;
	t.san_dns = PQgetvalue(res, 0, L_DNS);
	t.san_email = PQgetvalue(res, 0, L_EMAIL);
	t.crl_url = j->sg->crl_url;
	t.issuer_url = j->sg->issuer_url;
	t.ocsp_url = w->ocsp_url;
	if ((er = ra_tbs_build(&t, &j->crt, &j->tbs, &j->tbslen)) != RA_OK)
		goto out;
	if (j->tbslen != tbslen || memcmp(j->tbs, tbs, tbslen) != 0) {
		er = job_refuse(w, j, "the reservation cannot be rebuilt "
		    "(profile or CA changed since); not signed");
		goto out;
	}
	ra_warnx("request %lld: resuming reserved serial %s",
	    (long long)j->request_id, j->serial);
	j->state = JOB_SIGN;
out:
	X509_NAME_free(subject);
	PQfreemem(subj);
	PQfreemem(spki);
	PQfreemem(tbs);
	return er;
}

/* Step 2 dispatch for one claimed job, inside the reservation transaction. */
static enum ra_err
job_prepare(struct ra_worker *w, struct job *j)
{
	PGresult	*res = NULL;
	const char	*param[1];
	char		 rid[24];
	enum ra_err	 er;

	snprintf(rid, sizeof(rid), "%lld", (long long)j->request_id);
	param[0] = rid;
	if ((er = ra_db_query(w->db, "load request", SQL_LOAD, 1, param,
	    &res)) != RA_OK)
		return er;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return job_finish(w, j, "failed", "no such request");
	}
	j->institution_id = strtoll(PQgetvalue(res, 0, L_INST), NULL, 10);
	j->officer_id = strtoll(PQgetvalue(res, 0, L_OFFICER), NULL, 10);
	if (strcmp(PQgetvalue(res, 0, L_STATE), "queued") != 0)
		er = job_finish(w, j, "done", NULL);	/* nothing left */
	else if (PQgetisnull(res, 0, L_CERT))
		er = job_reserve(w, j, res);
	else if (strcmp(PQgetvalue(res, 0, L_CSTATE), "issued") == 0)
		er = job_finish(w, j, "done", NULL);	/* died after storing */
	else
		er = job_resume(w, j, res);
	PQclear(res);
	return er;
}

/* Step 3 for one signed certificate, inside the storing transaction. */
static enum ra_err
job_store(struct ra_worker *w, struct job *j)
{
	unsigned char	*der = NULL;
	size_t		 derlen;
	const char	*param[8];
	char		 cid[24], rid[24], inst[24], off[24], *hex = NULL;
	enum ra_err	 er;

	if ((er = ra_cert_der(j->crt, &der, &derlen)) != RA_OK)
		return er;
	if ((hex = ra_bytea_hex(der, derlen)) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	snprintf(cid, sizeof(cid), "%lld", (long long)j->cert_id);
	snprintf(rid, sizeof(rid), "%lld", (long long)j->request_id);
	snprintf(inst, sizeof(inst), "%lld", (long long)j->institution_id);
	snprintf(off, sizeof(off), "%lld", (long long)j->officer_id);
	param[0] = cid;
	param[1] = hex;
	if ((er = ra_db_command(w->db, "store certificate", SQL_ISSUED, 2,
	    param)) != RA_OK ||
	    (er = job_finish(w, j, "done", NULL)) != RA_OK)
		goto out;
	param[0] = w->id;
	param[1] = inst;
	param[2] = off;
	param[3] = j->sg->subject;
	param[4] = j->serial;
	param[5] = j->subject;
	param[6] = rid;
	param[7] = cid;
	er = ra_db_command(w->db, "audit issue", SQL_AUDIT_ISSUE, 8, param);
out:
	OPENSSL_free(der);
	free(hex);
	return er;
}

/* Step 1: up to w->batch jobs, each held by our advisory lock. */
static enum ra_err
claim(struct ra_worker *w, struct job *jobs, size_t *n)
{
	PGresult	*res = NULL, *lk = NULL;
	const char	*param[2];
	char		 lim[16];
	int		 i;
	enum ra_err	 er;

	*n = 0;
	snprintf(lim, sizeof(lim), "%zu", w->batch);
	param[0] = lim;
	if ((er = ra_db_begin(w->db)) != RA_OK)
		return er;
	if ((er = ra_db_query(w->db, "claim jobs", SQL_CLAIM, 1, param,
	    &res)) != RA_OK)
		goto out;
	for (i = 0; i < PQntuples(res); i++) {
		param[0] = PQgetvalue(res, i, 0);
		param[1] = w->id;
		if ((er = ra_db_query(w->db, "job lock", SQL_LOCK, 1, param,
		    &lk)) != RA_OK)
			goto out;
		if (strcmp(PQgetvalue(lk, 0, 0), "t") == 0) {
			/* Ours now; from here on "*n" says what to unlock. */
			memset(&jobs[*n], 0, sizeof(jobs[*n]));
			jobs[*n].job_id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
			jobs[*n].request_id = strtoll(PQgetvalue(res, i, 1),
			    NULL, 10);
			(*n)++;
			if ((er = ra_db_command(w->db, "job claimed",
			    SQL_CLAIMED, 2, param)) != RA_OK)
				goto out;
		}
		PQclear(lk);
		lk = NULL;
	}
	er = ra_db_commit(w->db);
out:
	PQclear(lk);
	PQclear(res);
	ra_db_rollback(w->db);
	return er;
}

static void
unlock_all(struct ra_worker *w, struct job *jobs, size_t n)
{
	const char	*param[1];
	char		 jid[24];
	size_t		 i;

	for (i = 0; i < n; i++) {
		snprintf(jid, sizeof(jid), "%lld", (long long)jobs[i].job_id);
		param[0] = jid;
		(void)ra_db_command(w->db, "job unlock", SQL_UNLOCK, 1, param);
		job_clear(&jobs[i]);
	}
}

/* Steps 2 and 3 for "n" claimed jobs. */
static enum ra_err
process(struct ra_worker *w, struct job *jobs, size_t n)
{
	size_t		 i;
	enum ra_err	 er;

	if ((er = ra_db_begin(w->db)) != RA_OK)
		return er;
	for (i = 0; i < n; i++)
		if ((er = job_prepare(w, &jobs[i])) != RA_OK)
			goto fail;
	if ((er = ra_db_commit(w->db)) != RA_OK)
		goto fail;
	if (w->after_reserve != NULL)
		w->after_reserve(w->hook_arg);

	for (i = 0; i < n; i++)
		if (jobs[i].state == JOB_SIGN &&
		    ra_tbs_sign(jobs[i].crt, jobs[i].sg->key, jobs[i].tbs,
		    jobs[i].tbslen) != RA_OK)
			return RA_ECRYPTO;	/* stays reserved; logged */

	if ((er = ra_db_begin(w->db)) != RA_OK)
		return er;
	for (i = 0; i < n; i++)
		if (jobs[i].state == JOB_SIGN &&
		    (er = job_store(w, &jobs[i])) != RA_OK)
			goto fail;
	return ra_db_commit(w->db);
fail:
	ra_db_rollback(w->db);
	return er;
}

/*
 * One batch.  Returns the number of jobs handled (0: the queue is empty)
 * or -1 after an error; what failed is left for the next attempt.  When a
 * batch fails, its jobs are retried one by one so one bad request cannot
 * hold up the others.
 */
int
ra_worker_batch(struct ra_worker *w)
{
	struct job	*jobs;
	size_t		 n, i;
	enum ra_err	 er;

	if ((jobs = calloc(w->batch, sizeof(*jobs))) == NULL)
		return -1;
	if ((er = claim(w, jobs, &n)) != RA_OK) {
		unlock_all(w, jobs, n);
		free(jobs);
		return -1;
	}
	if ((er = process(w, jobs, n)) != RA_OK && n > 1 &&
	    PQstatus(w->db) == CONNECTION_OK) {
		ra_warnx("batch of %zu failed (%s); retrying one by one", n,
		    ra_strerror(er));
		for (i = 0; i < n; i++) {
			X509_free(jobs[i].crt);
			OPENSSL_free(jobs[i].tbs);
			free(jobs[i].subject);
			jobs[i].crt = NULL;
			jobs[i].tbs = NULL;
			jobs[i].subject = NULL;
			jobs[i].state = JOB_NONE;
			if (process(w, &jobs[i], 1) != RA_OK)
				ra_warnx("job %lld failed; it stays queued",
				    (long long)jobs[i].job_id);
		}
		er = RA_OK;
	}
	unlock_all(w, jobs, n);
	free(jobs);
	return er == RA_OK ? (int)n : -1;
}

enum ra_err
ra_worker_open(struct ra_worker *w, PGconn *db, const struct ra_conf *c)
{
	char	 host[64];

	memset(w, 0, sizeof(*w));
	w->db = db;
	w->batch = (size_t)ra_conf_int(c, "Worker.Batch", 100);
	if (w->batch < 1 || w->batch > 10000)
		w->batch = 100;
	w->key_days = ra_conf_int(c, "Worker.KeyDays", 31);
	w->ocsp_url = ra_conf_get(c, "Pki.OcspURL");
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(w->id, sizeof(w->id), "worker:%s:%ld", host, (long)getpid());
	if ((w->profiles = calloc(PROFILE_CACHE, sizeof(*w->profiles))) == NULL)
		return RA_ENOMEM;
	return ra_signers_load(db, &w->signers, &w->nsigners);
}

void
ra_worker_close(struct ra_worker *w)
{
	ra_signers_free(w->signers, w->nsigners);
	free(w->profiles);
	w->signers = NULL;
	w->profiles = NULL;
}
