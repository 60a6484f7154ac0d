/*
 * desk.h: what the desk's action files (desk*.c) share and nothing else
 * includes: saying what was done or why not, and the audit row every
 * action writes -- with the operator and what the transaction changed
 * (schema 019) -- whether it was done or refused.  ra.h and domain.h
 * come first.
 */
#ifndef RA_DESK_H
#define RA_DESK_H

void		 desk_said(struct ra_desk *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
enum ra_err	 desk_why(struct ra_desk *, enum ra_err, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
enum ra_err	 desk_db_why(struct ra_desk *, enum ra_err, const char *);
enum ra_err	 desk_audit(struct ra_desk *, const char *, int64_t, int64_t,
		    const char *);
enum ra_err	 desk_refused(struct ra_desk *, enum ra_err, const char *,
		    const struct ra_desk_args *);
enum ra_err	 desk_insert(struct ra_desk *, const char *, const char *,
		    const char *, const char *, const struct ra_arg *, size_t,
		    const struct ra_desk_args *);
enum ra_err	 desk_url_who(const PGresult *, int, struct ra_url_who *);
enum ra_err	 desk_officer_begin(struct ra_desk *,
		    const struct ra_desk_args *, PGresult **);

#endif
