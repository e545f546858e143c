/* vf_pool_header.c - the POOL_HEADER in front of a leaked block (verifier.md §5.2, §5.3):
 * tag and size cross-check the tracker's record, and the pool type says paged or not. */
#include "vf_internal.h"

#include <inttypes.h>
#include <stdio.h>

enum { PAGE = 0x1000 };

void ls_vf_check_pool_header(ls_vmem *vm, ls_vf_alloc *a)
{
    int x64 = ls_vmem_ptr_size(vm) == 8;
    uint64_t gran = x64 ? 16 : 8;
    if (a->address % PAGE == 0 && a->size >= PAGE) {
        a->header = LS_HDR_BIG_PAGE; /* big-page allocations carry no inline header */
        return;
    }
    uint8_t h[8];
    if (ls_vmem_read(vm, a->address - gran, h, 8, NULL)) {
        a->header = LS_HDR_UNREADABLE;
        snprintf(a->header_note, sizeof a->header_note, "the pool header at 0x%" PRIx64 " is not in the dump",
                 a->address - gran);
        return;
    }
    unsigned block_size, pool_type;
    if (x64) {
        block_size = h[2];
        pool_type = h[3];
    } else {
        uint32_t w = ls_le32(h);
        block_size = (w >> 16) & 0x1ff;
        pool_type = (w >> 25) & 0x7f;
    }
    uint32_t tag = ls_le32(h + 4);
    int tag_ok = (tag & 0x7fffffffu) == (a->tag & 0x7fffffffu);
    int size_ok = (uint64_t)block_size * gran >= a->size + gran;
    if (pool_type != 0 && tag_ok && size_ok) {
        unsigned base = ((pool_type & ~0x68u) - 1) & 0x7;
        int session = (pool_type & 0x20) != 0;
        int paged = (base & 1) && base != 3;
        a->pool = session ? (paged ? LS_POOL_SESSION_PAGED : LS_POOL_SESSION_NONPAGED)
                          : (paged ? LS_POOL_PAGED : LS_POOL_NONPAGED);
        a->header = LS_HDR_OK;
        return;
    }
    /* Special pool keeps no header in front: the block ends at the end of its page. */
    if (((a->address + a->size + gran - 1) & ~(gran - 1)) % PAGE == 0) {
        a->header = LS_HDR_SPECIAL_POOL;
        return;
    }
    a->header = LS_HDR_MISMATCH;
    char want[5], got[5];
    for (int i = 0; i < 4; i++) {
        uint8_t w = (uint8_t)(a->tag >> (8 * i)), g = (uint8_t)(tag >> (8 * i));
        want[i] = w >= 0x20 && w < 0x7f ? (char)w : '.';
        got[i] = g >= 0x20 && g < 0x7f ? (char)g : '.';
    }
    want[4] = got[4] = '\0';
    snprintf(a->header_note, sizeof a->header_note, "pool header says tag '%s', %u bytes, type 0x%x; record says '%s', %" PRIu64,
             got, block_size * (unsigned)gran, pool_type, want, a->size);
}
