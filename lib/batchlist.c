/*
 * batchlist.c: an RA officer's recent uploads (batch.cgi): each batch's
 * file, its rows accepted and refused, and how far the worker is with its
 * requests (queued, done, failed, cancelled, waiting for the user), so a
 * long batch shows its progress and the officer can leave and come back
 * to it from the menu.  Only the officer's own batches; the page and the
 * shell twin are filled from the same HDF.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>

#include "ra.h"
#include "domain.h"

#define BATCHES_SHOWN	20

/* $3 = 0: the latest BATCHES_SHOWN; else that batch alone. */
static const char SQL_BATCHES[] =
    "SELECT b.batch_id,"
    "       pg_catalog.to_char(b.created_at AT TIME ZONE 'Asia/Tokyo',"
    "                          'YYYY-MM-DD HH24:MI:SS') AS created,"
    "       coalesce(b.kind, '') AS kind, b.action, b.error_mode,"
    "       coalesce(b.filename, '') AS filename, b.rows_total, b.rows_ok,"
    "       b.rows_ng, count(r.request_id) AS requests,"
    "       count(*) FILTER (WHERE r.state = 'queued') AS queued,"
    "       count(*) FILTER (WHERE r.state = 'done') AS done,"
    "       count(*) FILTER (WHERE r.state = 'failed') AS failed,"
    "       count(*) FILTER (WHERE r.state = 'cancelled') AS cancelled,"
    "       count(*) FILTER (WHERE r.state = 'waiting') AS waiting,"
    "       b.result_tsv IS NOT NULL AS has_result"
    "  FROM ra.batch b"
    "  LEFT JOIN ra.request r ON r.batch_id = b.batch_id"
    " WHERE b.officer_id = $1::bigint AND b.institution_id = $2::bigint"
    "   AND ($3::bigint = 0 OR b.batch_id = $3::bigint)"
    " GROUP BY b.batch_id"
    " ORDER BY b.batch_id DESC LIMIT $4::integer";

/* What a batch was, by its kind and action, and the screen it came from. */
static const struct {
	const char	*kind, *action;	/* "" any action */
	const char	*ja, *en, *screen;
} batch_of[] = {
	{ "server",	  "",	  "①サーバ証明書", "server certificates",
	  "server.cgi" },
	{ "client",	  "",	  "③クライアント証明書",
	  "client and S/MIME certificates", "client.cgi" },
	{ "code_signing", "",	  "⑪コード署名用証明書",
	  "code-signing certificates", "codesign.cgi" },
	{ "",		  "acme", "⑫ACME利用申請", "ACME applications",
	  "acme-app.cgi" },
	{ "",		  "",	  "⑤利用管理者情報", "user administrators",
	  "admin.cgi" },
};

/* A value of ra.batch and what it says, in Japanese and English. */
struct label {
	const char	*name, *ja, *en;
};

static const struct label action_of[] = {
	{ "issue",  "発行",	"issue" },
	{ "renew",  "更新",	"renew" },
	{ "revoke", "失効",	"revoke" },
	{ "update", "更新",	"update" },
	{ "acme",   "申請",	"apply" },
};

static const struct label mode_of[] = {
	{ "abort",   "エラー時全件中止",	"all or nothing" },
	{ "partial", "エラー行以外を処理",	"the good rows" },
	{ "dry_run", "チェックのみ",		"check only" },
};

static void
set(HDF *page, const char *pre, const char *key, const char *val)
{
	char	 name[96];

	snprintf(name, sizeof(name), "%s.%s", pre, key);
	hdf_set_value(page, name, val);
}

