/* dump.h - the dump layer: the Windows kernel crash dump container. Header facts, the bug
 * check, the physical page map of full/summary/bitmap/range dumps, and triage sections. */
#ifndef LALSCAN_DUMP_H
#define LALSCAN_DUMP_H

#include "lalscan/source.h"

enum ls_dump_format { LS_FORMAT_PAGEDUMP = 1, LS_FORMAT_PAGEDU64 = 2 };
enum ls_arch { LS_ARCH_UNKNOWN = 0, LS_ARCH_X86 = 1, LS_ARCH_X64 = 2, LS_ARCH_ARM64 = 3 };

/* DumpType values of the header (crashdump-format.md §3.1). */
enum ls_dump_type {
    LS_DUMP_FULL = 1,
    LS_DUMP_SUMMARY = 2,
    LS_DUMP_HEADER_ONLY = 3,
    LS_DUMP_TRIAGE = 4,
    LS_DUMP_BITMAP_FULL = 5,
    LS_DUMP_BITMAP_KERNEL = 6,
    LS_DUMP_RANGE_KERNEL = 8,
    LS_DUMP_RANGE_KERNEL_USER = 9,
    LS_DUMP_RANGE_COMPLETE = 10,
};

/* Header facts. A field the writer left unset ("PAGE" fill, or zero where zero means unset)
 * has its has_* flag clear. */
typedef struct ls_dump_header {
    int format;                 /* enum ls_dump_format */
    int arch;                   /* enum ls_arch */
    int pae;                    /* x86 only */
    uint32_t machine;           /* MachineImageType */
    uint32_t major_version;     /* 0xF free build, 0xC checked */
    uint32_t build;             /* MinorVersion: the NT build number */
    uint32_t dump_type;
    uint64_t directory_table_base; /* as stored (mask per arch before use) */
    uint64_t pfn_database;
    uint64_t ps_loaded_module_list;
    uint64_t ps_active_process_head;
    uint64_t kd_debugger_data_block;
    uint32_t processors;
    uint32_t bugcheck_code;
    uint64_t bugcheck_params[4];
    uint64_t system_time;       /* FILETIME */
    int has_system_time;
    uint64_t uptime;            /* 100 ns units */
    int has_uptime;
    uint32_t attributes;
    int has_attributes;
    uint32_t product_type;
    uint32_t suite_mask;
    uint32_t minidump_fields;
    uint64_t required_dump_space;
    int has_required_dump_space;
    char comment[129];
    uint32_t header_size;       /* 0x1000 or 0x2000 */
    uint32_t context_offset;    /* file offset of the CONTEXT record */
    uint32_t exception_offset;  /* file offset of the exception record */
} ls_dump_header;

/* Triage (small memory) dump sections, all offsets validated against the file. */
typedef struct ls_triage_block {
    uint64_t va;
    uint64_t offset;            /* file offset */
    uint32_t size;
} ls_triage_block;

typedef struct ls_triage {
    uint32_t service_pack_build;
    uint32_t size_of_dump;
    int valid_marker;           /* "TRGD" found at ValidOffset */
    uint32_t mm_offset, unloaded_offset, prcb_offset, process_offset, thread_offset;
    uint32_t callstack_offset, callstack_size;
    uint64_t top_of_stack;
    uint32_t driver_list_offset, driver_count, driver_stride;
    uint32_t string_pool_offset, string_pool_size;
    uint32_t broken_driver_offset;
    uint64_t data_page_va;
    uint32_t data_page_offset, data_page_size;
    uint32_t kdbg_offset, kdbg_size;
    uint32_t data_blocks_offset, data_blocks_count;
    const ls_triage_block *blocks; /* sorted by va */
    size_t nblocks;
} ls_triage;

typedef struct ls_dump ls_dump;

/* Opens and validates a dump file. Errors say what the file is when it is not a kernel dump
 * (user-mode minidump, ELF core, cabinet, ...). Problems that still leave the dump usable
 * (truncation, inconsistent counts) become warnings. */
int ls_dump_open(const char *path, ls_dump **out, ls_error *err);
/* The same over an already opened source; the dump takes ownership of src on success. */
int ls_dump_open_source(ls_source *src, ls_dump **out, ls_error *err);
void ls_dump_free(ls_dump *d);

const ls_dump_header *ls_dump_get_header(const ls_dump *d);
const ls_source *ls_dump_source(const ls_dump *d);
const char *ls_dump_path(const ls_dump *d);
/* Triage sections, or NULL when the dump is not a triage dump. */
const ls_triage *ls_dump_get_triage(const ls_dump *d);

/* Physical memory. ls_dump_page returns the 4 KiB page of pfn inside the mapping, or NULL when
 * the dump does not hold it (never an error: absence is an answer). */
const uint8_t *ls_dump_page(const ls_dump *d, uint64_t pfn);
int ls_dump_read_phys(const ls_dump *d, uint64_t pa, void *buf, size_t len, ls_error *err);
int ls_dump_has_physical(const ls_dump *d);
uint64_t ls_dump_present_pages(const ls_dump *d);
/* One past the highest PFN the page map can describe. */
uint64_t ls_dump_pfn_limit(const ls_dump *d);

/* Warnings collected while opening ("file is truncated: ..."). */
size_t ls_dump_warning_count(const ls_dump *d);
const char *ls_dump_warning(const ls_dump *d, size_t i);

/* Names for the JSON contract and the text report. */
const char *ls_dump_type_word(uint32_t dump_type);    /* "full", "triage", "bitmap-kernel", ... */
const char *ls_dump_type_title(uint32_t dump_type);   /* "kernel summary dump", ... */
const char *ls_arch_word(int arch);                   /* "x86", "x64", "arm64" */
const char *ls_dump_format_word(int format);          /* "pagedump", "pagedu64" */

/* Bytes read from the file's mapping so far (for benchmarks). */
uint64_t ls_dump_bytes_read(const ls_dump *d);

#endif
