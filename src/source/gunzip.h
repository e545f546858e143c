/* gunzip.h - private to the source layer: inflate a gzip file once to an anonymous
 * temporary file, so the dump reader gets cheap random access afterwards. */
#ifndef LALSCAN_SOURCE_GUNZIP_H
#define LALSCAN_SOURCE_GUNZIP_H

#include "lalscan/base.h"

/* Inflates every gzip member of fd into a new unlinked file in $TMPDIR (or /tmp);
 * on success *out_fd is that file (caller closes) and *out_size its length. */
int ls_gunzip_to_tmpfile(int fd, const char *path, int *out_fd, uint64_t *out_size, ls_error *err);

#endif
