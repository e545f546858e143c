/* analyze.c - one dump from file to explained findings: open it, decode the bug check, find
 * Verifier's record of the driver it names, enumerate and symbolize the outstanding
 * allocations, group them, explain them. Only an unreadable dump is an error. */
#include "analysis_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ls_analysis_warn(ls_analysis *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ls_strlist_vadd(&a->warnings, 128, fmt, ap);
    va_end(ap);
}

int ls_analysis_diagnose(ls_analysis *a, const char *id, int severity, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ls_diagnosis *v = realloc(a->diags, (a->ndiags + 1) * sizeof *v);
    if (!v)
        return -1;
    a->diags = v;
    v[a->ndiags] = (ls_diagnosis){ id, severity, strdup(buf) };
    if (!v[a->ndiags].message)
        return -1;
    a->ndiags++;
    return 0;
}

static int open_paths(ls_analysis *a, ls_error *err)
{
    int rc = ls_sympath_default(a->opts.symbol_path, &a->symbols, err);
    if (rc)
        return ls_error_prefix(err, "symbol path");
    /* srv*CACHE*URL elements: downloads unless --offline or LALSCAN_OFFLINE (caches still read). */
    ls_symsrv_options so;
    ls_symsrv_options_init(&so);
    so.offline |= a->opts.offline;
    so.progress = a->opts.progress;
    so.progress_ctx = a->opts.progress_ctx;
    if ((rc = ls_sympath_set_network(a->symbols, &so, err)) != 0)
        return ls_error_prefix(err, "symbol path");
    if (ls_sympath_count(a->symbols) == 0 && ls_sympath_server_count(a->symbols) == 0) {
        ls_sympath_free(a->symbols);
        a->symbols = NULL;
    }
    for (size_t i = 0; a->symbols && ls_sympath_skipped(a->symbols, i); i++)
        ls_analysis_warn(a, "symbol path: %s is not used offline", ls_sympath_skipped(a->symbols, i));
    if (a->opts.image_path && (rc = ls_sympath_parse(a->opts.image_path, &a->images, err)) != 0)
        return ls_error_prefix(err, "image path");
    if (a->images && (rc = ls_sympath_set_network(a->images, &so, err)) != 0)
        return ls_error_prefix(err, "image path");
    return 0;
}

static int by_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* Each distinct call site is symbolized once: a driver with 100,000 leaks has a handful of
 * sites, and a location is kilobytes (inline frames). */
static void locate_callers(ls_analysis *a)
{
    size_t n = a->vf->nallocs;
    uint64_t *addrs = malloc((n ? n : 1) * sizeof *addrs);
    a->leak_loc = malloc((n ? n : 1) * sizeof *a->leak_loc);
    if (!addrs || !a->leak_loc) {
        free(addrs);
        ls_analysis_warn(a, "out of memory symbolizing call sites");
        return;
    }
    for (size_t i = 0; i < n; i++)
        addrs[i] = a->vf->allocs[i].caller;
    if (n)
        qsort(addrs, n, sizeof *addrs, by_u64);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (!u || addrs[u - 1] != addrs[i])
            addrs[u++] = addrs[i];
    a->locs = calloc(u ? u : 1, sizeof *a->locs);
    if (!a->locs) {
        free(addrs);
        ls_analysis_warn(a, "out of memory symbolizing call sites");
        return;
    }
    a->nlocs = u;
    for (size_t i = 0; i < u; i++)
        ls_analysis_locate(a, addrs[i], 1, &a->locs[i]);
    for (size_t i = 0; i < n; i++) {
        const uint64_t *hit = bsearch(&a->vf->allocs[i].caller, addrs, u, sizeof *addrs, by_u64);
        a->leak_loc[i] = (uint32_t)(hit - addrs);
    }
    free(addrs);
}

