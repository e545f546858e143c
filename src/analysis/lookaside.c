/* lookaside.c - the lookaside lists behind refill call sites (verifier.md §4): found by the
 * driver PDB's data symbols and types, or by scanning the driver's data for list headers whose
 * tag and size match the leaked blocks; their counters, whether they were deleted, and the
 * driver code that takes blocks from them. */
#include "analysis_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* GENERAL_LOOKASIDE field offsets (§4.1), from the PDB's types when it has them. */
typedef struct list_layout {
    int64_t depth, max_depth, total_allocates, allocate_misses, total_frees, free_misses, type, tag, size,
        allocate, free, list_entry;
    unsigned span; /* bytes to read */
} list_layout;

static const list_layout spec_x86 = { 0x08, 0x0A, 0x0C, 0x10, 0x14, 0x18, 0x1C, 0x20, 0x24, 0x28, 0x2C, 0x30, 0x38 };
static const list_layout spec_x64 = { 0x10, 0x12, 0x14, 0x18, 0x1C, 0x20, 0x24, 0x28, 0x2C, 0x30, 0x38, 0x40, 0x50 };

static const char *const helpers[] = { "ExAllocateFromNPagedLookasideList", "ExAllocateFromPagedLookasideList",
                                       "ExAllocateFromLookasideListEx" };

const char *ls_lookaside_helper_name(const char *function)
{
    for (size_t h = 0; function && h < sizeof helpers / sizeof helpers[0]; h++)
        if (strcmp(function, helpers[h]) == 0)
            return helpers[h];
    return NULL;
}

const char *ls_lookaside_helper_at(const ls_code_location *w)
{
    const char *h = ls_lookaside_helper_name(w->symbol);
    for (unsigned i = 0; !h && i < w->ninlines; i++)
        h = ls_lookaside_helper_name(w->inlines[i].symbol);
    return h;
}

static uint64_t round_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

/* Does a block Verifier charged `charged` bytes come from a list of entry size `size`?
 * (§2.4a e: normal pool is charged the block's usable size after Verifier's trailer is added,
 * special pool round_up(R, 4). The trailer is a pointer from 2003 on, 8 bytes on XP x86.) */
static int size_matches(uint64_t size, uint64_t charged, int p8)
{
    if (charged == size || charged == round_up(size, 4))
        return 1;
    for (unsigned trailer = p8 ? 8 : 4; trailer <= (p8 ? 16u : 8u); trailer *= 2) {
        uint64_t grown = round_up(size, 4) + trailer;
        if (charged == round_up(grown, p8 ? 16 : 8) || charged == round_up(grown, 0x1000))
            return 1;
    }
    return 0;
}

/* Reads a list at va with layout L; 0 when it looks like a lookaside list. */
static int read_list(ls_vmem *vm, uint64_t va, const list_layout *L, ls_lookaside *out)
{
    uint8_t b[0x80];
    if (L->span > sizeof b || ls_vmem_read(vm, va, b, L->span, NULL))
        return -1;
    int p8 = ls_vmem_ptr_size(vm) == 8;
    memset(out, 0, sizeof *out);
    out->address = va;
    out->depth = ls_le16(b + L->depth);
    out->maximum_depth = ls_le16(b + L->max_depth);
    out->total_allocates = ls_le32(b + L->total_allocates);
    out->allocate_misses = ls_le32(b + L->allocate_misses);
    out->total_frees = ls_le32(b + L->total_frees);
    out->free_misses = ls_le32(b + L->free_misses);
    out->type = ls_le32(b + L->type);
    out->tag = ls_le32(b + L->tag);
    out->size = ls_le32(b + L->size);
    out->allocate_routine = p8 ? ls_le64(b + L->allocate) : ls_le32(b + L->allocate);
    out->free_routine = p8 ? ls_le64(b + L->free) : ls_le32(b + L->free);
    uint8_t h[2];
    out->cached = ls_vmem_read(vm, va + (p8 ? 0 : 4), h, 2, NULL) == 0 ? ls_le16(h) : 0;
    if (out->size == 0 || out->size > (1u << 24) || out->allocate_routine == 0 ||
        out->allocate_misses > out->total_allocates || out->free_misses > out->total_frees ||
        out->depth > 0x1000 || out->maximum_depth > 0x1000)
        return -1;
    /* Deleted lists are unlinked: their neighbours no longer point back at them. */
    uint64_t entry = va + (uint64_t)L->list_entry, flink, blink, back1, back2;
    out->live = -1;
    if (ls_vmem_read_ptr(vm, entry, &flink, NULL) == 0 && ls_vmem_read_ptr(vm, entry + (p8 ? 8 : 4), &blink, NULL) == 0) {
        int r1 = ls_vmem_read_ptr(vm, flink + (p8 ? 8 : 4), &back1, NULL), r2 = ls_vmem_read_ptr(vm, blink, &back2, NULL);
        if (!r1 && !r2)
            out->live = back1 == entry && back2 == entry;
        else if (flink == 0 && blink == 0)
            out->live = 0;
    }
    return 0;
}

