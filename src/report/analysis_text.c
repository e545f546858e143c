/* analysis_text.c - the text report of one analysis: one screen that answers what stopped
 * the machine, which driver, what is still allocated and where, why, and what to change. */
#include "report_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum { WIDTH = 100 };

static void header(const ls_analysis *a, ls_buf *o)
{
    const ls_dump *d = ls_analysis_dump(a);
    const ls_dump_header *h = ls_dump_get_header(d);
    ls_os_version v = ls_os_version_of_build(h->build);
    const char *arch = h->arch == LS_ARCH_X86 ? (h->pae ? "x86 PAE" : "x86") : ls_arch_word(h->arch);
    char os[96];
    if (v.name)
        snprintf(os, sizeof os, "%s (build %u)", v.name, h->build);
    else
        snprintf(os, sizeof os, "Windows build %u", h->build);
    ls_buf_printf(o, "%s  %s, %s, %s, %u CPU%s\n", ls_analysis_path(a), ls_dump_type_title(h->dump_type), arch, os,
                  h->processors, h->processors == 1 ? "" : "s");
    char when[32] = "time not recorded";
    if (h->has_system_time && ls_filetime_iso(h->system_time, when) == 0)
        when[10] = ' ', when[19] = '\0', strcat(when, " UTC");
    if (h->has_uptime) {
        uint64_t s = h->uptime / 10000000ull;
        ls_buf_printf(o, "  %s, up %" PRIu64 " d %02u:%02u:%02u\n", when, s / 86400, (unsigned)(s / 3600 % 24),
                      (unsigned)(s / 60 % 60), (unsigned)(s % 60));
    } else {
        ls_buf_printf(o, "  %s\n", when);
    }
}

static void bugcheck(const ls_analysis *a, ls_buf *o)
{
    const ls_dump_header *h = ls_dump_get_header(ls_analysis_dump(a));
    const ls_bugcheck_info *bc = ls_analysis_bugcheck(a);
    const ls_vf_driver *vf = ls_analysis_verifier(a);
    int w = h->format == LS_FORMAT_PAGEDU64 ? 16 : 8;
    ls_buf_printf(o, "\nBug check 0x%X %s\n", h->bugcheck_code, bc->name[0] ? bc->name : "(unknown code)");
    if (bc->has_subcode)
        ls_buf_printf(o, "  0x%-4" PRIx64 "  %s\n", bc->subcode, bc->description ? bc->description : "(unknown subcode)");
    for (int i = 0; i < 4; i++) {
        char extra[400] = "";
        int kind = bc->param_kind[i];
        if (kind == LS_PARAM_DRIVER_NAME && ls_analysis_driver(a)[0])
            snprintf(extra, sizeof extra, "%s", ls_analysis_driver(a));
        else if (kind == LS_PARAM_VERIFIER_ENTRY && vf)
            snprintf(extra, sizeof extra, "(layout: %s)", vf->layout->title);
        else if (kind == LS_PARAM_CODE_ADDRESS || kind == LS_PARAM_ADDRESS) {
            const ls_module *m = ls_kernel_module_at(ls_analysis_kernel(a), h->bugcheck_params[i]);
            if (m)
                snprintf(extra, sizeof extra, "in %s+0x%" PRIx64, m->name, h->bugcheck_params[i] - m->base);
        }
        if (extra[0])
            ls_buf_printf(o, "  P%d 0x%0*" PRIx64 "  %-34s %s\n", i + 1, w, h->bugcheck_params[i],
                          bc->param_meaning[i] ? bc->param_meaning[i] : "", extra);
        else if (bc->param_meaning[i])
            ls_buf_printf(o, "  P%d 0x%0*" PRIx64 "  %s\n", i + 1, w, h->bugcheck_params[i], bc->param_meaning[i]);
        else
            ls_buf_printf(o, "  P%d 0x%0*" PRIx64 "\n", i + 1, w, h->bugcheck_params[i]);
    }
}

