/* help.c - `--help` text, generated at build time from the manual page so the two never
 * disagree (tools/man2help.awk writes help.h from man/lalscan.1). */
#include "cli.h"

#include "help.h"

void cli_help(FILE *f, const char *command)
{
    (void)command; /* one text for all commands: it is short and the commands share options */
    for (const char *const *l = help_lines; *l; l++)
        fprintf(f, "%s\n", *l);
}
