/* analysis_json.c - one analysis as a lalscan.report/1 document: every figure of the text
 * report as a field (bugcheck, verifier, leaks, sites, diagnosis, bucket), so bug trackers
 * never parse prose. */
#include "report_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static cJSON *lookaside_json(const ls_analysis *a, int index, int full);

static cJSON *str_or_null(const char *s)
{
    return s && s[0] ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* A pool tag: its four bytes in memory order; bytes that are not printable ASCII (and quotes
 * and backslashes) as \u00XX escapes, which a C string could not carry for NUL. */
static cJSON *tag_json(uint32_t tag)
{
    char t[40];
    size_t o = 0;
    t[o++] = '"';
    for (int i = 0; i < 4; i++) {
        unsigned c = (tag >> (8 * i)) & 0xff;
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            t[o++] = (char)c;
        else
            o += (size_t)snprintf(t + o, sizeof t - o, "\\u%04x", c);
    }
    t[o++] = '"';
    t[o] = '\0';
    return cJSON_CreateRaw(t);
}

static cJSON *location_json(const ls_code_location *w, int with_inlines)
{
    cJSON *o = cJSON_CreateObject();
    ls_json_add_hex(o, "address", w->address);
    ls_json_add(o, "module", str_or_null(w->module));
    if (w->module[0])
        ls_json_add_hex(o, "offset", w->offset);
    else
        cJSON_AddNullToObject(o, "offset");
    ls_json_add(o, "symbol", str_or_null(w->symbol));
    if (w->symbol[0])
        ls_json_add_hex(o, "displacement", w->displacement);
    else
        cJSON_AddNullToObject(o, "displacement");
    ls_json_add(o, "file", str_or_null(w->file));
    if (w->line)
        cJSON_AddNumberToObject(o, "line", w->line);
    else
        cJSON_AddNullToObject(o, "line");
    if (with_inlines) {
        cJSON *in = cJSON_AddArrayToObject(o, "inlines");
        for (unsigned i = 0; i < w->ninlines; i++) {
            cJSON *f = cJSON_CreateObject();
            cJSON_AddStringToObject(f, "symbol", w->inlines[i].symbol);
            ls_json_add(f, "file", str_or_null(w->inlines[i].file));
            if (w->inlines[i].line)
                cJSON_AddNumberToObject(f, "line", w->inlines[i].line);
            else
                cJSON_AddNullToObject(f, "line");
            cJSON_AddItemToArray(in, f);
        }
    }
    return o;
}

static cJSON *counters_json(const ls_vf_counters *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "current_paged_allocations", (double)c->cur_paged);
    cJSON_AddNumberToObject(o, "current_nonpaged_allocations", (double)c->cur_nonpaged);
    cJSON_AddNumberToObject(o, "peak_paged_allocations", (double)c->peak_paged);
    cJSON_AddNumberToObject(o, "peak_nonpaged_allocations", (double)c->peak_nonpaged);
    cJSON_AddNumberToObject(o, "paged_bytes", (double)c->paged_bytes);
    cJSON_AddNumberToObject(o, "nonpaged_bytes", (double)c->nonpaged_bytes);
    cJSON_AddNumberToObject(o, "peak_paged_bytes", (double)c->peak_paged_bytes);
    cJSON_AddNumberToObject(o, "peak_nonpaged_bytes", (double)c->peak_nonpaged_bytes);
    return o;
}

static const char *header_word(int h)
{
    static const char *const words[] = { "not-checked", "ok", "mismatch", "unreadable", "special-pool", "big-page" };
    return h >= 0 && h < (int)(sizeof words / sizeof words[0]) ? words[h] : "not-checked";
}

