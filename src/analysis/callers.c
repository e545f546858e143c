/* callers.c - the driver code behind a lookaside refill site: the inline expansions of the
 * helper (from the PDB) or the calls to its out-of-line copy (from the image's code), each
 * named with function and file:line, and marked when the caller's code refers to the list. */
#include "analysis_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_CALLERS = 256, MAX_FUNCTION = 1 << 20 };

/* Does the function containing rva refer to [list, list + span)? x64 code reaches a global
 * RIP-relative; x86 code by absolute address (relocated to the load base in dump memory). */
static int function_references(ls_analysis *a, module_syms *ms, uint32_t rva, uint64_t list, uint32_t span)
{
    ls_pdb_location loc;
    if (!ms->pdb || ls_pdb_symbolize(ms->pdb, rva, &loc, NULL) || !loc.symbol || !loc.symbol_size ||
        loc.symbol_size > MAX_FUNCTION)
        return 0;
    uint8_t *code = malloc(loc.symbol_size);
    if (!code)
        return 0;
    int found = 0;
    uint32_t start = loc.symbol_rva, size = loc.symbol_size;
    if (ls_pe_read(ms->pe, start, code, size, NULL) == 0) {
        uint64_t list_rva = list - ms->info.base;
        int p8 = ls_vmem_ptr_size(a->vm) == 8;
        uint64_t preferred = ls_pe_get_info(ms->pe)->image_base;
        for (uint32_t i = 0; i + 4 <= size && !found; i++) {
            uint32_t v = ls_le32(code + i);
            if (p8) {
                /* disp32 may be followed by an immediate of up to 4 bytes before the next instruction */
                for (unsigned extra = 0; extra <= 4 && !found; extra++) {
                    uint64_t target = (uint64_t)start + i + 4 + extra + (uint64_t)(int64_t)(int32_t)v;
                    found = target >= list_rva && target < list_rva + span;
                }
            } else {
                found = (v >= list && v < list + span) ||
                        (v >= preferred + list_rva && v < preferred + list_rva + span);
            }
        }
    }
    free(code);
    return found;
}

static int add_caller(ls_lookaside *l, const ls_lookaside_caller *c)
{
    if (l->ncallers >= MAX_CALLERS)
        return -1;
    ls_lookaside_caller *v = realloc(l->callers, (l->ncallers + 1) * sizeof *v);
    if (!v)
        return -1;
    l->callers = v;
    v[l->ncallers++] = *c;
    return 0;
}

static int by_place(const void *x, const void *y)
{
    const ls_lookaside_caller *a = x, *b = y;
    int c = strcmp(a->where.symbol, b->where.symbol);
    if (c)
        return c;
    c = strcmp(a->where.file, b->where.file);
    if (c)
        return c;
    return (a->where.line > b->where.line) - (a->where.line < b->where.line);
}

static void inlined_callers(ls_analysis *a, module_syms *ms, ls_lookaside *l, uint32_t span)
{
    ls_pdb_inline_site *sites = NULL;
    size_t n = 0;
    if (!ms->pdb || ls_pdb_inline_sites(ms->pdb, l->helper, &sites, &n, NULL))
        return;
    for (size_t i = 0; i < n; i++) {
        ls_lookaside_caller c;
        memset(&c, 0, sizeof c);
        c.how = "inlined";
        c.where.address = ms->info.base + sites[i].rva;
        snprintf(c.where.module, sizeof c.where.module, "%s", ms->info.module);
        c.where.module_base = ms->info.base;
        c.where.offset = sites[i].rva;
        snprintf(c.where.symbol, sizeof c.where.symbol, "%s", sites[i].caller ? sites[i].caller : "");
        c.where.displacement = sites[i].rva - sites[i].caller_rva;
        snprintf(c.where.file, sizeof c.where.file, "%s", sites[i].file ? sites[i].file : "");
        c.where.line = sites[i].line;
        c.references_list = function_references(a, ms, sites[i].rva, l->address, span);
        if (add_caller(l, &c))
            break;
    }
    free(sites);
}

static void called_callers(ls_analysis *a, module_syms *ms, ls_lookaside *l, uint32_t helper_rva, uint32_t span)
{
    ls_pe_call_query q;
    memset(&q, 0, sizeof q);
    q.target_rva = helper_rva;
    q.image_base = ms->info.base; /* code read from dump memory is relocated to its load base */
    ls_pe_call *calls = NULL;
    size_t n = 0;
    if (ls_pe_scan_calls(ms->pe, &q, &calls, &n, NULL, NULL))
        return;
    for (size_t i = 0; i < n; i++) {
        ls_lookaside_caller c;
        memset(&c, 0, sizeof c);
        c.how = "call";
        ls_analysis_locate(a, ms->info.base + calls[i].return_rva, 1, &c.where);
        c.references_list = function_references(a, ms, calls[i].call_rva, l->address, span);
        if (add_caller(l, &c))
            break;
    }
    free(calls);
}

/* The pool allocation routines a driver imports; a call through one of them at a recorded
 * site makes the site's function an allocation wrapper. */
static const char *const pool_routines[] = {
    "ExAllocatePoolWithTag", "ExAllocatePool", "ExAllocatePool2", "ExAllocatePool3", "ExAllocatePoolWithQuotaTag",
    "ExAllocatePoolWithTagPriority", "ExAllocatePoolZero", "ExAllocatePoolUninitialized",
};

/* The calls through the module's pool-routine imports, found once per module: a dump can
 * have many sites in one driver, and each scan reads all of its code. */
