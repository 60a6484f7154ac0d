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
#include "domain.h"
#include "ca.h"
#include "lint.h"

#define SERIAL_BYTES	16	/* 126 random bits, at most 39 digits */
#define PROFILE_CACHE	16
#define SIGN_THREADS_MIN 8	/* fewer signatures: not worth a thread */
#define SIGN_STRIDE	4	/* signatures a thread takes at a time */

/*
 * Claim: the row locks of FOR UPDATE SKIP LOCKED keep two claimers apart;
 * the session advisory lock (a volatile function, so the CTE is
 * materialised and it runs once per row) keeps the job ours until we
 * unlock it or our connection dies.
 */
/*
 * A job is due when its institution's status lets it apply (schema 022):
 * a suspended institution's requests wait, queued, until it is active
 * again.  What is not an issuance (a revocation, a request no longer
 * queued, whose job only needs closing) is always due.
 */
#define SQL_JOB_DUE							\
    " state IN ('queued', 'running') AND run_after <= pg_catalog.now()"	\
    " AND EXISTS (SELECT 1 FROM ra.request r"				\
    "        JOIN ra.institution i ON i.institution_id = r.institution_id" \
    "        JOIN ra.institution_state s ON s.status = i.status"	\
    "       WHERE r.request_id = job.request_id"			\
    "         AND (s.applies OR r.action = 'revoke'"			\
    "              OR r.state <> 'queued'))"

/*
 * $3 picks fresh jobs ('queued') or orphans ('running': claimed by a
 * worker that died holding them, its advisory lock gone with it).  A
 * fresh claim costs a job no attempt, errors do (SQL_JOB_FAILED).  An
 * orphan is claimed alone, after the fresh jobs, and marked so
 * ("... (alone)"); one whose worker died while holding it alone is the job
 * that worker died on, and that take-over costs an attempt: a job that
 * kills every worker taking it is given up after Worker.MaxAttempts
 * (t/68), not retried forever.  A worker killed at random with a batch in
 * hand (t/70) costs its jobs nothing.  The log names each one taken over.
 */
static const char SQL_CLAIM[] =
    "WITH c AS ("
    "  SELECT job_id, claimed_by FROM ra.job"
    "   WHERE state = $3::text AND" SQL_JOB_DUE
    "   ORDER BY job_id"
    "   LIMIT $1::integer FOR UPDATE SKIP LOCKED),"
    " l AS (SELECT job_id, claimed_by FROM c"
    "        WHERE pg_catalog.pg_try_advisory_lock(-job_id))"
    " UPDATE ra.job j SET state = 'running',"
    "        attempts = j.attempts + (CASE WHEN $3::text = 'running'"
    "            AND l.claimed_by LIKE '% (alone)' THEN 1 ELSE 0 END),"
    "        claimed_by = CASE WHEN $3::text = 'running'"
    "            THEN $2 || ' (alone)' ELSE $2 END,"
    "        claimed_at = pg_catalog.now()"
    "   FROM l WHERE j.job_id = l.job_id"
    " RETURNING j.job_id, j.request_id, j.attempts,"
    "           coalesce(l.claimed_by, '')";
/* An attempt that ended in an error: counted, and the job queued again. */
static const char SQL_JOB_FAILED[] =
    "UPDATE ra.job SET state = 'queued', attempts = attempts + 1,"
    "       last_error = $2"
    " WHERE job_id = $1::bigint AND state = 'running'";
static const char SQL_UNLOCK[] =
    "SELECT pg_catalog.pg_advisory_unlock(-j)"
    "  FROM unnest($1::bigint[]) AS j";

static const char SQL_LOAD[] =
    "SELECT r.request_id, r.state, r.action, r.profile_id, r.subject_der,"
    "       r.csr_der, r.key_secret,"
    "       pg_catalog.array_to_string(r.san_dns, ','),"
    "       pg_catalog.array_to_string(r.san_email, ','),"
    "       coalesce(p.ca_id, k.ca_id, 0), r.institution_id,"
    "       coalesce(r.officer_id, 0), c.cert_id, c.state, c.serial::text,"
    "       extract(epoch FROM c.not_before)::bigint,"
    "       extract(epoch FROM c.not_after)::bigint, c.spki_der, c.tbs_der,"
    "       c.ca_id, r.kind, coalesce(r.admin_name, ''),"
    /* An ACME order's certificate is fetched by its client: no M6. */
    "       CASE WHEN EXISTS (SELECT 1 FROM ra.acme_order o"
    "                          WHERE o.request_id = r.request_id) THEN ''"
    "            ELSE coalesce(r.admin_mail, '') END"
    "  FROM ra.request r"
    "  LEFT JOIN ra.profile p ON p.profile_id = r.profile_id"
    "  LEFT JOIN ra.ca_kind k ON k.kind = p.kind AND k.current"
    "  LEFT JOIN ra.certificate c ON c.request_id = r.request_id"
    " WHERE r.request_id = ANY ($1::bigint[])"
    "   FOR UPDATE OF r";
enum {
	L_ID, L_STATE, L_ACTION, L_PROFILE, L_SUBJECT, L_CSR, L_SECRET, L_DNS,
	L_EMAIL, L_CA, L_INST, L_OFFICER, L_CERT, L_CSTATE, L_SERIAL, L_NB,
	L_NA, L_SPKI, L_TBS, L_CCA, L_KIND, L_ADMIN_NAME, L_ADMIN_MAIL
};

static const char SQL_RESERVE[] =
    "INSERT INTO ra.certificate (ca_id, serial, request_id, institution_id,"
    "  kind, profile_id, officer_id, subject_dn, cn, spki_der, spki_sha256,"
    "  state, tbs_der, not_before, not_after, lint)"
    " SELECT ca, sn, rid, inst, kind, prof,"
    "        CASE WHEN kind = 'ra_officer' THEN off END,"  /* the holder */
    "        dn, cn, spki, sha,"
    "        'reserved', tbs, pg_catalog.to_timestamp(nb),"
    "        pg_catalog.to_timestamp(na), lint"
    "   FROM unnest($1::bigint[], $2::numeric[], $3::bigint[],"
    "        $4::bigint[], $5::text[], $6::integer[], $7::bigint[],"
    "        $8::text[], $9::text[], $10::bytea[], $11::bytea[],"
    "        $12::bytea[], $13::bigint[], $14::bigint[], $15::jsonb[])"
    "     AS u(ca, sn, rid, inst, kind, prof, off, dn, cn, spki, sha, tbs,"
    "          nb, na, lint)"
    " ON CONFLICT DO NOTHING RETURNING request_id, cert_id";
static const char SQL_KEY_TAKEN[] =
    "SELECT EXISTS (SELECT 1 FROM ra.certificate"
    "                WHERE spki_sha256 = $1::bytea)";
/*
 * A certificate revoked while it was being signed (the desk suspended its
 * officer, voided its URL) keeps no key for anyone to take, and renews
 * nothing.
 */
