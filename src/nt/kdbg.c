/* kdbg.c - the KDDEBUGGER_DATA64 block: the kernel's own table of where its globals are.
 * One 64-bit layout on x86 and x64 (x86 slots hold 32-bit pointers); fields come from a table. */
#include "nt_internal.h"

#include <inttypes.h>
#include <stddef.h>
#include <string.h>

/* crashdump-format.md §5.2. width 8 = pointer slot, 2 = u16 offset/size field. */
static const struct kdbg_field {
    size_t dest;
    uint16_t off;
    uint8_t width;
} fields[] = {
#define K(member, off, w) { offsetof(ls_kdbg, member), off, w }
    K(kern_base, 0x018, 8),
    K(ps_loaded_module_list, 0x048, 8),
    K(ps_active_process_head, 0x050, 8),
    K(mm_pfn_database, 0x0C0, 8),
    K(pool_track_table, 0x1B8, 8),
    K(nt_build_lab, 0x208, 8),
    K(ki_processor_block, 0x218, 8),
    K(mm_unloaded_drivers, 0x220, 8),
    K(mm_last_unloaded_driver, 0x228, 8),
    K(mm_special_pool_tag, 0x238, 8),
    K(kernel_verifier, 0x240, 8),
    K(mm_verifier_data, 0x248, 8),
    K(size_eprocess, 0x2A8, 2),
    K(size_prcb, 0x2B0, 2),
    K(offset_prcb_current_thread, 0x2B4, 2),
    K(size_ethread, 0x2C0, 2),
    K(vf_crash_data_block, 0x318, 8),
    K(pte_base, 0x360, 8),
#undef K
};

enum { KDBG_MIN = 0x290, KDBG_MAX = 0x400 };

void ls_kernel_read_kdbg(ls_kernel *k)
{
    uint64_t va = k->hdr->kd_debugger_data_block;
    ls_kdbg *g = &k->kdbg;
    memset(g, 0, sizeof *g);
    g->va = va;
    if (!va || va == 0x45474150 || va == 0x4547415045474150ull) {
        ls_kernel_warn(k, "the header gives no KdDebuggerDataBlock address");
        return;
    }
    uint8_t b[KDBG_MAX];
    ls_error e;
    if (ls_vmem_read(k->vm, va, b, 0x18, &e)) {
        ls_kernel_warn(k, "KDBG block: %s", e.msg);
        return;
    }
    uint32_t size = ls_le32(b + 0x14);
    if (memcmp(b + 0x10, "KDBG", 4) != 0) {
        ls_kernel_warn(k, "KDBG block at 0x%" PRIx64 " has no KDBG tag (it is probably encoded); "
                          "kernel globals are taken from the header only", va);
        return;
    }
    if (size < KDBG_MIN || size > KDBG_MAX) {
        ls_kernel_warn(k, "KDBG block at 0x%" PRIx64 ": implausible size 0x%x", va, size);
        return;
    }
    /* Read what exists; a triage copy may be shorter than the block's own Size. */
    uint32_t have = size;
    while (have > 0x18 && ls_vmem_read(k->vm, va, b, have, NULL))
        have = have > 0x100 ? have - 0x40 : 0x18;
    if (have < size)
        ls_kernel_warn(k, "KDBG block at 0x%" PRIx64 ": only 0x%x of 0x%x bytes are in the dump", va, have, size);
    g->present = 1;
    g->size = size;
    int is64 = ls_vmem_ptr_size(k->vm) == 8;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const struct kdbg_field *f = &fields[i];
        if (f->off + f->width > have)
            continue;
        if (f->width == 2) {
            uint16_t v = ls_le16(b + f->off);
            memcpy((char *)g + f->dest, &v, 2);
        } else {
            uint64_t v = ls_le64(b + f->off);
            if (!is64)
                v &= 0xffffffffu;
            memcpy((char *)g + f->dest, &v, 8);
        }
    }
    if (g->kern_base % 0x1000)
        ls_kernel_warn(k, "KDBG KernBase 0x%" PRIx64 " is not page-aligned", g->kern_base);
    /* NtBuildLab is a short ASCII string; read what is there, a byte at a time past a gap. */
    if (g->nt_build_lab) {
        size_t n = 0;
        for (; n + 1 < sizeof k->build_lab; n++) {
            uint8_t c;
            if (ls_vmem_read(k->vm, g->nt_build_lab + n, &c, 1, NULL) || c < 0x20 || c > 0x7e)
                break;
            k->build_lab[n] = (char)c;
        }
        k->build_lab[n] = '\0';
    }
}
