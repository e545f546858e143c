/* triage.c - a batch of dumps: workers on threads claim inputs by an atomic index, each
 * analysis owns its objects, and the calling thread delivers results in path order. */
#include "triage_internal.h"

#include <cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lalscan/report.h"

#define TR_MAX_JOBS 256

int ls_batch_new(const ls_batch_options *opts, ls_batch **out, ls_error *err)
{
    if (!opts || !out)
        return ls_error_set(err, LS_EINVAL, "ls_batch_new: no options");
    ls_batch *t = calloc(1, sizeof *t);
    if (!t)
        return ls_error_oom(err);
    t->o = *opts;
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->cond, NULL);
    pthread_cond_init(&t->room, NULL);
    /* Rows of the database are reused only for the same analysis inputs: a run with symbols
     * must not be answered from a run without. */
    const ls_analysis_options *a = &opts->analysis;
    const char *sym = a->symbol_path ? a->symbol_path : getenv("_NT_SYMBOL_PATH");
    const char *alt = a->symbol_path ? NULL : getenv("_NT_ALT_SYMBOL_PATH");
    ls_buf k = { 0 };
    ls_buf_printf(&k, "symbols=%s;%s\nimages=%s\nnt-pdb=%s\ndriver=%s\nforce=%d\noffline=%d\n",
                  alt ? alt : "", sym ? sym : "", a->image_path ? a->image_path : "",
                  a->nt_pdb ? a->nt_pdb : "", a->driver ? a->driver : "", a->force_pdb, a->offline);
    if (k.oom) {
        ls_buf_free(&k);
        ls_batch_free(t);
        return ls_error_oom(err);
    }
    uint8_t d[32];
    ls_sha256_mem(k.data, k.len, d);
    ls_buf_free(&k);
    for (int i = 0; i < 32; i++)
        snprintf(t->options_key + 2 * i, 3, "%02x", d[i]);
    *out = t;
    return 0;
}

static void item_free(tr_item *it)
{
    free(it->path);
    free(it->pre_error);
    free(it->error);
    free(it->bucket);
    free(it->bugcheck);
    free(it->driver);
    free(it->top_site);
    free(it->report);
}

void ls_batch_free(ls_batch *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nitems; i++)
        item_free(&t->items[i]);
    free(t->items);
    free(t->buckets);
    free(t->errors);
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->cond);
    pthread_cond_destroy(&t->room);
    free(t);
}

char *tr_json_string(const char *s)
{
    cJSON *j = cJSON_CreateString(s);
    char *p = j ? cJSON_PrintUnformatted(j) : NULL;
    cJSON_Delete(j);
    if (!p)
        return NULL;
    char *r = tr_strdup(p);
    cJSON_free(p);
    return r;
}

/* A stored report names the path it was first analyzed under; this input may be a copy. */
static void repath(tr_item *it, const char *stored_path)
{
    if (!it->report || !stored_path || !strcmp(stored_path, it->path))
        return;
    char *oldq = tr_json_string(stored_path), *newq = tr_json_string(it->path);
    char key[] = "\"dump\":{\"path\":";
    char *at = oldq && newq ? strstr(it->report, key) : NULL;
    if (at && !strncmp(at + strlen(key), oldq, strlen(oldq))) {
        size_t pre = (size_t)(at - it->report) + strlen(key), ol = strlen(oldq), nl = strlen(newq);
        size_t rest = strlen(it->report) - pre - ol;
        char *r = malloc(pre + nl + rest + 1);
        if (r) {
            memcpy(r, it->report, pre);
            memcpy(r + pre, newq, nl);
            memcpy(r + pre + nl, it->report + pre + ol, rest + 1);
            free(it->report);
            it->report = r;
        }
    }
    free(oldq);
    free(newq);
}

static void set_error(tr_item *it, const ls_batch *t, int code, const char *msg)
{
    it->kind = TR_ERROR;
    it->status = code ? code : LS_EIO;
    it->error = tr_strdup(msg);
    if (t->o.want_reports || t->o.db_path) {
        ls_error e;
        e.code = it->status;
        snprintf(e.msg, sizeof e.msg, "%s", msg);
        ls_buf b = { 0 };
        if (ls_report_error_json(it->path, &e, &b) == 0 && !b.oom)
            it->report = b.data;
        else
            ls_buf_free(&b);
    }
}

