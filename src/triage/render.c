/* render.c - a finished triage run as a person reads it (bucket table, then errors) and as
 * one summary JSON document (schema lalscan.triage/1) for tools. */
#include "triage_internal.h"

#include <stdlib.h>
#include <string.h>

static int wider(int w, const char *s)
{
    int n = (int)strlen(s);
    return n > w ? n : w;
}

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

int ls_batch_text(const ls_batch *t, int only_new, ls_buf *out)
{
    const ls_batch_counts *c = &t->counts;
    size_t shown = 0;
    int wb = 9, wd = 6, ws = 8;
    for (size_t i = 0; i < t->nbuckets; i++) {
        const ls_batch_bucket *b = &t->buckets[i];
        if (only_new && !b->is_new)
            continue;
        shown++;
        wb = wider(wb, or_dash(b->bugcheck));
        wd = wider(wd, or_dash(b->driver));
        ws = wider(ws, or_dash(b->top_site));
    }
    ls_buf_printf(out, "%zu %s%s, %zu dump%s (%zu analyzed, %zu from the database), %zu error%s, "
                  "%zu other file%s skipped\n", shown, only_new ? "new " : "",
                  shown == 1 ? "bucket" : "buckets", c->dumps, c->dumps == 1 ? "" : "s", c->analyzed,
                  c->from_db, c->errors, c->errors == 1 ? "" : "s", c->not_dumps,
                  c->not_dumps == 1 ? "" : "s");
    if (shown) {
        ls_buf_printf(out, "\n%5s  %-*s  %-*s  %-*s  %s\n", "COUNT", wb, "BUG CHECK", wd, "DRIVER", ws,
                      "TOP SITE", "EXAMPLE");
        for (size_t i = 0; i < t->nbuckets; i++) {
            const ls_batch_bucket *b = &t->buckets[i];
            if (only_new && !b->is_new)
                continue;
            ls_buf_printf(out, "%5zu  %-*s  %-*s  %-*s  %s\n", b->count, wb, or_dash(b->bugcheck), wd,
                          or_dash(b->driver), ws, or_dash(b->top_site), b->example);
            ls_buf_printf(out, "       %s%s\n", b->bucket, b->is_new ? "  (new)" : "");
        }
    }
    size_t nerr = 0;
    for (size_t i = 0; i < t->nerrors; i++)
        nerr += !(only_new && t->errors[i].from_db);
    if (nerr) {
        ls_buf_printf(out, "\nErrors (%zu):\n", nerr);
        for (size_t i = 0; i < t->nerrors; i++) {
            const ls_batch_error *e = &t->errors[i];
            if (only_new && e->from_db)
                continue;
            size_t pl = strlen(e->path);
            /* messages name their file already; say it once */
            if (!strncmp(e->message, e->path, pl) && e->message[pl] == ':')
                ls_buf_printf(out, "  %s\n", e->message);
            else
                ls_buf_printf(out, "  %s: %s\n", e->path, e->message);
        }
    }
    return out->oom ? LS_ENOMEM : 0;
}

static void jstr(ls_buf *out, const char *s)
{
    char *q = tr_json_string(s ? s : "");
    if (!q) {
        out->oom = 1;
        return;
    }
    ls_buf_printf(out, "%s", q);
    free(q);
}

int ls_batch_summary_json(const ls_batch *t, int only_new, ls_buf *out)
{
    const ls_batch_counts *c = &t->counts;
    ls_buf_printf(out, "{\"schema\":\"%s\",\"tool\":{\"name\":\"lalscan\",\"version\":\"%s\"},"
                  "\"database\":%s,\"only_new\":%s,",
                  LS_SCHEMA_TRIAGE, LS_VERSION, t->o.db_path ? "true" : "false", only_new ? "true" : "false");
    ls_buf_printf(out, "\"counts\":{\"files\":%zu,\"dumps\":%zu,\"analyzed\":%zu,\"from_db\":%zu,"
                  "\"not_dumps\":%zu,\"errors\":%zu,\"found\":%zu,\"buckets\":%zu,\"new_buckets\":%zu},",
                  c->files, c->dumps, c->analyzed, c->from_db, c->not_dumps, c->errors, c->found,
                  t->nbuckets, c->new_buckets);
    ls_buf_printf(out, "\"buckets\":[");
    int first = 1;
    for (size_t i = 0; i < t->nbuckets; i++) {
        const ls_batch_bucket *b = &t->buckets[i];
        if (only_new && !b->is_new)
            continue;
        ls_buf_printf(out, "%s{\"bucket\":", first ? "" : ",");
        first = 0;
        jstr(out, b->bucket);
        ls_buf_printf(out, ",\"count\":%zu,\"bugcheck\":", b->count);
        jstr(out, b->bugcheck);
        ls_buf_printf(out, ",\"driver\":");
        jstr(out, b->driver);
        ls_buf_printf(out, ",\"top_site\":");
        jstr(out, b->top_site);
        ls_buf_printf(out, ",\"example\":");
        jstr(out, b->example);
        if (t->o.db_path)
            ls_buf_printf(out, ",\"new\":%s", b->is_new ? "true" : "false");
        ls_buf_printf(out, "}");
    }
    ls_buf_printf(out, "],\"errors\":[");
    first = 1;
    for (size_t i = 0; i < t->nerrors; i++) {
        const ls_batch_error *e = &t->errors[i];
        if (only_new && e->from_db)
            continue;
        ls_buf_printf(out, "%s{\"path\":", first ? "" : ",");
        first = 0;
        jstr(out, e->path);
        ls_buf_printf(out, ",\"code\":");
        jstr(out, ls_status_name(e->code));
        ls_buf_printf(out, ",\"message\":");
        jstr(out, e->message);
        if (t->o.db_path)
            ls_buf_printf(out, ",\"known\":%s", e->from_db ? "true" : "false");
        ls_buf_printf(out, "}");
    }
    ls_buf_printf(out, "]}\n");
    return out->oom ? LS_ENOMEM : 0;
}
