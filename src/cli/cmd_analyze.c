/* cmd_analyze.c - `lalscan [OPTIONS] DUMP|DIR|-...`: analyze each dump and print its report (text,
 * or one JSON document per line); folders, lists on stdin and the database go to the triage
 * library. Exit 1 when a leak or violation was found, 3 when an input could not be read. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lalscan/report.h"
#include "lalscan/triage.h"

typedef struct run_opts {
    ls_analysis_options a;
    int json;
    const char *output;
    unsigned jobs;
    const char *summary;
    const char *db;
    int only_new;
    int quiet, verbose;
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

typedef struct batch_ctx {
    const run_opts *o;
    FILE *out;
    int write_failed;
    double t0;
} batch_ctx;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int on_result(void *ctx, const ls_batch_result *r)
{
    batch_ctx *c = ctx;
    if (!c->o->json || !r->report_json)
        return 0;
    if (c->o->only_new && (r->status == 0 ? !r->new_bucket : r->from_db))
        return 0;
    if (fputs(r->report_json, c->out) == EOF)
        c->write_failed = 1;
    return 0;
}

/* files done/total, rate and ETA on one line, redrawn in place; only on a terminal */
static void on_progress(void *ctx, size_t done, size_t total)
{
    batch_ctx *c = ctx;
    double el = now_s() - c->t0, rate = el > 0 ? done / el : 0;
    if (done >= total) {
        fputs("\r\033[K", stderr);
        return;
    }
    char bar[31];
    size_t fill = total ? done * 30 / total : 0;
    for (size_t i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = 0;
    long eta = rate > 0 ? (long)((total - done) / rate + 0.5) : -1;
    if (eta >= 0)
        fprintf(stderr, "\r\033[Klalscan: [%s] %zu/%zu files  %.1f/s  ETA %ld:%02ld", bar, done, total,
                rate, eta / 60, eta % 60);
    else
        fprintf(stderr, "\r\033[Klalscan: [%s] %zu/%zu files", bar, done, total);
    fflush(stderr);
}

/* Writes buf to path under a temporary name, renamed when complete. */
static int write_file(const char *path, const ls_buf *b)
{
    char tmp[4096];
    FILE *f = open_output(path, tmp, sizeof tmp);
    if (!f)
        return -1;
    size_t n = b->len ? fwrite(b->data, 1, b->len, f) : 0;
    if (fclose(f) != 0 || n != b->len || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

static int run_batch(const run_opts *o, char **paths, int npaths, FILE *out)
{
    batch_ctx c = { .o = o, .out = out, .t0 = now_s() };
    ls_batch_options bo = { .analysis = o->a, .jobs = o->jobs, .want_reports = o->json,
                            .db_path = o->db, .on_result = on_result, .ctx = &c };
    if (!o->quiet && isatty(2))
        bo.on_progress = on_progress;
    ls_error err;
    ls_error_clear(&err);
    ls_batch *b = NULL;
    int rc = ls_batch_new(&bo, &b, &err);
    int stdin_used = 0;
    for (int i = 0; !rc && i < npaths; i++) {
        if (!strcmp(paths[i], "-")) {
            if (stdin_used++)
                continue;
            rc = ls_batch_add_list(b, stdin, &err);
        } else {
            rc = ls_batch_add(b, paths[i], &err);
        }
    }
    if (!rc)
        rc = ls_batch_run(b, &err);
    if (rc) {
        if (rc == LS_ENOMEM)
            ls_error_oom(&err);
        fprintf(stderr, "lalscan: %s\n", err.msg);
        ls_batch_free(b);
        return CLI_EXIT_UNREADABLE;
    }
    ls_batch_counts n;
    ls_batch_get_counts(b, &n);
    ls_buf buf = { 0 };
    if (!o->json) {
        ls_batch_text(b, o->only_new, &buf);
        fwrite(buf.data, 1, buf.len, out);
        ls_buf_free(&buf);
    }
    int status = n.errors ? CLI_EXIT_UNREADABLE : n.found ? CLI_EXIT_FOUND : CLI_EXIT_CLEAN;
    if (o->summary) {
        if (ls_batch_summary_json(b, o->only_new, &buf) != 0 || write_file(o->summary, &buf) != 0) {
            fprintf(stderr, "lalscan: %s: cannot write the summary: %s\n", o->summary, strerror(errno));
            status = CLI_EXIT_UNREADABLE;
        }
        ls_buf_free(&buf);
    }
    if (c.write_failed)
        status = CLI_EXIT_UNREADABLE;
    if (o->verbose)
        fprintf(stderr, "lalscan: %zu files: %zu dumps (%zu analyzed, %zu from the database), %zu not dumps, "
                "%zu errors, %zu found, %zu new buckets\n", n.files, n.dumps, n.analyzed, n.from_db,
                n.not_dumps, n.errors, n.found, n.new_buckets);
    ls_batch_free(b);
    return status;
}

/* Folders, stdin lists and the database are batch work; one or several plain files keep
 * the one-report-per-dump output. */
static int wants_batch(const run_opts *o, char **paths, int n)
{
    if (o->db || o->summary || o->only_new)
        return 1;
    for (int i = 0; i < n; i++) {
        struct stat st;
        if (!strcmp(paths[i], "-") || (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)))
            return 1;
    }
    return 0;
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
        { "offline", no_argument, NULL, 'O' },
        { "quiet", no_argument, NULL, 'q' },
        { "verbose", no_argument, NULL, 'v' },
        { "jobs", required_argument, NULL, 'j' },
        { "summary", required_argument, NULL, 'S' },
        { "db", required_argument, NULL, 'B' },
        { "new", no_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    run_opts o;
    memset(&o, 0, sizeof o);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "y:i:o:j:qvh", opts, NULL)) != -1) {
        switch (c) {
        case 'y': o.a.symbol_path = optarg; break;
        case 'i': o.a.image_path = optarg; break;
        case 'N': o.a.nt_pdb = optarg; break;
        case 'D': o.a.driver = optarg; break;
        case 'J': o.json = 1; break;
        case 'o': o.output = optarg; break;
        case 'F': o.a.force_pdb = 1; break;
        case 'O': o.a.offline = 1; break;
        case 'q': o.quiet = 1; break;
        case 'v': o.verbose = 1; break;
        case 'j': {
            char *end;
            errno = 0;
            unsigned long j = strtoul(optarg, &end, 10);
            if (errno || *end || !*optarg || j == 0 || j > 256) {
                fprintf(stderr, "lalscan: -j %s: want a number of workers from 1 to 256\n", optarg);
                return CLI_EXIT_USAGE;
            }
            o.jobs = (unsigned)j;
            break;
        }
        case 'S': o.summary = optarg; break;
        case 'B': o.db = optarg; break;
        case 'n': o.only_new = 1; break;
        case 'h': cli_help(stdout, ""); return CLI_EXIT_CLEAN;
        default: fprintf(stderr, "Try 'lalscan --help'.\n"); return CLI_EXIT_USAGE;
        }
    }
    if (cli_show_download_progress(o.quiet))
        o.a.progress = cli_download_progress;
    if (optind >= argc) {
        fprintf(stderr, "lalscan: no dump given\nTry 'lalscan --help'.\n");
        return CLI_EXIT_USAGE;
    }
    if (o.only_new && !o.db) {
        fprintf(stderr, "lalscan: --new needs --db FILE (new compared to what the database knows)\n"
                        "Try 'lalscan --help'.\n");
        return CLI_EXIT_USAGE;
    }
    int batch = wants_batch(&o, argv + optind, argc - optind);
    FILE *out = stdout;
    char tmp[4096];
    if (o.output && !(out = open_output(o.output, tmp, sizeof tmp))) {
        fprintf(stderr, "lalscan: %s: cannot create: %s\n", o.output, strerror(errno));
        return CLI_EXIT_UNREADABLE;
    }
    int status = CLI_EXIT_CLEAN;
    if (batch)
        status = run_batch(&o, argv + optind, argc - optind, out);
    for (int i = optind; !batch && i < argc; i++) {
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
