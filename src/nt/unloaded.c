/* unloaded.c - recently unloaded drivers: the triage dump's DUMP_UNLOADED_DRIVERS copy, or
 * the kernel's MmUnloadedDrivers array in kernel and full dumps. */
#include "nt_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { MI_UNLOADED_DRIVERS = 50 };

static int add(ls_kernel *k, const ls_unloaded_driver *u)
{
    if (k->nunloaded >= MAX_UNLOADED)
        return -1;
    if (!k->unloaded && !(k->unloaded = calloc(MAX_UNLOADED, sizeof *k->unloaded)))
        return -1;
    k->unloaded[k->nunloaded++] = *u;
    return 0;
}

/* §4.3.5: u32 count (+4 padding on x64), then 0x38-byte (x64) or 0x28-byte (x86) entries whose
 * name is the first 12 characters, cut by the UNICODE_STRING length. */
static void from_triage(ls_kernel *k, const ls_triage *t)
{
    const ls_source *src = ls_dump_source(k->dump);
    int is64 = k->hdr->format == LS_FORMAT_PAGEDU64;
    const uint8_t *c = ls_source_at(src, t->unloaded_offset, 4);
    if (!c)
        return;
    uint32_t count = ls_le32(c), stride = is64 ? 0x38 : 0x28, first = is64 ? 8 : 4;
    if (count > MI_UNLOADED_DRIVERS) {
        ls_kernel_warn(k, "triage unloaded-driver list at 0x%x: count %u is more than the kernel keeps (%d)",
                       t->unloaded_offset, count, MI_UNLOADED_DRIVERS);
        return;
    }
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = ls_source_at(src, t->unloaded_offset + first + (uint64_t)i * stride, stride);
        if (!e) {
            ls_kernel_warn(k, "triage unloaded-driver list: entry %u is past the end of the file", i);
            return;
        }
        ls_unloaded_driver u;
        memset(&u, 0, sizeof u);
        unsigned len = ls_le16(e) / 2u, name_at = is64 ? 0x10 : 0x08;
        ls_utf16_to_utf8(e + name_at, len < 12 ? len : 12, u.name, sizeof u.name);
        u.start = is64 ? ls_le64(e + 0x28) : ls_le32(e + 0x20);
        u.end = is64 ? ls_le64(e + 0x30) : ls_le32(e + 0x24);
        if (add(k, &u))
            return;
    }
}

/* §6.4: MmUnloadedDrivers points to a pointer to an array of UNLOADED_DRIVERS records
 * (UNICODE_STRING Name, StartAddress, EndAddress, CurrentTime). Unverified layout: entries
 * that do not look like names are skipped, not trusted. */
static void from_kernel(ls_kernel *k)
{
    uint64_t arr;
    int is64 = ls_vmem_ptr_size(k->vm) == 8;
    uint32_t stride = is64 ? 0x28 : 0x18, us = is64 ? 16 : 8;
    if (!k->kdbg.mm_unloaded_drivers || ls_vmem_read_ptr(k->vm, k->kdbg.mm_unloaded_drivers, &arr, NULL) || !arr)
        return;
    for (uint32_t i = 0; i < MI_UNLOADED_DRIVERS; i++) {
        uint8_t e[0x28];
        uint64_t at = arr + (uint64_t)i * stride;
        if (ls_vmem_read(k->vm, at, e, stride, NULL))
            return;
        if (ls_le16(e) == 0)
            continue;
        ls_unloaded_driver u;
        memset(&u, 0, sizeof u);
        if (ls_kernel_read_unicode(k, at, u.name, sizeof u.name, NULL) || !u.name[0])
            continue;
        u.start = is64 ? ls_le64(e + us) : ls_le32(e + us);
        u.end = is64 ? ls_le64(e + us + 8) : ls_le32(e + us + 4);
        u.time = ls_le64(e + us + (is64 ? 16 : 8));
        if (add(k, &u))
            return;
    }
}

void ls_kernel_read_unloaded(ls_kernel *k)
{
    const ls_triage *t = ls_dump_get_triage(k->dump);
    if (t) {
        if (t->unloaded_offset)
            from_triage(k, t);
    } else if (ls_dump_has_physical(k->dump)) {
        from_kernel(k);
    }
}
