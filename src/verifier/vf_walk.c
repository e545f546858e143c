/* vf_walk.c - enumerating a driver's outstanding allocations from Verifier's trackers: tracker
 * pages chained on an SLIST (2003 SP1 onwards) or the XP hash array (verifier.md §2.8). */
#include "vf_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { PAGE = 0x1000 };

/* A small open-addressing set of page addresses, to stop on a cyclic SLIST. */
typedef struct page_set {
    uint64_t *v;
    size_t cap;
} page_set;

static int set_add(page_set *s, uint64_t x) /* 1 added, 0 present, -1 oom */
{
    if (!s->v) {
        s->cap = 1024;
        if (!(s->v = calloc(s->cap, sizeof *s->v)))
            return -1;
    }
    size_t i = (size_t)((x >> 12) * 0x9E3779B97F4A7C15ull) & (s->cap - 1);
    for (size_t n = 0; n < s->cap; n++, i = (i + 1) & (s->cap - 1)) {
        if (s->v[i] == x)
            return 0;
        if (s->v[i] == 0) {
            s->v[i] = x;
            return 1;
        }
    }
    return -1; /* full: callers cap pages well below the capacity they grow to */
}

static int set_grow(page_set *s, size_t used)
{
    if (!s->v || used * 2 < s->cap)
        return 0; /* set_add makes the first table */
    page_set n = { calloc(s->cap * 2, sizeof *s->v), s->cap * 2 };
    if (!n.v)
        return -1;
    for (size_t i = 0; i < s->cap; i++)
        if (s->v[i])
            set_add(&n, s->v[i]);
    free(s->v);
    *s = n;
    return 0;
}

static uint64_t rd(const uint8_t *p, int p8) { return p8 ? ls_le64(p) : ls_le32(p); }

/* Slot 0 of a tracker page is a VI_POOL_PAGE_HEADER: 2 = it names this record, 1 = a tracker
 * page of another record (its link can still be followed), 0 = not a tracker page. */
static int page_kind(ls_vmem *vm, const ls_vf_layout *L, uint64_t page, uint64_t record, uint8_t *buf)
{
    int p8 = ls_vmem_ptr_size(vm) == 8;
    if (page % PAGE || ls_vmem_read(vm, page, buf, PAGE, NULL))
        return 0;
    if ((rd(buf + L->page_signature, p8) & 0xffffffffu) != VI_POOL_PAGE_HEADER_SIGNATURE)
        return 0;
    return rd(buf + L->page_verifier_entry, p8) == record ? 2 : 1;
}

static void take_slots(ls_vmem *vm, ls_vf_driver *d, uint64_t page, const uint8_t *buf, size_t *oom)
{
    const ls_vf_layout *L = d->layout;
    int p8 = ls_vmem_ptr_size(vm) == 8;
    for (unsigned s = 1; s < L->slots_per_page; s++) {
        const uint8_t *slot = buf + (size_t)s * L->slot_size;
        uint64_t bytes = rd(slot + L->slot_bytes, p8);
        if (bytes & 1)
            continue; /* free or never used: its caller and tag are stale */
        ls_vf_alloc a;
        memset(&a, 0, sizeof a);
        uint64_t va = rd(slot, p8);
        a.in_flight = (int)(va & 1);
        a.address = va & ~1ull;
        a.size = bytes;
        a.caller = rd(slot + L->slot_caller, p8);
        a.tag = ls_le32(slot + L->slot_tag);
        a.slot = page + (uint64_t)s * L->slot_size;
        if (ls_vf_add_alloc(d, &a))
            (*oom)++;
    }
}

