/* fuzz_pdb_types.c - libFuzzer harness: the input is a TPI stream (header + type records); every
 * type is sized, named, listed and walked with member paths. Any crash, leak or hang is a bug. */
#include <stddef.h>
#include <stdint.h>

#include "lalscan/symbols.h"
#include "../../src/symbols/pdb_types.h"

static const char *const paths[] = {"a", "a.b", "a[1]", "a[0].b", "Links[1].Next", "u.Value", "x[3][2]"};
static const char *const names[] = {"S", "_S", "C", "_LAL_KOBJ", "a"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ls_tpi *t = NULL;
    ls_error e;
    if (ls_tpi_open(data, size, (int)(size & 1), &t, &e) < 0)
        return 0;
    uint32_t begin = ls_tpi_index_begin(t), end = ls_tpi_index_end(t);
    /* A bounded sweep keeps each run fast however many records the header claims. */
    uint32_t stop = end - begin > 512 ? begin + 512 : end;
    for (uint32_t ti = begin; ti < stop; ti++) {
        uint64_t sz;
        char name[96];
        ls_type_member m;
        ls_tpi_iter it;
        ls_tpi_type_size(t, ti, &sz, &e);
        ls_tpi_type_name(t, ti, name, sizeof name, &e);
        if (ls_tpi_members_begin_ti(t, ti, &it, &e) == 0) {
            int k = 0;
            while (k++ < 4096 && ls_tpi_members_next(&it, &m, &e) == 1) {
            }
        }
        for (size_t p = 0; p < sizeof paths / sizeof *paths; p++)
            ls_tpi_member_ti(t, ti, paths[p], &m, &e);
    }
    for (size_t n = 0; n < sizeof names / sizeof *names; n++) {
        ls_type_member m;
        uint64_t sz;
        ls_tpi_sizeof(t, names[n], &sz, &e);
        for (size_t p = 0; p < sizeof paths / sizeof *paths; p++)
            ls_tpi_member(t, names[n], paths[p], &m, &e);
    }
    ls_tpi_free(t);
    return 0;
}
