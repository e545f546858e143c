/* slist.c - SLIST_HEADER decoding (verifier.md §2.7). x86 has one form; x64 has three, and
 * which one a kernel used is inferred, so both x64 candidates are returned for the caller to
 * test against the structure it expects to find. */
#include "lalscan/verifier.h"

int ls_slist_first(ls_vmem *vm, uint64_t va, uint64_t first[2], uint32_t *depth, ls_error *err)
{
    uint8_t h[16];
    if (ls_vmem_ptr_size(vm) == 4) {
        int rc = ls_vmem_read(vm, va, h, 8, err);
        if (rc)
            return rc;
        first[0] = ls_le32(h);
        *depth = ls_le16(h + 4);
        return first[0] ? 1 : 0;
    }
    int rc = ls_vmem_read(vm, va, h, 16, err);
    if (rc)
        return rc;
    uint64_t q0 = ls_le64(h), q1 = ls_le64(h + 8);
    int n = 0;
    *depth = (uint32_t)(q0 & 0xffff);
    /* HeaderX64 (8.1+) and Header16: the entry address is the second quadword without its
     * low four bits. */
    if (q1 & ~0xfull)
        first[n++] = q1 & ~0xfull;
    /* Header8 (XP x64 / 2003 x64): address bits 4..42 in bits 25..63, high bits restored. */
    uint64_t h8 = ((q0 >> 25) << 4);
    if (h8) {
        h8 |= 0xfffff80000000000ull;
        if (n == 0 || first[0] != h8)
            first[n++] = h8;
    }
    return n;
}
