/* vf_driver.c - reading Verifier's per-driver record: try each layout of the dump's
 * architecture, keep the one whose invariants hold (signature, name, counts against the bug
 * check), walk its trackers and check the figures against each other (verifier.md §2.8, §2.9). */
#include "vf_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void ls_vf_warn(ls_vf_driver *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ls_strlist_vadd(&d->warnings, 64, fmt, ap);
    va_end(ap);
}

int ls_vf_add_alloc(ls_vf_driver *d, const ls_vf_alloc *a)
{
    if (d->nallocs >= VF_MAX_ALLOCS)
        return -1;
    if ((d->nallocs & (d->nallocs - 1)) == 0) {
        size_t cap = d->nallocs ? d->nallocs * 2 : 16;
        ls_vf_alloc *v = realloc(d->allocs, cap * sizeof *v);
        if (!v)
            return -1;
        d->allocs = v;
    }
    d->allocs[d->nallocs++] = *a;
    return 0;
}

void ls_vf_driver_free(ls_vf_driver *d)
{
    if (!d)
        return;
    ls_strlist_free(&d->warnings);
    for (size_t i = 0; i < d->nallocs; i++)
        free(d->allocs[i].stack);
    free(d->allocs);
    free(d);
}

/* Reads a UNICODE_STRING at va; *buffer gets its Buffer pointer. */
static int read_ustring(ls_vmem *vm, uint64_t va, char *out, size_t outsize, uint64_t *buffer)
{
    int p8 = ls_vmem_ptr_size(vm) == 8;
    uint8_t us[16];
    if (ls_vmem_read(vm, va, us, p8 ? 16 : 8, NULL))
        return -1;
    unsigned len = ls_le16(us), max = ls_le16(us + 2);
    uint64_t buf = p8 ? ls_le64(us + 8) : ls_le32(us + 4);
    if (len == 0 || len % 2 || len > max || len > 510)
        return -1;
    uint8_t w[512];
    if (ls_vmem_read(vm, buf, w, len, NULL))
        return -1;
    size_t o = 0;
    for (unsigned i = 0; i < len / 2 && o + 1 < outsize; i++) {
        unsigned c = ls_le16(w + 2 * i);
        if (c < 0x20 || c > 0x7e)
            return -1;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    if (buffer)
        *buffer = buf;
    return 0;
}

static uint64_t field(const uint8_t *rec, int off, int width)
{
    return width == 8 ? ls_le64(rec + off) : ls_le32(rec + off);
}

/* Bytes of the record a layout reads: a record may end right before an absent page. */
static size_t record_span(const ls_vf_layout *L, int p8)
{
    const int16_t offs[] = { L->name, L->suspect, L->signature, L->start, L->end, L->page_headers, L->trackers,
                             L->pool_hash, L->pool_hash_size, L->cur_paged, L->cur_nonpaged, L->peak_paged,
                             L->peak_nonpaged, L->paged_bytes, L->nonpaged_bytes, L->peak_paged_bytes,
                             L->peak_nonpaged_bytes, L->loads, L->unloads };
    size_t span = 0;
    for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++)
        if (offs[i] >= 0 && (size_t)offs[i] + (p8 ? 16 : 8) > span)
            span = (size_t)offs[i] + (p8 ? 16 : 8);
    return span;
}

/* Checks one layout against the record; fills d (name, counters) and says why in d->layout_reason.
 * Returns the number of failed required checks (0 = the layout fits). */