static cJSON *verifier_json(const ls_analysis *a)
{
    const ls_vf_driver *vf = ls_analysis_verifier(a);
    const ls_vf_global *g = ls_analysis_verifier_global(a);
    if (!vf)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "driver", vf->name);
    /* Where the layout came from: the kernel's own types, or lalscan's table of eras. */
    cJSON_AddStringToObject(o, "source", strcmp(vf->layout->id, "pdb-types") == 0 ? "kernel-pdb-types" : "built-in-table");
    ls_json_add_hex(o, "record", vf->record);
    cJSON *l = cJSON_AddObjectToObject(o, "layout");
    cJSON_AddStringToObject(l, "id", vf->layout->id);
    cJSON_AddStringToObject(l, "title", vf->layout->title);
    cJSON_AddStringToObject(l, "reason", vf->layout_reason);
    ls_json_add(l, "kernel_pdb", str_or_null(ls_analysis_nt_pdb(a)));
    char conf[2] = { vf->layout->confidence, 0 };
    cJSON_AddStringToObject(l, "confidence", conf);
    ls_json_add(o, "counters", counters_json(&vf->counters));
    cJSON_AddNumberToObject(o, "records_found", (double)vf->nallocs);
    cJSON_AddNumberToObject(o, "records_expected", (double)(vf->counters.cur_paged + vf->counters.cur_nonpaged));
    cJSON_AddBoolToObject(o, "complete", vf->complete);
    cJSON_AddNumberToObject(o, "tracker_pages", (double)vf->tracker_pages);
    if (g->present) {
        cJSON *gl = cJSON_AddObjectToObject(o, "global");
        ls_json_add_hex(gl, "level", g->level);
        cJSON_AddNumberToObject(gl, "allocations_attempted", g->allocations_attempted);
        cJSON_AddNumberToObject(gl, "allocations_succeeded", g->allocations_succeeded);
        cJSON_AddNumberToObject(gl, "untracked_pool", g->untracked_pool);
        ls_json_add(gl, "counters", counters_json(&g->counters));
    }
    return o;
}

/* One leak. The leaks array is printed one element at a time (a dump can hold 100,000 of
 * them, and a cJSON tree costs kilobytes per element). */
static cJSON *leak_json(const ls_analysis *a, size_t i)
{
    const ls_vf_alloc *al = &ls_analysis_verifier(a)->allocs[i];
    cJSON *o = cJSON_CreateObject();
    ls_json_add_hex(o, "address", al->address);
    cJSON_AddNumberToObject(o, "size", (double)al->size);
    ls_json_add(o, "tag", tag_json(al->tag));
    cJSON_AddStringToObject(o, "pool", ls_pool_class_word(al->pool));
    const ls_code_location *c = ls_analysis_leak_caller(a, i);
    if (c)
        ls_json_add(o, "caller", location_json(c, 1));
    else
        cJSON_AddNullToObject(o, "caller");
    int status;
    unsigned nf = ls_analysis_leak_stack(a, i, &status), first = nf;
    cJSON *stack = cJSON_AddArrayToObject(o, "stack");
    for (unsigned f = 0; f < nf; f++) {
        const ls_code_location *fr = ls_analysis_leak_frame(a, i, f);
        cJSON_AddItemToArray(stack, location_json(fr, 0));
        if (first == nf && fr->module[0] && strcasecmp(fr->module, ls_analysis_driver(a)) == 0)
            first = f;
    }
    static const char *const words[] = { "unavailable", "found", "evicted" };
    cJSON_AddStringToObject(o, "stack_status", words[status >= 0 && status <= 2 ? status : 0]);
    if (first < nf)
        cJSON_AddNumberToObject(o, "stack_first_driver_frame", first);
    else
        cJSON_AddNullToObject(o, "stack_first_driver_frame");
    ls_json_add(o, "lookaside", lookaside_json(a, ls_analysis_leak_lookaside(a, i), 0));
    cJSON *h = cJSON_AddObjectToObject(o, "pool_header");
    cJSON_AddStringToObject(h, "check", header_word(al->header));
    if (al->header_note[0])
        cJSON_AddStringToObject(h, "note", al->header_note);
    if (al->in_flight)
        cJSON_AddBoolToObject(o, "in_flight", 1);
    return o;
}

