/*
 * lint.h: pre-issuance linting (lib/lint.c).  The worker lints every
 * certificate it is about to sign; ca.cgi lint does the same for any PEM
 * file.  No CA key is involved: lint.c lives in libra.a for both.
 * ra.h and domain.h come first.
 */
#ifndef RA_LINT_H
#define RA_LINT_H

enum ra_lint_level {
	RA_LINT_WARNING,
	RA_LINT_ERROR
};

/* What a certificate is linted against. */
struct ra_lint_ctx {
	const char	*kind;		/* server smime client ra_officer code_signing */
	int		 want_aia;	/* ra configures caIssuers: require it */
	int		 want_cdp;	/* ra configures a CRL DP: require it */
	int		 max_days;	/* the dated limit on notBefore's day
					 * (ra.validity_limit); 0: the kind's */
};

struct ra_lint_finding {
	const char		*id;
	enum ra_lint_level	 level;
	const char		*source;
	char			 msg[200];
};

#define RA_LINT_MAX	32	/* at most one finding per lint */

struct ra_lint_result {
	struct ra_lint_finding	 f[RA_LINT_MAX];
	size_t			 n;
	size_t			 errors;
};

long		 ra_lint_max_days(const char *, time_t);
const char	*ra_lint_kind_guess(X509 *);
int		 ra_lint_kind_ok(const char *);
enum ra_err	 ra_lint_run(X509 *, const struct ra_lint_ctx *,
		    struct ra_lint_result *);
char		*ra_lint_json(const struct ra_lint_result *);
enum ra_err	 ra_lint_tbs(X509 *, const struct ra_lint_ctx *, char **,
		    char *, size_t);

#endif /* RA_LINT_H */
