/* db.c - the triage database (SQLite, WAL): dumps keyed by content hash with bucket and
 * report, buckets with first/last seen and counts, and a path cache so a rerun reads no dump. */
#include "triage_internal.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lalscan/report.h"

/* Another run holding the write lock is waited for this long before giving up. */
#define TR_BUSY_MS 60000

/* The schema (documented in man/lalscan.1, TRIAGE DATABASE). */
static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "INSERT OR IGNORE INTO meta(key, value) VALUES('db_version', '1');"
    "CREATE TABLE IF NOT EXISTS dumps("
    " hash TEXT PRIMARY KEY, schema TEXT NOT NULL, options TEXT NOT NULL,"
    " tool_version TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL,"
    " status INTEGER NOT NULL, error TEXT, bucket TEXT, bugcheck TEXT, driver TEXT,"
    " top_site TEXT, found INTEGER NOT NULL, report TEXT NOT NULL, analyzed_at INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS dumps_bucket ON dumps(bucket);"
    "CREATE TABLE IF NOT EXISTS buckets("
    " bucket TEXT PRIMARY KEY, dumps INTEGER NOT NULL, first_seen INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL, bugcheck TEXT, driver TEXT, top_site TEXT, example TEXT,"
    " first_run TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS paths("
    " path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,"
    " hash TEXT NOT NULL, seen_at INTEGER NOT NULL);";

enum {
    S_OLD_BUCKET, S_PUT_DUMP, S_PUT_BUCKET, S_RECOUNT, S_TOUCH, S_FIRST_RUN, S_PUT_PATH, S_COUNT
};
static const char *const write_sql[S_COUNT] = {
    [S_OLD_BUCKET] = "SELECT bucket FROM dumps WHERE hash = ?1",
    /* A row of the same schema and options stays as first written (a copy analyzed at the
     * same time by another worker or run); other rows are replaced. */
    [S_PUT_DUMP] = "INSERT INTO dumps(hash, schema, options, tool_version, path, size,"
                   " status, error, bucket, bugcheck, driver, top_site, found, report, analyzed_at)"
                   " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
                   " ON CONFLICT(hash) DO UPDATE SET schema = excluded.schema, options = excluded.options,"
                   " tool_version = excluded.tool_version, path = excluded.path, size = excluded.size,"
                   " status = excluded.status, error = excluded.error, bucket = excluded.bucket,"
                   " bugcheck = excluded.bugcheck, driver = excluded.driver, top_site = excluded.top_site,"
                   " found = excluded.found, report = excluded.report, analyzed_at = excluded.analyzed_at"
                   " WHERE dumps.schema != excluded.schema OR dumps.options != excluded.options",
    [S_PUT_BUCKET] = "INSERT INTO buckets(bucket, dumps, first_seen, last_seen, bugcheck, driver,"
                     " top_site, example, first_run) VALUES(?1, 0, ?2, ?2, ?3, ?4, ?5, ?6, ?7)"
                     " ON CONFLICT(bucket) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)",
    [S_RECOUNT] = "UPDATE buckets SET dumps = (SELECT count(*) FROM dumps WHERE bucket = ?1)"
                  " WHERE bucket = ?1",
    [S_TOUCH] = "UPDATE buckets SET last_seen = max(last_seen, ?2) WHERE bucket = ?1",
    [S_FIRST_RUN] = "SELECT first_run FROM buckets WHERE bucket = ?1",
    [S_PUT_PATH] = "INSERT INTO paths(path, size, mtime_ns, hash, seen_at) VALUES(?1, ?2, ?3, ?4, ?5)"
                   " ON CONFLICT(path) DO UPDATE SET size = excluded.size,"
                   " mtime_ns = excluded.mtime_ns, hash = excluded.hash, seen_at = excluded.seen_at",
};

struct tr_db {
    sqlite3 *h;
    sqlite3_stmt *st[S_COUNT];
    char run_id[64];
    char path[];
};

struct tr_db_reader {
    sqlite3 *h;
    sqlite3_stmt *path_hash, *lookup;
};

static int db_fail(ls_error *err, sqlite3 *h, const char *path, const char *what)
{
    return ls_error_set(err, LS_EIO, "%s: triage database: %s: %s", path, what,
                        h ? sqlite3_errmsg(h) : "cannot open");
}

void tr_db_close(tr_db *db)
{
    if (!db)
        return;
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(db->st[i]);
    sqlite3_close(db->h);
    free(db);
}