/* One row of SQL_BATCHES as Batches.N.* (the names batch.cs reads). */
static void
batch_fill(const PGresult *res, int row, HDF *page, const char *pre)
{
	static const char *const cols[] = {
		"batch_id", "created", "filename", "rows_total", "rows_ok",
		"rows_ng", "requests", "queued", "done", "failed", "cancelled",
		"waiting",
	};
	const char	*kind = ra_get_text(res, row, "kind");
	const char	*action = ra_get_text(res, row, "action");
	const char	*mode = ra_get_text(res, row, "error_mode");
	size_t		 i;
	long		 total, left, finished;
	char		 v[32];

	for (i = 0; i < RA_NITEMS(cols); i++)
		set(page, pre, cols[i], ra_get_text(res, row, cols[i]));
	for (i = 0; i < RA_NITEMS(batch_of) - 1; i++)
		if (strcmp(batch_of[i].kind, kind) == 0 &&
		    (*batch_of[i].action == '\0' ||
		    strcmp(batch_of[i].action, action) == 0))
			break;
	set(page, pre, "What", batch_of[i].ja);
	set(page, pre, "WhatEn", batch_of[i].en);
	set(page, pre, "Screen", batch_of[i].screen);
	for (i = 0; i < RA_NITEMS(action_of); i++)
		if (strcmp(action_of[i].name, action) == 0) {
			set(page, pre, "Action", action_of[i].ja);
			set(page, pre, "ActionEn", action_of[i].en);
		}
	for (i = 0; i < RA_NITEMS(mode_of); i++)
		if (strcmp(mode_of[i].name, mode) == 0) {
			set(page, pre, "Mode", mode_of[i].ja);
			set(page, pre, "ModeEn", mode_of[i].en);
		}
	set(page, pre, "HasResult", strcmp(ra_get_text(res, row,
	    "has_result"), "t") == 0 ? "1" : "0");
	/* Done is what the worker no longer has: all but the queued. */
	total = strtol(ra_get_text(res, row, "requests"), NULL, 10);
	left = strtol(ra_get_text(res, row, "queued"), NULL, 10);
	finished = total - left;
	snprintf(v, sizeof(v), "%ld", finished);
	set(page, pre, "Finished", v);
	snprintf(v, sizeof(v), "%ld", total > 0 ? finished * 100 / total : 100);
	set(page, pre, "Percent", v);
	set(page, pre, "Running", left > 0 ? "1" : "0");
}

/*
 * Batches.* for officer "officer" of institution "inst": the latest
 * BATCHES_SHOWN, or batch "batch" alone (RA_ENOTFOUND when it is not
 * this officer's).  Batches.Running is 1 while one of them has requests
 * the worker has not taken yet.
 */
enum ra_err
ra_batch_page(PGconn *db, int64_t officer, int64_t inst, int64_t batch,
    HDF *page)
{
	PGresult	*res = NULL;
	char		 pre[32];
	int		 i, running = 0;
	enum ra_err	 er;

	if ((er = ra_db_run(db, "batches", SQL_BATCHES, &res,
	    RA_ARGS(RA_INT(officer), RA_INT(inst), RA_INT(batch),
	    RA_INT(batch != 0 ? 1 : BATCHES_SHOWN)))) != RA_OK)
		return er;
	if (batch != 0 && PQntuples(res) == 0)
		er = RA_ENOTFOUND;
	for (i = 0; er == RA_OK && i < PQntuples(res); i++) {
		snprintf(pre, sizeof(pre), "Batches.%d", i);
		batch_fill(res, i, page, pre);
		if (strcmp(ra_get_text(res, i, "queued"), "0") != 0)
			running = 1;
	}
	hdf_set_int_value(page, "Batches.Running", running);
	PQclear(res);
	return er;
}

/* The same as TSV lines, for the shell: one batch a line, a header first. */
void
ra_batch_print(HDF *page, FILE *fp)
{
	static const char *const cols[] = {
		"batch_id", "created", "WhatEn", "ActionEn", "ModeEn",
		"filename", "rows_total", "rows_ok", "rows_ng", "requests",
		"queued", "done", "failed", "cancelled", "waiting", "Percent",
	};
	HDF	*b;
	size_t	 i;

	for (i = 0; i < RA_NITEMS(cols); i++)
		fprintf(fp, "%s%s", i ? "\t" : "", cols[i]);
	fputc('\n', fp);
	for (b = hdf_obj_child(hdf_get_obj(page, "Batches")); b != NULL;
	    b = hdf_obj_next(b)) {
		if (strcmp(hdf_obj_name(b), "Running") == 0)
			continue;
		for (i = 0; i < RA_NITEMS(cols); i++)
			fprintf(fp, "%s%s", i ? "\t" : "",
			    hdf_get_value(b, cols[i], ""));
		fputc('\n', fp);
	}
}
