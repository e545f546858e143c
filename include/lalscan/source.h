/* source.h - the source layer: the bytes of an input file, mapped read-only.
 * Plain files are mmap'd; gzip files are inflated once to an unlinked temporary file. */
#ifndef LALSCAN_SOURCE_H
#define LALSCAN_SOURCE_H

#include "lalscan/base.h"

typedef struct ls_source ls_source;

enum ls_source_wrapper { LS_WRAP_NONE = 0, LS_WRAP_GZIP = 1 };

/* Opens path read-only. A gzip file is inflated to an anonymous temporary file in $TMPDIR
 * (random access into deflate streams is otherwise seconds per page). */
int ls_source_open(const char *path, ls_source **out, ls_error *err);
/* Wraps a caller-owned buffer (fuzzing, tests); it must outlive the source. */
int ls_source_open_mem(const void *data, uint64_t size, const char *name, ls_source **out,
                       ls_error *err);
void ls_source_free(ls_source *src);

const uint8_t *ls_source_data(const ls_source *src);
uint64_t ls_source_size(const ls_source *src);
const char *ls_source_path(const ls_source *src);
int ls_source_wrapper(const ls_source *src);
/* Size of the file as given (the compressed size for gzip). */
uint64_t ls_source_file_size(const ls_source *src);
/* Bytes of the mapping the caller has asked for through ls_source_at (for benchmarks). */
uint64_t ls_source_bytes_read(const ls_source *src);

/* Pointer to [off, off+len) inside the mapping, or NULL if out of range. */
const uint8_t *ls_source_at(const ls_source *src, uint64_t off, uint64_t len);

#endif