static void allocations(const ls_analysis *a, ls_buf *o)
{
    const ls_vf_driver *vf = ls_analysis_verifier(a);
    if (!vf)
        return;
    const ls_vf_counters *c = &vf->counters;
    int w = ls_dump_get_header(ls_analysis_dump(a))->format == LS_FORMAT_PAGEDU64 ? 16 : 8;
    ls_buf_printf(o, "\nOutstanding allocations of %s: %zu block%s, %" PRIu64 " bytes nonpaged, %" PRIu64 " bytes paged\n",
                  vf->name, vf->nallocs, vf->nallocs == 1 ? "" : "s", c->nonpaged_bytes, c->paged_bytes);
    size_t ok = 0, checked = 0;
    for (size_t i = 0; i < vf->nallocs; i++) {
        ok += vf->allocs[i].header == LS_HDR_OK;
        checked += vf->allocs[i].header == LS_HDR_OK || vf->allocs[i].header == LS_HDR_MISMATCH;
    }
    ls_buf_printf(o, "  Verifier record 0x%" PRIx64 ", layout %s%s%s%s: %s\n", vf->record, vf->layout->id,
                  ls_analysis_nt_pdb(a)[0] ? " (kernel PDB " : "", ls_analysis_nt_pdb(a),
                  ls_analysis_nt_pdb(a)[0] ? ")" : "", vf->layout_reason);
    ls_buf_printf(o, "  %s; %zu of %zu pool headers checked agree on tag and size\n",
                  vf->complete ? "the list is complete: the records agree with the counters"
                               : "the list may be incomplete (see the warnings)",
                  ok, checked);
    if (!vf->nallocs)
        return;
    ls_buf_printf(o, "\n  %-*s  %10s  %-4s  %-11s  %s\n", w + 2, "address", "size", "tag", "pool", "call site");
    for (size_t i = 0; i < vf->nallocs; i++) {
        const ls_vf_alloc *al = &vf->allocs[i];
        const ls_code_location *cl = ls_analysis_leak_caller(a, i);
        char site[400] = "", tag[5];
        if (cl)
            ls_location_text(cl, site, sizeof site);
        ls_tag_text(al->tag, tag);
        ls_buf_printf(o, "  0x%0*" PRIx64 "  %10" PRIu64 "  %-4s  %-11s  %s", w, al->address, al->size, tag,
                      ls_pool_class_word(al->pool), site);
        if (cl && cl->file[0])
            ls_buf_printf(o, "  %s:%u", ls_basename_nt(cl->file), cl->line);
        ls_buf_printf(o, "%s\n", al->in_flight ? "  (in flight)" : "");
    }
}

static void sites(const ls_analysis *a, ls_buf *o)
{
    size_t n;
    const ls_site *s = ls_analysis_sites(a, &n);
    if (!n)
        return;
    ls_buf_printf(o, "\nCall sites (where Verifier saw the allocation)\n");
    for (size_t i = 0; i < n; i++) {
        char loc[400], tags[64] = "";
        ls_location_text(&s[i].where, loc, sizeof loc);
        for (size_t t = 0; t < s[i].ntags; t++) {
            char tag[5];
            ls_tag_text(s[i].tags[t], tag);
            snprintf(tags + strlen(tags), sizeof tags - strlen(tags), "%s%s", t ? "," : "", tag);
        }
        ls_buf_printf(o, "  %4zu block%s %8" PRIu64 " bytes  %s\n", s[i].count, s[i].count == 1 ? " " : "s",
                      s[i].bytes, tags);
        for (unsigned f = 0; f < s[i].where.ninlines; f++) {
            const ls_frame_info *fr = &s[i].where.inlines[f];
            ls_buf_printf(o, "        %s (inlined)", fr->symbol);
            if (fr->file[0])
                ls_buf_printf(o, "  [%s @ %u]", fr->file, fr->line);
            ls_buf_printf(o, "\n");
        }
        ls_buf_printf(o, "        %s", loc);
        if (s[i].where.file[0])
            ls_buf_printf(o, "  [%s @ %u]", s[i].where.file, s[i].where.line);
        ls_buf_printf(o, "\n");
        for (size_t c = 0; c < s[i].ncallers; c++) {
            char cl[400];
            ls_location_text(&s[i].callers[c].where, cl, sizeof cl);
            ls_buf_printf(o, "          called from %s", cl);
            if (s[i].callers[c].where.file[0])
                ls_buf_printf(o, "  [%s @ %u]", s[i].callers[c].where.file, s[i].callers[c].where.line);
            ls_buf_printf(o, "\n");
        }
    }
}

