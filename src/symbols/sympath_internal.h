/* sympath_internal.h - private to the symbol-path code (sympath.c, symstore.c): the parsed
 * path and the bounded "where we looked" log that a not-found message is made from. */
#ifndef LALSCAN_SYMPATH_INTERNAL_H
#define LALSCAN_SYMPATH_INTERNAL_H

#include "lalscan/symbols.h"

#include <stddef.h>

enum { SP_MAX_ELEMENTS = 256 };

enum { SP_FOLDER = 0, SP_STORE = 1, SP_SERVER = 2 };

typedef struct {
    char *path;  /* SP_SERVER: the URL */
    int store;   /* SP_FOLDER, SP_STORE, SP_SERVER */
    char *cache; /* SP_SERVER: downstream store, NULL for the default cache */
} sp_elem;

typedef struct sp_net sp_net; /* symsrv.h */

struct ls_sympath {
    sp_elem *el;
    size_t n;
    char **skipped;
    int *skipped_server; /* 1: a server's URL or empty cache element, used once networked */
    size_t nskipped;
    ls_sympath_check_fn check;
    void *check_ctx;
    sp_net *net;         /* NULL: servers are skipped */
};

/* Where a search looked, for the not-found message; bounded, counts what did not fit. */
typedef struct {
    char text[700];
    unsigned omitted;
} sp_log;

void sp_log_add(sp_log *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* What is being looked for: a file name and, for stores, its key; check decides whether a
 * by-name candidate from a plain folder is the right one (0 yes, LS_EMISMATCH no). */
typedef struct sp_want {
    const char *name;
    const char *key;
    const char *exts[4]; /* sub-folders of a plain folder: symbols/<ext>, <ext> */
    int (*check)(const struct sp_want *w, int fd, const char *path, ls_error *err);
    const ls_sympath *sp;
    uint32_t timestamp, size_of_image; /* images */
} sp_want;

/* 0 found (out filled), LS_ENOTFOUND not here (log updated), other errors are real failures. */
/* quiet: the caller only guesses that root may be a store; log nothing unless it looks like one. */
int ls_store_lookup(const char *root, int quiet, const sp_want *w, ls_found_file *out, sp_log *log,
                    ls_error *err);
int ls_folder_lookup(const char *dir, const sp_want *w, ls_found_file *out, sp_log *log, ls_error *err);

#endif
