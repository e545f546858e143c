/* vmem.c - kernel virtual reads: page-table walks with libaddrxlat over the dump's physical
 * pages for full-type dumps, and the table of saved virtual ranges for triage dumps. */
#include "lalscan/vmem.h"

#include <inttypes.h>
#include <libkdumpfile/addrxlat.h>
#include <stdlib.h>
#include <string.h>

enum { PAGE = 0x1000 };

typedef struct extra_range {
    uint64_t va, off;
    uint32_t size;
} extra_range;

struct ls_vmem {
    const ls_dump *dump;
    const ls_dump_header *hdr;
    unsigned ptr_size;
    addrxlat_ctx_t *ctx;
    addrxlat_meth_t meth;
    int paged;                 /* translation through page tables */
    extra_range *extra;
    size_t nextra;
    ls_error *walk_err;        /* where get_page records a missing page table */
};

/* libaddrxlat asks for the page holding a page-table entry; we hand it the mapping. */
static addrxlat_status get_page(const addrxlat_cb_t *cb, addrxlat_buffer_t *buf)
{
    ls_vmem *vm = cb->priv;
    uint64_t pa = buf->addr.addr & ~(uint64_t)(PAGE - 1);
    const uint8_t *p = ls_dump_page(vm->dump, pa / PAGE);
    if (!p)
        return addrxlat_ctx_err(vm->ctx, ADDRXLAT_ERR_NODATA, "page table page at PA 0x%" PRIx64
                                " is not in this dump", pa);
    buf->addr.addr = pa;
    buf->ptr = p;
    buf->size = PAGE;
    buf->byte_order = ADDRXLAT_LITTLE_ENDIAN;
    return ADDRXLAT_OK;
}

/* Always set: libaddrxlat 0.5.1 calls put_page without a NULL check on some paths. */
static void put_page(const addrxlat_buffer_t *buf)
{
    (void)buf;
}

static unsigned long read_caps(const addrxlat_cb_t *cb)
{
    (void)cb;
    return ADDRXLAT_CAPS(ADDRXLAT_MACHPHYSADDR);
}

static addrxlat_status get_page_wrapped(const addrxlat_cb_t *cb, addrxlat_buffer_t *buf)
{
    addrxlat_status st = get_page(cb, buf);
    if (st == ADDRXLAT_OK)
        buf->put_page = put_page;
    return st;
}

static int setup_paging(ls_vmem *vm, ls_error *err)
{
    const ls_dump_header *h = vm->hdr;
    const char *path = ls_dump_path(vm->dump);
    addrxlat_paging_form_t pf;
    uint64_t root;
    memset(&pf, 0, sizeof pf);
    switch (h->arch) {
    case LS_ARCH_X64:
        pf = (addrxlat_paging_form_t){ ADDRXLAT_PTE_X86_64, 5, { 12, 9, 9, 9, 9 } };
        root = h->directory_table_base & 0x000ffffffffff000ull; /* PCID bits */
        break;
    case LS_ARCH_X86:
        if (h->pae) {
            pf = (addrxlat_paging_form_t){ ADDRXLAT_PTE_IA32_PAE, 4, { 12, 9, 9, 2 } };
            root = h->directory_table_base & 0xffffffe0ull;
        } else {
            pf = (addrxlat_paging_form_t){ ADDRXLAT_PTE_IA32, 3, { 12, 10, 10 } };
            root = h->directory_table_base & 0xfffff000ull;
        }
        break;
    default:
        return ls_error_set(err, LS_EUNSUPPORTED,
                            "%s: reading %s kernel memory through page tables is not supported",
                            path, ls_arch_word(h->arch));
    }
    if (root == 0)
        return ls_error_set(err, LS_ECORRUPT, "%s: the header has no DirectoryTableBase", path);
    vm->ctx = addrxlat_ctx_new();
    if (!vm->ctx)
        return ls_error_oom(err);
    addrxlat_cb_t *cb = addrxlat_ctx_add_cb(vm->ctx);
    if (!cb)
        return ls_error_oom(err);
    cb->priv = vm;
    cb->get_page = get_page_wrapped;
    cb->read_caps = read_caps;
    memset(&vm->meth, 0, sizeof vm->meth);
    vm->meth.kind = ADDRXLAT_PGT;
    vm->meth.target_as = ADDRXLAT_MACHPHYSADDR;
    vm->meth.param.pgt.root.addr = root;
    vm->meth.param.pgt.root.as = ADDRXLAT_MACHPHYSADDR;
    vm->meth.param.pgt.pf = pf;
    vm->paged = 1;
    return 0;
}