/* Field offsets from the PDB type of a variable, when it is a lookaside list. */
static int layout_from_type(const ls_pdb_types *ty, uint32_t ti, list_layout *L)
{
    static const char *const prefixes[] = { "L.", "" };
    static const char *const names[] = { "Depth", "MaximumDepth", "TotalAllocates", "AllocateMisses", "TotalFrees",
                                         "FreeMisses", "Type", "Tag", "Size", "Allocate", "Free", "ListEntry" };
    for (size_t p = 0; p < 2; p++) {
        int64_t off[12];
        int ok = 1;
        for (size_t i = 0; i < 12 && ok; i++) {
            char path[64];
            ls_type_member m;
            snprintf(path, sizeof path, "%s%s", prefixes[p], names[i]);
            if (ls_pdb_types_member_ti(ty, ti, path, &m, NULL)) {
                /* Vista+ unions: AllocateMisses/AllocateHits etc. share offsets; try the other names. */
                static const char *const alt[] = { NULL, NULL, NULL, "AllocateHits", NULL, "FreeHits", NULL, NULL, NULL,
                                                   "AllocateEx", "FreeEx", NULL };
                if (!alt[i])
                    ok = 0;
                else {
                    snprintf(path, sizeof path, "%s%s", prefixes[p], alt[i]);
                    ok = ls_pdb_types_member_ti(ty, ti, path, &m, NULL) == 0;
                }
            }
            off[i] = (int64_t)m.offset;
        }
        if (ok) {
            *L = (list_layout){ off[0], off[1], off[2], off[3], off[4], off[5], off[6], off[7], off[8], off[9], off[10],
                                off[11], 0 };
            L->span = (unsigned)(off[11] + 16);
            return 0;
        }
    }
    return -1;
}

static int add_list(ls_analysis *a, const ls_lookaside *l)
{
    for (size_t i = 0; i < a->nlists; i++)
        if (a->lists[i].address == l->address)
            return (int)i;
    if (a->nlists >= 64)
        return -1;
    ls_lookaside *v = realloc(a->lists, (a->nlists + 1) * sizeof *v);
    if (!v)
        return -1;
    a->lists = v;
    v[a->nlists] = *l;
    return (int)a->nlists++;
}

/* Candidates from the driver's PDB: variables whose type has the lookaside fields. */
static void lists_from_pdb(ls_analysis *a, module_syms *ms, uint32_t tag, uint64_t charged)
{
    ls_pdb_types *ty = NULL;
    ls_pdb_data *data = NULL;
    size_t n = 0;
    if (!ms->pdb || ls_pdb_types_open(ms->pdb, &ty, NULL) || ls_pdb_data_symbols(ms->pdb, &data, &n, NULL)) {
        ls_pdb_types_free(ty);
        return;
    }
    int p8 = ls_vmem_ptr_size(a->vm) == 8;
    for (size_t i = 0; i < n; i++) {
        list_layout L;
        ls_lookaside l;
        if (layout_from_type(ty, data[i].type_index, &L))
            continue;
        if (read_list(a->vm, ms->info.base + data[i].rva, &L, &l))
            continue;
        if (l.tag != tag || !size_matches(l.size, charged, p8))
            continue;
        snprintf(l.name, sizeof l.name, "%s", data[i].name);
        l.found_by = "pdb-symbol";
        add_list(a, &l);
    }
    free(data);
    ls_pdb_types_free(ty);
}

