/* fuzz_pdb.c - libFuzzer harness for the PDB reader: open the input (from memory, or through a
 * memfd as a store's decompressed file would be), then identity, symbolization and name lookups. */
#include "lalscan/symbols.h"
#include "../../src/symbols/pdb_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static ls_pdb *open_input(const uint8_t *data, size_t size, int *fd)
{
    ls_pdb *p = NULL;
    ls_error err;
    *fd = -1;
    /* a few inputs go through the fd path (mmap of a memfd) */
    if (size > 0x40 && (data[0x3F] & 7) == 0) {
        *fd = memfd_create("fuzz.pdb", 0);
        if (*fd >= 0 && write(*fd, data, size) == (ssize_t)size &&
            ls_pdb_open_fd(*fd, "fuzz.pdb", &p, &err) == 0)
            return p;
        return NULL;
    }
    if (ls_pdb_open_mem(data, size, "fuzz.pdb", &p, &err) == 0)
        return p;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd;
    ls_pdb *p = open_input(data, size, &fd);
    if (p) {
        ls_error err;
        ls_pdb_ident id;
        ls_codeview cv;
        memset(&cv, 0, sizeof cv);
        if (ls_pdb_get_ident(p, &id, &err) == 0) {
            cv.kind = LS_CV_RSDS;
            memcpy(cv.guid, id.guid, 16);
            cv.age = id.dbi_age;
            ls_pdb_match(p, &cv, &err);
        }
        /* RVAs: fixed ones where code usually is, and a few taken from the input's tail */
        uint32_t rvas[8] = {0x1000, 0x1005, 0x1050, 0x1234, 0x2000, 0x5000, 0, 0};
        if (size >= 8) {
            rvas[6] = ls_le32(data + size - 4) & 0xFFFFF;
            rvas[7] = ls_le32(data + size - 8) & 0xFFFF;
        }
        for (int i = 0; i < 8; i++) {
            ls_pdb_location loc;
            if (ls_pdb_symbolize(p, rvas[i], &loc, &err) == 0 && loc.symbol)
                (void)strlen(loc.symbol);
        }
        uint32_t rva, size32, ti, s;
        ls_pdb_find_function(p, "DriverEntry", &rva, &size32, &err);
        ls_pdb_find_data(p, "g_Lookaside", &rva, &ti, &err);
        ls_pdb_inline_site *sites = NULL;
        size_t n = 0;
        if (ls_pdb_inline_sites(p, "LalAllocateFromLookaside", &sites, &n, &err) == 0)
            free(sites);
        ls_pdb_named_stream(p, "/names", &s, &err);
        const uint8_t *d;
        size_t len;
        for (uint32_t k = 0; k < ls_msf_stream_count(p) && k < 16; k++)
            ls_msf_stream_bytes(p, k, &d, &len, &err);
        ls_pdb_free(p);
    }
    if (fd >= 0)
        close(fd);
    return 0;
}
