/* fuzz_pe_calls.c - libFuzzer harness for the call finder: the input is an image file, opened
 * in file layout and as loaded (a reader with a missing page), then scanned for several targets. */
#include "lalscan/symbols.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int every_other(void *ctx, uint32_t rva)
{
    (void)ctx;
    return rva & 1;
}

static void scan(const ls_pe *pe)
{
    const ls_pe_info *in = ls_pe_get_info(pe);
    const ls_pe_import *imp;
    size_t nimp = 0;
    (void)ls_pe_imports(pe, &imp, &nimp, NULL);
    uint32_t targets[][2] = {
        {in->entry_rva, 0}, {0x1000, 0}, {0x1280, 0}, {nimp ? imp[0].iat_rva : 0x2000, 1}, {0x20f8, 1},
    };
    for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
        ls_pe_call_query q = {.target_rva = targets[t][0], .through_slot = (int)targets[t][1]};
        if (t == 2) {
            q.check = every_other;
            q.max_calls = 2;
        }
        ls_pe_call *c = NULL;
        size_t n = 0;
        ls_pe_scan_stats st;
        ls_error err;
        if (ls_pe_scan_calls(pe, &q, &c, &n, &st, &err) == 0) {
            for (size_t i = 0; i < n; i++)
                if (c[i].return_rva <= c[i].call_rva || c[i].return_rva - c[i].call_rva > 7)
                    abort();
            free(c);
        }
    }
}

typedef struct {
    const uint8_t *data;
    size_t size;
} image;

/* Treats the input as the loaded image itself (RVA = offset); the page at 0x2000 is missing. */
static int read_rva(void *ctx, uint32_t rva, void *buf, size_t len, ls_error *err)
{
    const image *im = ctx;
    if (!ls_in_bounds(rva, len, im->size) || (rva < 0x3000 && rva + len > 0x2000))
        return ls_error_set(err, LS_ENODATA, "RVA 0x%x not present", rva);
    memcpy(buf, im->data + rva, len);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ls_pe *pe = NULL;
    if (ls_pe_open_mem(data, size, "fuzz.sys", &pe, NULL) == 0) {
        scan(pe);
        ls_pe_free(pe);
    }
    image im = {data, size};
    pe = NULL;
    if (ls_pe_open_reader(read_rva, &im, "fuzz.sys", &pe, NULL) == 0) {
        scan(pe);
        ls_pe_free(pe);
    }
    return 0;
}
