/* reverse.c - physical pages back to kernel virtual addresses: one walk of the kernel half of
 * the page tables, for structures found by scanning physical memory (whose pointers are VAs). */
#include "lalscan/vmem.h"

#include <stdlib.h>
#include <string.h>

enum { PAGE = 0x1000 };

typedef struct walk {
    const ls_dump *d;
    const uint64_t *pfns;      /* sorted */
    uint64_t *vas;
    size_t n, found;
} walk;

/* Records va for every wanted pfn in [pfn, pfn + count). */
static void mapped(walk *w, uint64_t pfn, uint64_t count, uint64_t va)
{
    size_t lo = 0, hi = w->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->pfns[mid] < pfn)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < w->n && w->pfns[i] < pfn + count; i++)
        if (!w->vas[i]) {
            w->vas[i] = va + (w->pfns[i] - pfn) * PAGE;
            w->found++;
        }
}

static uint64_t sign_extend48(uint64_t va)
{
    return va & (1ull << 47) ? va | 0xffff000000000000ull : va;
}

/* x64 and PAE share 8-byte entries; levels: index bits per level from the top. */
static void walk64(walk *w, uint64_t table, int level, uint64_t va, const int *bits, int levels, int x64)
{
    const uint8_t *t = ls_dump_page(w->d, table / PAGE);
    if (!t || w->found == w->n)
        return;
    unsigned entries = 1u << bits[level];
    unsigned first = 0;
    uint64_t span = 1ull << (12 + 9 * (levels - 1 - level)); /* bytes mapped by one entry */
    const uint8_t *base = t;
    if (!x64 && level == 0) {
        /* PAE: the 4-entry PDPT sits 32-byte aligned inside its page. */
        base = t + (table & (PAGE - 1) & ~0x1full);
        first = 2; /* the kernel half: 0x80000000 and up */
    } else if (x64 && level == 0) {
        first = 256; /* the kernel half of the PML4 */
    }
    for (unsigned i = first; i < entries && w->found < w->n; i++) {
        uint64_t e = ls_le64(base + 8 * i);
        if (!(e & 1))
            continue;
        uint64_t ev = va + (uint64_t)i * span;
        uint64_t frame = e & 0x000ffffffffff000ull;
        if (level == levels - 1) {
            mapped(w, frame / PAGE, 1, ev);
        } else if (level > 0 && (e & 0x80)) { /* large page */
            uint64_t mask = span - 1;
            mapped(w, (frame & ~mask) / PAGE, span / PAGE, ev);
        } else {
            walk64(w, frame, level + 1, ev, bits, levels, x64);
        }
    }
}

static void walk32(walk *w, uint64_t pd)
{
    const uint8_t *t = ls_dump_page(w->d, pd / PAGE);
    if (!t)
        return;
    for (unsigned i = 512; i < 1024 && w->found < w->n; i++) {
        uint32_t e = ls_le32(t + 4 * i);
        if (!(e & 1))
            continue;
        uint64_t va = (uint64_t)i << 22;
        if (e & 0x80) {
            mapped(w, (e & 0xffc00000u) / PAGE, 1024, va);
            continue;
        }
        const uint8_t *pt = ls_dump_page(w->d, (e & 0xfffff000u) / PAGE);
        for (unsigned j = 0; pt && j < 1024; j++) {
            uint32_t p = ls_le32(pt + 4 * j);
            if (p & 1)
                mapped(w, (p & 0xfffff000u) / PAGE, 1, va + ((uint64_t)j << 12));
        }
    }
}

int ls_vmem_reverse(ls_vmem *vm, const uint64_t *pfns, size_t n, uint64_t *vas, ls_error *err)
{
    const ls_dump *d = ls_vmem_dump(vm);
    const ls_dump_header *h = ls_dump_get_header(d);
    if (!ls_dump_has_physical(d))
        return ls_error_set(err, LS_ENODATA, "this dump has no page tables to walk");
    memset(vas, 0, n * sizeof *vas);
    walk w = { d, pfns, vas, n, 0 };
    if (h->arch == LS_ARCH_X64) {
        static const int bits[] = { 9, 9, 9, 9 };
        walk64(&w, h->directory_table_base & 0x000ffffffffff000ull, 0, 0, bits, 4, 1);
        for (size_t i = 0; i < n; i++)
            if (vas[i])
                vas[i] = sign_extend48(vas[i]);
    } else if (h->arch == LS_ARCH_X86 && h->pae) {
        static const int bits[] = { 2, 9, 9 };
        walk64(&w, h->directory_table_base & 0xffffffe0ull, 0, 0, bits, 3, 0);
    } else if (h->arch == LS_ARCH_X86) {
        walk32(&w, h->directory_table_base & 0xfffff000ull);
    } else {
        return ls_error_set(err, LS_EUNSUPPORTED, "reverse translation is not supported for %s", ls_arch_word(h->arch));
    }
    return 0;
}