int ls_vmem_open(const ls_dump *d, ls_vmem **out, ls_error *err)
{
    if (!d || !out)
        return ls_error_set(err, LS_EINVAL, "ls_vmem_open: no dump");
    ls_vmem *vm = calloc(1, sizeof *vm);
    if (!vm)
        return ls_error_oom(err);
    vm->dump = d;
    vm->hdr = ls_dump_get_header(d);
    vm->ptr_size = vm->hdr->format == LS_FORMAT_PAGEDU64 ? 8 : 4;
    if (ls_dump_has_physical(d)) {
        int rc = setup_paging(vm, err);
        if (rc) {
            ls_vmem_free(vm);
            return rc;
        }
    }
    *out = vm;
    return 0;
}

void ls_vmem_free(ls_vmem *vm)
{
    if (!vm)
        return;
    if (vm->ctx)
        addrxlat_ctx_decref(vm->ctx);
    free(vm->extra);
    free(vm);
}

unsigned ls_vmem_ptr_size(const ls_vmem *vm) { return vm ? vm->ptr_size : 0; }
const ls_dump *ls_vmem_dump(const ls_vmem *vm) { return vm ? vm->dump : NULL; }

int ls_vmem_translate(ls_vmem *vm, uint64_t va, uint64_t *pa, ls_error *err)
{
    if (!vm->paged)
        return ls_error_set(err, LS_ENODATA, "virtual address 0x%" PRIx64
                            " cannot be translated: this dump holds no page tables", va);
    if (vm->ptr_size == 4 && va > 0xffffffffull)
        return ls_error_set(err, LS_ENODATA, "virtual address 0x%" PRIx64 " is beyond 32 bits", va);
    addrxlat_step_t step;
    memset(&step, 0, sizeof step);
    step.ctx = vm->ctx;
    step.sys = NULL;
    step.meth = &vm->meth;
    step.base.as = ADDRXLAT_KVADDR;
    step.base.addr = va;
    addrxlat_status st = addrxlat_walk(&step);
    if (st != ADDRXLAT_OK) {
        const char *why = addrxlat_ctx_get_err(vm->ctx);
        int code = st == ADDRXLAT_ERR_NOMEM ? LS_ENOMEM : LS_ENODATA;
        ls_error_set(err, code, "virtual address 0x%" PRIx64 " is not in this dump (%s)", va,
                     why && *why ? why : "translation failed");
        addrxlat_ctx_clear_err(vm->ctx);
        return code;
    }
    *pa = step.base.addr;
    return 0;
}

/* Saved ranges of a triage dump: the dump's sorted blocks plus ranges added later. Returns
 * the file offset for va and how many bytes from va the range covers. */
static int find_saved(const ls_vmem *vm, uint64_t va, uint64_t *off, uint64_t *avail)
{
    const ls_triage *t = ls_dump_get_triage(vm->dump);
    uint64_t best = 0, best_off = 0;
    if (t && t->nblocks) {
        size_t lo = 0, hi = t->nblocks;
        while (lo < hi) { /* first block starting after va */
            size_t mid = lo + (hi - lo) / 2;
            if (t->blocks[mid].va <= va)
                lo = mid + 1;
            else
                hi = mid;
        }
        /* Blocks may overlap; look back a bounded distance for the one reaching farthest. */
        for (size_t i = lo, seen = 0; i > 0 && seen < 64; i--, seen++) {
            const ls_triage_block *b = &t->blocks[i - 1];
            if (va - b->va < b->size && b->size - (va - b->va) > best) {
                best = b->size - (va - b->va);
                best_off = b->offset + (va - b->va);
            }
        }
    }
    for (size_t i = 0; i < vm->nextra; i++) {
        const extra_range *r = &vm->extra[i];
        if (va >= r->va && va - r->va < r->size && r->size - (va - r->va) > best) {
            best = r->size - (va - r->va);
            best_off = r->off + (va - r->va);
        }
    }
    if (!best)
        return -1;
    *off = best_off;
    *avail = best;
    return 0;
}

