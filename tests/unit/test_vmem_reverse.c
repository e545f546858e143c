/* test_vmem_reverse.c - physical pages back to kernel virtual addresses, on fixture dumps of
 * every paging form: each kernel VA that translates must come back as a VA of the same page. */
#include <stdlib.h>

#include "check.h"
#include "lalscan/nt.h"

static void check_dump(const char *path)
{
    ls_dump *d = NULL;
    ls_vmem *vm = NULL;
    ls_kernel *k = NULL;
    ls_error err;
    if (ls_dump_open(path, &d, &err) || ls_vmem_open(d, &vm, &err) || ls_kernel_open(d, vm, &k, &err)) {
        CHECK(0, "%s opens: %s", path, err.msg);
        goto out;
    }
    /* Kernel addresses worth trying: the module list, KDBG and every module base. */
    uint64_t vas[64], pfns[64], back[64];
    size_t n = 0, nm;
    const ls_module *m = ls_kernel_modules(k, &nm);
    vas[n++] = ls_dump_get_header(d)->kd_debugger_data_block;
    vas[n++] = ls_dump_get_header(d)->ps_loaded_module_list;
    for (size_t i = 0; i < nm && n < 64; i++)
        vas[n++] = m[i].base;
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t pa;
        if (ls_vmem_translate(vm, vas[i], &pa, NULL) == 0)
            pfns[w++] = pa / 0x1000;
    }
    /* sorted and unique, as the API wants */
    for (size_t i = 1; i < w; i++)
        for (size_t j = i; j > 0 && pfns[j - 1] > pfns[j]; j--) {
            uint64_t t = pfns[j];
            pfns[j] = pfns[j - 1];
            pfns[j - 1] = t;
        }
    size_t u = 0;
    for (size_t i = 0; i < w; i++)
        if (!u || pfns[u - 1] != pfns[i])
            pfns[u++] = pfns[i];
    CHECK(u >= 2, "%s: %zu kernel pages to map back", path, u);
    int ok = ls_vmem_reverse(vm, pfns, u, back, &err) == 0;
    size_t good = 0;
    for (size_t i = 0; ok && i < u; i++) {
        uint64_t pa;
        good += back[i] && ls_vmem_translate(vm, back[i], &pa, NULL) == 0 && pa / 0x1000 == pfns[i];
    }
    CHECK(ok && good == u, "%s: %zu of %zu pages map back to a VA of the same page", path, good, u);
out:
    ls_kernel_free(k);
    ls_vmem_free(vm);
    ls_dump_free(d);
}

int main(void)
{
    static const char *const dumps[] = {
        "fixtures/dumps/x64-bitmap-kernel.dmp", "fixtures/dumps/x64-full.dmp", "fixtures/dumps/x86pae-full.dmp",
        "fixtures/dumps/x86pae-bitmap-kernel.dmp", "fixtures/dumps/x86-full.dmp", "fixtures/dumps/x86-bitmap-kernel.dmp",
        "fixtures/dumps/verifier-win10-x64.dmp", "fixtures/dumps/verifier-vista-x86.dmp",
    };
    for (size_t i = 0; i < sizeof dumps / sizeof dumps[0]; i++)
        check_dump(dumps[i]);
    return CHECK_DONE();
}