/* Without a PDB: the driver's writable sections, at the list's natural alignment. */
static void lists_from_scan(ls_analysis *a, module_syms *ms, uint32_t tag, uint64_t charged)
{
    if (!ms->pe)
        return;
    int p8 = ls_vmem_ptr_size(a->vm) == 8;
    const list_layout *L = p8 ? &spec_x64 : &spec_x86;
    unsigned nsec;
    const ls_pe_section *sec = ls_pe_sections(ms->pe, &nsec);
    for (unsigned s = 0; s < nsec; s++) {
        if (!(sec[s].characteristics & 0x80000000u) || (sec[s].characteristics & 0x20000000u))
            continue; /* writable, not code */
        uint64_t len = sec[s].virtual_size ? sec[s].virtual_size : sec[s].raw_size;
        for (uint64_t off = 0; off + L->span <= len && off < (16u << 20); off += p8 ? 16 : 8) {
            uint64_t va = ms->info.base + sec[s].rva + off;
            uint8_t t[4];
            if (ls_vmem_read(a->vm, va + (uint64_t)L->tag, t, 4, NULL) || ls_le32(t) != tag)
                continue;
            ls_lookaside l;
            if (read_list(a->vm, va, L, &l) || !size_matches(l.size, charged, p8))
                continue;
            l.found_by = "data-scan";
            add_list(a, &l);
        }
    }
}

/* A list in pool is named after its block: "pool:LDev+0x40" = 0x40 bytes into the data of a
 * block tagged LDev (the POOL_HEADER in front of the block, verifier.md §5.2). */
static void pool_label(ls_vmem *vm, uint64_t list, unsigned span, char *out, size_t n)
{
    int p8 = ls_vmem_ptr_size(vm) == 8;
    uint64_t gran = p8 ? 16 : 8;
    for (uint64_t back = gran; back <= 0x1000; back += gran) {
        uint8_t h[8];
        if (ls_vmem_read(vm, list - back, h, 8, NULL))
            return;
        unsigned block = p8 ? h[2] : (ls_le32(h) >> 16) & 0x1ff, type = p8 ? h[3] : (ls_le32(h) >> 25) & 0x7f;
        uint32_t tag = ls_le32(h + 4);
        int printable = 1;
        for (int i = 0; i < 4; i++) {
            uint8_t c = (uint8_t)(tag >> (8 * i));
            printable &= c >= 0x20 && c < 0x7f;
        }
        if (type && printable && block * gran >= back + span) {
            char t[5];
            ls_tag_text(tag, t);
            snprintf(out, n, "pool:%s+0x%" PRIx64, t, back - gran);
            return;
        }
    }
}

/* Lists outside the driver image (a device extension in pool): a scan of the dump's physical
 * pages for headers with this tag and entry size, mapped back to virtual addresses. */
static void lists_from_memory(ls_analysis *a, uint32_t tag, uint64_t charged)
{
    enum { MAX_FOUND = 64, PAGE = 0x1000 };
    const ls_dump *d = a->dump;
    if (!ls_dump_has_physical(d))
        return;
    int p8 = ls_vmem_ptr_size(a->vm) == 8;
    const list_layout *L = p8 ? &spec_x64 : &spec_x86;
    uint64_t pfns[MAX_FOUND], offs[MAX_FOUND], vas[MAX_FOUND];
    size_t n = 0;
    uint64_t limit = ls_dump_pfn_limit(d);
    for (uint64_t pfn = 0; pfn < limit && n < MAX_FOUND; pfn++) {
        const uint8_t *page = ls_dump_page(d, pfn);
        if (!page)
            continue;
        for (unsigned off = 0; off + L->span <= PAGE && n < MAX_FOUND; off += p8 ? 16 : 8) {
            if (ls_le32(page + off + L->tag) != tag || !size_matches(ls_le32(page + off + L->size), charged, p8))
                continue;
            uint64_t alloc = p8 ? ls_le64(page + off + L->allocate) : ls_le32(page + off + L->allocate);
            if (!alloc || ls_le32(page + off + L->allocate_misses) > ls_le32(page + off + L->total_allocates))
                continue;
            pfns[n] = pfn;
            offs[n++] = off;
        }
    }
    if (!n || ls_vmem_reverse(a->vm, pfns, n, vas, NULL))
        return;
    for (size_t i = 0; i < n; i++) {
        ls_lookaside l;
        if (!vas[i] || read_list(a->vm, vas[i] + offs[i], L, &l) || l.tag != tag)
            continue;
        /* The driver image was searched already; this is for lists that live elsewhere. */
        const ls_module *m = ls_kernel_module_at(a->kernel, l.address);
        if (m)
            continue;
        l.found_by = "memory-scan";
        pool_label(a->vm, l.address, L->span, l.name, sizeof l.name);
        add_list(a, &l);
    }
}