/* Verifier's allocate/free log (Vista and later) may still hold the stacks of the leaks. */
static void read_stacks(ls_analysis *a)
{
    const ls_dump_header *hd = ls_dump_get_header(a->dump);
    if (hd->build < 6000 || !a->vf->nallocs)
        return;
    if (!a->have_trace_globals) {
        ls_analysis_warn(a, "Verifier's allocate/free stack log (nt!VfPoolTraces, Vista and later) may still hold the "
                            "full stack of some of these allocations; finding it needs the kernel's symbols (--nt-pdb, "
                            "or the kernel's PDB through -y), so no stacks are shown (leaks[].stack is empty)");
        return;
    }
    const ls_module *m = a->driver[0] ? ls_kernel_find_module(a->kernel, a->driver) : NULL;
    uint64_t lo = m ? m->base : a->vf->image_start, hi = m ? m->base + m->size : a->vf->image_end;
    ls_error err;
    if (ls_vf_read_traces(a->vm, &a->trace_globals, hd->build, lo, hi, a->vf, &a->trace, &err)) {
        ls_analysis_warn(a, "Verifier's stack log (symbols from %s): %s", a->trace_pdb, err.msg);
        return;
    }
    a->have_trace = 1;
    if (a->trace.evicted)
        ls_analysis_warn(a, "Verifier's stack log (%u records, symbols from %s) no longer holds the allocation of %zu "
                            "of the %zu leaked blocks: their records rolled out of the log",
                         a->trace.length, a->trace_pdb, a->trace.evicted, a->vf->nallocs);
}

