/* triage_internal.h - private to the triage layer: one input's work item, the run object, and
 * the database and input helpers the run calls. */
#ifndef LALSCAN_TRIAGE_INTERNAL_H
#define LALSCAN_TRIAGE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "lalscan/triage.h"

enum tr_kind { TR_PENDING = 0, TR_DUMP, TR_NOT_DUMP, TR_ERROR };

/* One input. Only the worker that claimed it writes its result fields; the run thread reads
 * them after the item's done flag is set (release/acquire). */
typedef struct tr_item {
    char *path;
    int sniff;                /* recognize by content (folder and list entries) */
    char *pre_error;          /* known failure at add time (unreadable folder) */
    int pre_code;
    /* results */
    int kind;
    int status;
    char *error;
    char *bucket, *bugcheck, *driver, *top_site;
    int found;
    char *report;
    int from_db;
    int new_bucket;
    char hash[65];            /* "" when not hashed */
    int64_t size, mtime_ns;
    atomic_int done;
} tr_item;

struct ls_batch {
    ls_batch_options o;
    char options_key[65];     /* fingerprint of the analysis options (database rows) */
    tr_item *items;
    size_t nitems, cap;
    atomic_size_t next;       /* work index */
    atomic_size_t ndone;
    atomic_size_t emitted;    /* items delivered by the run thread */
    atomic_int stop;
    size_t window;            /* how far workers may run ahead of delivery */
    pthread_mutex_t lock;     /* only for the condition variables */
    pthread_cond_t cond;      /* an item is done */
    pthread_cond_t room;      /* delivery moved on */
    struct tr_db *db;
    ls_batch_counts counts;
    ls_batch_bucket *buckets;
    size_t nbuckets;
    ls_batch_error *errors;
    size_t nerrors;
};

int tr_add_item(ls_batch *t, const char *path, int sniff, const char *pre_error, int pre_code);
int tr_walk(ls_batch *t, const char *dir, ls_error *err);

/* Database: the writer connection belongs to the run thread, each worker opens a reader. */
typedef struct tr_db tr_db;
typedef struct tr_db_reader tr_db_reader;
int tr_db_open(const char *path, tr_db **out, ls_error *err);
void tr_db_close(tr_db *db);
int tr_db_reader_open(const char *path, tr_db_reader **out, ls_error *err);
void tr_db_reader_close(tr_db_reader *r);
/* Known hash of a path whose size and mtime are unchanged: 1 found, 0 not. */
int tr_db_path_hash(tr_db_reader *r, const tr_item *it, char hash[65]);
/* Fills the item's results from a stored row of the same schema and options: 1 found, 0 not. */
int tr_db_lookup(tr_db_reader *r, const char *options_key, tr_item *it, char **stored_path);
/* Records n finished items in one transaction and sets their new_bucket. */
int tr_db_record(tr_db *db, const char *options_key, tr_item *items, size_t n, long long now,
                 ls_error *err);

/* The JSON string form of s, quotes included, as the report renderer writes it. */
char *tr_json_string(const char *s);
char *tr_strdup(const char *s);

#endif
