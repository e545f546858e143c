/* vf_pdb_layout.c - a Verifier layout read from a kernel PDB's types (--nt-pdb): the exact
 * offsets of the build the PDB belongs to, instead of the table's calculated ones. */
#include "vf_internal.h"

#include <stdio.h>
#include <string.h>

static int off(const ls_pdb_types *ty, const char *type, const char *path, int16_t *out)
{
    ls_type_member m;
    if (ls_pdb_types_member(ty, type, path, &m, NULL) || m.offset > 0x7fff)
        return -1;
    *out = (int16_t)m.offset;
    return 0;
}

int ls_vf_layout_from_types(const ls_pdb_types *ty, int arch, ls_vf_layout *L, ls_error *err)
{
    memset(L, 0, sizeof *L);
    int16_t none = -1;
    L->name = L->suspect = L->suspect_name = L->signature = L->start = L->end = none;
    L->page_headers = L->trackers = L->pool_hash = L->pool_hash_size = none;
    L->arch = arch;
    L->min_build = 0;
    L->max_build = 0xFFFFFFFFu;
    L->confidence = 'V';
    L->id = "pdb-types";
    const char *rec;
    int fail = 0;
    if (off(ty, "_VF_TARGET_VERIFIED_DRIVER_DATA", "SuspectDriverEntry", &L->suspect) == 0) {
        rec = "_VF_TARGET_VERIFIED_DRIVER_DATA";
        L->form = LS_VF_VF_PAGES;
        L->title = "from the kernel PDB's types (VF_TARGET_VERIFIED_DRIVER_DATA)";
        fail |= off(ty, "_VF_SUSPECT_DRIVER_ENTRY", "BaseName", &L->suspect_name);
        fail |= off(ty, "_VF_SUSPECT_DRIVER_ENTRY", "Loads", &L->loads);
        fail |= off(ty, "_VF_SUSPECT_DRIVER_ENTRY", "Unloads", &L->unloads);
    } else if (off(ty, "_MI_VERIFIER_DRIVER_ENTRY", "BaseName", &L->name) == 0) {
        rec = "_MI_VERIFIER_DRIVER_ENTRY";
        fail |= off(ty, rec, "Signature", &L->signature);
        fail |= off(ty, rec, "StartAddress", &L->start);
        fail |= off(ty, rec, "EndAddress", &L->end);
        fail |= off(ty, rec, "Loads", &L->loads);
        fail |= off(ty, rec, "Unloads", &L->unloads);
        if (off(ty, rec, "PoolHash", &L->pool_hash) == 0) {
            L->form = LS_VF_HASH_ARRAY;
            L->title = "from the kernel PDB's types (MI_VERIFIER_DRIVER_ENTRY, hash array)";
            fail |= off(ty, rec, "PoolHashSize", &L->pool_hash_size);
        } else {
            L->form = LS_VF_MI_PAGES;
            L->title = "from the kernel PDB's types (MI_VERIFIER_DRIVER_ENTRY, tracker pages)";
        }
    } else {
        return ls_error_set(err, LS_ENOTFOUND,
                            "the kernel PDB has neither _VF_TARGET_VERIFIED_DRIVER_DATA nor _MI_VERIFIER_DRIVER_ENTRY");
    }
    if (L->form != LS_VF_HASH_ARRAY) {
        fail |= off(ty, rec, "PoolPageHeaders", &L->page_headers);
        fail |= off(ty, rec, "PoolTrackers", &L->trackers);
    }
    fail |= off(ty, rec, "CurrentPagedPoolAllocations", &L->cur_paged);
    fail |= off(ty, rec, "CurrentNonPagedPoolAllocations", &L->cur_nonpaged);
    fail |= off(ty, rec, "PeakPagedPoolAllocations", &L->peak_paged);
    fail |= off(ty, rec, "PeakNonPagedPoolAllocations", &L->peak_nonpaged);
    fail |= off(ty, rec, "PagedBytes", &L->paged_bytes);
    fail |= off(ty, rec, "NonPagedBytes", &L->nonpaged_bytes);
    fail |= off(ty, rec, "PeakPagedBytes", &L->peak_paged_bytes);
    fail |= off(ty, rec, "PeakNonPagedBytes", &L->peak_nonpaged_bytes);
    /* Tracker slots and pages. */
    uint64_t slot = 0;
    int16_t caller = 0, bytes = 0, tag = 0, entry = 0, sig = 0;
    fail |= ls_pdb_types_size(ty, "_VI_POOL_ENTRY", &slot, NULL) != 0 || slot == 0 || slot > 0x100;
    fail |= off(ty, "_VI_POOL_ENTRY_INUSE", "CallingAddress", &caller);
    fail |= off(ty, "_VI_POOL_ENTRY_INUSE", "NumberOfBytes", &bytes);
    fail |= off(ty, "_VI_POOL_ENTRY_INUSE", "Tag", &tag);
    if (L->form != LS_VF_HASH_ARRAY) {
        fail |= off(ty, "_VI_POOL_PAGE_HEADER", "VerifierEntry", &entry);
        fail |= off(ty, "_VI_POOL_PAGE_HEADER", "Signature", &sig);
    }
    if (fail)
        return ls_error_set(err, LS_ENOTFOUND, "the kernel PDB's %s or tracker types lack fields lalscan needs", rec);
    L->slot_size = (uint16_t)slot;
    L->slots_per_page = (uint16_t)(0x1000 / slot);
    L->slot_caller = (uint8_t)caller;
    L->slot_bytes = (uint8_t)bytes;
    L->slot_tag = (uint8_t)tag;
    L->page_verifier_entry = (uint8_t)entry;
    L->page_signature = (uint8_t)sig;
    return 0;
}
