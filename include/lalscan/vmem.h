/* vmem.h - the vmem layer: kernel virtual reads. Full, summary, bitmap and range dumps are
 * translated through the page tables (libaddrxlat); triage dumps map their saved ranges. */
#ifndef LALSCAN_VMEM_H
#define LALSCAN_VMEM_H

#include "lalscan/dump.h"

typedef struct ls_vmem ls_vmem;

/* One reader per analysis (and per thread): translation keeps a small mutable cache. */
int ls_vmem_open(const ls_dump *d, ls_vmem **out, ls_error *err);
void ls_vmem_free(ls_vmem *vm);

/* Reads [va, va+len). A page the dump does not hold, or that the page tables do not map,
 * fails with LS_ENODATA and a message naming the address ("... is not in this dump"). */
int ls_vmem_read(ls_vmem *vm, uint64_t va, void *buf, size_t len, ls_error *err);
/* Reads a pointer-sized value (4 bytes on x86, 8 on x64). */
int ls_vmem_read_ptr(ls_vmem *vm, uint64_t va, uint64_t *out, ls_error *err);
int ls_vmem_read_u32(ls_vmem *vm, uint64_t va, uint32_t *out, ls_error *err);
int ls_vmem_read_u64(ls_vmem *vm, uint64_t va, uint64_t *out, ls_error *err);
/* Physical address of va (full-type dumps only; triage dumps have no page tables). */
int ls_vmem_translate(ls_vmem *vm, uint64_t va, uint64_t *pa, ls_error *err);

unsigned ls_vmem_ptr_size(const ls_vmem *vm);
/* Kernel virtual addresses of physical pages (pfns sorted ascending): one walk of the kernel
 * half of the page tables; vas[i] = 0 where a page is not mapped there. */
int ls_vmem_reverse(ls_vmem *vm, const uint64_t *pfns, size_t n, uint64_t *vas, ls_error *err);
/* For triage dumps: another saved range, e.g. the current thread copy once its VA is known. */
int ls_vmem_add_range(ls_vmem *vm, uint64_t va, uint64_t file_offset, uint32_t size, ls_error *err);
const ls_dump *ls_vmem_dump(const ls_vmem *vm);

#endif
