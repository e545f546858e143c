/* verifier.h - the verifier layer: bug check decoding (0xC4 subcodes and related pool bug
 * checks), Driver Verifier's per-driver pool tracking records of every era, lookaside lists. */
#ifndef LALSCAN_VERIFIER_H
#define LALSCAN_VERIFIER_H

#include "lalscan/nt.h"
#include "lalscan/symbols.h"

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

/* ======================================================================================
 * Verifier's per-driver pool tracking (src/verifier/vf_*.c)
 * ==================================================================================== */

/* How the tracking of one era is organised (verifier.md §2.1). */
enum ls_vf_form {
    LS_VF_HASH_ARRAY = 1, /* XP / 2000 x86: VI_POOL_ENTRY[PoolHashSize] */
    LS_VF_MI_PAGES = 2,   /* 2003 SP1 .. Vista: MI_VERIFIER_DRIVER_ENTRY + tracker pages */
    LS_VF_VF_PAGES = 3,   /* 7 .. 11: VF_TARGET_VERIFIED_DRIVER_DATA + tracker pages */
};

/* One row of the layout table: offsets of one era and architecture. -1 = no such field. */
typedef struct ls_vf_layout {
    const char *id;            /* stable word, e.g. "vtvdd-c-x64" */
    const char *title;         /* "Windows 10 2004-22H2 x64 (VF_TARGET_VERIFIED_DRIVER_DATA, variant C)" */
    int form;                  /* enum ls_vf_form */
    int arch;                  /* LS_ARCH_X86 / LS_ARCH_X64 */
    uint32_t min_build, max_build;
    int16_t name;              /* UNICODE_STRING BaseName in the record (MI forms) */
    int16_t suspect;           /* pointer to VF_SUSPECT_DRIVER_ENTRY (VF form) */
    int16_t suspect_name;      /* BaseName inside the suspect entry */
    int16_t signature;         /* MI_VERIFIER_ENTRY_SIGNATURE field */
    int16_t start, end;        /* image range (MI forms) */
    int16_t page_headers, trackers; /* SLIST_HEADERs (page forms) */
    int16_t pool_hash, pool_hash_size; /* hash-array form */
    int16_t cur_paged, cur_nonpaged, peak_paged, peak_nonpaged;
    int16_t paged_bytes, nonpaged_bytes, peak_paged_bytes, peak_nonpaged_bytes;
    int16_t loads, unloads;    /* in the record (MI) or the suspect entry (VF) */
    uint16_t slot_size, slots_per_page;
    uint8_t slot_caller, slot_bytes, slot_tag;     /* VI_POOL_ENTRY_INUSE offsets (VA at 0) */
    uint8_t page_verifier_entry, page_signature;   /* VI_POOL_PAGE_HEADER offsets */
    char confidence;           /* 'V', 'C' or 'I' as the spec marks the layout */
} ls_vf_layout;

/* The layouts for an architecture, most specific first; *count rows. */
const ls_vf_layout *ls_vf_layouts(size_t *count);

/* One outstanding allocation from a tracker slot. */
enum ls_pool_class { LS_POOL_UNKNOWN = 0, LS_POOL_NONPAGED, LS_POOL_PAGED, LS_POOL_NONPAGED_NX,
                     LS_POOL_SESSION_PAGED, LS_POOL_SESSION_NONPAGED };
enum ls_header_check { LS_HDR_NOT_CHECKED = 0, LS_HDR_OK, LS_HDR_MISMATCH, LS_HDR_UNREADABLE,
                       LS_HDR_SPECIAL_POOL, LS_HDR_BIG_PAGE };

typedef struct ls_vf_alloc {
    uint64_t address;
    uint64_t size;             /* charged size as tracked */
    uint32_t tag;              /* as stored (memory order = little-endian bytes) */
    uint64_t caller;           /* return address Verifier recorded */
    uint64_t slot;             /* address of the tracker slot */
    int in_flight;             /* allocation was still in progress when the system stopped */
    int pool;                  /* enum ls_pool_class, from the pool header when checked */
    int header;                /* enum ls_header_check */
    char header_note[96];      /* what disagreed */
    int stack_status;          /* enum ls_stack_status */
    uint8_t nstack;
    uint64_t *stack;           /* frames from Verifier's stack log, newest call first */
} ls_vf_alloc;

/* Whether Verifier's allocate/free log (VF_POOL_TRACE, Vista and later) gave a block its stack. */
enum ls_stack_status { LS_STACK_UNAVAILABLE = 0, LS_STACK_FOUND = 1, LS_STACK_EVICTED = 2 };

typedef struct ls_vf_counters {
    uint64_t cur_paged, cur_nonpaged, peak_paged, peak_nonpaged;
    uint64_t paged_bytes, nonpaged_bytes, peak_paged_bytes, peak_nonpaged_bytes;
    uint32_t loads, unloads;
} ls_vf_counters;

