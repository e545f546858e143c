/* download_progress.c - the one-line progress report of symbol-server downloads on a
 * terminal's stderr: name, bytes (of the total when known) and rate, ended by a newline. */
#include "cli.h"

#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

void cli_download_progress(void *ctx, const char *name, uint64_t done, uint64_t total, double seconds,
                           int finished)
{
    (void)ctx;
    double rate = seconds > 0 ? (double)done / seconds : 0;
    char tot[32] = "";
    if (total)
        snprintf(tot, sizeof tot, " of %.1f", (double)total / 1048576.0);
    fprintf(stderr, "\r\033[Klalscan: downloading %s: %.1f%s MB, %.1f MB/s%s", name, (double)done / 1048576.0, tot,
            rate / 1048576.0, finished ? "\n" : "");
    fflush(stderr);
}

int cli_show_download_progress(int quiet)
{
    return !quiet && isatty(2);
}
