/* download_progress.c - the one-line progress report of symbol-server downloads on a
 * terminal's stderr: name, bytes (of the total when known) and rate, ended by a newline. */
#include "cli.h"

#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

static void size_text(char *out, size_t cap, double v)
{
    if (v >= 1048576.0)
        snprintf(out, cap, "%.1f MB", v / 1048576.0);
    else
        snprintf(out, cap, "%.0f KB", v / 1024.0);
}

void cli_download_progress(void *ctx, const char *name, uint64_t done, uint64_t total, double seconds,
                           int finished)
{
    (void)ctx;
    char d[32], t[40] = "", r[32];
    size_text(d, sizeof d, (double)done);
    if (total) {
        char tt[32];
        size_text(tt, sizeof tt, (double)total);
        snprintf(t, sizeof t, " of %s", tt);
    }
    size_text(r, sizeof r, seconds > 0 ? (double)done / seconds : 0);
    fprintf(stderr, "\r\033[Klalscan: downloading %s: %s%s, %s/s%s", name, d, t, r, finished ? "\n" : "");
    fflush(stderr);
}

int cli_show_download_progress(int quiet)
{
    return !quiet && isatty(2);
}
