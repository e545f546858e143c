/* sites.c - outstanding allocations grouped by the call site Verifier recorded: one row per
 * return address with its count, bytes and tags, most allocations first. */
#include "analysis_internal.h"

#include <stdlib.h>
#include <string.h>

static int by_weight(const void *x, const void *y)
{
    const ls_site *a = x, *b = y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    if (a->bytes != b->bytes)
        return a->bytes > b->bytes ? -1 : 1;
    return (a->where.address > b->where.address) - (a->where.address < b->where.address);
}

static int by_caller(const void *x, const void *y)
{
    const ls_code_location *a = *(const ls_code_location *const *)x, *b = *(const ls_code_location *const *)y;
    return (a->address > b->address) - (a->address < b->address);
}

int ls_analysis_group_sites(ls_analysis *a)
{
    if (!a->vf || !a->callers || !a->vf->nallocs)
        return 0;
    size_t n = a->vf->nallocs;
    /* Sort pointers to the callers so equal return addresses sit together. */
    const ls_code_location **order = malloc(n * sizeof *order);
    a->sites = calloc(n, sizeof *a->sites);
    if (!order || !a->sites) {
        free(order);
        free(a->sites);
        a->sites = NULL;
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = &a->callers[i];
    qsort(order, n, sizeof *order, by_caller);
    for (size_t i = 0; i < n; i++) {
        const ls_code_location *c = order[i];
        const ls_vf_alloc *al = &a->vf->allocs[c - a->callers];
        ls_site *s = a->nsites ? &a->sites[a->nsites - 1] : NULL;
        if (!s || s->where.address != c->address) {
            s = &a->sites[a->nsites++];
            s->where = *c;
            s->lookaside = -1;
        }
        s->count++;
        s->bytes += al->size;
        size_t t = 0;
        while (t < s->ntags && s->tags[t] != al->tag)
            t++;
        if (t == s->ntags && s->ntags < 8)
            s->tags[s->ntags++] = al->tag;
    }
    free(order);
    qsort(a->sites, a->nsites, sizeof *a->sites, by_weight);
    return 0;
}