static int try_layout(ls_vmem *vm, const ls_vf_hint *hint, const char *p2_name, const ls_vf_layout *L, ls_vf_driver *d)
{
    int p8 = ls_vmem_ptr_size(vm) == 8;
    uint8_t rec[0x100];
    memset(rec, 0, sizeof rec);
    size_t span = record_span(L, p8);
    if (span > sizeof rec || ls_vmem_read(vm, hint->record, rec, span, NULL))
        return 100;
    int failed = 0;
    char why[320] = "";
    size_t w = 0;
#define NOTE(...) (w += (size_t)snprintf(why + w, w < sizeof why ? sizeof why - w : 0, __VA_ARGS__))
    memset(&d->counters, 0, sizeof d->counters);
    d->name[0] = '\0';
    ls_vf_counters *c = &d->counters;
    c->cur_paged = ls_le32(rec + L->cur_paged);
    c->cur_nonpaged = ls_le32(rec + L->cur_nonpaged);
    c->peak_paged = ls_le32(rec + L->peak_paged);
    c->peak_nonpaged = ls_le32(rec + L->peak_nonpaged);
    c->paged_bytes = field(rec, L->paged_bytes, p8 ? 8 : 4);
    c->nonpaged_bytes = field(rec, L->nonpaged_bytes, p8 ? 8 : 4);
    c->peak_paged_bytes = field(rec, L->peak_paged_bytes, p8 ? 8 : 4);
    c->peak_nonpaged_bytes = field(rec, L->peak_nonpaged_bytes, p8 ? 8 : 4);

    if (L->signature >= 0) {
        uint64_t sig = field(rec, L->signature, p8 ? 8 : 4);
        if (sig == MI_VERIFIER_ENTRY_SIGNATURE)
            NOTE("signature 0x98761940 ok");
        else {
            NOTE("signature 0x%" PRIx64 " is not 0x98761940", sig);
            failed++;
        }
        d->image_start = field(rec, L->start, p8 ? 8 : 4);
        d->image_end = field(rec, L->end, p8 ? 8 : 4);
        c->loads = ls_le32(rec + L->loads);
        c->unloads = ls_le32(rec + L->unloads);
    }
    /* The name: in the record (MI forms) or in the suspect entry the record points to (VF). */
    uint64_t name_buf = 0;
    int have_name;
    if (L->name >= 0) {
        have_name = read_ustring(vm, hint->record + (uint64_t)L->name, d->name, sizeof d->name, &name_buf) == 0;
    } else {
        uint64_t suspect = field(rec, L->suspect, p8 ? 8 : 4);
        have_name = read_ustring(vm, suspect + (uint64_t)L->suspect_name, d->name, sizeof d->name, &name_buf) == 0;
        uint8_t se[0x18];
        if (have_name && ls_vmem_read(vm, suspect + (uint64_t)L->loads, se, 8, NULL) == 0) {
            c->loads = ls_le32(se);
            c->unloads = ls_le32(se + 4);
        }
    }
    if (!have_name) {
        NOTE("%sno readable driver name", w ? ", " : "");
        failed++;
    } else if (p2_name && p2_name[0]) {
        if (strcasecmp(d->name, p2_name) == 0)
            NOTE("%sname \"%s\" matches P2", w ? ", " : "", d->name);
        else {
            NOTE("%sname \"%s\" differs from P2 \"%s\"", w ? ", " : "", d->name, p2_name);
            failed++;
        }
    } else if (hint->driver && hint->driver[0]) {
        if (strncasecmp(d->name, hint->driver, strlen(hint->driver)) != 0) {
            NOTE("%sname \"%s\" is not %s", w ? ", " : "", d->name, hint->driver);
            failed++;
        } else {
            NOTE("%sname \"%s\" matches --driver", w ? ", " : "", d->name);
        }
    }
    uint64_t cur = c->cur_paged + c->cur_nonpaged;
    if (cur > VF_MAX_ALLOCS || c->paged_bytes > (1ull << 40) || c->nonpaged_bytes > (1ull << 40)) {
        NOTE("%scounters implausible", w ? ", " : "");
        failed++;
    } else if (hint->have_count) {
        if (cur == hint->expected_count)
            NOTE("%scurrent counts %" PRIu64 " + %" PRIu64 " = P4", w ? ", " : "", c->cur_paged, c->cur_nonpaged);
        else {
            NOTE("%scurrent counts %" PRIu64 " + %" PRIu64 " != P4 (%" PRIu64 ")", w ? ", " : "", c->cur_paged,
                 c->cur_nonpaged, hint->expected_count);
            failed++;
        }
    }
    if (hint->have_bytes && (c->paged_bytes != hint->expected_paged_bytes || c->nonpaged_bytes != hint->expected_nonpaged_bytes)) {
        NOTE("%sbyte counters differ from P2/P3", w ? ", " : "");
        failed++;
    }
    /* Every outstanding allocation is charged at least 4 bytes, and none is charged for nothing. */
    if ((cur && c->paged_bytes + c->nonpaged_bytes < 4 * cur) || (!cur && (c->paged_bytes || c->nonpaged_bytes))) {
        NOTE("%scounts and bytes disagree", w ? ", " : "");
        failed++;
    }
#undef NOTE
    snprintf(d->layout_reason, sizeof d->layout_reason, "%s", why);
    (void)name_buf;
    return failed;
}

