/* modules.c - the loaded module list of kernel and full dumps: KLDR_DATA_TABLE_ENTRY records
 * on PsLoadedModuleList, walked with a length guard, a revisit guard and Blink checks. */
#include "nt_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* crashdump-format.md §6.2: offsets that are the same in every version, and the Windows 10 tail. */
static const struct ldr_layout {
    uint8_t dll_base, size_of_image, full_name, base_name, checksum, timestamp10;
} ldr32 = { 0x18, 0x20, 0x24, 0x2C, 0x40, 0x58 }, ldr64 = { 0x30, 0x40, 0x48, 0x58, 0x78, 0x9C };

/* The PE header in memory: a timestamp for builds whose loader entry has none. */
static uint32_t pe_timestamp(ls_kernel *k, uint64_t base)
{
    uint8_t mz[0x40];
    if (ls_vmem_read(k->vm, base, mz, sizeof mz, NULL) || mz[0] != 'M' || mz[1] != 'Z')
        return 0;
    uint32_t lfanew = ls_le32(mz + 0x3C);
    uint8_t pe[12];
    if (lfanew > 0x1000 || ls_vmem_read(k->vm, base + lfanew, pe, sizeof pe, NULL) || memcmp(pe, "PE\0\0", 4))
        return 0;
    return ls_le32(pe + 8);
}

void ls_kernel_read_modules(ls_kernel *k)
{
    uint64_t head = k->hdr->ps_loaded_module_list;
    if (!head || head == 0x45474150 || head == 0x4547415045474150ull)
        head = k->kdbg.ps_loaded_module_list;
    if (!head) {
        ls_kernel_warn(k, "no PsLoadedModuleList address in the header or KDBG: no module list");
        return;
    }
    int is64 = ls_vmem_ptr_size(k->vm) == 8;
    const struct ldr_layout *L = is64 ? &ldr64 : &ldr32;
    ls_error e;
    uint64_t entry, prev = head;
    if (ls_vmem_read_ptr(k->vm, head, &entry, &e)) {
        ls_kernel_warn(k, "module list: reading PsLoadedModuleList at 0x%" PRIx64 ": %s", head, e.msg);
        return;
    }
    k->module_source = "PsLoadedModuleList";
    uint64_t seen[MAX_MODULES];
    size_t nseen = 0;
    while (entry != head) {
        if (nseen >= MAX_MODULES) {
            ls_kernel_warn(k, "module list: more than %d entries; stopped (corrupt or cyclic list)", MAX_MODULES);
            return;
        }
        for (size_t i = 0; i < nseen; i++)
            if (seen[i] == entry) {
                ls_kernel_warn(k, "module list: entry 0x%" PRIx64 " is visited twice (the list has a cycle); stopped", entry);
                return;
            }
        seen[nseen++] = entry;
        uint8_t rec[0xA0];
        size_t reclen = is64 ? 0xA0 : 0x5C;
        if (ls_vmem_read(k->vm, entry, rec, reclen, &e)) {
            ls_kernel_warn(k, "module list: entry %zu at 0x%" PRIx64 ": %s", nseen - 1, entry, e.msg);
            return;
        }
        uint64_t flink = is64 ? ls_le64(rec) : ls_le32(rec);
        uint64_t blink = is64 ? ls_le64(rec + 8) : ls_le32(rec + 4);
        if (blink != prev)
            ls_kernel_warn(k, "module list: entry 0x%" PRIx64 " Blink 0x%" PRIx64 " does not point back to 0x%" PRIx64,
                           entry, blink, prev);
        ls_module m;
        memset(&m, 0, sizeof m);
        m.base = is64 ? ls_le64(rec + L->dll_base) : ls_le32(rec + L->dll_base);
        m.size = ls_le32(rec + L->size_of_image);
        m.checksum = ls_le32(rec + L->checksum);
        if (ls_kernel_read_unicode(k, entry + L->base_name, m.name, sizeof m.name, &e))
            ls_kernel_warn(k, "module list: entry 0x%" PRIx64 " BaseDllName: %s", entry, e.msg);
        if (ls_kernel_read_unicode(k, entry + L->full_name, m.path, sizeof m.path, NULL))
            m.path[0] = '\0';
        if (!m.name[0] && m.path[0])
            snprintf(m.name, sizeof m.name, "%s", ls_basename_nt(m.path));
        m.timestamp = pe_timestamp(k, m.base);
        if (!m.timestamp && k->hdr->build >= 10240)
            m.timestamp = ls_le32(rec + L->timestamp10);
        if (ls_kernel_add_module(k, &m)) {
            ls_kernel_warn(k, "module list: out of memory");
            return;
        }
        prev = entry;
        entry = flink;
        if (is64 && (entry >> 47) != 0 && (entry >> 47) != 0x1ffff) {
            ls_kernel_warn(k, "module list: non-canonical Flink 0x%" PRIx64 " after entry 0x%" PRIx64 "; stopped",
                           entry, prev);
            return;
        }
    }
}