int tr_db_open(const char *path, tr_db **out, ls_error *err)
{
    size_t n = strlen(path) + 1;
    tr_db *db = calloc(1, sizeof *db + n);
    if (!db)
        return ls_error_oom(err);
    memcpy(db->path, path, n);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    /* Marks the buckets this run creates: --new must hold for every dump of such a bucket,
     * also the ones delivered after the first created it. */
    snprintf(db->run_id, sizeof db->run_id, "%lld.%09ld.%ld.%p", (long long)ts.tv_sec, ts.tv_nsec,
             (long)getpid(), (void *)db);
    int rc = sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        rc = db_fail(err, db->h, path, "cannot open");
        tr_db_close(db);
        return rc;
    }
    sqlite3_busy_timeout(db->h, TR_BUSY_MS);
    /* journal_mode needs the lock the busy handler does not wait for on every path; retry */
    char *msg = NULL;
    for (int tries = 0;; tries++) {
        rc = sqlite3_exec(db->h, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
        if (rc != SQLITE_BUSY || tries > 600)
            break;
        usleep(100000);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db->h, "PRAGMA synchronous=NORMAL; BEGIN IMMEDIATE", NULL, NULL, &msg);
    if (rc == SQLITE_OK) {
        rc = sqlite3_exec(db->h, schema_sql, NULL, NULL, &msg);
        rc = rc == SQLITE_OK ? sqlite3_exec(db->h, "COMMIT", NULL, NULL, &msg)
                             : (sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL), rc);
    }
    sqlite3_free(msg);
    if (rc != SQLITE_OK) {
        rc = db_fail(err, db->h, path, "cannot create the tables");
        tr_db_close(db);
        return rc;
    }
    sqlite3_stmt *v = NULL;
    if (sqlite3_prepare_v2(db->h, "SELECT value FROM meta WHERE key = 'db_version'", -1, &v, NULL) ==
            SQLITE_OK && sqlite3_step(v) == SQLITE_ROW) {
        int ver = atoi((const char *)sqlite3_column_text(v, 0));
        if (ver != LS_TRIAGE_DB_VERSION) {
            sqlite3_finalize(v);
            tr_db_close(db);
            return ls_error_set(err, LS_EUNSUPPORTED, "%s: triage database version %d, this lalscan "
                                "writes version %d", path, ver, LS_TRIAGE_DB_VERSION);
        }
    }
    sqlite3_finalize(v);
    for (int i = 0; i < S_COUNT; i++) {
        if (sqlite3_prepare_v2(db->h, write_sql[i], -1, &db->st[i], NULL) != SQLITE_OK) {
            rc = db_fail(err, db->h, path, "cannot prepare a statement");
            tr_db_close(db);
            return rc;
        }
    }
    *out = db;
    return 0;
}

void tr_db_reader_close(tr_db_reader *r)
{
    if (!r)
        return;
    sqlite3_finalize(r->path_hash);
    sqlite3_finalize(r->lookup);
    sqlite3_close(r->h);
    free(r);
}

