/* vf_internal.h - private to the verifier layer: helpers shared by the record walker. */
#ifndef LALSCAN_VF_INTERNAL_H
#define LALSCAN_VF_INTERNAL_H

#include "lalscan/verifier.h"

#define VI_POOL_PAGE_HEADER_SIGNATURE 0x21321345u
#define MI_VERIFIER_ENTRY_SIGNATURE 0x98761940u

enum { VF_MAX_PAGES = 1 << 16, VF_MAX_ALLOCS = 1 << 22, VF_MAX_HASH = 1 << 22 };

/* Cross-checks one leaked block against the POOL_HEADER in front of it. */
void ls_vf_check_pool_header(ls_vmem *vm, ls_vf_alloc *a);

/* Adds an allocation (grows the array); -1 on out of memory or past VF_MAX_ALLOCS. */
int ls_vf_add_alloc(ls_vf_driver *d, const ls_vf_alloc *a);
void ls_vf_warn(ls_vf_driver *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Enumerates the allocations of d->record in layout d->layout (tracker pages or hash array). */
int ls_vf_walk(ls_vmem *vm, ls_vf_driver *d, ls_error *err);

#endif
