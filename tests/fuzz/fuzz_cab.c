/* fuzz_cab.c - libFuzzer harness for CAB extraction (our header checks, then libmspack through
 * our in-memory mspack_system): output is discarded and capped so a bomb cannot stall a run. */
#include "lalscan/symbols.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ls_error err;
    uint64_t written;
    (void)ls_cab_extract(data, size, "x.pdb", "fuzz.cab", -1, 1 << 22, &written, &err);
    return 0;
}