int tr_db_reader_open(const char *path, tr_db_reader **out, ls_error *err)
{
    tr_db_reader *r = calloc(1, sizeof *r);
    if (!r)
        return ls_error_oom(err);
    if (sqlite3_open_v2(path, &r->h, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
        (sqlite3_busy_timeout(r->h, TR_BUSY_MS),
         sqlite3_prepare_v2(r->h, "SELECT hash FROM paths WHERE path = ?1 AND size = ?2 AND mtime_ns = ?3",
                            -1, &r->path_hash, NULL)) != SQLITE_OK ||
        sqlite3_prepare_v2(r->h, "SELECT status, error, bucket, bugcheck, driver, top_site, found,"
                           " report, path FROM dumps WHERE hash = ?1 AND schema = ?2 AND options = ?3",
                           -1, &r->lookup, NULL) != SQLITE_OK) {
        int rc = db_fail(err, r->h, path, "cannot open for reading");
        tr_db_reader_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

int tr_db_path_hash(tr_db_reader *r, const tr_item *it, char hash[65])
{
    sqlite3_stmt *s = r->path_hash;
    sqlite3_bind_text(s, 1, it->path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, it->size);
    sqlite3_bind_int64(s, 3, it->mtime_ns);
    int found = 0;
    if (sqlite3_step(s) == SQLITE_ROW) {
        const char *h = (const char *)sqlite3_column_text(s, 0);
        if (h && strlen(h) == 64) {
            memcpy(hash, h, 65);
            found = 1;
        }
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return found;
}

static char *col_dup(sqlite3_stmt *s, int i)
{
    const char *v = (const char *)sqlite3_column_text(s, i);
    return tr_strdup(v ? v : "");
}

int tr_db_lookup(tr_db_reader *r, const char *options_key, tr_item *it, char **stored_path)
{
    sqlite3_stmt *s = r->lookup;
    sqlite3_bind_text(s, 1, it->hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, LS_SCHEMA_REPORT, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, options_key, -1, SQLITE_STATIC);
    int found = 0;
    if (sqlite3_step(s) == SQLITE_ROW) {
        int status = sqlite3_column_int(s, 0);
        it->report = col_dup(s, 7);
        *stored_path = col_dup(s, 8);
        if (status) {
            it->kind = TR_ERROR;
            it->status = status;
            it->error = col_dup(s, 1);
        } else {
            it->kind = TR_DUMP;
            it->bucket = col_dup(s, 2);
            it->bugcheck = col_dup(s, 3);
            it->driver = col_dup(s, 4);
            it->top_site = col_dup(s, 5);
            it->found = sqlite3_column_int(s, 6);
        }
        found = 1;
        if (!it->report || !*stored_path || (status && !it->error) ||
            (!status && (!it->bucket || !it->bugcheck || !it->driver || !it->top_site))) {
            free(it->report); free(*stored_path); free(it->error); free(it->bucket);
            free(it->bugcheck); free(it->driver); free(it->top_site);
            it->report = *stored_path = it->error = it->bucket = NULL;
            it->bugcheck = it->driver = it->top_site = NULL;
            it->kind = TR_PENDING;
            found = 0;
        }
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return found;
}

static int step_done(tr_db *db, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    (void)db;
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : rc;
}

static int recount(tr_db *db, const char *bucket)
{
    sqlite3_bind_text(db->st[S_RECOUNT], 1, bucket, -1, SQLITE_TRANSIENT);
    return step_done(db, db->st[S_RECOUNT]);
}

/* Errors a later run could not see differently are kept; a failed read may be transient. */
static int storable_error(int status)
{
    return status != LS_EIO && status != LS_ENOMEM && status != LS_EINVAL;
}

static int record_one(tr_db *db, const char *options_key, tr_item *it, long long now)
{
    sqlite3_stmt **st = db->st;
    int rc = 0;
    if (!it->hash[0] || it->kind == TR_NOT_DUMP || it->pre_error)
        return 0;
    if (!it->from_db && (it->kind == TR_DUMP || (it->kind == TR_ERROR && storable_error(it->status))) &&
        it->report) {
        char *old = NULL;
        sqlite3_bind_text(st[S_OLD_BUCKET], 1, it->hash, -1, SQLITE_STATIC);
        if (sqlite3_step(st[S_OLD_BUCKET]) == SQLITE_ROW && sqlite3_column_text(st[S_OLD_BUCKET], 0))
            old = tr_strdup((const char *)sqlite3_column_text(st[S_OLD_BUCKET], 0));
        sqlite3_reset(st[S_OLD_BUCKET]);
        sqlite3_clear_bindings(st[S_OLD_BUCKET]);
        sqlite3_stmt *s = st[S_PUT_DUMP];
        int dump = it->kind == TR_DUMP;
        sqlite3_bind_text(s, 1, it->hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, LS_SCHEMA_REPORT, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, options_key, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, LS_VERSION, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 5, it->path, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 6, it->size);
        sqlite3_bind_int(s, 7, dump ? 0 : it->status);
        if (!dump)
            sqlite3_bind_text(s, 8, it->error ? it->error : "", -1, SQLITE_STATIC);
        if (dump) {
            sqlite3_bind_text(s, 9, it->bucket, -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 10, it->bugcheck, -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 11, it->driver, -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 12, it->top_site, -1, SQLITE_STATIC);
        }
        sqlite3_bind_int(s, 13, dump ? it->found : 0);
        sqlite3_bind_text(s, 14, it->report, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 15, now);
        rc = step_done(db, s);
        if (!rc && dump) {
            s = st[S_PUT_BUCKET];
            sqlite3_bind_text(s, 1, it->bucket, -1, SQLITE_STATIC);
            sqlite3_bind_int64(s, 2, now);
            sqlite3_bind_text(s, 3, it->bugcheck, -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 4, it->driver, -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 5, it->top_site, -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 6, it->path, -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 7, db->run_id, -1, SQLITE_STATIC);
            rc = step_done(db, s);
            if (!rc)
                rc = recount(db, it->bucket);
        }
        if (!rc && old && (!dump || strcmp(old, it->bucket)))
            rc = recount(db, old);
        free(old);
    } else if (it->kind == TR_DUMP) {
        sqlite3_bind_text(st[S_TOUCH], 1, it->bucket, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st[S_TOUCH], 2, now);
        rc = step_done(db, st[S_TOUCH]);
    }
    if (!rc && it->kind == TR_DUMP) {
        sqlite3_stmt *s = st[S_FIRST_RUN];
        sqlite3_bind_text(s, 1, it->bucket, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW) {
            const char *fr = (const char *)sqlite3_column_text(s, 0);
            it->new_bucket = fr && !strcmp(fr, db->run_id);
        }
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
    if (!rc) {
        sqlite3_stmt *s = st[S_PUT_PATH];
        sqlite3_bind_text(s, 1, it->path, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, it->size);
        sqlite3_bind_int64(s, 3, it->mtime_ns);
        sqlite3_bind_text(s, 4, it->hash, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 5, now);
        rc = step_done(db, s);
    }
    return rc;
}

int tr_db_record(tr_db *db, const char *options_key, tr_item *items, size_t n, long long now,
                 ls_error *err)
{
    if (sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(err, db->h, db->path, "cannot start a write (another run holds it too long?)");
    for (size_t i = 0; i < n; i++) {
        if (record_one(db, options_key, &items[i], now) != 0) {
            int rc = db_fail(err, db->h, db->path, "cannot record a dump");
            sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
            return rc;
        }
    }
    if (sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        int rc = db_fail(err, db->h, db->path, "cannot commit");
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    return 0;
}