static void cross_check(ls_vmem *vm, const ls_kernel *k, const ls_vf_hint *hint, ls_vf_driver *d)
{
    ls_vf_counters *c = &d->counters;
    uint64_t cur = c->cur_paged + c->cur_nonpaged, bytes = 0, in_flight = 0;
    for (size_t i = 0; i < d->nallocs; i++) {
        bytes += d->allocs[i].size;
        in_flight += d->allocs[i].in_flight != 0;
        ls_vf_check_pool_header(vm, &d->allocs[i]);
        /* Special pool and big pages carry no header: the counters may still say which pool. */
        if (d->allocs[i].pool == LS_POOL_UNKNOWN && (c->cur_paged == 0) != (c->cur_nonpaged == 0))
            d->allocs[i].pool = c->cur_paged == 0 ? LS_POOL_NONPAGED : LS_POOL_PAGED;
    }
    if (d->nallocs != cur) {
        ls_vf_warn(d, "%zu allocations found in the trackers, the record's counters say %" PRIu64, d->nallocs, cur);
        if (d->nallocs + 1 < cur || d->nallocs > cur + 1)
            d->complete = 0;
    }
    if (hint->have_count && d->nallocs != hint->expected_count)
        ls_vf_warn(d, "%zu allocations found, the bug check says %" PRIu64, d->nallocs, hint->expected_count);
    uint64_t want = c->paged_bytes + c->nonpaged_bytes;
    if (bytes != want)
        ls_vf_warn(d, "the allocations add up to 0x%" PRIx64 " bytes, the record's counters say 0x%" PRIx64, bytes, want);
    if (in_flight)
        ls_vf_warn(d, "%" PRIu64 " allocation(s) were still in progress when the system stopped", in_flight);
    /* Every tracked caller lay inside the driver's image when the block was allocated. */
    const ls_module *m = d->name[0] ? ls_kernel_find_module(k, d->name) : NULL;
    uint64_t lo = m ? m->base : d->image_start, hi = m ? m->base + m->size : d->image_end;
    if (lo && hi > lo) {
        size_t outside = 0;
        for (size_t i = 0; i < d->nallocs; i++)
            outside += d->allocs[i].caller < lo || d->allocs[i].caller >= hi;
        if (outside)
            ls_vf_warn(d, "%zu allocation(s) name a caller outside %s (0x%" PRIx64 "-0x%" PRIx64 ")", outside, d->name, lo, hi);
    }
    size_t mismatch = 0;
    for (size_t i = 0; i < d->nallocs; i++)
        mismatch += d->allocs[i].header == LS_HDR_MISMATCH;
    if (mismatch)
        ls_vf_warn(d, "%zu pool header(s) disagree with Verifier's record (tag or size)", mismatch);
}