/* The stacks Verifier's allocate/free log still holds for leaked blocks (a few of them). */
static void stacks(const ls_analysis *a, ls_buf *o)
{
    const ls_vf_driver *vf = ls_analysis_verifier(a);
    size_t shown = 0, with = 0, evicted = 0;
    for (size_t i = 0; vf && i < vf->nallocs; i++) {
        int status;
        unsigned nf = ls_analysis_leak_stack(a, i, &status);
        evicted += status == LS_STACK_EVICTED;
        if (!nf)
            continue;
        with++;
        if (shown == 8)
            continue;
        if (!shown++)
            ls_buf_printf(o, "\nStacks from Verifier's allocate/free log\n");
        char tag[5];
        ls_tag_text(vf->allocs[i].tag, tag);
        ls_buf_printf(o, "  0x%" PRIx64 " (%s, %" PRIu64 " bytes)\n", vf->allocs[i].address, tag, vf->allocs[i].size);
        int marked = 0;
        for (unsigned f = 0; f < nf; f++) {
            const ls_code_location *fr = ls_analysis_leak_frame(a, i, f);
            char loc[400];
            ls_location_text(fr, loc, sizeof loc);
            ls_buf_printf(o, "    %s", loc);
            if (fr->file[0])
                ls_buf_printf(o, "  [%s @ %u]", ls_basename_nt(fr->file), fr->line);
            /* The first frame of the driver outside the lookaside helper: the code path that
             * made the list refill (or, for a direct allocation, the code that allocated). */
            if (!marked && fr->module[0] && strcasecmp(fr->module, ls_analysis_driver(a)) == 0 &&
                !ls_lookaside_helper_name(fr->symbol)) {
                ls_buf_printf(o, "  <- %s", ls_analysis_leak_lookaside(a, i) >= 0 ? "the path that caused the refill"
                                                                                    : "first frame in the driver");
                marked = 1;
            }
            ls_buf_printf(o, "\n");
        }
    }
    if (with > shown)
        ls_buf_printf(o, "  (%zu more blocks have a stack in the log; see the JSON report)\n", with - shown);
    if (with && evicted)
        ls_buf_printf(o, "  %zu of the %zu leaked blocks have no record left in the log (rolled out).\n", evicted,
                      vf->nallocs);
}

static void diagnoses(const ls_analysis *a, ls_buf *o)
{
    static const char *const sev[] = { "Note", "Warning", "Diagnosis" };
    size_t n;
    const ls_diagnosis *d = ls_analysis_diagnoses(a, &n);
    for (size_t i = 0; i < n; i++) {
        ls_buf_printf(o, "\n%s [%s]\n", sev[d[i].severity], d[i].id);
        ls_text_wrap(o, d[i].message, 2, WIDTH);
    }
}

static void warnings(const ls_analysis *a, ls_buf *o)
{
    const ls_dump *d = ls_analysis_dump(a);
    const ls_kernel *k = ls_analysis_kernel(a);
    const ls_vf_driver *vf = ls_analysis_verifier(a);
    size_t n = ls_dump_warning_count(d) + ls_kernel_warning_count(k) + ls_analysis_warning_count(a) +
               (vf ? vf->warnings.n : 0);
    if (!n)
        return;
    ls_buf_printf(o, "\nWarnings\n");
    for (size_t i = 0; i < ls_dump_warning_count(d); i++)
        ls_text_wrap(o, ls_dump_warning(d, i), 2, WIDTH);
    for (size_t i = 0; i < ls_kernel_warning_count(k); i++)
        ls_text_wrap(o, ls_kernel_warning(k, i), 2, WIDTH);
    for (size_t i = 0; vf && i < vf->warnings.n; i++)
        ls_text_wrap(o, vf->warnings.v[i], 2, WIDTH);
    for (size_t i = 0; i < ls_analysis_warning_count(a); i++)
        ls_text_wrap(o, ls_analysis_warning(a, i), 2, WIDTH);
}

int ls_report_analysis_text(const ls_analysis *a, ls_buf *o)
{
    header(a, o);
    bugcheck(a, o);
    allocations(a, o);
    sites(a, o);
    stacks(a, o);
    diagnoses(a, o);
    warnings(a, o);
    ls_buf_printf(o, "\nBucket: %s\n", ls_analysis_bucket(a));
    return o->oom ? LS_ENOMEM : 0;
}
