/* cmd_analyze.c - `lalscan [OPTIONS] DUMP...`: analyze each dump and print its report (text,
 * or one JSON document per line). Exit 1 when a leak or violation was found, 3 when an input
 * could not be read (the others are still reported). */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lalscan/report.h"

typedef struct run_opts {
    ls_analysis_options a;
    int json;
    const char *output;
} run_opts;

static int analyze_one(const char *path, const run_opts *o, FILE *out, int first)
{
    ls_error err;
    ls_error_clear(&err);
    ls_analysis *a = NULL;
    ls_buf buf = { 0 };
    int rc = ls_analyze_dump(path, &o->a, &a, &err);
    if (!rc)
        rc = o->json ? ls_report_analysis_json(a, &buf, &err) : ls_report_analysis_text(a, &buf);
    int status;
    if (rc) {
        if (rc == LS_ENOMEM)
            ls_error_oom(&err);
        fprintf(stderr, "lalscan: %s\n", err.msg);
        if (o->json && ls_report_error_json(path, &err, &buf) == 0)
            fwrite(buf.data, 1, buf.len, out);
        status = CLI_EXIT_UNREADABLE;
    } else {
        if (!o->json && !first)
            fputs("\n", out);
        fwrite(buf.data, 1, buf.len, out);
        status = ls_analysis_found(a) ? CLI_EXIT_FOUND : CLI_EXIT_CLEAN;
    }
    ls_buf_free(&buf);
    ls_analysis_free(a);
    return status;
}

/* -o FILE: written under a temporary name and renamed when complete. */
static FILE *open_output(const char *path, char *tmp, size_t n)
{
    snprintf(tmp, n, "%s.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return NULL;
    return fdopen(fd, "w");
}

int cli_analyze(int argc, char **argv)
{
    static const struct option opts[] = {
        { "symbols", required_argument, NULL, 'y' },
        { "images", required_argument, NULL, 'i' },
        { "nt-pdb", required_argument, NULL, 'N' },
        { "driver", required_argument, NULL, 'D' },
        { "json", no_argument, NULL, 'J' },
        { "output", required_argument, NULL, 'o' },
        { "force", no_argument, NULL, 'F' },
        { "quiet", no_argument, NULL, 'q' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    run_opts o;
    memset(&o, 0, sizeof o);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "y:i:o:qvh", opts, NULL)) != -1) {
        switch (c) {
        case 'y': o.a.symbol_path = optarg; break;
        case 'i': o.a.image_path = optarg; break;
        case 'N': o.a.nt_pdb = optarg; break;
        case 'D': o.a.driver = optarg; break;
        case 'J': o.json = 1; break;
        case 'o': o.output = optarg; break;
        case 'F': o.a.force_pdb = 1; break;
        case 'q': case 'v': break;
        case 'h': cli_help(stdout, ""); return CLI_EXIT_CLEAN;
        default: fprintf(stderr, "Try 'lalscan --help'.\n"); return CLI_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "lalscan: no dump given\nTry 'lalscan --help'.\n");
        return CLI_EXIT_USAGE;
    }
    FILE *out = stdout;
    char tmp[4096];
    if (o.output && !(out = open_output(o.output, tmp, sizeof tmp))) {
        fprintf(stderr, "lalscan: %s: cannot create: %s\n", o.output, strerror(errno));
        return CLI_EXIT_UNREADABLE;
    }
    int status = CLI_EXIT_CLEAN;
    for (int i = optind; i < argc; i++) {
        int r = analyze_one(argv[i], &o, out, i == optind);
        if (r == CLI_EXIT_UNREADABLE || (r == CLI_EXIT_FOUND && status == CLI_EXIT_CLEAN))
            status = r;
    }
    if (o.output) {
        if (fclose(out) != 0 || rename(tmp, o.output) != 0) {
            fprintf(stderr, "lalscan: %s: cannot write: %s\n", o.output, strerror(errno));
            unlink(tmp);
            return CLI_EXIT_UNREADABLE;
        }
    }
    return status;
}
