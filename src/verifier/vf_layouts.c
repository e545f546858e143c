/* vf_layouts.c - where Driver Verifier keeps a driver's pool tracking, per era and
 * architecture, as one table (verifier.md §2.3-§2.5). Rows of one architecture are tried in
 * order; the reader keeps the first whose invariants hold, so unverified rows are safe to list. */
#include "lalscan/verifier.h"

#define NO (-1)

/* Columns: id, title, form, arch, builds, name, suspect, suspect_name, signature, start, end,
 * page_headers, trackers, pool_hash, pool_hash_size, cur_paged, cur_nonpaged, peak_paged,
 * peak_nonpaged, paged_bytes, nonpaged_bytes, peak_paged_bytes, peak_nonpaged_bytes, loads,
 * unloads, slot size, slots per page, slot caller/bytes/tag, page entry/signature, confidence. */
static const ls_vf_layout layouts[] = {
    /* §2.3: XP / 2000 x86, MI_VERIFIER_DRIVER_ENTRY with a hash array of VI_POOL_ENTRY. */
    { "mi-hash-x86", "Windows 2000/XP x86 (MI_VERIFIER_DRIVER_ENTRY, hash array)", LS_VF_HASH_ARRAY,
      LS_ARCH_X86, 2195, 2600, 0x10, NO, NO, 0x24, 0x18, 0x1C, NO, NO, 0x30, 0x34,
      0x40, 0x44, 0x48, 0x4C, 0x50, 0x54, 0x58, 0x5C, 0x08, 0x0C, 0x10, 0, 4, 8, 0xC, 0, 0, 'V' },
    /* §2.4 / §2.4a: Server 2003 SP1/SP2, XP x64, Vista/2008: tracker pages on SLISTs. */
    { "mi-pages-x86", "Server 2003 SP1 - Vista x86 (MI_VERIFIER_DRIVER_ENTRY, tracker pages)", LS_VF_MI_PAGES,
      LS_ARCH_X86, 3790, 6002, 0x10, NO, NO, 0x24, 0x18, 0x1C, 0x28, 0x30, NO, NO,
      0x38, 0x3C, 0x40, 0x44, 0x48, 0x4C, 0x50, 0x54, 0x08, 0x0C, 0x10, 0x100, 4, 8, 0xC, 4, 8, 'V' },
    { "mi-pages-x64", "Server 2003 SP1 / XP x64 - Vista x64 (MI_VERIFIER_DRIVER_ENTRY, tracker pages)",
      LS_VF_MI_PAGES, LS_ARCH_X64, 3790, 6002, 0x18, NO, NO, 0x40, 0x28, 0x30, 0x50, 0x60, NO, NO,
      0x70, 0x74, 0x78, 0x7C, 0x80, 0x88, 0x90, 0x98, 0x10, 0x14, 0x20, 0x80, 8, 0x10, 0x18, 8, 0x10, 'V' },
    /* §2.5: Windows 7 -> 11: VF_TARGET_VERIFIED_DRIVER_DATA (P3) -> VF_SUSPECT_DRIVER_ENTRY. */
    { "vtvdd-a-x86", "Windows 7 - 10 1709 x86 (VF_TARGET_VERIFIED_DRIVER_DATA, variant A)", LS_VF_VF_PAGES,
      LS_ARCH_X86, 7600, 16299, NO, 0x00, 0x10, NO, NO, NO, 0x18, 0x20, NO, NO,
      0x28, 0x2C, 0x30, 0x34, 0x38, 0x3C, 0x40, 0x44, 0x08, 0x0C, 0x10, 0x100, 4, 8, 0xC, 4, 8, 'V' },
    { "vtvdd-a-x64", "Windows 7 - 10 1709 x64 (VF_TARGET_VERIFIED_DRIVER_DATA, variant A)", LS_VF_VF_PAGES,
      LS_ARCH_X64, 7600, 16299, NO, 0x00, 0x18, NO, NO, NO, 0x30, 0x40, NO, NO,
      0x50, 0x54, 0x58, 0x5C, 0x60, 0x68, 0x70, 0x78, 0x10, 0x14, 0x20, 0x80, 8, 0x10, 0x18, 8, 0x10, 'V' },
    { "vtvdd-b-x86", "Windows 10 1803 - 1909 x86 (VF_TARGET_VERIFIED_DRIVER_DATA, variant B)", LS_VF_VF_PAGES,
      LS_ARCH_X86, 17134, 18363, NO, 0x00, 0x10, NO, NO, NO, 0x20, 0x28, NO, NO,
      0x30, 0x34, 0x38, 0x3C, 0x40, 0x44, 0x48, 0x4C, 0x08, 0x0C, 0x10, 0x100, 4, 8, 0xC, 4, 8, 'C' },
    { "vtvdd-b-x64", "Windows 10 1803 - 1909 x64 (VF_TARGET_VERIFIED_DRIVER_DATA, variant B)", LS_VF_VF_PAGES,
      LS_ARCH_X64, 17134, 18363, NO, 0x00, 0x18, NO, NO, NO, 0x40, 0x50, NO, NO,
      0x60, 0x64, 0x68, 0x6C, 0x70, 0x78, 0x80, 0x88, 0x10, 0x14, 0x20, 0x80, 8, 0x10, 0x18, 8, 0x10, 'C' },
    { "vtvdd-c-x86", "Windows 10 2004 - 22H2 x86 (VF_TARGET_VERIFIED_DRIVER_DATA, variant C)", LS_VF_VF_PAGES,
      LS_ARCH_X86, 19041, 19045, NO, 0x00, 0x10, NO, NO, NO, 0x20, 0x28, NO, NO,
      0x34, 0x38, 0x3C, 0x40, 0x44, 0x48, 0x4C, 0x50, 0x08, 0x0C, 0x10, 0x100, 4, 8, 0xC, 4, 8, 'V' },
    { "vtvdd-c-x64", "Windows 10 2004 - 22H2 x64 (VF_TARGET_VERIFIED_DRIVER_DATA, variant C)", LS_VF_VF_PAGES,
      LS_ARCH_X64, 19041, 19045, NO, 0x00, 0x18, NO, NO, NO, 0x40, 0x50, NO, NO,
      0x68, 0x6C, 0x70, 0x74, 0x78, 0x80, 0x88, 0x90, 0x10, 0x14, 0x20, 0x80, 8, 0x10, 0x18, 8, 0x10, 'C' },
    { "vtvdd-d-x64", "Windows 11 21H2 - 23H2 x64 (VF_TARGET_VERIFIED_DRIVER_DATA, variant D)", LS_VF_VF_PAGES,
      LS_ARCH_X64, 22000, 26099, NO, 0x00, 0x18, NO, NO, NO, 0x40, 0x50, NO, NO,
      0x70, 0x74, 0x78, 0x7C, 0x80, 0x88, 0x90, 0x98, 0x10, 0x14, 0x20, 0x80, 8, 0x10, 0x18, 8, 0x10, 'C' },
    { "vtvdd-d24h2-x64", "Windows 11 24H2 x64 (VF_TARGET_VERIFIED_DRIVER_DATA, variant D; FullName in the suspect entry)",
      LS_VF_VF_PAGES, LS_ARCH_X64, 26100, 0xFFFFFFFF, NO, 0x00, 0x28, NO, NO, NO, 0x40, 0x50, NO, NO,
      0x70, 0x74, 0x78, 0x7C, 0x80, 0x88, 0x90, 0x98, 0x10, 0x14, 0x20, 0x80, 8, 0x10, 0x18, 8, 0x10, 'V' },
};

const ls_vf_layout *ls_vf_layouts(size_t *count)
{
    *count = sizeof layouts / sizeof layouts[0];
    return layouts;
}
