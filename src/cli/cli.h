/* cli.h - the command-line front end's own declarations: one entry point per subcommand.
 * The CLI only parses options and calls the library; it is the only place that prints. */
#ifndef LALSCAN_CLI_H
#define LALSCAN_CLI_H

#include <stdint.h>
#include <stdio.h>

/* Exit statuses (DESIGN.md): */
enum {
    CLI_EXIT_CLEAN = 0,    /* analyzed, nothing found */
    CLI_EXIT_FOUND = 1,    /* a leak or Verifier violation found */
    CLI_EXIT_USAGE = 2,    /* usage error */
    CLI_EXIT_UNREADABLE = 3 /* at least one input could not be read */
};

int cli_analyze(int argc, char **argv);
int cli_info(int argc, char **argv);
int cli_symbolize(int argc, char **argv);

/* Symbol-server downloads on a terminal (download_progress.c): an ls_symsrv_progress_fn,
 * and whether to use it (stderr is a terminal and not --quiet). */
void cli_download_progress(void *ctx, const char *name, uint64_t done, uint64_t total, double seconds,
                           int finished);
int cli_show_download_progress(int quiet);

/* Prints the help text for a subcommand ("" = main) to f. */
void cli_help(FILE *f, const char *command);

#endif
