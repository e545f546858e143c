/* explain.c - diagnoses in plain words, each with a stable id, and the versioned bucket
 * signature that deduplicates dumps of the same problem. Every claim cites a figure the dump gave. */
#include "analysis_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *stem_of(const char *module, char *out, size_t n)
{
    snprintf(out, n, "%s", module);
    char *dot = strrchr(out, '.');
    if (dot && dot != out)
        *dot = '\0';
    return out;
}

/* The seed case: blocks taken from a lookaside list and never given back before it was deleted. */
static void explain_list(ls_analysis *a, size_t k)
{
    const ls_lookaside *l = &a->lists[k];
    char stem[96], tag[5], callers[2400] = "";
    size_t w = 0;
    const char *module = a->driver;
    /* A list in pool (a device extension) is reached through a pointer: its users cannot be
     * told apart by the address in their code, so every user of the helper is listed. */
    int in_pool = strncmp(l->name, "pool:", 5) == 0;
    stem_of(module, stem, sizeof stem);
    ls_tag_text(l->tag, tag);
    uint32_t held = l->total_allocates - l->total_frees;
    for (size_t i = 0; i < l->ncallers && w < sizeof callers; i++) {
        const ls_code_location *c = &l->callers[i].where;
        char loc[320];
        ls_location_text(c, loc, sizeof loc);
        w += (size_t)snprintf(callers + w, sizeof callers - w, "\n    %-40s %s:%u%s", loc, ls_basename_nt(c->file), c->line,
                              l->callers[i].references_list || in_pool ? "" : "  (does not name this list itself)");
    }
    char counters[300];
    if (l->total_allocates >= l->total_frees && held == l->blocks)
        snprintf(counters, sizeof counters, "Its counters: %u taken, %u returned: %u block%s never given back.",
                 l->total_allocates, l->total_frees, held, held == 1 ? " was" : "s were");
    else if (l->total_allocates >= l->total_frees)
        snprintf(counters, sizeof counters,
                 "Its counters: %u taken, %u returned: %u block%s never given back to the list; %zu of them %s "
                 "among Verifier's outstanding allocations (the others were freed some other way, for example "
                 "with ExFreePool, or were refilled while Verifier did not track the list).",
                 l->total_allocates, l->total_frees, held, held == 1 ? " was" : "s were", l->blocks,
                 l->blocks == 1 ? "is" : "are");
    else
        snprintf(counters, sizeof counters, "Its counters (%u taken, %u returned) have wrapped or were reset.",
                 l->total_allocates, l->total_frees);
    char helper_text[400];
    if (l->helper_inlined)
        snprintf(helper_text, sizeof helper_text,
                 "The call site Verifier recorded is inside %s, the WDK header helper inlined into your code; ", l->helper);
    else
        snprintf(helper_text, sizeof helper_text,
                 "The call site Verifier recorded is inside %s, the WDK header helper compiled into your driver as a "
                 "function (this build did not inline it); ", l->helper);
    ls_analysis_diagnose(a, "lookaside-outstanding-at-delete", LS_SEV_ERROR,
        "%s%zu block%s (%" PRIu64 " bytes) came from the lookaside list %s%s%s (0x%" PRIx64 "%s, tag '%s', entry size %u). "
        "%s %s\n\n"
        "ExDeleteNPagedLookasideList frees only the blocks sitting on the list. Blocks your driver still holds are "
        "ordinary pool that nobody will free: Verifier counts them against %s at unload.\n\n"
        "%sit marks where the list refilled itself from pool, not the code that kept the block. %s%s%s\n\n"
        "Fix: before ExDeleteNPagedLookasideList, return every block with ExFreeToNPagedLookasideList (or free it), "
        "for example by draining the queues that hold them in the unload routine.",
        l->blocks == a->vf->nallocs ? "All " : "", l->blocks, l->blocks == 1 ? "" : "s", l->bytes,
        in_pool ? "" : stem, in_pool ? "" : "!", l->name[0] ? l->name : "(unnamed list)", l->address,
        in_pool ? ", in a pool block such as a device extension" : "", tag, l->size,
        l->live == 0   ? "The list was deleted (it is no longer linked into the kernel's lookaside chain)."
        : l->live == 1 ? "The list is still linked into the kernel's lookaside chain (not deleted)."
                       : "Whether the list was deleted could not be read.",
        counters, module, helper_text,
        !l->ncallers ? "The code that takes blocks from it was not found (the image's code or its PDB is missing)."
        : in_pool    ? "The list is reached through a pointer, so these are all the places your code takes blocks "
                       "from a lookaside list with this helper:"
                     : "Your code takes blocks from this list at:",
        callers,
        l->ncallers ? "\nVerifier sees refills only, never hand-outs, so it cannot tell which of these kept the blocks."
                    : "");
}

