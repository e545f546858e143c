/* buf.c - the growable text buffer renderers write into, the warning lists every layer keeps,
 * and time formatting shared by the text and JSON renderers. */
#include "lalscan/base.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void ls_buf_printf(ls_buf *b, const char *fmt, ...)
{
    if (!b || b->oom)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->data ? b->data + b->len : NULL, b->data ? b->cap - b->len : 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (!b->data || b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) {
            b->oom = 1;
            return;
        }
        b->data = d;
        b->cap = cap;
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

void ls_buf_free(ls_buf *b)
{
    if (b) {
        free(b->data);
        b->data = NULL;
        b->len = b->cap = 0;
    }
}

void ls_strlist_vadd(ls_strlist *l, size_t max, const char *fmt, va_list ap)
{
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    if (l->n >= max)
        return;
    char **v = realloc(l->v, (l->n + 1) * sizeof *v);
    if (!v)
        return;
    l->v = v;
    if ((v[l->n] = strdup(buf)) != NULL)
        l->n++;
}

void ls_strlist_free(ls_strlist *l)
{
    for (size_t i = 0; l && i < l->n; i++)
        free(l->v[i]);
    if (l) {
        free(l->v);
        l->v = NULL;
        l->n = 0;
    }
}

int ls_filetime_iso(uint64_t ft, char out[32])
{
    const uint64_t epoch_diff = 11644473600ull; /* seconds from 1601 to 1970 */
    uint64_t secs = ft / 10000000ull;
    if (secs < epoch_diff || secs - epoch_diff > 253402300799ull) /* year 9999 */
        return -1;
    time_t t = (time_t)(secs - epoch_diff);
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return -1;
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return 0;
}