static const char SQL_KEYS_PENDING[] =
    "INSERT INTO ra.p12_pending (cert_id, enc_key, expires_at)"
    " SELECT c, k, pg_catalog.now() +"
    "        pg_catalog.make_interval(days => $3::integer)"
    "   FROM unnest($1::bigint[], $2::bytea[]) AS u(c, k)"
    "  WHERE NOT EXISTS (SELECT 1 FROM ra.revocation v WHERE v.cert_id = u.c)";

static const char SQL_ISSUED[] =
    "UPDATE ra.certificate c SET der = u.der, state = 'issued',"
    "       issued_at = pg_catalog.now()"
    "  FROM unnest($1::bigint[], $2::bytea[]) AS u(id, der)"
    " WHERE c.cert_id = u.id AND c.state = 'reserved'";
/* A renewal's new certificate supersedes the old one (更新済み). */
static const char SQL_SUPERSEDED[] =
    "UPDATE ra.certificate old SET superseded_by = c.cert_id"
    "  FROM ra.certificate c JOIN ra.request r ON r.request_id = c.request_id"
    " WHERE c.cert_id = ANY ($1::bigint[]) AND r.action = 'renew'"
    "   AND old.cert_id = r.target_cert_id AND old.superseded_by IS NULL"
    "   AND NOT EXISTS (SELECT 1 FROM ra.revocation v"
    "                    WHERE v.cert_id = c.cert_id)";
/*
 * A P12一括 row keeps its PIN until the last row of its upload is done
 * and every PIN is sealed under the upload's URLs (client.c).
 */
static const char SQL_REQUESTS_DONE[] =
    "UPDATE ra.request SET state = 'done', done_at = pg_catalog.now(),"
    "       key_secret = CASE WHEN download_method = 2 THEN key_secret END"
    " WHERE request_id = ANY ($1::bigint[]) AND state = 'queued'";
static const char SQL_JOBS_DONE[] =
    "UPDATE ra.job SET state = 'done', finished_at = pg_catalog.now(),"
    "       last_error = NULL"
    " WHERE job_id = ANY ($1::bigint[])";
static const char SQL_AUDIT_ISSUE[] =
    "INSERT INTO ra.audit (event, outcome, actor, institution_id,"
    "  officer_id, cert_issuer, cert_serial, cert_subject, detail)"
    " SELECT 'cert.issue', 'ok', $1, inst, off, iss, sn, dn,"
    "        pg_catalog.jsonb_build_object('request_id', rid, 'cert_id', cid)"
    "   FROM unnest($2::bigint[], $3::bigint[], $4::text[],"
    "        $5::numeric[], $6::text[], $7::bigint[], $8::bigint[])"
    "     AS u(inst, off, iss, sn, dn, rid, cid)";
static const char SQL_NOTIFY_ALL[] =
    "SELECT pg_catalog.pg_notify('ra_done', r::text)"
    "  FROM unnest($1::bigint[]) AS r";

/* One job at a time: the rare paths (refusal, nothing left to do). */
static const char SQL_REQUEST_DONE[] =
    "UPDATE ra.request SET state = 'done', done_at = pg_catalog.now(),"
    "       key_secret = CASE WHEN download_method = 2 THEN key_secret END"
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
static const char SQL_NOTIFY_DONE[] =
    "SELECT pg_catalog.pg_notify('ra_done', $1)";

enum job_state {
	JOB_NONE = 0,	/* nothing more to do in this batch */
	JOB_RESERVE,	/* built: store the reservation */
	JOB_SIGN,	/* reserved: sign and store */
};

struct job {
	int64_t			 job_id, request_id, cert_id;
	int64_t			 institution_id, officer_id;
	int			 attempts;
	enum job_state		 state;
	struct ra_signer	*sg;
	struct ra_profile	 prof;		/* a copy: the cache slot may be reused */
	X509			*crt;
	unsigned char		*tbs;
	size_t			 tbslen;
	char			 serial[48];
	time_t			 nb, na;
	char			*subject;	/* RFC 2253 text */
	char			*cn;		/* the reservation's columns */
	char			*spki_hex, *sha_hex, *tbs_hex;
	char			*key_hex;	/* server-made key, encrypted */
	char			*lint;		/* lint findings, JSON */
	char			*admin_name;	/* server: who gets the URL mail */
	char			*admin_mail;
	char			 key_alg[16];	/* a key to make ahead, or "" */
	EVP_PKEY		*key_made;	/* made ahead (key_make_at) */
	int			 signed_ahead;	/* sign_at signed it, */
	enum ra_err		 sign_er;	/* with this result */
};

static void
job_clear(struct job *j)
{
	X509_free(j->crt);
	OPENSSL_free(j->tbs);
	free(j->subject);
	free(j->cn);
	free(j->spki_hex);
	free(j->sha_hex);
	free(j->tbs_hex);
	free(j->key_hex);
	free(j->lint);
	free(j->admin_name);
	free(j->admin_mail);
	EVP_PKEY_free(j->key_made);
	memset(j, 0, sizeof(*j));
}

