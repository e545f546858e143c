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

int ls_analysis_group_sites(ls_analysis *a)
{
    if (!a->vf || !a->locs || !a->vf->nallocs)
        return 0;
    /* One site per distinct call site address (locs are sorted by address). */
    a->sites = calloc(a->nlocs, sizeof *a->sites);
    a->site_of_loc = malloc(a->nlocs * sizeof *a->site_of_loc);
    if (!a->sites || !a->site_of_loc)
        return -1;
    for (size_t l = 0; l < a->nlocs; l++) {
        a->sites[l].where = a->locs[l];
        a->sites[l].lookaside = -1;
    }
    for (size_t i = 0; i < a->vf->nallocs; i++) {
        const ls_vf_alloc *al = &a->vf->allocs[i];
        ls_site *s = &a->sites[a->leak_loc[i]];
        s->count++;
        s->bytes += al->size;
        size_t t = 0;
        while (t < s->ntags && s->tags[t] != al->tag)
            t++;
        if (t == s->ntags && s->ntags < 8)
            s->tags[s->ntags++] = al->tag;
    }
    a->nsites = a->nlocs;
    qsort(a->sites, a->nsites, sizeof *a->sites, by_weight);
    /* Where each location's site went: locs are sorted by address, sites unique by it. */
    for (size_t s = 0; s < a->nsites; s++) {
        size_t lo = 0, hi = a->nlocs;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (a->locs[mid].address < a->sites[s].where.address)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < a->nlocs)
            a->site_of_loc[lo] = s;
    }
    return 0;
}
