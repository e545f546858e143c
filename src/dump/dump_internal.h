/* dump_internal.h - private to the dump layer: the dump object and the small ops table
 * each physical-memory container (runs, bitmap, ranges, triage) implements. */
#ifndef LALSCAN_DUMP_INTERNAL_H
#define LALSCAN_DUMP_INTERNAL_H

#include "lalscan/dump.h"

#define LS_PAGE 0x1000u
#define PAGE_FILL32 0x45474150u
#define PAGE_FILL64 0x4547415045474150ull

typedef struct ls_dump_container {
    const char *name;
    /* Parses the container after the main header; fills d->present_pages/pfn_limit. A
     * container that finds itself unusable returns an error; damage it can live with
     * becomes a warning. */
    int (*open)(ls_dump *d, ls_error *err);
    /* The page of pfn inside the mapping, or NULL. */
    const uint8_t *(*page)(const ls_dump *d, uint64_t pfn);
    void (*close)(ls_dump *d);
} ls_dump_container;

struct ls_dump {
    ls_source *src;
    ls_dump_header hdr;
    const ls_dump_container *ops;
    void *priv;                 /* the container's own state */
    uint64_t present_pages;
    uint64_t pfn_limit;
    ls_triage triage;
    int is_triage;
    ls_triage_block *blocks;
    ls_strlist warnings;
};

/* Adds a warning (best effort: out of memory drops it). */
void ls_dump_warn(ls_dump *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int ls_dump_parse_header(const ls_source *src, ls_dump_header *h, ls_error *err);

/* A file offset for page data must hold a whole page to be served. */
static inline const uint8_t *ls_dump_file_page(const ls_dump *d, uint64_t off)
{
    return ls_source_at(d->src, off, LS_PAGE);
}

/* Run lists (full dumps, range dumps): pages stored run after run from data_start. */
typedef struct ls_run {
    uint64_t base, count;  /* PFNs */
    uint64_t first;        /* index of the run's first page among all stored pages */
} ls_run;
typedef struct runs_state {
    ls_run *runs;
    size_t n;
    uint64_t data_start;
} runs_state;
const uint8_t *ls_runs_page(const ls_dump *d, uint64_t pfn);
void ls_runs_close(ls_dump *d);

extern const ls_dump_container ls_container_runs;
extern const ls_dump_container ls_container_bitmap;
extern const ls_dump_container ls_container_summary;
extern const ls_dump_container ls_container_ranges;
extern const ls_dump_container ls_container_triage;
extern const ls_dump_container ls_container_none;

static inline int ls_is_fill32(uint32_t v) { return v == PAGE_FILL32; }
static inline int ls_is_fill64(uint64_t v) { return v == PAGE_FILL64; }

#endif
