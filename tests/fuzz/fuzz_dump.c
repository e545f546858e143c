/* fuzz_dump.c - libFuzzer harness for the dump reader: header, containers, triage sections,
 * page-table walks, KDBG and module lists, and both renderers, from arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>

#include "lalscan/report.h"
#include "lalscan/verifier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ls_error err;
    ls_source *src = NULL;
    ls_dump *d = NULL;
    ls_vmem *vm = NULL;
    ls_kernel *k = NULL;
    if (ls_source_open_mem(data, size, "fuzz.dmp", &src, &err))
        return 0;
    if (ls_dump_open_source(src, &d, &err)) {
        ls_source_free(src);
        return 0;
    }
    if (ls_vmem_open(d, &vm, &err) == 0 && ls_kernel_open(d, vm, &k, &err) == 0) {
        ls_buf out = { 0 };
        ls_report_info_text(d, k, "fuzz.dmp", LS_INFO_MODULES, &out);
        ls_report_info_json(d, k, "fuzz.dmp", 0, &out, &err);
        ls_buf_free(&out);
        /* A few reads around the places a dump points at. */
        uint8_t buf[64];
        const ls_dump_header *h = ls_dump_get_header(d);
        ls_vmem_read(vm, h->bugcheck_params[1], buf, sizeof buf, &err);
        ls_vmem_read(vm, h->ps_active_process_head, buf, sizeof buf, &err);
        ls_dump_read_phys(d, h->directory_table_base, buf, sizeof buf, &err);
        /* Verifier's records, following P3 as 0xC4/0x62 would. */
        ls_vf_hint hint = { .record = h->bugcheck_params[2], .name_va = h->bugcheck_params[1],
                            .expected_count = h->bugcheck_params[3], .have_count = 1 };
        ls_vf_driver *vf = NULL;
        if (hint.record && ls_vf_read_driver(vm, k, &hint, &vf, &err) == 0)
            ls_vf_driver_free(vf);
    }
    ls_kernel_free(k);
    ls_vmem_free(vm);
    ls_dump_free(d);
    return 0;
}
