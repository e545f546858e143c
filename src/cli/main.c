/* main.c - lalscan's entry point: dispatch to a subcommand; without one, analyze the dumps
 * given (the default command). */
#include "cli.h"

#include <string.h>

#include "lalscan/base.h"

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    { "info", cli_info },
    { "symbolize", cli_symbolize },
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        cli_help(stderr, "");
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        cli_help(stdout, "");
        return CLI_EXIT_CLEAN;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("lalscan %s\n", LS_VERSION);
        return CLI_EXIT_CLEAN;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    return cli_analyze(argc, argv);
}
