/* test_vf_find.c - finding Verifier's per-driver record without the bug check's P3: by the
 * 2003-era signature, and for Windows 7+ through the driver's name; each must reach the same
 * record that P3 names in the 0xC4/0x62 fixtures. */
#include <stdlib.h>

#include "check.h"
#include "lalscan/verifier.h"

static void check(const char *path, const char *by_name)
{
    ls_dump *d = NULL;
    ls_vmem *vm = NULL;
    ls_error err;
    if (ls_dump_open(path, &d, &err) || ls_vmem_open(d, &vm, &err)) {
        CHECK(0, "%s opens: %s", path, err.msg);
        goto out;
    }
    uint64_t p3 = ls_dump_get_header(d)->bugcheck_params[2], *cands = NULL;
    size_t n = 0;
    int rc = by_name ? ls_vf_find_by_name(vm, by_name, &cands, &n, &err) : ls_vf_find_records(vm, &cands, &n, &err);
    int hit = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        hit |= cands[i] == p3;
    CHECK(rc == 0 && hit, "%s: the %s search finds P3's record 0x%" PRIx64 " among %zu candidate(s)", path,
          by_name ? "name" : "signature", p3, n);
    free(cands);
out:
    ls_vmem_free(vm);
    ls_dump_free(d);
}

int main(void)
{
    check("fixtures/dumps/verifier-2003sp1-x86.dmp", NULL);
    check("fixtures/dumps/verifier-2003-x64.dmp", NULL);
    check("fixtures/dumps/verifier-win10-x64.dmp", "LALDRV.SYS");
    check("fixtures/dumps/verifier-win7-x64.dmp", "laldrv.sys");
    check("fixtures/dumps/verifier-vista-x86.dmp", NULL);
    check("fixtures/dumps/verifier-win81-x86.dmp", "mydriver.sys");
    check("fixtures/dumps/verifier-win11-x64.dmp", "laldrv.sys");
    return CHECK_DONE();
}
