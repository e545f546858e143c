/* vf_global.c - MM_DRIVER_VERIFIER_DATA (nt!MmVerifierData, found through KDBG): the Level
 * flags and the machine-wide pool counters that `!verifier` prints (verifier.md §2.2). */
#include "lalscan/verifier.h"

#include <string.h>

/* Offsets per layout; bytes fields are pointer-sized. */
static const struct global_layout {
    int arch;
    uint32_t min_build;
    uint8_t loads, unloads, untracked, cur_paged, cur_nonpaged, peak_paged, peak_nonpaged;
    uint8_t paged_bytes, nonpaged_bytes, peak_paged_bytes, peak_nonpaged_bytes;
} global_layouts[] = {
    /* most specific first */
    { LS_ARCH_X64, 22000, 0x34, 0x38, 0x3C, 0x44, 0x48, 0x4C, 0x50, 0x58, 0x60, 0x68, 0x70 },
    { LS_ARCH_X64, 0, 0x30, 0x34, 0x38, 0x40, 0x44, 0x48, 0x4C, 0x50, 0x58, 0x60, 0x68 },
    { LS_ARCH_X86, 0, 0x30, 0x34, 0x38, 0x40, 0x44, 0x48, 0x4C, 0x50, 0x54, 0x58, 0x5C },
};

void ls_vf_read_global(ls_vmem *vm, const ls_kernel *k, ls_vf_global *g)
{
    memset(g, 0, sizeof *g);
    const ls_kdbg *kd = ls_kernel_kdbg(k);
    const ls_dump_header *h = ls_dump_get_header(ls_vmem_dump(vm));
    if (!kd->present || !kd->mm_verifier_data)
        return;
    const struct global_layout *L = NULL;
    for (size_t i = 0; i < sizeof global_layouts / sizeof global_layouts[0] && !L; i++)
        if (global_layouts[i].arch == h->arch && h->build >= global_layouts[i].min_build)
            L = &global_layouts[i];
    uint8_t b[0x78];
    if (!L || ls_vmem_read(vm, kd->mm_verifier_data, b, sizeof b, NULL))
        return;
    int p8 = ls_vmem_ptr_size(vm) == 8;
#define SZ(off) (p8 ? ls_le64(b + (off)) : ls_le32(b + (off)))
    g->present = 1;
    g->va = kd->mm_verifier_data;
    g->level = ls_le32(b);
    g->allocations_attempted = ls_le32(b + 0x10);
    g->allocations_succeeded = ls_le32(b + 0x14);
    g->allocations_special_pool = ls_le32(b + 0x18);
    g->allocations_no_tag = ls_le32(b + 0x1C);
    g->allocations_failed = ls_le32(b + 0x28);
    g->untracked_pool = ls_le32(b + L->untracked);
    g->counters.loads = ls_le32(b + L->loads);
    g->counters.unloads = ls_le32(b + L->unloads);
    g->counters.cur_paged = ls_le32(b + L->cur_paged);
    g->counters.cur_nonpaged = ls_le32(b + L->cur_nonpaged);
    g->counters.peak_paged = ls_le32(b + L->peak_paged);
    g->counters.peak_nonpaged = ls_le32(b + L->peak_nonpaged);
    g->counters.paged_bytes = SZ(L->paged_bytes);
    g->counters.nonpaged_bytes = SZ(L->nonpaged_bytes);
    g->counters.peak_paged_bytes = SZ(L->peak_paged_bytes);
    g->counters.peak_nonpaged_bytes = SZ(L->peak_nonpaged_bytes);
#undef SZ
}