static void explain_wrapper(ls_analysis *a, const ls_site *s)
{
    char stem[96], callers[2400] = "";
    size_t w = 0;
    stem_of(a->driver, stem, sizeof stem);
    for (size_t i = 0; i < s->ncallers && w < sizeof callers; i++) {
        const ls_code_location *c = &s->callers[i].where;
        char loc[320];
        ls_location_text(c, loc, sizeof loc);
        w += (size_t)snprintf(callers + w, sizeof callers - w, "\n    %-40s %s:%u", loc, ls_basename_nt(c->file), c->line);
    }
    ls_analysis_diagnose(a, "allocation-wrapper", LS_SEV_WARNING,
        "%zu block%s (%" PRIu64 " bytes) %s recorded in %s!%s, which only passes the request on to %s: Verifier "
        "records the wrapper, so the code that owns %s is one of its callers:%s",
        s->count, s->count == 1 ? "" : "s", s->bytes, s->count == 1 ? "was" : "were", stem, s->where.symbol, s->wraps,
        s->count == 1 ? "the block" : "the blocks", callers);
}

static void explain_leak(ls_analysis *a)
{
    const ls_vf_driver *vf = a->vf;
    const ls_vf_counters *c = &vf->counters;
    char sites[1600] = "";
    size_t w = 0;
    for (size_t i = 0; i < a->nsites && i < 5; i++) {
        char name[320];
        ls_location_text(&a->sites[i].where, name, sizeof name);
        w += (size_t)snprintf(sites + w, w < sizeof sites ? sizeof sites - w : 0, "\n  %zu x %s (%" PRIu64 " bytes)%s%s",
                              a->sites[i].count, name, a->sites[i].bytes, a->sites[i].where.file[0] ? " " : "",
                              a->sites[i].where.file);
        if (a->sites[i].where.line && w < sizeof sites)
            w += (size_t)snprintf(sites + w, sizeof sites - w, ":%u", a->sites[i].where.line);
    }
    ls_analysis_diagnose(a, "pool-leak-at-unload", LS_SEV_ERROR,
        "%s was unloaded while %" PRIu64 " of its pool allocations were still outstanding (%" PRIu64 " paged, %" PRIu64
        " nonpaged; 0x%" PRIx64 " bytes paged, 0x%" PRIx64 " bytes nonpaged). Nothing frees them after the driver is "
        "gone, so Verifier stopped the machine. %s. The allocations come from:%s",
        a->driver, c->cur_paged + c->cur_nonpaged, c->cur_paged, c->cur_nonpaged, c->paged_bytes, c->nonpaged_bytes,
        vf->complete ? "Verifier's records list every one of them, and the figures agree"
                     : "The list below may be incomplete (see the warnings)",
        sites);
    for (size_t k = 0; k < a->nlists; k++)
        explain_list(a, k);
    for (size_t i = 0; i < a->nsites; i++)
        if (a->sites[i].wraps)
            explain_wrapper(a, &a->sites[i]);
    for (size_t i = 0; i < a->nsites; i++) {
        const ls_site *s = &a->sites[i];
        const char *helper = ls_lookaside_helper_at(&s->where);
        if (!helper || s->lookaside >= 0)
            continue;
        char name[320];
        ls_location_text(&s->where, name, sizeof name);
        int inlined = strcmp(s->where.symbol, helper) != 0;
        ls_analysis_diagnose(a, "lookaside-refill-site", LS_SEV_WARNING,
            "%zu block(s) (%" PRIu64 " bytes) were recorded at %s, inside %s%s%s. That is where a lookaside list "
            "refilled itself from pool, not the code that kept the block: Verifier sees refills, never hand-outs. "
            "Deleting a lookaside list frees only the blocks sitting on the list; blocks the driver still holds stay "
            "allocated and are leaked. Fix: give every block back with ExFreeToNPagedLookasideList (or free it) "
            "before calling ExDeleteNPagedLookasideList.",
            s->count, s->bytes, name, helper, inlined ? " inlined into " : " (the header helper compiled as a function "
            "in the driver)", inlined ? s->where.symbol : "");
    }
}