static int print_leaks(const ls_analysis *a, ls_buf *out)
{
    const ls_vf_driver *vf = ls_analysis_verifier(a);
    ls_buf_printf(out, "[");
    for (size_t i = 0; vf && i < vf->nallocs && !out->oom; i++) {
        cJSON *o = leak_json(a, i);
        char *s = o ? cJSON_PrintUnformatted(o) : NULL;
        cJSON_Delete(o);
        if (!s)
            return LS_ENOMEM;
        ls_buf_printf(out, "%s%s", i ? "," : "", s);
        cJSON_free(s);
    }
    ls_buf_printf(out, "]");
    return out->oom ? LS_ENOMEM : 0;
}

static cJSON *lookaside_json(const ls_analysis *a, int index, int full)
{
    size_t n;
    const ls_lookaside *lists = ls_analysis_lookasides(a, &n);
    if (index < 0 || (size_t)index >= n)
        return cJSON_CreateNull();
    const ls_lookaside *l = &lists[index];
    cJSON *o = cJSON_CreateObject();
    ls_json_add(o, "list", str_or_null(l->name));
    ls_json_add_hex(o, "address", l->address);
    if (!full)
        return o;
    cJSON_AddStringToObject(o, "found_by", l->found_by ? l->found_by : "unknown");
    ls_json_add(o, "tag", tag_json(l->tag));
    cJSON_AddNumberToObject(o, "size", l->size);
    cJSON_AddNumberToObject(o, "depth", l->depth);
    cJSON_AddNumberToObject(o, "maximum_depth", l->maximum_depth);
    cJSON_AddNumberToObject(o, "cached", l->cached);
    cJSON *c = cJSON_AddObjectToObject(o, "counters");
    cJSON_AddNumberToObject(c, "total_allocates", l->total_allocates);
    cJSON_AddNumberToObject(c, "allocate_misses", l->allocate_misses);
    cJSON_AddNumberToObject(c, "total_frees", l->total_frees);
    cJSON_AddNumberToObject(c, "free_misses", l->free_misses);
    cJSON_AddNumberToObject(c, "held", (uint32_t)(l->total_allocates - l->total_frees));
    /* verifier.md §4.3: refills not given back to the pool, less what the list still caches (an estimate). */
    int64_t refilled = (int64_t)l->allocate_misses - (int64_t)l->free_misses - (int64_t)l->cached;
    cJSON_AddNumberToObject(c, "refilled_outstanding_estimate", (double)(refilled > 0 ? refilled : 0));
    if (l->live < 0)
        cJSON_AddNullToObject(o, "live");
    else
        cJSON_AddBoolToObject(o, "live", l->live);
    ls_json_add_hex(o, "allocate_routine", l->allocate_routine);
    ls_json_add(o, "allocate_routine_name", str_or_null(l->allocate_name));
    ls_json_add_hex(o, "free_routine", l->free_routine);
    ls_json_add(o, "free_routine_name", str_or_null(l->free_name));
    ls_json_add(o, "helper", str_or_null(l->helper));
    cJSON_AddBoolToObject(o, "helper_inlined", l->helper_inlined);
    cJSON_AddNumberToObject(o, "blocks", (double)l->blocks);
    cJSON_AddNumberToObject(o, "bytes", (double)l->bytes);
    cJSON *callers = cJSON_AddArrayToObject(o, "callers");
    for (size_t i = 0; i < l->ncallers; i++) {
        cJSON *cj = location_json(&l->callers[i].where, 1);
        cJSON_AddStringToObject(cj, "how", l->callers[i].how);
        cJSON_AddBoolToObject(cj, "references_list", l->callers[i].references_list);
        cJSON_AddItemToArray(callers, cj);
    }
    return o;
}