/* Global Verifier statistics (MM_DRIVER_VERIFIER_DATA, via KDBG MmVerifierData). */
typedef struct ls_vf_global {
    int present;
    uint64_t va;
    uint32_t level;
    uint32_t allocations_attempted, allocations_succeeded, allocations_special_pool,
        allocations_no_tag, allocations_failed, untracked_pool;
    ls_vf_counters counters;
} ls_vf_global;

typedef struct ls_vf_driver {
    char name[96];             /* driver name (from P2 and the record) */
    uint64_t record;           /* the per-driver record's address */
    const ls_vf_layout *layout;
    char layout_reason[320];   /* why this layout: which invariants held */
    ls_vf_counters counters;
    uint64_t image_start, image_end; /* when the record has them */
    ls_vf_alloc *allocs;
    size_t nallocs;
    size_t tracker_pages;
    int complete;              /* every tracker page read and the figures agree */
    ls_strlist warnings;
} ls_vf_driver;

/* Inputs the walker needs from the bug check (0 when unknown). */
typedef struct ls_vf_hint {
    uint64_t record;           /* P3 of 0xC4/0x62 */
    uint64_t name_va;          /* P2 of 0xC4/0x62 */
    uint64_t expected_count;   /* P4 of 0xC4/0x62 (or 0x60/0x61) */
    int have_count;
    uint64_t expected_paged_bytes, expected_nonpaged_bytes; /* 0x60/0x61 P2/P3 */
    int have_bytes;
    const char *driver;        /* --driver NAME, or NULL */
    int strict;                /* accept only a layout whose every invariant holds */
    const ls_vf_layout *types; /* a layout from the kernel PDB's types, tried first */
} ls_vf_hint;

/* A layout from a kernel PDB's types (_VF_TARGET_VERIFIED_DRIVER_DATA or
 * _MI_VERIFIER_DRIVER_ENTRY, _VI_POOL_ENTRY, _VI_POOL_PAGE_HEADER). */
int ls_vf_layout_from_types(const ls_pdb_types *ty, int arch, ls_vf_layout *out, ls_error *err);

/* Reads the per-driver record at hint->record trying every layout of the dump's architecture
 * (those whose builds include the dump's first) and keeps the one whose invariants hold; then
 * enumerates the outstanding allocations and cross-checks them. Fails only when no layout fits. */
int ls_vf_read_driver(ls_vmem *vm, const ls_kernel *k, const ls_vf_hint *hint, ls_vf_driver **out, ls_error *err);
void ls_vf_driver_free(ls_vf_driver *d);

/* Addresses of MI_VERIFIER_DRIVER_ENTRY records found by scanning the dump's physical pages
 * for their signature, each confirmed through its list links (for 0xC4/0x60, 0x61 and
 * --driver, which give no record address). *records is malloc'd. */
int ls_vf_find_records(ls_vmem *vm, uint64_t **records, size_t *count, ls_error *err);
/* Windows 7 and later keep no signature: the driver's name (UTF-16) leads to the UNICODE_STRING
 * of its VF_SUSPECT_DRIVER_ENTRY, and that to the records pointing at it from offset 0.
 * Candidates only: ls_vf_read_driver (strict) decides. */
int ls_vf_find_by_name(ls_vmem *vm, const char *name, uint64_t **records, size_t *count, ls_error *err);

/* Addresses of the kernel globals behind the stack log (from the kernel's symbols). */
typedef struct ls_vf_trace_globals {
    uint64_t traces;           /* nt!VfPoolTraces: pointer to the VF_POOL_TRACE array */
    uint64_t index;            /* nt!VfPoolTracesIndex */
    uint64_t length;           /* nt!VfPoolTracesLength (a power of two) */
} ls_vf_trace_globals;

typedef struct ls_vf_trace_info {
    uint64_t log;              /* the array */
    uint32_t length, index, frames;
    size_t found, evicted;
} ls_vf_trace_info;

/* Gives each allocation of d the stack of its newest allocate record in the log (a record with
 * a frame inside [image_lo, image_hi), the driver); the others are marked evicted. */
int ls_vf_read_traces(ls_vmem *vm, const ls_vf_trace_globals *g, uint32_t build, uint64_t image_lo,
                      uint64_t image_hi, ls_vf_driver *d, ls_vf_trace_info *info, ls_error *err);

/* Reads MmVerifierData through KDBG (present = 0 when it cannot). */
void ls_vf_read_global(ls_vmem *vm, const ls_kernel *k, ls_vf_global *out);

/* Reads a driver name: UTF-16 at va, printable, up to 255 characters. */
int ls_vf_read_wide_name(ls_vmem *vm, uint64_t va, char *out, size_t outsize, ls_error *err);

/* Decodes an SLIST_HEADER at va into the candidates for its first entry (x64 has up to two
 * encodings) and its depth. Returns the number of candidates (0..2). */
int ls_slist_first(ls_vmem *vm, uint64_t va, uint64_t first[2], uint32_t *depth, ls_error *err);

const char *ls_pool_class_word(int pool);

#endif