/* Missing symbols matter for the modules that hold call sites of the leaks. */
static void explain_symbols(ls_analysis *a)
{
    for (size_t i = 0; i < a->nmods; i++) {
        const ls_module_symbols *m = &a->mods[i]->info;
        int holds_site = 0;
        for (size_t s = 0; s < a->nsites && !holds_site; s++)
            holds_site = a->sites[s].where.module_base == m->base;
        if (holds_site && !m->pdb_path[0] && m->problem[0])
            ls_analysis_diagnose(a, "symbols-missing", LS_SEV_INFO,
                                 "No PDB for %s: %s. Its call sites are shown as module+offset; give the folder or "
                                 "symbol store that holds the PDB with -y.", m->module, m->problem);
    }
}

void ls_analysis_explain(ls_analysis *a)
{
    const ls_bugcheck_info *bc = &a->bc;
    if (bc->classes & LS_BC_VERIFIER)
        a->found = 1;
    if (a->vf) {
        if (a->vf->nallocs)
            a->found = 1;
        explain_leak(a);
    } else if (!(bc->classes & LS_BC_VERIFIER)) {
        ls_analysis_diagnose(a, "no-verifier-violation", LS_SEV_INFO,
                             "Bug check 0x%X%s%s is not a Driver Verifier pool violation: this dump holds no pool "
                             "leak report.", bc->code, bc->name[0] ? " " : "", bc->name);
        const ls_vf_counters *g = &a->global.counters;
        if (a->global.present && (a->global.level & 0x8) && g->cur_paged + g->cur_nonpaged && !a->opts.driver)
            ls_analysis_diagnose(a, "verifier-tracking-pool", LS_SEV_INFO,
                                 "Driver Verifier was tracking pool (level 0x%x): %" PRIu64 " allocations of "
                                 "verified drivers were outstanding machine-wide (%" PRIu64 " bytes). To list one "
                                 "driver's allocations and the code that made them, run lalscan again with --driver "
                                 "NAME.", a->global.level, g->cur_paged + g->cur_nonpaged,
                                 g->paged_bytes + g->nonpaged_bytes);
    }
    if (a->vf && ls_dump_get_header(a->dump)->build <= 2600)
        ls_analysis_diagnose(a, "lookaside-refills-untracked-xp", LS_SEV_INFO,
                             "On Windows 2000 and XP, Verifier had no hooks for lookaside lists: a list initialized "
                             "with the kernel's own allocator refills itself without Verifier seeing it, so blocks "
                             "taken from such a list and never returned are not among the allocations above. "
                             "Blocks of lists whose refill routine is the driver's imported ExAllocatePoolWithTag "
                             "are tracked.");
    if (a->global.present && (bc->classes & LS_BC_LEAK_AT_UNLOAD) && !(a->global.level & 0x8))
        ls_analysis_diagnose(a, "pool-tracking-off", LS_SEV_WARNING,
                             "Verifier's level 0x%x does not include pool tracking (0x8), so it kept no record of "
                             "individual allocations.", a->global.level);
    explain_symbols(a);
}

/* lalscan.bucket/1:<code>[_<subcode>]/<driver or module>/<site>: stable across dumps of the same
 * problem (no addresses that move with load order). */
void ls_analysis_make_bucket(ls_analysis *a)
{
    const ls_bugcheck_info *bc = &a->bc;
    char code[32], who[128] = "", where[300] = "";
    uint32_t base = bc->code & ~0x10000000u;
    if (bc->has_subcode)
        snprintf(code, sizeof code, "0x%X_%" PRIX64, base, bc->subcode);
    else
        snprintf(code, sizeof code, "0x%X", base);
    if (a->driver[0])
        snprintf(who, sizeof who, "%s", a->driver);
    else {
        const uint64_t *p = ls_dump_get_header(a->dump)->bugcheck_params;
        for (int i = 0; i < 4 && !who[0]; i++) {
            const ls_module *m = ls_kernel_module_at(a->kernel, p[i]);
            if (m && i > 0)
                snprintf(who, sizeof who, "%s", m->name);
        }
    }
    if (a->nsites) {
        const ls_code_location *w = &a->sites[0].where;
        const char *helper = ls_lookaside_helper_at(w);
        int li = a->sites[0].lookaside;
        if (li >= 0 && a->lists[li].name[0])
            snprintf(where, sizeof where, "lookaside:%s", a->lists[li].name);
        else if (helper)
            snprintf(where, sizeof where, "lookaside:%s", w->symbol[0] ? w->symbol : helper);
        else if (w->symbol[0])
            snprintf(where, sizeof where, "%s", w->symbol);
        else if (w->module[0])
            snprintf(where, sizeof where, "%s+0x%" PRIx64, w->module, w->offset);
    }
    snprintf(a->bucket, sizeof a->bucket, "lalscan.bucket/1:%s%s%s%s%s", code, who[0] ? "/" : "", who,
             where[0] ? "/" : "", where);
}