static char *site_text(const ls_code_location *w)
{
    ls_buf b = { 0 };
    if (w->module[0] && w->symbol[0])
        ls_buf_printf(&b, "%s!%s+0x%" PRIx64, w->module, w->symbol, w->displacement);
    else if (w->symbol[0])
        ls_buf_printf(&b, "%s+0x%" PRIx64, w->symbol, w->displacement);
    else if (w->module[0])
        ls_buf_printf(&b, "%s+0x%" PRIx64, w->module, w->offset);
    else
        ls_buf_printf(&b, "0x%" PRIx64, w->address);
    if (b.oom) {
        ls_buf_free(&b);
        return NULL;
    }
    return b.data;
}

static int fill_from_analysis(tr_item *it, const ls_batch *t, const ls_analysis *a, ls_error *err)
{
    const ls_bugcheck_info *bc = ls_analysis_bugcheck(a);
    char bcs[48] = "";
    if (bc && bc->code) {
        if (bc->has_subcode)
            snprintf(bcs, sizeof bcs, "0x%" PRIx32 "/0x%" PRIx64, bc->code, bc->subcode);
        else
            snprintf(bcs, sizeof bcs, "0x%" PRIx32, bc->code);
    }
    size_t nsites = 0;
    const ls_site *s = ls_analysis_sites(a, &nsites);
    const char *bucket = ls_analysis_bucket(a), *drv = ls_analysis_driver(a);
    it->bucket = tr_strdup(bucket ? bucket : "");
    it->bugcheck = tr_strdup(bcs);
    if (drv && *drv) {
        it->driver = tr_strdup(drv);
    } else {
        /* No driver named by the bug check: the bucket's second part is the module a
         * parameter points into (lalscan.bucket/1:<code>/<driver or module>/<site>). */
        const char *p = bucket ? strchr(bucket, ':') : NULL;
        p = p ? strchr(p, '/') : NULL;
        size_t n = p ? strcspn(p + 1, "/") : 0;
        it->driver = n ? strndup(p + 1, n) : tr_strdup("");
    }
    it->top_site = nsites && s ? site_text(&s[0].where) : tr_strdup("");
    it->found = ls_analysis_found(a);
    if (!it->bucket || !it->bugcheck || !it->driver || !it->top_site)
        return ls_error_oom(err);
    if (t->o.want_reports || t->o.db_path) {
        ls_buf b = { 0 };
        int rc = ls_report_analysis_json(a, &b, err);
        if (rc || b.oom) {
            ls_buf_free(&b);
            return rc ? rc : ls_error_oom(err);
        }
        it->report = b.data;
    }
    return 0;
}

static void process(const ls_batch *t, tr_db_reader *r, tr_item *it)
{
    ls_error err;
    ls_error_clear(&err);
    if (it->pre_error) {
        set_error(it, t, it->pre_code, it->pre_error);
        return;
    }
    if (it->sniff) {
        /* a listed FIFO or device would block or never end: only regular files are read */
        struct stat st;
        if (stat(it->path, &st) == 0 && !S_ISREG(st.st_mode)) {
            char m[1200];
            snprintf(m, sizeof m, "%s: not a regular file", it->path);
            set_error(it, t, LS_EUNSUPPORTED, m);
            return;
        }
        int s = ls_batch_sniff(it->path, &err);
        if (s < 0) {
            set_error(it, t, s, err.msg);
            return;
        }
        if (s == 0) {
            it->kind = TR_NOT_DUMP;
            return;
        }
    }
    if (t->o.db_path) {
        struct stat st;
        if (stat(it->path, &st) != 0) {
            char m[1200];
            snprintf(m, sizeof m, "%s: cannot open: %s", it->path, strerror(errno));
            set_error(it, t, LS_EIO, m);
            return;
        }
        it->size = st.st_size;
        it->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
        if (!(r && tr_db_path_hash(r, it, it->hash) == 1) && ls_sha256_file(it->path, it->hash, &err)) {
            it->hash[0] = 0;
            set_error(it, t, err.code, err.msg);
            return;
        }
        char *stored_path = NULL;
        if (r && tr_db_lookup(r, t->options_key, it, &stored_path) == 1) {
            it->from_db = 1;
            size_t sl = strlen(stored_path);
            if (it->kind == TR_ERROR && strcmp(stored_path, it->path) && !strncmp(it->error, stored_path, sl)) {
                /* the stored message names the copy first seen; name this one */
                char m[1200];
                snprintf(m, sizeof m, "%s%s", it->path, it->error + sl);
                free(it->error);
                free(it->report);
                it->error = it->report = NULL;
                set_error(it, t, it->status, m);
                it->from_db = 1;
            } else {
                repath(it, stored_path);
            }
            free(stored_path);
            return;
        }
    }
    ls_analysis *a = NULL;
    int rc = ls_analyze_dump(it->path, &t->o.analysis, &a, &err);
    if (!rc) {
        rc = fill_from_analysis(it, t, a, &err);
        if (rc) {
            free(it->bucket); free(it->bugcheck); free(it->driver); free(it->top_site); free(it->report);
            it->bucket = it->bugcheck = it->driver = it->top_site = it->report = NULL;
        }
    }
    ls_analysis_free(a);
    if (rc) {
        if (rc == LS_ENOMEM)
            ls_error_oom(&err);
        set_error(it, t, rc, err.msg);
        return;
    }
    it->kind = TR_DUMP;
}

