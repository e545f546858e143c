/* test_symsrv.c - the symbol-server side of symbol paths without a server: which elements
 * become servers and which cache each uses, skipped lists before and after networking,
 * options from the environment, offline lookups through the default cache, unreachable hosts. */
#include "check.h"
#include "lalscan/symbols.h"
#include "../../src/symbols/sympath_internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *fix;

static const sp_elem *server(const ls_sympath *sp, size_t k)
{
    for (size_t i = 0; i < sp->n; i++)
        if (sp->el[i].store == SP_SERVER && k-- == 0)
            return &sp->el[i];
    return NULL;
}

static void test_parse(void)
{
    ls_sympath *sp = NULL;
    ls_error err = {0};
    int rc = ls_sympath_parse("srv*/a*/b*https://one.example/sym;cache*/c;srv*https://two.example;"
                              "symsrv*symsrv.dll*/s*http://three.example;SRV**https://four.example;https://bare",
                              &sp, &err);
    CHECK(rc == 0, "parse (%s)", err.msg);
    if (rc)
        return;
    CHECK_EQ_U64(ls_sympath_server_count(sp), 0, "no servers used before ls_sympath_set_network");
    CHECK_EQ_U64(ls_sympath_count(sp), 4, "local elements: /a /b /c /s");
    CHECK_EQ_U64(ls_sympath_skipped_count(sp), 6, "offline: 4 URLs, an empty element and a bare URL skipped");
    const sp_elem *e;
    CHECK((e = server(sp, 0)) && !strcmp(e->path, "https://one.example/sym") && e->cache && !strcmp(e->cache, "/a"),
          "srv*/a*/b*URL: cache is the leftmost local store");
    CHECK((e = server(sp, 1)) && e->cache && !strcmp(e->cache, "/c"), "cache*/c applies to a following srv*URL");
    CHECK((e = server(sp, 2)) && e->cache && !strcmp(e->cache, "/s"), "symsrv*dll*/s*URL: cache /s");
    CHECK((e = server(sp, 3)) && e->cache && !strcmp(e->cache, "/c"), "srv**URL after cache*/c: /c");
    CHECK(server(sp, 4) == NULL, "a bare URL is not a server");
    ls_symsrv_options o;
    memset(&o, 0, sizeof o);
    o.default_cache = "/nonexistent-default";
    CHECK(ls_sympath_set_network(sp, &o, &err) == 0, "set_network");
    CHECK_EQ_U64(ls_sympath_server_count(sp), 4, "four servers once networked");
    CHECK_EQ_U64(ls_sympath_skipped_count(sp), 1, "only the bare URL stays skipped");
    CHECK(ls_sympath_skipped(sp, 0) && strstr(ls_sympath_skipped(sp, 0), "https://bare"), "it is named: %s",
          ls_sympath_skipped(sp, 0) ? ls_sympath_skipped(sp, 0) : "(null)");
    CHECK(ls_sympath_set_network(sp, NULL, &err) == 0 && ls_sympath_server_count(sp) == 0 &&
              ls_sympath_skipped_count(sp) == 6,
          "set_network(NULL) goes back to offline");
    ls_sympath_free(sp);
    CHECK(ls_sympath_parse("srv*https://x.example", &sp, &err) == 0 && server(sp, 0) && !server(sp, 0)->cache,
          "srv*URL: the default cache");
    ls_sympath_free(sp);
    CHECK(ls_sympath_set_network(NULL, NULL, &err) == LS_EINVAL, "no path: LS_EINVAL");
    const char *home = getenv("HOME");
    setenv("HOME", "/home/someone", 1);
    CHECK(ls_sympath_parse("srv*~/.cache/sym*https://x.example;~;~user/x", &sp, &err) == 0 &&
              !strcmp(ls_sympath_element(sp, 0, NULL), "/home/someone/.cache/sym") &&
              !strcmp(server(sp, 0)->cache, "/home/someone/.cache/sym") &&
              !strcmp(ls_sympath_element(sp, 1, NULL), "/home/someone") &&
              !strcmp(ls_sympath_element(sp, 2, NULL), "~user/x"),
          "a leading ~/ is $HOME (quoted paths reach lalscan unexpanded); ~user is left alone");
    ls_sympath_free(sp);
    if (home)
        setenv("HOME", home, 1);
    else
        unsetenv("HOME");
}