int ls_vf_read_driver(ls_vmem *vm, const ls_kernel *k, const ls_vf_hint *hint, ls_vf_driver **out, ls_error *err)
{
    if (!vm || !hint || !out || !hint->record)
        return ls_error_set(err, LS_EINVAL, "no Verifier record address");
    const ls_dump_header *h = ls_dump_get_header(ls_vmem_dump(vm));
    char p2_name[96] = "";
    if (hint->name_va)
        ls_vf_read_wide_name(vm, hint->name_va, p2_name, sizeof p2_name, NULL);
    uint8_t probe[8];
    if (ls_vmem_read(vm, hint->record, probe, sizeof probe, err))
        return ls_error_prefix(err, "Verifier record");

    ls_vf_driver *d = calloc(1, sizeof *d);
    if (!d)
        return ls_error_oom(err);
    d->record = hint->record;
    size_t n;
    const ls_vf_layout *rows = ls_vf_layouts(&n);
    /* Pass 0: layouts whose builds include the dump's; pass 1: the other rows of this arch.
     * A layout fits when the record's own invariants hold; among fitting layouts the first whose
     * trackers also add up wins, else the first that fits (the trackers are then damaged). */
    const ls_vf_layout *best = NULL, *fitting = NULL;
    int best_failed = 1000, fitting_pass = 0, chosen_pass = 0;
    char best_reason[320] = "", fitting_reason[320] = "";
    for (int pass = hint->types ? -1 : 0; pass < 2 && best_failed; pass++) {
        for (size_t i = 0; i < (pass < 0 ? 1 : n) && best_failed; i++) {
            const ls_vf_layout *L = pass < 0 ? hint->types : &rows[i];
            int in_range = h->build >= L->min_build && h->build <= L->max_build;
            if (L->arch != h->arch || (pass >= 0 && in_range != (pass == 0)))
                continue;
            int failed = try_layout(vm, hint, p2_name, L, d);
            if (failed == 0) {
                d->layout = L;
                d->complete = 1;
                int agrees = ls_vf_walk(vm, d, NULL) == 0 && d->nallocs == d->counters.cur_paged + d->counters.cur_nonpaged;
                ls_strlist_free(&d->warnings);
                free(d->allocs);
                d->allocs = NULL;
                d->nallocs = 0;
                if (agrees) {
                    best = L;
                    best_failed = 0;
                    chosen_pass = pass;
                    snprintf(best_reason, sizeof best_reason, "%.200s%strackers agree with the counts",
                             d->layout_reason, d->layout_reason[0] ? ", " : "");
                    break;
                }
                if (!fitting) {
                    fitting = L;
                    fitting_pass = pass;
                    snprintf(fitting_reason, sizeof fitting_reason, "%.240s", d->layout_reason);
                }
                continue;
            }
            if (failed < best_failed) {
                best_failed = failed;
                best = L;
                snprintf(best_reason, sizeof best_reason, "%s", d->layout_reason);
            }
        }
    }
    /* A record found by searching memory must also have trackers that add up. */
    if (best_failed && fitting && !hint->strict) {
        best = fitting;
        best_failed = 0;
        chosen_pass = fitting_pass;
        snprintf(best_reason, sizeof best_reason, "%s", fitting_reason);
    }
    /* A layout that fails more than one invariant is not evidence of anything. */
    if (!best || best_failed >= 2 || (hint->strict && best_failed)) {
        ls_vf_driver_free(d);
        return ls_error_set(err, LS_EUNSUPPORTED,
                            "no known Verifier layout for %s build %u fits the record at 0x%" PRIx64 "%s%s%s",
                            ls_arch_word(h->arch), h->build, hint->record, best ? " (closest: " : "",
                            best ? best_reason : "", best ? ")" : "");
    }
    try_layout(vm, hint, p2_name, best, d);
    d->layout = best;
    d->complete = 1;
    int rc = ls_vf_walk(vm, d, err);
    if (rc) {
        ls_vf_driver_free(d);
        return rc;
    }
    if (best_failed) {
        d->complete = 0;
        ls_vf_warn(d, "no layout satisfies every invariant of the record; using the closest, %s (%s)", best->id,
                   best_reason);
    }
    if (chosen_pass > 0)
        snprintf(best_reason + strlen(best_reason), sizeof best_reason - strlen(best_reason),
                 "; chosen although build %u is outside its range (%u-%u)", h->build, best->min_build, best->max_build);
    snprintf(d->layout_reason, sizeof d->layout_reason, "%s", best_reason);
    if (!d->name[0] && p2_name[0])
        snprintf(d->name, sizeof d->name, "%s", p2_name);
    cross_check(vm, k, hint, d);
    *out = d;
    return 0;
}