static void *worker(void *arg)
{
    ls_batch *t = arg;
    tr_db_reader *r = NULL;
    if (t->o.db_path && tr_db_reader_open(t->o.db_path, &r, NULL) != 0)
        r = NULL; /* every dump is then hashed and analyzed afresh */
    for (;;) {
        size_t i = atomic_fetch_add(&t->next, 1);
        if (i >= t->nitems)
            break;
        /* Results wait in memory until every earlier path is delivered; one slow dump must
         * not let the others pile up their reports behind it. The item being waited for was
         * claimed before this one by a worker that is not waiting, so this always ends. */
        pthread_mutex_lock(&t->lock);
        while (i >= atomic_load(&t->emitted) + t->window && !atomic_load(&t->stop))
            pthread_cond_wait(&t->room, &t->lock);
        pthread_mutex_unlock(&t->lock);
        if (atomic_load(&t->stop))
            break;
        tr_item *it = &t->items[i];
        process(t, r, it);
        atomic_store_explicit(&it->done, 1, memory_order_release);
        atomic_fetch_add(&t->ndone, 1);
        pthread_mutex_lock(&t->lock);
        pthread_cond_signal(&t->cond);
        pthread_mutex_unlock(&t->lock);
    }
    tr_db_reader_close(r);
    return NULL;
}