static cJSON *sites_json(const ls_analysis *a)
{
    size_t n;
    const ls_site *s = ls_analysis_sites(a, &n);
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        ls_json_add(o, "caller", location_json(&s[i].where, 1));
        cJSON_AddNumberToObject(o, "count", (double)s[i].count);
        cJSON_AddNumberToObject(o, "bytes", (double)s[i].bytes);
        cJSON *tags = cJSON_AddArrayToObject(o, "tags");
        for (size_t t = 0; t < s[i].ntags; t++)
            cJSON_AddItemToArray(tags, tag_json(s[i].tags[t]));
        ls_json_add(o, "lookaside", lookaside_json(a, s[i].lookaside, 1));
        ls_json_add(o, "wraps", str_or_null(s[i].wraps));
        cJSON *callers = cJSON_AddArrayToObject(o, "callers");
        for (size_t c = 0; c < s[i].ncallers; c++)
            cJSON_AddItemToArray(callers, location_json(&s[i].callers[c].where, 1));
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static cJSON *diagnosis_json(const ls_analysis *a)
{
    static const char *const sev[] = { "info", "warning", "error" };
    size_t n;
    const ls_diagnosis *d = ls_analysis_diagnoses(a, &n);
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", d[i].id);
        cJSON_AddStringToObject(o, "severity", sev[d[i].severity]);
        cJSON_AddStringToObject(o, "message", d[i].message);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static cJSON *symbols_json(const ls_analysis *a)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < ls_analysis_module_count(a); i++) {
        const ls_module_symbols *m = ls_analysis_module_symbol(a, i);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "module", m->module);
        ls_json_add(o, "image", str_or_null(m->image_source));
        ls_json_add(o, "pdb", str_or_null(m->pdb_path));
        ls_json_add(o, "problem", str_or_null(m->problem));
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

int ls_report_analysis_json(const ls_analysis *a, ls_buf *out, ls_error *err)
{
    const ls_dump *d = ls_analysis_dump(a);
    const ls_kernel *k = ls_analysis_kernel(a);
    const ls_vf_driver *vf = ls_analysis_verifier(a);
    cJSON *root = cJSON_CreateObject();
    cJSON *warnings = cJSON_CreateArray();
    cJSON_AddStringToObject(root, "schema", LS_SCHEMA_REPORT);
    ls_json_add(root, "tool", ls_json_tool());
    ls_json_add(root, "dump", ls_json_dump(d, ls_analysis_path(a), warnings));
    ls_json_add(root, "bugcheck", ls_json_bugcheck(ls_dump_get_header(d), ls_analysis_driver(a)));
    ls_json_add(root, "modules", ls_json_modules(k));
    ls_json_add(root, "verifier", verifier_json(a));
    /* A marker the streamed leaks array replaces (a string no dump can produce). */
    cJSON_AddStringToObject(root, "leaks", "\x01leaks\x01");
    ls_json_add(root, "sites", sites_json(a));
    ls_json_add(root, "diagnosis", diagnosis_json(a));
    ls_json_add(root, "symbols", symbols_json(a));
    cJSON_AddStringToObject(root, "bucket", ls_analysis_bucket(a));
    for (size_t i = 0; i < ls_dump_warning_count(d); i++)
        cJSON_AddItemToArray(warnings, cJSON_CreateString(ls_dump_warning(d, i)));
    for (size_t i = 0; i < ls_kernel_warning_count(k); i++)
        cJSON_AddItemToArray(warnings, cJSON_CreateString(ls_kernel_warning(k, i)));
    for (size_t i = 0; vf && i < vf->warnings.n; i++)
        cJSON_AddItemToArray(warnings, cJSON_CreateString(vf->warnings.v[i]));
    for (size_t i = 0; i < ls_analysis_warning_count(a); i++)
        cJSON_AddItemToArray(warnings, cJSON_CreateString(ls_analysis_warning(a, i)));
    ls_json_add(root, "warnings", warnings);
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    const char *mark = text ? strstr(text, "\"\\u0001leaks\\u0001\"") : NULL;
    if (!mark) {
        cJSON_free(text);
        return ls_error_oom(err);
    }
    ls_buf_printf(out, "%.*s", (int)(mark - text), text);
    int rc = print_leaks(a, out);
    ls_buf_printf(out, "%s\n", mark + strlen("\"\\u0001leaks\\u0001\""));
    cJSON_free(text);
    return rc || out->oom ? ls_error_oom(err) : 0;
}