static void scan_pool_calls(module_syms *ms, uint64_t base)
{
    ms->pool_scanned = 1;
    const ls_pe_import *imp;
    size_t n;
    if (ls_pe_imports(ms->pe, &imp, &n, NULL))
        return;
    for (size_t i = 0; i < n; i++) {
        for (size_t r = 0; imp[i].name && r < sizeof pool_routines / sizeof pool_routines[0]; r++) {
            if (strcmp(imp[i].name, pool_routines[r]) != 0)
                continue;
            ls_pe_call_query q;
            memset(&q, 0, sizeof q);
            q.target_rva = imp[i].iat_rva;
            q.through_slot = 1;
            q.image_base = base;
            ls_pe_call *calls = NULL;
            size_t nc = 0;
            if (ls_pe_scan_calls(ms->pe, &q, &calls, &nc, NULL, NULL) == 0 && nc) {
                ls_pool_call *v = realloc(ms->pool_calls, (ms->npool_calls + nc) * sizeof *v);
                if (v) {
                    ms->pool_calls = v;
                    for (size_t c = 0; c < nc; c++)
                        v[ms->npool_calls++] = (ls_pool_call){ calls[c].return_rva, pool_routines[r] };
                }
            }
            free(calls);
        }
    }
}

static const char *wrapped_routine(module_syms *ms, uint32_t return_rva, uint64_t base)
{
    if (!ms->pool_scanned)
        scan_pool_calls(ms, base);
    for (size_t i = 0; i < ms->npool_calls; i++)
        if (ms->pool_calls[i].return_rva == return_rva)
            return ms->pool_calls[i].routine;
    return NULL;
}

/* A site in a function that calls a pool routine for its callers (the driver's own
 * MyAllocate): Verifier records the wrapper, so the owners are the wrapper's callers. */
void ls_analysis_find_wrapper_callers(ls_analysis *a)
{
    for (size_t s = 0; s < a->nsites; s++) {
        ls_site *site = &a->sites[s];
        const ls_code_location *w = &site->where;
        if (site->lookaside >= 0 || !w->symbol[0] || w->ninlines)
            continue;
        module_syms *ms = ls_analysis_module_syms(a, w->address);
        if (!ms || !ms->pe)
            continue;
        site->wraps = wrapped_routine(ms, (uint32_t)w->offset, ms->info.base);
        if (!site->wraps)
            continue;
        ls_pe_call_query q;
        memset(&q, 0, sizeof q);
        q.target_rva = (uint32_t)(w->offset - w->displacement);
        q.image_base = ms->info.base;
        ls_pe_call *calls = NULL;
        size_t n = 0;
        if (ls_pe_scan_calls(ms->pe, &q, &calls, &n, NULL, NULL) || n == 0) {
            free(calls);
            site->wraps = NULL; /* nobody calls it directly: it is the owner itself */
            continue;
        }
        site->callers = calloc(n < MAX_CALLERS ? n : MAX_CALLERS, sizeof *site->callers);
        for (size_t i = 0; site->callers && i < n && i < MAX_CALLERS; i++) {
            ls_lookaside_caller *c = &site->callers[site->ncallers++];
            c->how = "call";
            ls_analysis_locate(a, ms->info.base + calls[i].return_rva, 1, &c->where);
        }
        free(calls);
    }
}

void ls_analysis_find_list_callers(ls_analysis *a)
{
    uint32_t span = ls_vmem_ptr_size(a->vm) == 8 ? 0x80 : 0x50;
    for (size_t k = 0; k < a->nlists; k++) {
        ls_lookaside *l = &a->lists[k];
        /* The driver whose code uses the list: where its refill sites are (the list itself
         * may live in pool). */
        module_syms *ms = NULL;
        for (size_t s = 0; s < a->nsites && !ms; s++)
            if (a->sites[s].lookaside == (int)k)
                ms = ls_analysis_module_syms(a, a->sites[s].where.address);
        if (!ms || !ms->pe || !l->helper)
            continue;
        if (l->helper_inlined) {
            inlined_callers(a, ms, l, span);
        } else {
            /* The recorded sites are inside a copy of the helper; the driver may have one copy
             * per source file, and code in any of them may take blocks from this list. */
            uint32_t starts[16];
            size_t nstarts = 0;
            if (ms->pdb)
                ls_pdb_functions_named(ms->pdb, l->helper, starts, 16, &nstarts, NULL);
            for (size_t s = 0; s < a->nsites; s++) {
                const ls_code_location *w = &a->sites[s].where;
                if (a->sites[s].lookaside != (int)k || !w->symbol[0] || w->module_base != ms->info.base)
                    continue;
                uint32_t start = (uint32_t)(w->offset - w->displacement);
                size_t j = 0;
                while (j < nstarts && starts[j] != start)
                    j++;
                if (j == nstarts && nstarts < 16)
                    starts[nstarts++] = start;
            }
            for (size_t j = 0; j < nstarts; j++)
                called_callers(a, ms, l, starts[j], span);
        }
        /* Callers that name another list are not this list's consumers, once some name it. */
        size_t naming = 0;
        for (size_t i = 0; i < l->ncallers; i++)
            naming += l->callers[i].references_list != 0;
        if (naming) {
            size_t w = 0;
            for (size_t i = 0; i < l->ncallers; i++)
                if (l->callers[i].references_list)
                    l->callers[w++] = l->callers[i];
            l->ncallers = w;
        }
        if (l->ncallers)
            qsort(l->callers, l->ncallers, sizeof *l->callers, by_place);
    }
}
