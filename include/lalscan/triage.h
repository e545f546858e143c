/* triage.h - the triage layer: folders of dumps. Inputs walked and recognized by content,
 * analyses run on worker threads, results delivered in path order, grouped into buckets and
 * optionally recorded in a SQLite triage database so reruns skip what is already known. */
#ifndef LALSCAN_TRIAGE_H
#define LALSCAN_TRIAGE_H

#include <stdio.h>

#include "lalscan/analysis.h"

#define LS_SCHEMA_TRIAGE "lalscan.triage/1"
#define LS_TRIAGE_DB_VERSION 1

/* One input's outcome, as handed to the result callback (valid only during the call). */
typedef struct ls_batch_result {
    const char *path;
    int status;               /* 0 analyzed (or known from the database), else LS_E* */
    const char *error;        /* message when status != 0 */
    const char *bucket;       /* "" when status != 0 */
    const char *bugcheck;     /* "0xc4/0x62", "0xd1", "" when none */
    const char *driver;       /* "" when none */
    const char *top_site;     /* "laldrv.sys!AllocContext+0x51", "" when none */
    int found;                /* a leak or Verifier violation */
    const char *report_json;  /* one lalscan.report/1 line incl. '\n' (error document when
                                 status != 0); NULL unless ls_batch_options.want_reports */
    int from_db;              /* taken from the database, not analyzed again */
    int new_bucket;           /* with a database: its bucket was not there before this run */
} ls_batch_result;

typedef struct ls_batch_options {
    ls_analysis_options analysis;
    unsigned jobs;            /* worker threads; 0: number of online processors */
    int want_reports;         /* render each dump's JSON report for the callback */
    const char *db_path;      /* triage database, NULL for none */
    /* Called on the thread of ls_batch_run, in path order, once per dump or error (files that
     * are not dumps are counted, not reported). A nonzero return stops the run with that status. */
    int (*on_result)(void *ctx, const ls_batch_result *r);
    void *ctx;
    /* Called on the same thread a few times a second while workers run, and once at the end. */
    void (*on_progress)(void *ctx, size_t done, size_t total);
} ls_batch_options;

typedef struct ls_batch_counts {
    size_t files;             /* inputs looked at (after walking folders) */
    size_t dumps;             /* recognized as dumps (analyzed, known, or failed) */
    size_t analyzed;          /* analyses actually run */
    size_t from_db;           /* known from the database with the same schema and options */
    size_t not_dumps;         /* skipped: not a crash dump by content */
    size_t errors;            /* inputs that could not be read or analyzed */
    size_t found;             /* dumps showing a leak or violation */
    size_t new_buckets;       /* with a database: buckets first seen in this run */
} ls_batch_counts;

typedef struct ls_batch_bucket {
    const char *bucket;
    size_t count;             /* dumps (files) of this run in the bucket */
    const char *bugcheck, *driver, *top_site;
    const char *example;      /* first path in sorted order */
    int is_new;               /* with a database: not there before this run */
} ls_batch_bucket;

typedef struct ls_batch_error {
    const char *path;
    int code;
    const char *message;
    int from_db;              /* the same content failed in an earlier run */
} ls_batch_error;

typedef struct ls_batch ls_batch;

int ls_batch_new(const ls_batch_options *opts, ls_batch **out, ls_error *err);
void ls_batch_free(ls_batch *t);

/* A file (analyzed whatever its content) or a folder (walked recursively; symbolic links to
 * folders are not followed; files recognized by content). A path that does not exist becomes
 * an error record of the run, not a failure here. */
int ls_batch_add(ls_batch *t, const char *path, ls_error *err);
/* Paths one per line (a list from stdin); each recognized by content like a folder's files. */
int ls_batch_add_list(ls_batch *t, FILE *f, ls_error *err);

/* Runs the batch. Fails only for the database or out of memory; bad dumps are results. */
int ls_batch_run(ls_batch *t, ls_error *err);

void ls_batch_get_counts(const ls_batch *t, ls_batch_counts *out);
/* Buckets by count (highest first), then signature; only_new keeps the new ones. */
const ls_batch_bucket *ls_batch_buckets(const ls_batch *t, size_t *count);
/* Error records in path order. */
const ls_batch_error *ls_batch_errors(const ls_batch *t, size_t *count);

/* Renderers of a finished run: the bucket table and the errors as text, and the summary
 * (schema lalscan.triage/1) as one JSON document. only_new keeps new buckets only and the
 * errors not already known from the database. */
int ls_batch_text(const ls_batch *t, int only_new, ls_buf *out);
int ls_batch_summary_json(const ls_batch *t, int only_new, ls_buf *out);

/* Is this file a crash dump by its first bytes (plain or gzip-compressed)? 1 yes, 0 no,
 * negative when it cannot be read. */
int ls_batch_sniff(const char *path, ls_error *err);

/* SHA-256 of a file's bytes as stored, as 64 lower-case hex digits. */
int ls_sha256_file(const char *path, char hex[65], ls_error *err);
void ls_sha256_mem(const void *data, size_t len, uint8_t digest[32]);

#endif
