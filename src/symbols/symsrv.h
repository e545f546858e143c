/* symsrv.h - private to the symbol-path code: the networked state of a symbol path and the
 * lookup of one srv*CACHE*URL element (cache, then the server, stored back into the cache). */
#ifndef LALSCAN_SYMSRV_H
#define LALSCAN_SYMSRV_H

#include "sympath_internal.h"

struct sp_net {
    ls_symsrv_options o;
    char default_cache[1024];     /* "" when there is none (why says so) */
    char default_cache_why[160];
    char ca_bundle[1024];         /* "" : the system's CAs */
    char *dead[SP_MAX_ELEMENTS];  /* per element: why its server is not asked again in this run */
};

typedef struct sp_http_result {
    long status;                  /* HTTP status, 0 when no answer came */
    uint64_t bytes;               /* body bytes written */
    int unreachable;              /* no answer at all: do not ask this server again in this run */
    char why[320];                /* failures: "HTTP 500", "truncated body: ...", ... */
} sp_http_result;

/* GET url into fd (at most max bytes); name is shown in progress reports. 0: a 2xx body is
 * in fd; LS_ENOTFOUND: 404 or 410; other negative codes: failure, r->why says which.
 * (symsrv_http.c) */
int ls_symsrv_http_get(const sp_net *net, const char *url, const char *name, int fd, uint64_t max,
                       sp_http_result *r);

int ls_symsrv_net_new(const ls_symsrv_options *o, sp_net **out, ls_error *err);
void ls_symsrv_net_free(sp_net *net);

/* 0 found (out filled), LS_ENOTFOUND with the reason in log; index is e's element index. */
int ls_symsrv_lookup(sp_net *net, size_t index, const sp_elem *e, const sp_want *w, ls_found_file *out,
                     sp_log *log, ls_error *err);

#endif