int ls_vmem_add_range(ls_vmem *vm, uint64_t va, uint64_t file_offset, uint32_t size, ls_error *err)
{
    if (!vm || !ls_in_bounds(file_offset, size, ls_source_size(ls_dump_source(vm->dump))))
        return ls_error_set(err, LS_EINVAL, "saved range at file offset 0x%" PRIx64 " is outside the file",
                            file_offset);
    if (vm->nextra >= 64)
        return ls_error_set(err, LS_EINVAL, "too many extra saved ranges");
    extra_range *e = realloc(vm->extra, (vm->nextra + 1) * sizeof *e);
    if (!e)
        return ls_error_oom(err);
    vm->extra = e;
    e[vm->nextra++] = (extra_range){ va, file_offset, size };
    return 0;
}

int ls_vmem_read(ls_vmem *vm, uint64_t va, void *buf, size_t len, ls_error *err)
{
    if (!vm || (!buf && len))
        return ls_error_set(err, LS_EINVAL, "ls_vmem_read: no reader");
    uint8_t *out = buf;
    const ls_source *src = ls_dump_source(vm->dump);
    while (len) {
        size_t n;
        if (vm->paged) {
            uint64_t pa;
            int rc = ls_vmem_translate(vm, va, &pa, err);
            if (rc)
                return rc;
            n = PAGE - (va & (PAGE - 1));
            if (n > len)
                n = len;
            const uint8_t *page = ls_dump_page(vm->dump, pa / PAGE);
            if (!page)
                return ls_error_set(err, LS_ENODATA, "virtual address 0x%" PRIx64 " (physical 0x%" PRIx64
                                    ") is not in this dump", va, pa);
            memcpy(out, page + (pa & (PAGE - 1)), n);
        } else {
            uint64_t off, avail;
            if (find_saved(vm, va, &off, &avail))
                return ls_error_set(err, LS_ENODATA,
                                    "virtual address 0x%" PRIx64 " is not in this dump (%s saves only "
                                    "selected ranges)", va,
                                    ls_dump_get_triage(vm->dump) ? "a small memory dump" : "this dump");
            n = avail < len ? (size_t)avail : len;
            const uint8_t *p = ls_source_at(src, off, n);
            if (!p)
                return ls_error_set(err, LS_ENODATA, "virtual address 0x%" PRIx64 " is not in this dump", va);
            memcpy(out, p, n);
        }
        out += n;
        va += n;
        len -= n;
    }
    return 0;
}

int ls_vmem_read_u32(ls_vmem *vm, uint64_t va, uint32_t *out, ls_error *err)
{
    uint8_t b[4];
    int rc = ls_vmem_read(vm, va, b, 4, err);
    if (!rc)
        *out = ls_le32(b);
    return rc;
}

int ls_vmem_read_u64(ls_vmem *vm, uint64_t va, uint64_t *out, ls_error *err)
{
    uint8_t b[8];
    int rc = ls_vmem_read(vm, va, b, 8, err);
    if (!rc)
        *out = ls_le64(b);
    return rc;
}

int ls_vmem_read_ptr(ls_vmem *vm, uint64_t va, uint64_t *out, ls_error *err)
{
    if (vm && vm->ptr_size == 4) {
        uint32_t v;
        int rc = ls_vmem_read_u32(vm, va, &v, err);
        if (!rc)
            *out = v;
        return rc;
    }
    return ls_vmem_read_u64(vm, va, out, err);
}