/* "ntoskrnl.exe!ExAllocatePoolWithTag", or the module+offset. */
static void routine_name(ls_analysis *a, uint64_t va, char *out, size_t n)
{
    ls_code_location w;
    ls_analysis_locate(a, va, 0, &w);
    if (w.symbol[0])
        snprintf(out, n, "%s!%s%s", w.module, w.symbol, w.displacement ? "+..." : "");
    else if (w.module[0])
        snprintf(out, n, "%s+0x%" PRIx64, w.module, w.offset);
    else
        snprintf(out, n, "0x%" PRIx64, va);
}

void ls_analysis_find_lookasides(ls_analysis *a)
{
    if (!a->vf || !a->locs)
        return;
    size_t n = a->vf->nallocs;
    a->leak_list = malloc((n ? n : 1) * sizeof *a->leak_list);
    if (!a->leak_list)
        return;
    int p8 = ls_vmem_ptr_size(a->vm) == 8;
    struct tried_key {
        uint32_t tag;
        uint64_t size;
    } tried[64];
    size_t ntried = 0;
    for (size_t i = 0; i < n; i++) {
        a->leak_list[i] = -1;
        const ls_code_location *w = &a->locs[a->leak_loc[i]];
        const char *helper = ls_lookaside_helper_at(w);
        if (!helper)
            continue;
        const ls_vf_alloc *al = &a->vf->allocs[i];
        /* An existing list that fits this block? */
        for (size_t k = 0; k < a->nlists && a->leak_list[i] < 0; k++)
            if (a->lists[k].tag == al->tag && size_matches(a->lists[k].size, al->size, p8))
                a->leak_list[i] = (int)k;
        /* Each (tag, size) is searched for once: the searches can cover the whole dump. */
        int searched = 0;
        for (size_t t = 0; t < ntried && !searched; t++)
            searched = tried[t].tag == al->tag && tried[t].size == al->size;
        if (a->leak_list[i] < 0 && !searched) {
            module_syms *ms = ls_analysis_module_syms(a, w->address);
            if (!ms)
                continue;
            if (ntried < sizeof tried / sizeof tried[0])
                tried[ntried++] = (struct tried_key){ al->tag, al->size };
            size_t before = a->nlists;
            lists_from_pdb(a, ms, al->tag, al->size);
            if (a->nlists == before)
                lists_from_scan(a, ms, al->tag, al->size);
            if (a->nlists == before)
                lists_from_memory(a, al->tag, al->size);
            for (size_t k = before; k < a->nlists; k++) {
                a->lists[k].helper = helper;
                a->lists[k].helper_inlined = strcmp(w->symbol, helper) != 0;
            }
            if (a->nlists > before)
                a->leak_list[i] = (int)before;
        }
        if (a->leak_list[i] >= 0) {
            a->lists[a->leak_list[i]].blocks++;
            a->lists[a->leak_list[i]].bytes += al->size;
        }
    }
    for (size_t k = 0; k < a->nlists; k++) {
        routine_name(a, a->lists[k].allocate_routine, a->lists[k].allocate_name, sizeof a->lists[k].allocate_name);
        routine_name(a, a->lists[k].free_routine, a->lists[k].free_name, sizeof a->lists[k].free_name);
    }
    for (size_t i = 0; i < n && a->site_of_loc; i++)
        if (a->leak_list[i] >= 0)
            a->sites[a->site_of_loc[a->leak_loc[i]]].lookaside = a->leak_list[i];
}