static int by_path(const void *x, const void *y)
{
    return strcmp(((const tr_item *)x)->path, ((const tr_item *)y)->path);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int is_done(tr_item *it)
{
    return atomic_load_explicit(&it->done, memory_order_acquire);
}

/* What the run thread does with a finished item, in path order. */
static int deliver(ls_batch *t, tr_item *it)
{
    t->counts.files++;
    if (it->kind == TR_NOT_DUMP) {
        t->counts.not_dumps++;
        return 0;
    }
    if (!it->pre_error)
        t->counts.dumps++;
    if (it->from_db)
        t->counts.from_db++;
    else if (!it->pre_error)
        t->counts.analyzed++;
    if (it->kind == TR_ERROR)
        t->counts.errors++;
    else if (it->found)
        t->counts.found++;
    int rc = 0;
    if (t->o.on_result) {
        ls_batch_result r = {
            .path = it->path, .status = it->kind == TR_ERROR ? it->status : 0,
            .error = it->error ? it->error : "", .bucket = it->bucket ? it->bucket : "",
            .bugcheck = it->bugcheck ? it->bugcheck : "", .driver = it->driver ? it->driver : "",
            .top_site = it->top_site ? it->top_site : "", .found = it->found,
            .report_json = t->o.want_reports ? it->report : NULL, .from_db = it->from_db,
            .new_bucket = it->new_bucket,
        };
        rc = t->o.on_result(t->o.ctx, &r);
    }
    /* reports are the bulk of a result; the bucket table needs none of them */
    free(it->report);
    it->report = NULL;
    return rc;
}

static int by_bucket_then_path(const void *x, const void *y)
{
    const tr_item *a = *(tr_item *const *)x, *b = *(tr_item *const *)y;
    int c = strcmp(a->bucket, b->bucket);
    return c ? c : strcmp(a->path, b->path);
}

static int by_count(const void *x, const void *y)
{
    const ls_batch_bucket *a = x, *b = y;
    if (a->count != b->count)
        return a->count < b->count ? 1 : -1;
    return strcmp(a->bucket, b->bucket);
}

static int build_tables(ls_batch *t, ls_error *err)
{
    size_t nd = 0, ne = 0;
    for (size_t i = 0; i < t->nitems; i++) {
        nd += t->items[i].kind == TR_DUMP;
        ne += t->items[i].kind == TR_ERROR;
    }
    tr_item **v = calloc(nd ? nd : 1, sizeof *v);
    t->buckets = calloc(nd ? nd : 1, sizeof *t->buckets);
    t->errors = calloc(ne ? ne : 1, sizeof *t->errors);
    if (!v || !t->buckets || !t->errors) {
        free(v);
        return ls_error_oom(err);
    }
    nd = 0;
    for (size_t i = 0; i < t->nitems; i++) {
        tr_item *it = &t->items[i];
        if (it->kind == TR_DUMP)
            v[nd++] = it;
        else if (it->kind == TR_ERROR)
            t->errors[t->nerrors++] =
                (ls_batch_error){ it->path, it->status, it->error ? it->error : "", it->from_db };
    }
    qsort(v, nd, sizeof *v, by_bucket_then_path);
    for (size_t i = 0; i < nd; i++) {
        ls_batch_bucket *b = t->nbuckets ? &t->buckets[t->nbuckets - 1] : NULL;
        if (!b || strcmp(b->bucket, v[i]->bucket)) {
            b = &t->buckets[t->nbuckets++];
            *b = (ls_batch_bucket){ v[i]->bucket, 0, v[i]->bugcheck, v[i]->driver, v[i]->top_site,
                                     v[i]->path, 0 };
        }
        b->count++;
        b->is_new |= v[i]->new_bucket;
    }
    free(v);
    qsort(t->buckets, t->nbuckets, sizeof *t->buckets, by_count);
    for (size_t i = 0; i < t->nbuckets; i++)
        t->counts.new_buckets += t->buckets[i].is_new;
    return 0;
}

int ls_batch_run(ls_batch *t, ls_error *err)
{
    if (!t)
        return ls_error_set(err, LS_EINVAL, "ls_batch_run: no run");
    if (t->nitems) {
        qsort(t->items, t->nitems, sizeof *t->items, by_path);
        size_t w = 1;
        for (size_t i = 1; i < t->nitems; i++) {
            if (!strcmp(t->items[i].path, t->items[w - 1].path))
                item_free(&t->items[i]);
            else
                t->items[w++] = t->items[i];
        }
        t->nitems = w;
    }
    int rc = 0;
    if (t->o.db_path && (rc = tr_db_open(t->o.db_path, &t->db, err)) != 0)
        return rc;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    size_t jobs = t->o.jobs ? t->o.jobs : (ncpu > 0 ? (size_t)ncpu : 1);
    if (jobs > TR_MAX_JOBS)
        jobs = TR_MAX_JOBS;
    if (jobs > t->nitems)
        jobs = t->nitems ? t->nitems : 1;
    t->window = jobs * 16 < 64 ? 64 : jobs * 16;
    pthread_t th[TR_MAX_JOBS];
    size_t started = 0;
    if (t->nitems) {
        for (; started < jobs; started++)
            if (pthread_create(&th[started], NULL, worker, t) != 0)
                break;
        if (!started) {
            t->window = SIZE_MAX / 2; /* no thread to be had: do all the work here first */
            worker(t);
        }
    }
    size_t emitted = 0;
    double last = 0;
    long long wall = (long long)time(NULL);
    while (emitted < t->nitems) {
        pthread_mutex_lock(&t->lock);
        if (!is_done(&t->items[emitted])) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 100 * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&t->cond, &t->lock, &ts);
        }
        pthread_mutex_unlock(&t->lock);
        size_t k = emitted;
        while (k < t->nitems && is_done(&t->items[k]))
            k++;
        if (k > emitted) {
            if (t->db)
                rc = tr_db_record(t->db, t->options_key, t->items + emitted, k - emitted, wall, err);
            for (size_t i = emitted; i < k && !rc; i++)
                rc = deliver(t, &t->items[i]);
            emitted = k;
            pthread_mutex_lock(&t->lock);
            atomic_store(&t->emitted, emitted);
            if (rc)
                atomic_store(&t->stop, 1); /* workers stop after their current dump */
            pthread_cond_broadcast(&t->room);
            pthread_mutex_unlock(&t->lock);
        }
        if (rc)
            break;
        double n = now_s();
        if (t->o.on_progress && n - last >= 0.1) {
            t->o.on_progress(t->o.ctx, atomic_load(&t->ndone), t->nitems);
            last = n;
        }
    }
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    
    if (t->o.on_progress)
        t->o.on_progress(t->o.ctx, atomic_load(&t->ndone), t->nitems);
    tr_db_close(t->db);
    t->db = NULL;
    if (rc)
        return rc;
    return build_tables(t, err);
}

void ls_batch_get_counts(const ls_batch *t, ls_batch_counts *out)
{
    *out = t->counts;
}

const ls_batch_bucket *ls_batch_buckets(const ls_batch *t, size_t *count)
{
    *count = t->nbuckets;
    return t->buckets;
}

const ls_batch_error *ls_batch_errors(const ls_batch *t, size_t *count)
{
    *count = t->nerrors;
    return t->errors;
}
