/* fuzz_pe.c - libFuzzer harness for the PE reader: the input is an image file; it is opened in
 * file layout and, through a reader callback with a missing page, in loaded layout. */
#include "lalscan/symbols.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void exercise(ls_pe *pe)
{
    ls_error err;
    ls_codeview cv;
    if (ls_pe_codeview(pe, &cv, &err) == 0) {
        char key[41];
        ls_codeview_key(&cv, key);
        (void)ls_codeview_pdb_name(&cv);
    }
    const ls_pe_import *imp;
    size_t n;
    (void)ls_pe_imports(pe, &imp, &n, &err);
    for (size_t i = 0; i < n && i < 64; i++)
        (void)ls_pe_import_at(pe, imp[i].iat_rva);
    uint32_t rva, disp;
    char name[64];
    (void)ls_pe_export_find(pe, "DriverEntry", &rva, &err);
    (void)ls_pe_export_at(pe, 0x1234, name, sizeof name, &disp, &err);
    unsigned ns;
    const ls_pe_section *s = ls_pe_sections(pe, &ns);
    uint8_t buf[32];
    for (unsigned i = 0; i < ns; i++) {
        uint64_t off;
        (void)ls_pe_rva_to_offset(pe, s[i].rva + 3, &off, &err);
        (void)ls_pe_read(pe, s[i].rva, buf, sizeof buf, &err);
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
    ls_error err;
    if (ls_pe_open_mem(data, size, "fuzz.sys", &pe, &err) == 0) {
        exercise(pe);
        ls_pe_free(pe);
    }
    image im = {data, size};
    pe = NULL;
    if (ls_pe_open_reader(read_rva, &im, "fuzz.sys", &pe, &err) == 0) {
        exercise(pe);
        ls_pe_free(pe);
    }
    return 0;
}
