/*
 * acme-app.h: the RA officer's side of ACME (⑫, acme-app.cgi) and the
 * user administrator's EAB retrieval (eabget.cgi); lib/acme-app.c.
 * ra.h and domain.h come first.
 */
#ifndef RA_ACME_APP_H
#define RA_ACME_APP_H

#define RA_ACME_INTERFACE	12	/* ⑫ in ra.interface */

/* What an officer may do to an application. */
enum ra_acme_op {
	RA_ACME_SUSPEND = 0,
	RA_ACME_RESUME,
	RA_ACME_CLOSE,
	RA_ACME_REISSUE,	/* a fresh EAB and URL, before any account */
	RA_ACME_OP__MAX
};

/* The institution's applications the officer reaches, and theirs. */
struct ra_acme_list {
	PGresult	*apps;		/* one row an application */
	PGresult	*orders;	/* application_id, newest first */
	PGresult	*certs;		/* application_id, newest first */
};

/* What a change did: "outcome" ok, denied, closed (final), same. */
struct ra_acme_change {
	char	 outcome[16];
	char	 old_status[16];
};

/* One-time EAB URL: what eabget.cgi shows. */
struct ra_acme_eab {
	int	 shown;			/* the key is here, this once */
	char	 state[16];		/* shown, used, expired, closed */
	char	 kid[80];
	char	 hmac[48];		/* base64url, no padding */
	char	 fqdns[8 * 256 + 8];	/* space separated, CN first */
	char	 cn[256];
	char	 admin_name[256], officer_name[256], officer_mail[256];
	char	 institution_ja[512];
	int64_t	 institution_id, application_id;
};

/* The EAB URL's mail (acme-eab-url): whose, to whom, for which names. */
struct ra_acme_mail {
	int64_t		 officer_id, application_id;
	const char	*name, *affiliation, *mail;
	const char	*fqdns;		/* space separated, CN first */
	int		 reissued;	/* in place of an earlier URL */
	/* A URL made already (a reissue); NULL: made here (an upload). */
	const char	*token, *expires;
};

/* What a reissue did: "outcome" ok, denied, closed, account. */
struct ra_acme_reissue {
	char	 outcome[16];
	char	 mail[256];
};

int		 ra_acme_op_parse(const char *, enum ra_acme_op *);
const char	*ra_acme_op_name(enum ra_acme_op);
enum ra_err	 ra_acme_list(PGconn *, int64_t, struct ra_acme_list *);
void		 ra_acme_list_free(struct ra_acme_list *);
enum ra_err	 ra_acme_change(PGconn *, int64_t, int64_t, enum ra_acme_op,
		    const char *, struct ra_acme_change *);
enum ra_err	 ra_acme_eab_mail(PGconn *, const struct ra_conf *,
		    const struct ra_acme_mail *);
enum ra_err	 ra_acme_reissue(PGconn *, const struct ra_conf *, int64_t,
		    int64_t, const char *, struct ra_acme_reissue *);
enum ra_err	 ra_acme_eab_open(PGconn *, const char *, const char *,
		    struct ra_acme_eab *);
void		 ra_acme_eab_clear(struct ra_acme_eab *);
int		 ra_b64url(const unsigned char *, size_t, char *, size_t);
const char	*ra_acme_directory(const struct ra_conf *, char *, size_t);

#endif /* RA_ACME_APP_H */