static int walk_pages(ls_vmem *vm, ls_vf_driver *d, ls_error *err)
{
    const ls_vf_layout *L = d->layout;
    uint64_t first[2];
    uint32_t depth;
    int n = ls_slist_first(vm, d->record + (uint64_t)L->page_headers, first, &depth, err);
    if (n < 0)
        return ls_error_prefix(err, "tracker page list of the record at 0x%" PRIx64, d->record);
    uint8_t *buf = malloc(PAGE);
    if (!buf)
        return ls_error_oom(err);
    /* x64 headers have two encodings: take the candidate that leads to a tracker page. */
    uint64_t page = 0;
    for (int best = 2; best >= 1 && !page; best--)
        for (int i = 0; i < n && !page; i++)
            if (page_kind(vm, L, first[i], d->record, buf) == best)
                page = first[i];
    if (n > 0 && !page) {
        ls_vf_warn(d, "the first tracker page (0x%" PRIx64 ") is not in this dump or is not a tracker page", first[0]);
        d->complete = 0;
    }
    page_set seen = { 0 };
    size_t pages = 0, oom = 0;
    uint64_t limit = (uint64_t)depth + 64 < VF_MAX_PAGES ? (uint64_t)depth + 64 : VF_MAX_PAGES;
    int p8 = ls_vmem_ptr_size(vm) == 8;
    while (page) {
        if (pages >= limit) {
            ls_vf_warn(d, "tracker page list: more than %" PRIu64 " pages (the header says %u); stopped", limit, depth);
            d->complete = 0;
            break;
        }
        int added = set_grow(&seen, pages) ? -1 : set_add(&seen, page);
        if (added <= 0) {
            if (added == 0)
                ls_vf_warn(d, "tracker page list: page 0x%" PRIx64 " appears twice (the list has a cycle); stopped", page);
            else
                ls_vf_warn(d, "tracker page list: out of memory; stopped");
            d->complete = 0;
            break;
        }
        int kind = page_kind(vm, L, page, d->record, buf);
        if (kind == 0) {
            uint8_t probe[8];
            if (ls_vmem_read(vm, page, probe, sizeof probe, NULL))
                ls_vf_warn(d, "tracker page 0x%" PRIx64 " is not in this dump; the allocations it holds and the pages "
                              "after it are missing", page);
            else
                ls_vf_warn(d, "0x%" PRIx64 " on the tracker page list is not a tracker page (no signature); stopped",
                           page);
            d->complete = 0;
            break;
        }
        if (kind == 1) {
            /* Its slots are another driver's; the list may go on past it (verifier.md §2.8 step 2). */
            ls_vf_warn(d, "tracker page 0x%" PRIx64 " on this record's list belongs to another driver's record "
                          "(0x%" PRIx64 "); its slots are not counted", page, rd(buf + L->page_verifier_entry, p8));
            d->complete = 0;
        } else {
            pages++;
            take_slots(vm, d, page, buf, &oom);
        }
        page = rd(buf, p8); /* NextPage: the SLIST link at offset 0 of slot 0 */
    }
    d->tracker_pages = pages;
    if (oom) {
        ls_vf_warn(d, "%zu allocations not kept (out of memory or more than %d)", oom, VF_MAX_ALLOCS);
        d->complete = 0;
    }
    free(seen.v);
    free(buf);
    if (pages + 1 < depth)
        ls_vf_warn(d, "tracker page list: %zu pages walked, the header's depth says %u", pages, depth);
    return 0;
}

/* XP: PoolHash[PoolHashSize]; a slot is in use when its first field is a kernel address. */
static int walk_hash(ls_vmem *vm, ls_vf_driver *d, ls_error *err)
{
    const ls_vf_layout *L = d->layout;
    uint32_t table, size;
    int rc = ls_vmem_read_u32(vm, d->record + (uint64_t)L->pool_hash, &table, err);
    if (!rc)
        rc = ls_vmem_read_u32(vm, d->record + (uint64_t)L->pool_hash_size, &size, err);
    if (rc)
        return ls_error_prefix(err, "XP pool hash of the record at 0x%" PRIx64, d->record);
    if (size > VF_MAX_HASH) {
        ls_vf_warn(d, "PoolHashSize %u is beyond any real table; not walked", size);
        d->complete = 0;
        return 0;
    }
    uint8_t e[16];
    size_t oom = 0;
    for (uint32_t i = 0; i < size; i++) {
        uint64_t at = (uint64_t)table + (uint64_t)i * L->slot_size;
        if (ls_vmem_read(vm, at, e, sizeof e, NULL)) {
            ls_vf_warn(d, "pool hash slot %u at 0x%" PRIx64 " is not in this dump; the rest of the table is missing", i, at);
            d->complete = 0;
            break;
        }
        uint32_t va = ls_le32(e);
        if (va < 0x80000000u || va % 8)
            continue; /* a free slot holds the index of the next free one */
        ls_vf_alloc a;
        memset(&a, 0, sizeof a);
        a.address = va;
        a.caller = ls_le32(e + L->slot_caller);
        a.size = ls_le32(e + L->slot_bytes);
        a.tag = ls_le32(e + L->slot_tag);
        a.slot = at;
        if (ls_vf_add_alloc(d, &a))
            oom++;
    }
    if (oom) {
        ls_vf_warn(d, "%zu allocations not kept (out of memory)", oom);
        d->complete = 0;
    }
    return 0;
}

int ls_vf_walk(ls_vmem *vm, ls_vf_driver *d, ls_error *err)
{
    return d->layout->form == LS_VF_HASH_ARRAY ? walk_hash(vm, d, err) : walk_pages(vm, d, err);
}