/* Stack frames are symbolized once per distinct address too. */
static void locate_stacks(ls_analysis *a)
{
    size_t n = a->vf->nallocs, total = 0;
    for (size_t i = 0; i < n; i++)
        total += a->vf->allocs[i].nstack;
    if (!total)
        return;
    uint64_t *addrs = malloc(total * sizeof *addrs);
    a->leak_stack = calloc(n, sizeof *a->leak_stack);
    if (!addrs || !a->leak_stack) {
        free(addrs);
        ls_analysis_warn(a, "out of memory symbolizing stacks");
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (unsigned f = 0; f < a->vf->allocs[i].nstack; f++)
            addrs[k++] = a->vf->allocs[i].stack[f];
    qsort(addrs, total, sizeof *addrs, by_u64);
    size_t u = 0;
    for (size_t i = 0; i < total; i++)
        if (!u || addrs[u - 1] != addrs[i])
            addrs[u++] = addrs[i];
    a->frame_locs = calloc(u, sizeof *a->frame_locs);
    if (!a->frame_locs) {
        free(addrs);
        return;
    }
    a->nframe_locs = u;
    for (size_t i = 0; i < u; i++)
        ls_analysis_locate(a, addrs[i], 1, &a->frame_locs[i]);
    for (size_t i = 0; i < n; i++) {
        const ls_vf_alloc *al = &a->vf->allocs[i];
        if (!al->nstack || !(a->leak_stack[i] = malloc(al->nstack * sizeof **a->leak_stack)))
            continue;
        for (unsigned f = 0; f < al->nstack; f++)
            a->leak_stack[i][f] = (uint32_t)((const uint64_t *)bsearch(&al->stack[f], addrs, u, sizeof *addrs, by_u64) - addrs);
    }
    free(addrs);
}

/* Without P3, look for the record by its signature (2003-era MI entries) and keep the one
 * whose invariants hold for this bug check or --driver. Returns non-zero when none was found. */
static int find_record(ls_analysis *a, ls_vf_hint *hint, const char *why)
{
    uint64_t *cands = NULL;
    size_t n = 0, tried = 0;
    ls_error err;
    hint->strict = 1;
    /* 2003-era records by their signature; Windows 7+ records through the driver's name. */
    for (int how = 0; how < 2 && !a->vf; how++) {
        int rc = how == 0 ? ls_vf_find_records(a->vm, &cands, &n, &err)
                          : hint->driver ? ls_vf_find_by_name(a->vm, hint->driver, &cands, &n, &err) : 1;
        if (rc) {
            if (rc < 0)
                ls_analysis_warn(a, "%s; searching the dump for it: %s", why, err.msg);
            continue;
        }
        for (size_t i = 0; i < n && !a->vf; i++) {
            hint->record = cands[i];
            if (ls_vf_read_driver(a->vm, a->kernel, hint, &a->vf, NULL) != 0)
                a->vf = NULL;
        }
        tried += n;
        free(cands);
        cands = NULL;
    }
    n = tried;
    if (!a->vf) {
        ls_analysis_warn(a, "%s, and a search of the dump's memory found no Verifier record that fits (%zu "
                            "candidate%s)%s", why, n, n == 1 ? "" : "s",
                         hint->driver ? "" : "; give --driver NAME to find a Windows 7+ record by its driver's name");
        return -1;
    }
    ls_analysis_warn(a, "%s; the record at 0x%" PRIx64 " was found by searching the dump's memory for it", why,
                     a->vf->record);
    hint->record = a->vf->record;
    ls_vf_driver_free(a->vf);
    a->vf = NULL;
    return 0;
}

/* Structure layouts from the kernel's own PDB: --nt-pdb, or the kernel image's PDB found
 * through the symbol path. Without one, the built-in table is used. */
/* The stack log's globals by name, from the kernel PDB's symbols (publics in Microsoft's public
 * PDBs), relocated to where the kernel is loaded in this dump. */
static void kernel_globals(ls_analysis *a, ls_pdb *pdb, const char *where)
{
    static const char *const names[3] = { "VfPoolTraces", "VfPoolTracesIndex", "VfPoolTracesLength" };
    uint64_t va[3];
    size_t n;
    const ls_module *m = ls_kernel_modules(a->kernel, &n);
    uint64_t base = ls_kernel_kdbg(a->kernel)->kern_base ? ls_kernel_kdbg(a->kernel)->kern_base : (n ? m[0].base : 0);
    if (!base)
        return;
    for (int i = 0; i < 3; i++) {
        uint32_t rva, extra;
        char decorated[64];
        snprintf(decorated, sizeof decorated, "_%s", names[i]);
        if (ls_pdb_find_data(pdb, names[i], &rva, &extra, NULL) && ls_pdb_find_function(pdb, names[i], &rva, &extra, NULL) &&
            ls_pdb_find_function(pdb, decorated, &rva, &extra, NULL))
            return;
        va[i] = base + rva;
    }
    a->trace_globals = (ls_vf_trace_globals){ va[0], va[1], va[2] };
    a->have_trace_globals = 1;
    snprintf(a->trace_pdb, sizeof a->trace_pdb, "%s", where);
}

static void kernel_types(ls_analysis *a)
{
    ls_pdb *pdb = NULL;
    ls_error err;
    char where[1024] = "";
    if (a->opts.nt_pdb) {
        if (ls_pdb_open(a->opts.nt_pdb, &pdb, &err)) {
            ls_analysis_warn(a, "--nt-pdb: %s; using the built-in layout table", err.msg);
            return;
        }
        snprintf(where, sizeof where, "%s", a->opts.nt_pdb);
    } else {
        size_t n;
        const ls_module *m = ls_kernel_modules(a->kernel, &n);
        module_syms *ms = n ? ls_analysis_module_syms(a, m[0].base) : NULL;
        if (!ms || !ms->pdb)
            return;
        pdb = ms->pdb; /* owned by the module cache */
        snprintf(where, sizeof where, "%s", ms->info.pdb_path);
    }
    kernel_globals(a, pdb, where);
    ls_pdb_types *ty = NULL;
    if (ls_pdb_types_open(pdb, &ty, &err) == 0 &&
        ls_vf_layout_from_types(ty, ls_dump_get_header(a->dump)->arch, &a->nt_layout, &err) == 0) {
        a->have_nt_layout = 1;
        snprintf(a->nt_pdb, sizeof a->nt_pdb, "%s", where);
    } else {
        ls_analysis_warn(a, "kernel PDB %s: %s; using the built-in layout table", where, err.msg);
    }
    ls_pdb_types_free(ty);
    if (a->opts.nt_pdb)
        ls_pdb_free(pdb);
}

/* The Verifier part: which record to read and what the bug check promises about it. */
static void read_verifier(ls_analysis *a)
{
    const ls_dump_header *h = ls_dump_get_header(a->dump);
    const uint64_t *p = h->bugcheck_params;
    ls_vf_hint hint;
    memset(&hint, 0, sizeof hint);
    hint.driver = a->opts.driver;
    kernel_types(a);
    if (a->have_nt_layout)
        hint.types = &a->nt_layout;
    int is_c4 = (h->bugcheck_code & ~0x10000000u) == 0xC4;
    if (is_c4 && p[0] == 0x62) {
        hint.record = p[2];
        hint.name_va = p[1];
        hint.expected_count = p[3];
        hint.have_count = 1;
        if (ls_vf_read_wide_name(a->vm, p[1], a->driver, sizeof a->driver, NULL))
            ls_analysis_warn(a, "the driver name at P2 (0x%" PRIx64 ") is not in this dump", p[1]);
    } else if (is_c4 && (p[0] == 0x60 || p[0] == 0x61)) {
        hint.expected_paged_bytes = p[1];
        hint.expected_nonpaged_bytes = p[2];
        hint.have_bytes = 1;
        hint.expected_count = p[3];
        hint.have_count = 1;
        if (find_record(a, &hint, "bug check 0xC4/0x60 and 0x61 do not give the record's address"))
            return;
    } else if (a->opts.driver) {
        if (find_record(a, &hint, "no 0xC4 bug check names the record"))
            return;
    } else {
        return;
    }
    if (ls_dump_get_triage(a->dump)) {
        ls_analysis_diagnose(a, "small-dump-without-allocations", LS_SEV_WARNING,
            "This is a small memory dump: it holds the bug check and the driver list but not Verifier's "
            "allocation records (P3 points at them, and they were not saved). %s left %" PRIu64
            " allocation(s) outstanding. To see each allocation and the code that made it, take a kernel "
            "memory dump (Startup and Recovery: \"Kernel memory dump\" or \"Automatic memory dump\") and "
            "reproduce the unload.",
            a->driver[0] ? a->driver : "The driver", p[3]);
        return;
    }
    ls_error err;
    if (ls_vf_read_driver(a->vm, a->kernel, &hint, &a->vf, &err)) {
        ls_analysis_warn(a, "Verifier's record of the driver could not be read: %s", err.msg);
        a->vf = NULL;
        return;
    }
    if (!a->driver[0])
        snprintf(a->driver, sizeof a->driver, "%s", a->vf->name);
    if (a->have_nt_layout && a->vf->layout != &a->nt_layout)
        ls_analysis_warn(a, "the kernel PDB %s describes a Verifier record that does not fit this one (wrong build?); "
                            "the built-in layout %s was used", a->nt_pdb, a->vf->layout->id);
    locate_callers(a);
    read_stacks(a);
    locate_stacks(a);
}

int ls_analyze_dump(const char *path, const ls_analysis_options *opts, ls_analysis **out, ls_error *err)
{
    if (!path || !out)
        return ls_error_set(err, LS_EINVAL, "ls_analyze_dump: no path");
    ls_analysis *a = calloc(1, sizeof *a);
    if (!a || !(a->path = strdup(path))) {
        free(a);
        return ls_error_oom(err);
    }
    if (opts)
        a->opts = *opts;
    int rc = ls_dump_open(path, &a->dump, err);
    if (!rc)
        rc = ls_vmem_open(a->dump, &a->vm, err);
    if (!rc)
        rc = ls_kernel_open(a->dump, a->vm, &a->kernel, err);
    if (!rc)
        rc = open_paths(a, err);
    if (rc) {
        ls_analysis_free(a);
        return rc;
    }
    const ls_dump_header *h = ls_dump_get_header(a->dump);
    ls_bugcheck_decode(h->bugcheck_code, h->bugcheck_params, &a->bc);
    ls_vf_read_global(a->vm, a->kernel, &a->global);
    read_verifier(a);
    if (ls_analysis_group_sites(a))
        ls_analysis_warn(a, "out of memory grouping call sites");
    ls_analysis_find_lookasides(a);
    ls_analysis_find_list_callers(a);
    ls_analysis_find_wrapper_callers(a);
    ls_analysis_explain(a);
    ls_analysis_make_bucket(a);
    *out = a;
    return 0;
}

void ls_analysis_free(ls_analysis *a)
{
    if (!a)
        return;
    ls_analysis_free_symbols(a);
    for (size_t i = 0; i < a->ndiags; i++)
        free(a->diags[i].message);
    free(a->diags);
    ls_strlist_free(&a->warnings);
    for (size_t i = 0; i < a->nsites; i++)
        free(a->sites[i].callers);
    free(a->sites);
    for (size_t i = 0; i < a->nlists; i++)
        free(a->lists[i].callers);
    free(a->lists);
    free(a->leak_list);
    free(a->locs);
    if (a->leak_stack && a->vf)
        for (size_t i = 0; i < a->vf->nallocs; i++)
            free(a->leak_stack[i]);
    free(a->leak_stack);
    free(a->frame_locs);
    free(a->leak_loc);
    free(a->site_of_loc);
    ls_vf_driver_free(a->vf);
    ls_sympath_free(a->symbols);
    ls_sympath_free(a->images);
    ls_kernel_free(a->kernel);
    ls_vmem_free(a->vm);
    ls_dump_free(a->dump);
    free(a->path);
    free(a);
}

const char *ls_analysis_path(const ls_analysis *a) { return a->path; }
const ls_dump *ls_analysis_dump(const ls_analysis *a) { return a->dump; }
const ls_kernel *ls_analysis_kernel(const ls_analysis *a) { return a->kernel; }
const ls_bugcheck_info *ls_analysis_bugcheck(const ls_analysis *a) { return &a->bc; }
const ls_vf_global *ls_analysis_verifier_global(const ls_analysis *a) { return &a->global; }
const ls_vf_driver *ls_analysis_verifier(const ls_analysis *a) { return a->vf; }
const char *ls_analysis_driver(const ls_analysis *a) { return a->driver; }
const char *ls_analysis_bucket(const ls_analysis *a) { return a->bucket; }
const char *ls_analysis_nt_pdb(const ls_analysis *a)
{
    return a->have_nt_layout && a->vf && a->vf->layout == &a->nt_layout ? a->nt_pdb : "";
}
size_t ls_analysis_warning_count(const ls_analysis *a) { return a->warnings.n; }
const char *ls_analysis_warning(const ls_analysis *a, size_t i) { return i < a->warnings.n ? a->warnings.v[i] : NULL; }
int ls_analysis_found(const ls_analysis *a) { return a->found; }

unsigned ls_analysis_leak_stack(const ls_analysis *a, size_t i, int *status)
{
    if (!a->vf || i >= a->vf->nallocs) {
        *status = LS_STACK_UNAVAILABLE;
        return 0;
    }
    *status = a->vf->allocs[i].stack_status;
    return a->leak_stack && a->leak_stack[i] ? a->vf->allocs[i].nstack : 0;
}

const ls_code_location *ls_analysis_leak_frame(const ls_analysis *a, size_t i, unsigned f)
{
    if (!a->leak_stack || !a->vf || i >= a->vf->nallocs || !a->leak_stack[i] || f >= a->vf->allocs[i].nstack)
        return NULL;
    return &a->frame_locs[a->leak_stack[i][f]];
}

const ls_code_location *ls_analysis_leak_caller(const ls_analysis *a, size_t i)
{
    return a->vf && a->locs && a->leak_loc && i < a->vf->nallocs ? &a->locs[a->leak_loc[i]] : NULL;
}

const ls_site *ls_analysis_sites(const ls_analysis *a, size_t *count)
{
    *count = a->nsites;
    return a->sites;
}

const ls_diagnosis *ls_analysis_diagnoses(const ls_analysis *a, size_t *count)
{
    *count = a->ndiags;
    return a->diags;
}

const ls_lookaside *ls_analysis_lookasides(const ls_analysis *a, size_t *count)
{
    *count = a->nlists;
    return a->lists;
}

int ls_analysis_leak_lookaside(const ls_analysis *a, size_t i)
{
    return a->leak_list && a->vf && i < a->vf->nallocs ? a->leak_list[i] : -1;
}

size_t ls_analysis_module_count(const ls_analysis *a) { return a->nmods; }
const ls_module_symbols *ls_analysis_module_symbol(const ls_analysis *a, size_t i)
{
    return i < a->nmods ? &a->mods[i]->info : NULL;
}

void ls_tag_text(uint32_t tag, char out[5])
{
    for (int i = 0; i < 4; i++) {
        uint8_t c = (uint8_t)(tag >> (8 * i));
        out[i] = c >= 0x20 && c < 0x7f ? (char)c : '.';
    }
    out[4] = '\0';
}