static void test_options(void)
{
    ls_symsrv_options o;
    setenv("LALSCAN_OFFLINE", "1", 1);
    setenv("LALSCAN_SYMSRV_TIMEOUT", "7", 1);
    setenv("LALSCAN_SYMSRV_CONNECT_TIMEOUT", "2", 1);
    setenv("LALSCAN_SYMSRV_MISS_TTL", "-1", 1);
    ls_symsrv_options_init(&o);
    CHECK(o.offline == 1 && o.timeout_s == 7 && o.connect_timeout_s == 2 && o.miss_ttl_s == -1,
          "options from the environment");
    setenv("LALSCAN_OFFLINE", "0", 1);
    setenv("LALSCAN_SYMSRV_TIMEOUT", "x", 1);
    ls_symsrv_options_init(&o);
    CHECK(o.offline == 0 && o.timeout_s == 0, "LALSCAN_OFFLINE=0 is online; a bad number keeps the default");
    unsetenv("LALSCAN_OFFLINE");
    unsetenv("LALSCAN_SYMSRV_TIMEOUT");
    unsetenv("LALSCAN_SYMSRV_CONNECT_TIMEOUT");
    unsetenv("LALSCAN_SYMSRV_MISS_TTL");
}

static int codeview_of(const char *image, ls_codeview *cv)
{
    ls_pe *pe = NULL;
    if (ls_pe_open_file(image, &pe, NULL) < 0)
        return -1;
    int rc = ls_pe_codeview(pe, cv, NULL);
    ls_pe_free(pe);
    return rc;
}

/* Offline, srv*URL still reads its default cache; an empty cache names the offline reason. */
static void test_offline_default_cache(void)
{
    char image[1024], store[1024], spec[256] = "srv*http://127.0.0.1:1/never";
    snprintf(image, sizeof image, "%s/drivers/bin/laldrv-x64-O2.sys", fix);
    snprintf(store, sizeof store, "%s/stores/store", fix);
    ls_codeview cv;
    CHECK(codeview_of(image, &cv) == 0, "fixture image has a CodeView record");
    ls_sympath *sp = NULL;
    ls_error err = {0};
    ls_sympath_parse(spec, &sp, &err);
    ls_symsrv_options o;
    memset(&o, 0, sizeof o);
    o.offline = 1;
    o.default_cache = store;
    ls_sympath_set_network(sp, &o, &err);
    ls_found_file f = {.fd = -1};
    int rc = ls_sympath_find_pdb(sp, &cv, &f, &err);
    CHECK(rc == 0 && strstr(f.path, "/stores/store/laldrv-x64-O2.pdb/"), "offline: found in the default cache (%s)",
          rc ? err.msg : f.path);
    if (rc == 0)
        close(f.fd);
    o.default_cache = "/nonexistent/lalscan-cache";
    ls_sympath_set_network(sp, &o, &err);
    rc = ls_sympath_find_pdb(sp, &cv, &f, &err);
    CHECK(rc == LS_ENOTFOUND && strstr(err.msg, "offline: not contacted"), "offline miss says why: %s", err.msg);
    ls_sympath_free(sp);
}

/* Port 1 on loopback refuses at once: the reason is recorded and the server not asked again. */
static void test_unreachable(void)
{
    char image[1024], cache[1024];
    const char *td = getenv("TMPDIR");
    snprintf(cache, sizeof cache, "%s/lalscan-symsrv-XXXXXX", td && *td ? td : P_tmpdir);
    snprintf(image, sizeof image, "%s/drivers/bin/laldrv-x64-O2.sys", fix);
    if (!mkdtemp(cache)) {
        CHECK(0, "mkdtemp");
        return;
    }
    ls_codeview cv;
    codeview_of(image, &cv);
    ls_sympath *sp = NULL;
    ls_error err = {0};
    char spec[256];
    snprintf(spec, sizeof spec, "srv*%s*http://127.0.0.1:1", cache);
    ls_sympath_parse(spec, &sp, &err);
    ls_symsrv_options o;
    ls_symsrv_options_init(&o);
    o.offline = 0;
    o.connect_timeout_s = 2;
    ls_sympath_set_network(sp, &o, &err);
    ls_found_file f = {.fd = -1};
    int rc = ls_sympath_find_pdb(sp, &cv, &f, &err);
    CHECK(rc == LS_ENOTFOUND && strstr(err.msg, "unreachable"), "unreachable server: %s", err.msg);
    rc = ls_sympath_find_pdb(sp, &cv, &f, &err);
    CHECK(rc == LS_ENOTFOUND && strstr(err.msg, "not asked again"), "then not asked again: %s", err.msg);
    ls_sympath_free(sp);
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", cache);
    CHECK(system(cmd) == 0, "cleanup");
}

int main(void)
{
    fix = getenv("FIX");
    if (!fix) {
        CHECK(0, "FIX is not set (run through tests/run.sh)");
        return CHECK_DONE();
    }
    setenv("no_proxy", "*", 1); /* loopback only, whatever proxy the environment names */
    test_parse();
    test_options();
    test_offline_default_cache();
    test_unreachable();
    return CHECK_DONE();
}