/* Forget what a failed attempt built, keep who the job is. */
static void
job_reset(struct job *j)
{
	struct job	 keep;

	memset(&keep, 0, sizeof(keep));
	keep.job_id = j->job_id;
	keep.request_id = j->request_id;
	keep.attempts = j->attempts;
	job_clear(j);
	*j = keep;
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

/*
 * Copy profile "id" into "out", from the cache or the database.  A copy,
 * not a pointer: once the cache is full its slots are reused, and the
 * jobs of a batch with many profiles must not see another's.
 */
static enum ra_err
profile_get(struct ra_worker *w, int id, struct ra_profile *out)
{
	size_t		 i;
	enum ra_err	 er;

	for (i = 0; i < w->nprofiles; i++)
		if (w->profiles[i].id == id) {
			*out = w->profiles[i];
			return RA_OK;
		}
	if (w->nprofiles == PROFILE_CACHE)
		w->nprofiles = 0;		/* a batch rarely sees many */
	if ((er = ra_profile_load(w->db, id, &w->profiles[w->nprofiles])) !=
	    RA_OK)
		return er;
	*out = w->profiles[w->nprofiles++];
	return RA_OK;
}

static enum ra_err
job_finish(struct ra_worker *w, struct job *j, const char *state,
    const char *err)
{
	const char	*param[3];
	char		 jid[24], rid[24];
	enum ra_err	 er;

	j->state = JOB_NONE;
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
	if ((er = ra_db_command(w->db, "notify", SQL_NOTIFY_DONE, 1, param)) !=
	    RA_OK)
		return er;
	/* The last open row of a P12一括 upload may be this one. */
	snprintf(rid, sizeof(rid), "{%lld}", (long long)j->request_id);
	return ra_client_batches_done(w->db, &w->client, rid);
}

/* Not now (no key for its CA here): back in the queue, in a minute. */
static enum ra_err
job_later(struct ra_worker *w, struct job *j, const char *why)
{
	const char	*param[2];
	char		 jid[24];

	ra_warnx("request %lld: %s", (long long)j->request_id, why);
	j->state = JOB_NONE;
	snprintf(jid, sizeof(jid), "%lld", (long long)j->job_id);
	param[0] = jid;
	param[1] = why;
	return ra_db_command(w->db, "job later", SQL_JOB_LATER, 2, param);
}

/* A request the worker refuses: failed, with the reason, for good. */
static enum ra_err
job_refuse(struct ra_worker *w, struct job *j, const char *why)
{
	ra_warnx("request %lld refused: %s", (long long)j->request_id, why);
	return job_finish(w, j, "failed", why);
}

/* A certificate that failed a lint: audited with its findings, refused. */
static enum ra_err
lint_refuse(struct ra_worker *w, struct job *j, const char *why)
{
	struct ra_event	 ev;
	char		*detail;
	size_t		 sz;
	enum ra_err	 er;

	sz = 64 + (j->lint != NULL ? strlen(j->lint) : 2);
	if ((detail = malloc(sz)) == NULL)
		return RA_ENOMEM;
	snprintf(detail, sz, "{\"request_id\": %lld, \"findings\": %s}",
	    (long long)j->request_id, j->lint != NULL ? j->lint : "[]");
	memset(&ev, 0, sizeof(ev));
	ev.event = "cert.lint";
	ev.outcome = "refused";
	ev.actor = w->id;
	ev.institution_id = j->institution_id;
	ev.officer_id = j->officer_id;
	ev.cert_issuer = ra_signer_ca(j->sg)->subject;
	ev.cert_serial = j->serial;
	ev.cert_subject = j->subject;
	ev.detail = detail;
	er = ra_audit(w->db, &ev);
	free(detail);
	return er != RA_OK ? er : job_refuse(w, j, why);
}

/* The algorithm of the keys a profile makes: the first it allows. */
static void
profile_key_alg(const struct ra_profile *p, char *alg, size_t sz)
{
	snprintf(alg, sz, "%.*s", (int)strcspn(p->key_algs, ","), p->key_algs);
}

/*
 * The public key of a new certificate: from the (re-verified) CSR, kept in
 * "*csr", or a new key ("*newkey", "*made"), to be stored encrypted under
 * the request's secret: the one made ahead ("*ahead", taken), else made
 * here.  All three are the caller's.
 */
static enum ra_err
job_key(const struct ra_profile *p, PGresult *res, int row, X509_REQ **csr,
    EVP_PKEY **ahead, EVP_PKEY **newkey, X509_PUBKEY **made, char *why,
    size_t whysz)
{
	unsigned char	*der = NULL;
	size_t		 derlen;
	char		 alg[16];
	enum ra_err	 er;

	*csr = NULL;
	*newkey = NULL;
	*made = NULL;
	if (!PQgetisnull(res, row, L_CSR)) {
		if ((er = ra_bytea_get(res, row, L_CSR, &der, &derlen)) != RA_OK)
			return er;
		er = ra_csr_parse(der, derlen, csr, why, whysz);
		PQfreemem(der);
		if (er != RA_OK)
			return er;
		return ra_profile_check_key(p, X509_REQ_get0_pubkey(*csr), why,
		    whysz);
	}
	if (strcmp(p->key_gen, "server") != 0 ||
	    PQgetisnull(res, row, L_SECRET)) {
		snprintf(why, whysz, "neither a CSR nor a key password");
		return RA_EPOLICY;
	}
	profile_key_alg(p, alg, sizeof(alg));
	if (*ahead != NULL) {
		*newkey = *ahead;
		*ahead = NULL;
	} else if ((er = ra_key_new(alg, newkey)) != RA_OK)
		return er;
	return X509_PUBKEY_set(made, *newkey) ? RA_OK : RA_ECRYPTO;
}

/*
 * What a certificate is built from: the job's serial, validity, profile
 * and CA, the request row's subject and names, and the subject's key.
 * The same for a new reservation and for rebuilding one after a crash,
 * so that both give the same TBS bytes.
 */
static void
tbs_init(struct ra_tbs *t, const struct ra_worker *w, const struct job *j,
    PGresult *res, int row, const unsigned char *subj, size_t subjlen,
    const X509_PUBKEY *pub)
{
	memset(t, 0, sizeof(*t));
	t->serial_dec = j->serial;
	t->issuer = ra_signer_ca(j->sg)->cert;
	t->subject_der = subj;
	t->subject_len = subjlen;
	t->not_before = j->nb;
	t->not_after = j->na;
	t->pubkey = pub;
	t->prof = &j->prof;
	t->san_dns = PQgetvalue(res, row, L_DNS);
	t->san_email = PQgetvalue(res, row, L_EMAIL);
	t->crl_url = ra_signer_ca(j->sg)->crl_url;
	t->issuer_url = ra_signer_ca(j->sg)->issuer_url;
	t->ocsp_url = w->ocsp_url;
}

/*
 * The database's clock for the batch, with the dated limits for "kind":
 * asked once a kind a batch (ra.clock() is the transaction's), not once
 * a job.
 */
static enum ra_err
batch_clock(struct ra_worker *w, const char *kind, const struct ra_clock **c)
{
	size_t		 i;
	enum ra_err	 er;

	for (i = 0; i < w->nclocks; i++)
		if (strcmp(w->clocks[i].kind, kind) == 0) {
			*c = &w->clocks[i];
			return RA_OK;
		}
	if (w->nclocks == RA_NITEMS(w->clocks))
		w->nclocks = 0;		/* a batch of many kinds: ask again */
	if ((er = ra_validity_clock(w->db, kind,
	    &w->clocks[w->nclocks])) != RA_OK)
		return er;
	*c = &w->clocks[w->nclocks++];
	return RA_OK;
}

/*
 * A request with no certificate yet: check everything again and build
 * the reservation (serial, validity, key, TBS) for reserve_all().
 */
static enum ra_err
job_build(struct ra_worker *w, struct job *j, PGresult *res, int row)
{
	struct ra_tbs		 t;
	const struct ra_clock	*clk;
	X509_NAME		*subject = NULL;
	X509_REQ		*csr = NULL;
	EVP_PKEY		*newkey = NULL;
	X509_PUBKEY		*made = NULL;
	const X509_PUBKEY	*pub;
	const unsigned char	*cp;
	unsigned char		*subj = NULL, *spki = NULL, *enc = NULL, sha[32];
	size_t			 subjlen = 0, spkilen = 0, enclen = 0;
	char			 why[256] = "";
	enum ra_err		 er;

	if (strcmp(PQgetvalue(res, row, L_ACTION), "revoke") == 0)
		return job_refuse(w, j, "revocations are not queued");
	if (profile_get(w, atoi(PQgetvalue(res, row, L_PROFILE)), &j->prof) !=
	    RA_OK)
		return job_refuse(w, j, "unknown profile");
	if (!j->prof.active)
		return job_refuse(w, j, "the profile is no longer in use");
	/*
	 * request.c's rule again, for rows it did not write: a code-signing
	 * (or any other) certificate names no host, and only S/MIME a mailbox.
	 */
	if (strcmp(j->prof.kind, "server") != 0 &&
	    *PQgetvalue(res, row, L_DNS) != '\0')
		return job_refuse(w, j, "host names are only for server "
		    "certificates");
	if (strcmp(j->prof.kind, "smime") != 0 &&
	    *PQgetvalue(res, row, L_EMAIL) != '\0')
		return job_refuse(w, j, "mail addresses in subjectAltName are "
		    "only for S/MIME certificates");
	if ((j->sg = ra_signer_find(w->signers, w->nsigners,
	    strtoll(PQgetvalue(res, row, L_CA), NULL, 10))) == NULL)
		return job_later(w, j, "no usable CA key for this profile; "
		    "retrying");
	if ((er = ra_bytea_get(res, row, L_SUBJECT, &subj, &subjlen)) != RA_OK)
		goto out;
	cp = subj;
	if ((subject = d2i_X509_NAME(NULL, &cp, (long)subjlen)) == NULL) {
		er = job_refuse(w, j, "the stored subject is not a DER name");
		goto out;
	}
	/* A browser request's key is under its access PIN, nothing else. */
	if ((strcmp(j->prof.kind, "client") == 0 ||
	    strcmp(j->prof.kind, "smime") == 0) &&
	    (er = ra_client_secret_ok(w->db, j->request_id,
	    PQgetisnull(res, row, L_SECRET) ? NULL :
	    PQgetvalue(res, row, L_SECRET))) != RA_OK) {
		if (er == RA_EDENIED)
			er = job_refuse(w, j, "the key password is not the "
			    "access PIN of the request's URL");
		goto out;
	}
	if ((er = ra_profile_check_subject(&j->prof, subject, why,
	    sizeof(why))) != RA_OK ||
	    (er = job_key(&j->prof, res, row, &csr, &j->key_made, &newkey,
	    &made, why, sizeof(why))) != RA_OK) {
		if (er == RA_EINPUT || er == RA_EPOLICY)
			er = job_refuse(w, j, why);
		goto out;
	}
	pub = csr != NULL ? X509_REQ_get_X509_PUBKEY(csr) : made;
	if ((er = ra_pubkey_spki(pub, &spki, &spkilen, sha)) != RA_OK)
		goto out;
	if ((j->cn = ra_dn_get(subject, NID_commonName)) == NULL ||
	    (j->subject = ra_dn_text(subject)) == NULL ||
	    (j->spki_hex = ra_bytea_hex(spki, spkilen)) == NULL ||
	    (j->sha_hex = ra_bytea_hex(sha, sizeof(sha))) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	if (newkey != NULL && ((er = ra_key_encrypt(newkey,
	    PQgetvalue(res, row, L_SECRET), &enc, &enclen)) != RA_OK ||
	    (j->key_hex = ra_bytea_hex(enc, enclen)) == NULL)) {
		er = er != RA_OK ? er : RA_ENOMEM;
		goto out;
	}
	/* The database's clock and the dated limit (validity.c). */
	if ((er = batch_clock(w, j->prof.kind, &clk)) != RA_OK ||
	    (er = serial_new(j->serial, sizeof(j->serial))) != RA_OK)
		goto out;
	ra_validity_at(&j->prof, clk, &j->nb, &j->na);
	tbs_init(&t, w, j, res, row, subj, subjlen, pub);
	if ((er = ra_tbs_build(&t, &j->crt, &j->tbs, &j->tbslen)) != RA_OK)
		goto out;
	/* Pre-issuance lint: an error finding refuses, nothing is reserved;
	 * validity against the schedule of the day it begins. */
	if ((er = ra_lint_tbs(j->crt, &(struct ra_lint_ctx){ j->prof.kind,
	    *t.issuer_url != '\0', *t.crl_url != '\0', clk->days_nb },
	    &j->lint, why, sizeof(why))) != RA_OK) {
		if (er == RA_EPOLICY || er == RA_EINPUT)
			er = lint_refuse(w, j, why);
		goto out;
	}
	if ((j->tbs_hex = ra_bytea_hex(j->tbs, j->tbslen)) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	j->state = JOB_RESERVE;
out:
	X509_NAME_free(subject);
	X509_REQ_free(csr);
	X509_PUBKEY_free(made);
	EVP_PKEY_free(newkey);
	PQfreemem(subj);
	OPENSSL_free(spki);
	OPENSSL_clear_free(enc, enclen);
	return er;
}

/*
 * After a crash: a reservation exists.  Rebuild the certificate from what
 * was stored and insist on the very same TBS bytes.
 */
static enum ra_err
job_resume(struct ra_worker *w, struct job *j, PGresult *res, int row)
{
	struct ra_tbs		 t;
	unsigned char		*subj = NULL, *spki = NULL, *tbs = NULL;
	size_t			 subjlen, spkilen, tbslen;
	X509_NAME		*subject = NULL;
	X509_PUBKEY		*pub = NULL;
	const unsigned char	*cp;
	enum ra_err		 er;

	j->cert_id = strtoll(PQgetvalue(res, row, L_CERT), NULL, 10);
	snprintf(j->serial, sizeof(j->serial), "%s",
	    PQgetvalue(res, row, L_SERIAL));
	if (profile_get(w, atoi(PQgetvalue(res, row, L_PROFILE)), &j->prof) !=
	    RA_OK)
		return job_refuse(w, j, "unknown profile");
	if ((j->sg = ra_signer_find(w->signers, w->nsigners,
	    strtoll(PQgetvalue(res, row, L_CCA), NULL, 10))) == NULL)
		return job_later(w, j, "the reserving CA's key is not "
		    "available to this worker; retrying");
	if ((er = ra_bytea_get(res, row, L_SUBJECT, &subj, &subjlen)) != RA_OK ||
	    (er = ra_bytea_get(res, row, L_SPKI, &spki, &spkilen)) != RA_OK ||
	    (er = ra_bytea_get(res, row, L_TBS, &tbs, &tbslen)) != RA_OK)
		goto out;
	cp = subj;
	if ((subject = d2i_X509_NAME(NULL, &cp, (long)subjlen)) == NULL ||
	    (j->subject = ra_dn_text(subject)) == NULL ||
	    (cp = spki, pub = d2i_X509_PUBKEY(NULL, &cp, (long)spkilen)) ==
	    NULL) {
		er = RA_EINPUT;
		goto out;
	}
	j->nb = (time_t)strtoll(PQgetvalue(res, row, L_NB), NULL, 10);
	j->na = (time_t)strtoll(PQgetvalue(res, row, L_NA), NULL, 10);
	tbs_init(&t, w, j, res, row, subj, subjlen, pub);
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
	X509_PUBKEY_free(pub);
	PQfreemem(subj);
	PQfreemem(spki);
	PQfreemem(tbs);
	return er;
}

/* What one claimed job needs, from its row of the batch's load. */
static enum ra_err
job_prepare(struct ra_worker *w, struct job *j, PGresult *res, int row)
{
	char	 why[96];

	if (row < 0)
		return job_finish(w, j, "failed", "no such request");
	/* A job that keeps failing on errors (not refusals) is given up. */
	if (j->attempts >= w->max_attempts) {
		snprintf(why, sizeof(why), "gave up after %d attempts; see the "
		    "worker's log", j->attempts);
		return job_refuse(w, j, why);
	}
	j->institution_id = strtoll(PQgetvalue(res, row, L_INST), NULL, 10);
	j->officer_id = strtoll(PQgetvalue(res, row, L_OFFICER), NULL, 10);
	/* Server and code-signing certificates: to the user administrator (M6). */
	if ((strcmp(PQgetvalue(res, row, L_KIND), "server") == 0 ||
	    strcmp(PQgetvalue(res, row, L_KIND), "code_signing") == 0) &&
	    *PQgetvalue(res, row, L_ADMIN_MAIL) != '\0' &&
	    ((j->admin_name = strdup(PQgetvalue(res, row, L_ADMIN_NAME))) ==
	    NULL || (j->admin_mail = strdup(PQgetvalue(res, row,
	    L_ADMIN_MAIL))) == NULL))
		return RA_ENOMEM;
	if (strcmp(PQgetvalue(res, row, L_STATE), "queued") != 0)
		return job_finish(w, j, "done", NULL);	/* nothing left */
	if (PQgetisnull(res, row, L_CERT))
		return job_build(w, j, res, row);
	if (strcmp(PQgetvalue(res, row, L_CSTATE), "issued") == 0)
		return job_finish(w, j, "done", NULL);	/* died after storing */
	return job_resume(w, j, res, row);
}

/*
 * Whether job_build will make the job's key (a browser request, P12一括:
 * the profile's key_gen 'server'), and of which algorithm.  What this
 * cannot tell (no profile yet) job_build finds out and says.
 */
static void
key_wanted(struct ra_worker *w, struct job *j, PGresult *res, int row)
{
	struct ra_profile	 p;

	if (row < 0 || strcmp(PQgetvalue(res, row, L_STATE), "queued") != 0 ||
	    strcmp(PQgetvalue(res, row, L_ACTION), "revoke") == 0 ||
	    !PQgetisnull(res, row, L_CERT) || !PQgetisnull(res, row, L_CSR) ||
	    PQgetisnull(res, row, L_SECRET) ||
	    profile_get(w, atoi(PQgetvalue(res, row, L_PROFILE)), &p) !=
	    RA_OK || strcmp(p.key_gen, "server") != 0)
		return;
	profile_key_alg(&p, j->key_alg, sizeof(j->key_alg));
}

/*
 * One key made ahead, on whichever core is free: an RSA key costs what a
 * hundred signatures do, and a batch of them on one core left the other
 * idle.  A failure leaves none; job_key then makes it again, and says why.
 */
static void
key_make_at(void *arg, size_t i)
{
	struct job	*j = (struct job *)arg + i;

	if (*j->key_alg != '\0')
		(void)ra_key_new(j->key_alg, &j->key_made);
}

/* Load every claimed request in one query and prepare each job. */
static enum ra_err
prepare_all(struct ra_worker *w, struct job *jobs, size_t n)
{
	struct ra_pgarr	 ids;
	PGresult	*res = NULL;
	const char	*param[1];
	char		 id[24];
	size_t		 i;
	int		*rows = NULL, k;
	enum ra_err	 er = RA_ENOMEM;

	memset(&ids, 0, sizeof(ids));
	w->nclocks = 0;		/* a new transaction, a new clock */
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%lld", (long long)jobs[i].request_id);
		if (!ra_pgarr_add(&ids, id))
			goto out;
	}
	if ((param[0] = ra_pgarr_str(&ids)) == NULL)
		goto out;
	if ((er = ra_db_query(w->db, "load requests", SQL_LOAD, 1, param,
	    &res)) != RA_OK)
		goto out;
	er = RA_ENOMEM;
	if ((rows = calloc(n, sizeof(*rows))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		for (rows[i] = -1, k = 0; k < PQntuples(res); k++)
			if (strtoll(PQgetvalue(res, k, L_ID), NULL, 10) ==
			    jobs[i].request_id)
				rows[i] = k;
		key_wanted(w, &jobs[i], res, rows[i]);
	}
	ra_parallel(n, 2, 1, key_make_at, jobs);
	for (i = 0, er = RA_OK; i < n && er == RA_OK; i++)
		er = job_prepare(w, &jobs[i], res, rows[i]);
out:
	free(rows);
	PQclear(res);
	ra_pgarr_free(&ids);
	return er;
}

/* Columns of SQL_RESERVE, in order. */
enum {
	R_CA, R_SERIAL, R_REQUEST, R_INST, R_KIND, R_PROFILE, R_OFFICER,
	R_DN, R_CN, R_SPKI, R_SHA, R_TBS, R_NB, R_NA, R_LINT, R__MAX
};

static int
reserve_row(struct ra_pgarr *a, const struct job *j)
{
	char	 v[R__MAX][24];

	snprintf(v[R_CA], sizeof(v[0]), "%lld", (long long)ra_signer_ca(j->sg)->ca_id);
	snprintf(v[R_REQUEST], sizeof(v[0]), "%lld", (long long)j->request_id);
	snprintf(v[R_INST], sizeof(v[0]), "%lld", (long long)j->institution_id);
	snprintf(v[R_PROFILE], sizeof(v[0]), "%d", j->prof.id);
	snprintf(v[R_OFFICER], sizeof(v[0]), "%lld", (long long)j->officer_id);
	snprintf(v[R_NB], sizeof(v[0]), "%lld", (long long)j->nb);
	snprintf(v[R_NA], sizeof(v[0]), "%lld", (long long)j->na);
	return ra_pgarr_add(&a[R_CA], v[R_CA]) &&
	    ra_pgarr_add(&a[R_SERIAL], j->serial) &&
	    ra_pgarr_add(&a[R_REQUEST], v[R_REQUEST]) &&
	    ra_pgarr_add(&a[R_INST], v[R_INST]) &&
	    ra_pgarr_add(&a[R_KIND], j->prof.kind) &&
	    ra_pgarr_add(&a[R_PROFILE], v[R_PROFILE]) &&
	    ra_pgarr_add(&a[R_OFFICER], j->officer_id == 0 ? NULL :
	    v[R_OFFICER]) &&
	    ra_pgarr_add(&a[R_DN], j->subject) &&
	    ra_pgarr_add(&a[R_CN], j->cn) &&
	    ra_pgarr_add(&a[R_SPKI], j->spki_hex) &&
	    ra_pgarr_add(&a[R_SHA], j->sha_hex) &&
	    ra_pgarr_add(&a[R_TBS], j->tbs_hex) &&
	    ra_pgarr_add(&a[R_NB], v[R_NB]) &&
	    ra_pgarr_add(&a[R_NA], v[R_NA]) &&
	    ra_pgarr_add(&a[R_LINT], j->lint);
}

/*
 * A reservation that did not go in: the key was taken meanwhile (refuse)
 * or, once in 2^127, the serial (leave the job for the next batch).
 */
static enum ra_err
reserve_conflict(struct ra_worker *w, struct job *j)
{
	PGresult	*res = NULL;
	const char	*param[1] = { j->sha_hex };
	enum ra_err	 er;

	if ((er = ra_db_query(w->db, "key taken", SQL_KEY_TAKEN, 1, param,
	    &res)) != RA_OK)
		return er;
	if (strcmp(PQgetvalue(res, 0, 0), "t") == 0)
		er = job_refuse(w, j, "this key was used before");
	else
		j->state = JOB_NONE;
	PQclear(res);
	return er;
}

/* Store every built reservation (and its server-made key) in one go. */
static enum ra_err
reserve_all(struct ra_worker *w, struct job *jobs, size_t n)
{
	struct ra_pgarr	 a[R__MAX], kc, kk;
	PGresult	*res = NULL;
	const char	*param[R__MAX];
	char		 id[24], days[16];
	size_t		 i, want = 0;
	int		 k, c;
	enum ra_err	 er = RA_ENOMEM;

	memset(a, 0, sizeof(a));
	memset(&kc, 0, sizeof(kc));
	memset(&kk, 0, sizeof(kk));
	for (i = 0; i < n; i++)
		if (jobs[i].state == JOB_RESERVE) {
			if (!reserve_row(a, &jobs[i]))
				goto out;
			want++;
		}
	if (want == 0) {
		er = RA_OK;
		goto out;
	}
	for (c = 0; c < R__MAX; c++)
		if ((param[c] = ra_pgarr_str(&a[c])) == NULL)
			goto out;
	if ((er = ra_db_query(w->db, "reserve certificates", SQL_RESERVE,
	    R__MAX, param, &res)) != RA_OK)
		goto out;
	for (k = 0; k < PQntuples(res); k++)
		for (i = 0; i < n; i++)
			if (jobs[i].state == JOB_RESERVE &&
			    jobs[i].request_id == strtoll(PQgetvalue(res, k, 0),
			    NULL, 10)) {
				jobs[i].cert_id = strtoll(PQgetvalue(res, k, 1),
				    NULL, 10);
				jobs[i].state = JOB_SIGN;
			}
	for (i = 0; i < n; i++) {
		if (jobs[i].state == JOB_RESERVE &&
		    (er = reserve_conflict(w, &jobs[i])) != RA_OK)
			goto out;
		if (jobs[i].state != JOB_SIGN || jobs[i].key_hex == NULL)
			continue;
		snprintf(id, sizeof(id), "%lld", (long long)jobs[i].cert_id);
		if (!ra_pgarr_add(&kc, id) ||
		    !ra_pgarr_add(&kk, jobs[i].key_hex)) {
			er = RA_ENOMEM;
			goto out;
		}
	}
	er = RA_OK;
	if (kc.n > 0) {
		snprintf(days, sizeof(days), "%d", w->key_days);
		param[0] = ra_pgarr_str(&kc);
		param[1] = ra_pgarr_str(&kk);
		param[2] = days;
		if (param[0] == NULL || param[1] == NULL)
			er = RA_ENOMEM;
		else
			er = ra_db_command(w->db, "store keys", SQL_KEYS_PENDING,
			    3, param);
	}
out:
	PQclear(res);
	for (c = 0; c < R__MAX; c++)
		ra_pgarr_free(&a[c]);
	ra_pgarr_free(&kc);
	ra_pgarr_free(&kk);
	return er;
}

/* Columns of the storing statements, in order. */
enum {
	S_CERT, S_DER, S_REQUEST, S_JOB, S_INST, S_OFFICER, S_ISSUER,
	S_SERIAL, S_DN, S__MAX
};

static int
store_row(struct ra_pgarr *a, const struct job *j)
{
	unsigned char	*der = NULL;
	size_t		 len;
	char		 v[S__MAX][24], *hex = NULL;
	int		 ok;

	if (ra_cert_der(j->crt, &der, &len) != RA_OK ||
	    (hex = ra_bytea_hex(der, len)) == NULL) {
		OPENSSL_free(der);
		return 0;
	}
	snprintf(v[S_CERT], sizeof(v[0]), "%lld", (long long)j->cert_id);
	snprintf(v[S_REQUEST], sizeof(v[0]), "%lld", (long long)j->request_id);
	snprintf(v[S_JOB], sizeof(v[0]), "%lld", (long long)j->job_id);
	snprintf(v[S_INST], sizeof(v[0]), "%lld", (long long)j->institution_id);
	snprintf(v[S_OFFICER], sizeof(v[0]), "%lld", (long long)j->officer_id);
	ok = ra_pgarr_add(&a[S_CERT], v[S_CERT]) &&
	    ra_pgarr_add(&a[S_DER], hex) &&
	    ra_pgarr_add(&a[S_REQUEST], v[S_REQUEST]) &&
	    ra_pgarr_add(&a[S_JOB], v[S_JOB]) &&
	    ra_pgarr_add(&a[S_INST], v[S_INST]) &&
	    ra_pgarr_add(&a[S_OFFICER], j->officer_id == 0 ? NULL :
	    v[S_OFFICER]) &&
	    ra_pgarr_add(&a[S_ISSUER], ra_signer_ca(j->sg)->subject) &&
	    ra_pgarr_add(&a[S_SERIAL], j->serial) &&
	    ra_pgarr_add(&a[S_DN], j->subject);
	OPENSSL_free(der);
	free(hex);
	return ok;
}

/*
 * Step 3 for every signed certificate: store them, close their requests
 * and jobs, audit, and wake whoever waits (NOTIFY ra_done), in one go.
 */
static enum ra_err
store_all(struct ra_worker *w, struct job *jobs, size_t n)
{
	struct ra_pgarr	 a[S__MAX];
	const char	*p[S__MAX], *param[8];
	size_t		 i;
	int		 c;
	enum ra_err	 er = RA_ENOMEM;

	memset(a, 0, sizeof(a));
	for (i = 0; i < n; i++)
		if (jobs[i].state == JOB_SIGN && !store_row(a, &jobs[i]))
			goto out;
	if (a[S_CERT].n == 0) {
		er = RA_OK;
		goto out;
	}
	for (c = 0; c < S__MAX; c++)
		if ((p[c] = ra_pgarr_str(&a[c])) == NULL)
			goto out;
	param[0] = p[S_CERT];
	param[1] = p[S_DER];
	/*
	 * Client certificates' URLs and mails while their PINs are still in
	 * the requests; a P12一括 upload is finished once its rows are done.
	 */
	if ((er = ra_db_command(w->db, "store certificates", SQL_ISSUED, 2,
	    param)) != RA_OK ||
	    (er = ra_db_command(w->db, "superseded", SQL_SUPERSEDED, 1,
	    &p[S_CERT])) != RA_OK ||
	    (er = ra_client_issued(w->db, &w->client, p[S_REQUEST])) != RA_OK ||
	    (er = ra_db_command(w->db, "requests done", SQL_REQUESTS_DONE, 1,
	    &p[S_REQUEST])) != RA_OK ||
	    (er = ra_client_batches_done(w->db, &w->client, p[S_REQUEST])) !=
	    RA_OK ||
	    (er = ra_db_command(w->db, "jobs done", SQL_JOBS_DONE, 1,
	    &p[S_JOB])) != RA_OK)
		goto out;
	param[0] = w->id;
	param[1] = p[S_INST];
	param[2] = p[S_OFFICER];
	param[3] = p[S_ISSUER];
	param[4] = p[S_SERIAL];
	param[5] = p[S_DN];
	param[6] = p[S_REQUEST];
	param[7] = p[S_CERT];
	if ((er = ra_db_command(w->db, "audit issue", SQL_AUDIT_ISSUE, 8,
	    param)) != RA_OK)
		goto out;
	if ((er = ra_db_command(w->db, "notify", SQL_NOTIFY_ALL, 1,
	    &p[S_REQUEST])) != RA_OK)
		goto out;
	for (i = 0; i < n; i++)
		if (jobs[i].state == JOB_SIGN && jobs[i].admin_mail != NULL &&
		    (er = ra_retrieval_mail(w->db, w->site_url, jobs[i].cert_id,
		    jobs[i].institution_id, jobs[i].subject, jobs[i].serial,
		    jobs[i].admin_name, jobs[i].admin_mail)) != RA_OK)
			goto out;
out:
	for (c = 0; c < S__MAX; c++)
		ra_pgarr_free(&a[c]);
	return er;
}

/*
 * Step 1: up to w->batch fresh jobs or else one orphan, each held by our
 * advisory lock.
 */
static enum ra_err
claim(struct ra_worker *w, struct job *jobs, size_t *n)
{
	PGresult	*res = NULL;
	const char	*param[3];
	char		 lim[16];
	int		 i;
	enum ra_err	 er;

	*n = 0;
	snprintf(lim, sizeof(lim), "%zu", w->batch);
	param[0] = lim;
	param[1] = w->id;
	param[2] = "queued";
	if ((er = ra_db_query(w->db, "claim jobs", SQL_CLAIM, 3, param,
	    &res)) != RA_OK)
		return er;
	if (PQntuples(res) == 0) {
		PQclear(res);
		param[0] = "1";
		param[2] = "running";
		if ((er = ra_db_query(w->db, "claim orphaned job", SQL_CLAIM, 3,
		    param, &res)) != RA_OK)
			return er;
		if (PQntuples(res) == 1)
			ra_warnx("request %s: taken over from %s, which stopped "
			    "while holding it", PQgetvalue(res, 0, 1),
			    PQgetvalue(res, 0, 3));
	}
	for (i = 0; i < PQntuples(res) && (size_t)i < w->batch; i++) {
		memset(&jobs[i], 0, sizeof(jobs[i]));
		jobs[i].job_id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		jobs[i].request_id = strtoll(PQgetvalue(res, i, 1), NULL, 10);
		jobs[i].attempts = atoi(PQgetvalue(res, i, 2));
	}
	*n = (size_t)i;
	PQclear(res);
	return RA_OK;
}

static void
unlock_all(struct ra_worker *w, struct job *jobs, size_t n)
{
	struct ra_pgarr	 ids;
	const char	*param[1];
	char		 id[24];
	size_t		 i;

	memset(&ids, 0, sizeof(ids));
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%lld", (long long)jobs[i].job_id);
		(void)ra_pgarr_add(&ids, id);
		job_clear(&jobs[i]);
	}
	if (n > 0 && (param[0] = ra_pgarr_str(&ids)) != NULL)
		(void)ra_db_command(w->db, "unlock jobs", SQL_UNLOCK, 1, param);
	ra_pgarr_free(&ids);
}

/*
 * A reserved job signed on whichever core is free.  A key in a token is
 * left to the caller's thread: the token has one session, used in order.
 */
static void
sign_at(void *arg, size_t i)
{
	struct job	*j = (struct job *)arg + i;

	if (j->state != JOB_SIGN || ra_signer_in_token(j->sg))
		return;
	j->sign_er = ra_signer_sign_tbs(j->sg, j->crt, j->tbs, j->tbslen);
	j->signed_ahead = 1;
}

/* Steps 2 and 3 for "n" claimed jobs. */
static enum ra_err
process(struct ra_worker *w, struct job *jobs, size_t n)
{
	size_t		 i;
	enum ra_err	 er;

	if ((er = ra_db_begin(w->db)) != RA_OK)
		return er;
	if ((er = prepare_all(w, jobs, n)) != RA_OK ||
	    (er = reserve_all(w, jobs, n)) != RA_OK ||
	    (er = ra_db_commit(w->db)) != RA_OK)
		goto fail;
	if (w->after_reserve != NULL)
		w->after_reserve(w->hook_arg);

	ra_parallel(n, SIGN_THREADS_MIN, SIGN_STRIDE, sign_at, jobs);
	for (i = 0; i < n; i++) {
		if (jobs[i].state != JOB_SIGN || (jobs[i].signed_ahead ?
		    jobs[i].sign_er : ra_signer_sign_tbs(jobs[i].sg,
		    jobs[i].crt, jobs[i].tbs, jobs[i].tbslen)) == RA_OK)
			continue;
		/*
		 * A key that still signs (a token that is there) failed on
		 * this job: an error, counted (Worker.MaxAttempts bounds it).
		 */
		if (!ra_signer_in_token(jobs[i].sg) ||
		    ra_signer_probe(jobs[i].sg))
			return RA_ECRYPTO;	/* stays reserved; logged */
		/*
		 * The token went away: not the request's fault, so not an
		 * attempt; it stays reserved and is signed, once, when the
		 * token is back.
		 */
		w->token_down = 1;
		if ((er = job_later(w, &jobs[i], "the CA's token did not sign "
		    "(absent?); the job waits for it")) != RA_OK)
			return er;
	}

	if ((er = ra_db_begin(w->db)) != RA_OK)
		return er;
	if ((er = store_all(w, jobs, n)) != RA_OK)
		goto fail;
	return ra_db_commit(w->db);
fail:
	ra_db_rollback(w->db);
	return er;
}

/* Jobs put off for a missing key: due now, their key being back. */
static const char SQL_JOBS_NOW[] =
    "UPDATE ra.job SET run_after = pg_catalog.now()"
    " WHERE state = 'queued' AND run_after > pg_catalog.now()"
    "   AND last_error IS NOT NULL";

/*
 * The CA keys afresh, the token's module restarted: every old key goes
 * first (the module's shutdown invalidates them anyway).  Without the
 * database no key is left; the next attempt loads them again.
 */
static enum ra_err
token_reopen(struct ra_worker *w, int flags)
{
	enum ra_err	 er;

	ra_signers_free(w->signers, w->nsigners);
	w->signers = NULL;
	w->nsigners = 0;
	w->nprofiles = 0;
	er = ra_signers_load(w->db, &w->keys, RA_SIGNERS_RESET | flags,
	    &w->signers, &w->nsigners, &w->token_missing);
	if (er != RA_OK)
		w->token_missing = 1;		/* try again */
	return er;
}

/*
 * A token key that did not load or did not sign: the token is opened
 * again, once a poll interval, until every token key is back; then the
 * jobs that waited for it are due at once.  What fails is logged the
 * first time, and then only when it changes, not every poll.
 */
static void
token_again(struct ra_worker *w)
{
	time_t	 now = time(NULL);
	size_t	 before = w->nsigners;

	if ((!w->token_down && w->token_missing == 0) || now < w->token_retry)
		return;
	w->token_retry = now + w->poll_seconds;
	if (token_reopen(w, w->token_quiet ? RA_SIGNERS_QUIET : 0) != RA_OK)
		return;
	w->token_down = 0;
	if (w->token_missing > 0 && w->token_quiet && w->nsigners == before)
		return;				/* still out, said before */
	if (w->token_missing > 0)
		ra_warnx("%s: token keys still not in reach (%zu CA key(s) "
		    "loaded); trying again every poll interval", w->id,
		    w->nsigners);
	else
		ra_warnx("%s: token opened again: %zu CA key(s)", w->id,
		    w->nsigners);
	w->token_quiet = w->token_missing > 0;
	if (w->nsigners > before || w->token_missing == 0)
		(void)ra_db_command(w->db, "jobs due", SQL_JOBS_NOW, 0, NULL);
}

/*
 * An attempt of one job that ended in an error: one attempt counted (its
 * connection still up: a lost database is no fault of the job's, and its
 * job comes back as an orphan).
 */
static void
job_failed(struct ra_worker *w, const struct job *j, enum ra_err er)
{
	const char	*param[2];
	char		 jid[24];

	if (PQstatus(w->db) != CONNECTION_OK)
		return;
	snprintf(jid, sizeof(jid), "%lld", (long long)j->job_id);
	param[0] = jid;
	param[1] = ra_strerror(er);
	(void)ra_db_command(w->db, "job failed", SQL_JOB_FAILED, 2, param);
}

/*
 * One batch.  Returns the number of jobs handled (0: nothing could be
 * claimed) or -1 after an error; what failed is left for the next
 * attempt.  When a batch fails, its jobs are retried one by one so one bad
 * request cannot hold up the others.
 */
int
ra_worker_batch(struct ra_worker *w)
{
	struct job	*jobs;
	size_t		 n, i, done;
	enum ra_err	 er;

	token_again(w);
	if ((jobs = calloc(w->batch, sizeof(*jobs))) == NULL)
		return -1;
	if (claim(w, jobs, &n) != RA_OK) {
		free(jobs);
		return -1;
	}
	if ((er = process(w, jobs, n)) != RA_OK && n == 1)
		job_failed(w, &jobs[0], er);
	else if (er != RA_OK && n > 1 && PQstatus(w->db) == CONNECTION_OK) {
		ra_warnx("batch of %zu failed (%s); retrying one by one", n,
		    ra_strerror(er));
		for (done = 0, i = 0; i < n; i++) {
			job_reset(&jobs[i]);
			if ((er = process(w, &jobs[i], 1)) != RA_OK) {
				ra_warnx("job %lld failed; it stays queued",
				    (long long)jobs[i].job_id);
				job_failed(w, &jobs[i], er);
			} else
				done++;
		}
		/*
		 * None went through: an error, not progress, or "drain"
		 * would claim the same failing jobs for ever.
		 */
		er = done > 0 ? RA_OK : RA_EDB;
	}
	unlock_all(w, jobs, n);
	free(jobs);
	return er == RA_OK ? (int)n : -1;
}

enum ra_err
ra_worker_open(struct ra_worker *w, PGconn *db, const struct ra_conf *c)
{
	char		 host[64];
	enum ra_err	 er;

	memset(w, 0, sizeof(*w));
	w->db = db;
	w->batch = (size_t)ra_conf_int(c, "Worker.Batch", 100);
	if (w->batch < 1 || w->batch > 10000)
		w->batch = 100;
	w->key_days = ra_conf_int(c, "Worker.KeyDays", 31);
	if (w->key_days < 1)
		w->key_days = 1;
	w->max_attempts = ra_conf_int(c, "Worker.MaxAttempts", 5);
	if (w->max_attempts < 1)
		w->max_attempts = 1;
	w->ocsp_url = ra_conf_get(c, "Pki.OcspURL");
	ra_client_cfg(c, &w->client);
	ra_keys_cfg(c, &w->keys);
	if ((w->poll_seconds = ra_conf_int(c, "Worker.PollSeconds", 10)) < 1)
		w->poll_seconds = 1;
	/* Warned now, not first found when a batch of certificates is stored. */
	if ((w->site_url = ra_conf_get(c, "Site.URL")) == NULL)
		ra_warnx("config %s: Site.URL is not set: server certificates "
		    "cannot be stored with their retrieval URLs", c->path);
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(w->id, sizeof(w->id), "worker:%s:%ld", host, (long)getpid());
	if ((w->profiles = calloc(PROFILE_CACHE, sizeof(*w->profiles))) == NULL)
		return RA_ENOMEM;
	er = ra_signers_load(db, &w->keys, 0, &w->signers, &w->nsigners,
	    &w->token_missing);
	w->token_quiet = w->token_missing > 0;	/* said now, once */
	return er;
}

/*
 * Read CA keys and profiles again (SIGHUP): after a CA was imported or made
 * current, or a profile changed.  Only between batches: jobs point into
 * the old tables while a batch runs.  If the CAs cannot be read (the
 * database is away), the keys loaded before stay: a failed reload must
 * not stop issuance from the CAs that worked.  Keys in a token are the
 * exception: their module is started afresh, so they go first (and are
 * tried again each poll interval until they are back).
 */
enum ra_err
ra_worker_reload(struct ra_worker *w)
{
	struct ra_signer	*sg = NULL;
	size_t			 n = 0, i, missing = 0;
	enum ra_err		 er;

	/* A token's keys cannot be had twice: its module starts afresh. */
	for (i = 0; i < w->nsigners; i++)
		if (ra_signer_in_token(ra_signer_at(w->signers, i)))
			break;
	if (i < w->nsigners || w->token_missing > 0 || w->token_down) {
		w->token_quiet = 0;		/* asked for: say it all */
		if ((er = token_reopen(w, 0)) == RA_OK)
			w->token_down = 0;
		return er;
	}
	if ((er = ra_signers_load(w->db, &w->keys, 0, &sg, &n, &missing)) !=
	    RA_OK)
		return er;
	ra_signers_free(w->signers, w->nsigners);
	w->signers = sg;
	w->nsigners = n;
	w->token_missing = missing;
	w->nprofiles = 0;
	return RA_OK;
}

void
ra_worker_close(struct ra_worker *w)
{
	ra_signers_free(w->signers, w->nsigners);
	free(w->profiles);
	w->signers = NULL;
	w->profiles = NULL;
}

static const char SQL_DUE[] =
    "SELECT count(*) AS due FROM ra.job WHERE" SQL_JOB_DUE;

/* Jobs due now, whoever holds them (drain waits for none to be left). */
enum ra_err
ra_worker_due(PGconn *db, long *due)
{
	int64_t		 n;
	enum ra_err	 er;

	er = ra_db_run_i64(db, "jobs due", SQL_DUE, "due", &n, NULL, 0);
	*due = (long)n;
	return er;
}
