/* verifier.h - the verifier layer: bug check decoding (0xC4 subcodes and related pool bug
 * checks), Driver Verifier's per-driver pool tracking records of every era, lookaside lists. */
#ifndef LALSCAN_VERIFIER_H
#define LALSCAN_VERIFIER_H

#include "lalscan/nt.h"

/* ======================================================================================
 * Bug check decoding (src/verifier/bugcheck*.c): one table of data, never a guess.
 * ==================================================================================== */

/* What a parameter holds, so later stages know which parameter to follow. */
enum ls_param_kind {
    LS_PARAM_VALUE = 0,      /* a number to show as is */
    LS_PARAM_ADDRESS,        /* an address of something (block, list, structure) */
    LS_PARAM_DRIVER_NAME,    /* address of the driver's UTF-16 name (0xC4/0x62 P2) */
    LS_PARAM_VERIFIER_ENTRY, /* Verifier's per-driver record (0xC4/0x62 P3) */
    LS_PARAM_COUNT,          /* a count (allocations not freed) */
    LS_PARAM_BYTES,          /* a byte count */
    LS_PARAM_POOL_TYPE,      /* a POOL_TYPE value */
    LS_PARAM_IRQL,
    LS_PARAM_CODE_ADDRESS,   /* an address in a driver's code (maps to a module) */
    LS_PARAM_RESERVED,
};

/* Flags that classify a check for the analysis. */
enum ls_bugcheck_class {
    LS_BC_VERIFIER = 1 << 0,        /* raised by Driver Verifier */
    LS_BC_POOL = 1 << 1,            /* about pool */
    LS_BC_LEAK_AT_UNLOAD = 1 << 2,  /* outstanding allocations when a driver unloaded (0x60/0x61/0x62) */
    LS_BC_LOOKASIDE = 1 << 3,       /* about a lookaside list (0xCA..0xCD) */
};

typedef struct ls_bugcheck_info {
    uint32_t code;
    char name[96];              /* "DRIVER_VERIFIER_DETECTED_VIOLATION", "" when unknown */
    int has_subcode;            /* the check has a subcode in P1 and it is known */
    uint64_t subcode;           /* P1 for checks that use it (0xC4, 0x19, 0xC2, ...) */
    const char *subcode_name;   /* short stable word for JSON, e.g. "pool-leak-at-unload"; NULL if unknown */
    const char *description;    /* one sentence in plain words; NULL if unknown */
    const char *param_meaning[4]; /* what P1..P4 mean for this code/subcode; NULL = unknown */
    int param_kind[4];          /* enum ls_param_kind */
    unsigned classes;           /* enum ls_bugcheck_class */
} ls_bugcheck_info;

/* Decodes a bug check code and its parameters. Always succeeds: unknown codes and subcodes
 * leave name/description NULL and are shown raw by the report. */
void ls_bugcheck_decode(uint32_t code, const uint64_t params[4], ls_bugcheck_info *out);

#endif
