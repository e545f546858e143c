/* cmd_info.c - `lalscan info DUMP`: open the dump, gather kernel facts, print them as text
 * or JSON. Exit 3 when the dump cannot be read at all. */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>

#include "lalscan/report.h"

static int info_one(const char *path, unsigned flags, int json, int stats)
{
    ls_error err;
    ls_error_clear(&err);
    ls_dump *d = NULL;
    ls_vmem *vm = NULL;
    ls_kernel *k = NULL;
    ls_buf out = { 0 };
    int rc = ls_dump_open(path, &d, &err);
    if (!rc)
        rc = ls_vmem_open(d, &vm, &err);
    if (!rc)
        rc = ls_kernel_open(d, vm, &k, &err);
    if (!rc)
        rc = json ? ls_report_info_json(d, k, path, flags, &out, &err)
                  : ls_report_info_text(d, k, path, flags, &out);
    if (rc) {
        if (rc == LS_ENOMEM)
            ls_error_oom(&err);
        fprintf(stderr, "lalscan: %s\n", err.msg);
        if (json && ls_report_error_json(path, &err, &out) == 0)
            fwrite(out.data, 1, out.len, stdout);
    } else {
        fwrite(out.data, 1, out.len, stdout);
    }
    if (stats && d)
        fprintf(stderr, "lalscan: %s: %" PRIu64 " bytes of the dump's mapping read, %" PRIu64 " pages present\n", path,
                ls_dump_bytes_read(d), ls_dump_present_pages(d));
    ls_buf_free(&out);
    ls_kernel_free(k);
    ls_vmem_free(vm);
    ls_dump_free(d);
    return rc ? CLI_EXIT_UNREADABLE : CLI_EXIT_CLEAN;
}

int cli_info(int argc, char **argv)
{
    static const struct option opts[] = {
        { "modules", no_argument, NULL, 'm' },
        { "json", no_argument, NULL, 'J' },
        { "stats", no_argument, NULL, 'S' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    unsigned flags = 0;
    int json = 0, stats = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "mh", opts, NULL)) != -1) {
        switch (c) {
        case 'm': flags |= LS_INFO_MODULES; break;
        case 'J': json = 1; break;
        case 'S': stats = 1; break;
        case 'h': cli_help(stdout, "info"); return CLI_EXIT_CLEAN;
        default: fprintf(stderr, "Try 'lalscan --help'.\n"); return CLI_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "lalscan info: no dump given\nTry 'lalscan --help'.\n");
        return CLI_EXIT_USAGE;
    }
    int status = CLI_EXIT_CLEAN;
    for (int i = optind; i < argc; i++) {
        if (!json && i > optind)
            printf("\n");
        int r = info_one(argv[i], flags, json, stats);
        if (r > status)
            status = r;
    }
    return status;
}
