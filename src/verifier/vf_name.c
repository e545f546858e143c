/* vf_name.c - driver names as Verifier keeps them: a bare UTF-16 buffer at 0xC4/0x62's P2
 * (no length field, so printable characters up to a NUL) and UNICODE_STRINGs in its records. */
#include "lalscan/verifier.h"

#include <inttypes.h>

int ls_vf_read_wide_name(ls_vmem *vm, uint64_t va, char *out, size_t outsize, ls_error *err)
{
    size_t o = 0;
    for (unsigned i = 0; i < 255 && o + 1 < outsize; i++) {
        uint8_t c[2];
        int rc = ls_vmem_read(vm, va + 2ull * i, c, 2, err);
        if (rc) {
            if (i == 0)
                return rc;
            break; /* a name may end at the end of what the dump holds */
        }
        unsigned u = ls_le16(c);
        if (u == 0)
            break;
        if (u < 0x20 || u > 0x7e) {
            if (i == 0)
                return ls_error_set(err, LS_ECORRUPT, "0x%" PRIx64 " does not hold a driver name", va);
            break;
        }
        out[o++] = (char)u;
    }
    out[o] = '\0';
    return o ? 0 : ls_error_set(err, LS_ECORRUPT, "0x%" PRIx64 " holds an empty name", va);
}

const char *ls_pool_class_word(int pool)
{
    switch (pool) {
    case LS_POOL_NONPAGED: return "nonpaged";
    case LS_POOL_PAGED: return "paged";
    case LS_POOL_NONPAGED_NX: return "nonpaged-nx";
    case LS_POOL_SESSION_PAGED: return "session-paged";
    case LS_POOL_SESSION_NONPAGED: return "session-nonpaged";
    default: return "unknown";
    }
}
