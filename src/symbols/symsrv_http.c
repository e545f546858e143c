/* symsrv_http.c - one HTTP(S) GET for the symbol server client, through libcurl: redirects,
 * proxies from the environment, timeouts, a lalscan User-Agent, progress, and plain reasons. */
#include "symsrv.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* curl_global_init must run once per process before any handle exists. */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

typedef struct sink {
    int fd;
    uint64_t n, cap;
    int failed;   /* errno, or EFBIG when the body passed the cap */
} sink;

static size_t on_data(char *p, size_t size, size_t nmemb, void *ud)
{
    sink *s = ud;
    size_t len = size * nmemb;
    if (len > s->cap - s->n) {
        s->failed = EFBIG;
        return 0;
    }
    for (size_t off = 0; off < len;) {
        ssize_t w = write(s->fd, p + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            s->failed = w < 0 ? errno : EIO;
            return 0;
        }
        off += (size_t)w;
    }
    s->n += len;
    return len;
}

typedef struct prog {
    const sp_net *net;
    const char *name;
    double start, last;
    int shown;
} prog;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Quick transfers show nothing; longer ones a few updates a second. */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)ultotal;
    (void)ulnow;
    prog *p = ud;
    double t = now_s();
    if (dlnow > 0 && t - p->last >= 0.25) {
        p->net->o.progress(p->net->o.progress_ctx, p->name, (uint64_t)dlnow, dltotal > 0 ? (uint64_t)dltotal : 0,
                           t - p->start, 0);
        p->shown = 1;
        p->last = t;
    }
    return 0;
}

/* Turns curl's outcome into our status and a reason a report can print. */
static int classify(CURLcode c, long status, const sink *s, curl_off_t length, const char *ebuf,
                    const sp_net *net, sp_http_result *r)
{
    const char *detail = ebuf[0] ? ebuf : curl_easy_strerror(c);
    switch (c) {
    case CURLE_OK:
        if (status >= 200 && status < 300)
            return 0;
        snprintf(r->why, sizeof r->why, "HTTP %ld", status);
        return LS_EIO;
    case CURLE_HTTP_RETURNED_ERROR:
        if (status == 404 || status == 410)
            return LS_ENOTFOUND;
        snprintf(r->why, sizeof r->why, "HTTP %ld", status);
        return LS_EIO;
    case CURLE_WRITE_ERROR:
        if (s->failed == EFBIG)
            snprintf(r->why, sizeof r->why, "larger than %llu bytes: refused", (unsigned long long)s->cap);
        else
            snprintf(r->why, sizeof r->why, "cannot write to the cache: %s", strerror(s->failed ? s->failed : EIO));
        return LS_EIO;
    case CURLE_PARTIAL_FILE:
        snprintf(r->why, sizeof r->why, "truncated body: %llu of %lld bytes", (unsigned long long)s->n,
                 (long long)length);
        return LS_ETRUNCATED;
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
        r->unreachable = 1;
        snprintf(r->why, sizeof r->why, "server unreachable: %s", detail);
        return LS_EIO;
    case CURLE_OPERATION_TIMEDOUT:
        r->unreachable = status == 0 && s->n == 0;
        snprintf(r->why, sizeof r->why, "timed out (%s; limits: connect %lds, transfer %lds, stall %lds)", detail,
                 net->o.connect_timeout_s, net->o.timeout_s, net->o.stall_s);
        return LS_EIO;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        if (s->n && length > 0 && (uint64_t)length > s->n)
            snprintf(r->why, sizeof r->why, "connection dropped, truncated body: %llu of %lld bytes (%s)",
                     (unsigned long long)s->n, (long long)length, detail);
        else
            snprintf(r->why, sizeof r->why, "connection dropped: %s", detail);
        return LS_EIO;
    default:
        snprintf(r->why, sizeof r->why, "%s", detail);
        return LS_EIO;
    }
}

int ls_symsrv_http_get(const sp_net *net, const char *url, const char *name, int fd, uint64_t max,
                       sp_http_result *r)
{
    memset(r, 0, sizeof *r);
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK) {
        snprintf(r->why, sizeof r->why, "libcurl: %s", curl_easy_strerror(curl_init_rc));
        return LS_EIO;
    }
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(r->why, sizeof r->why, "libcurl: cannot make a handle");
        return LS_ENOMEM;
    }
    char ebuf[CURL_ERROR_SIZE] = "";
    sink s = {fd, 0, max, 0};
    prog p = {net, name, now_s(), now_s(), 0};
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for DNS timeouts */
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 8L);
    curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L); /* error pages never reach the cache */
    curl_easy_setopt(h, CURLOPT_USERAGENT, "lalscan/" LS_VERSION);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, net->o.connect_timeout_s);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, net->o.timeout_s);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, net->o.stall_s);
    if (net->ca_bundle[0])
        curl_easy_setopt(h, CURLOPT_CAINFO, net->ca_bundle);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    if (net->o.progress) {
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, &p);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    }
    CURLcode c = curl_easy_perform(h);
    long status = 0;
    curl_off_t length = -1;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    curl_easy_cleanup(h);
    r->status = status;
    r->bytes = s.n;
    if (p.shown)
        net->o.progress(net->o.progress_ctx, name, s.n, length > 0 ? (uint64_t)length : 0, now_s() - p.start, 1);
    return classify(c, status, &s, length, ebuf, net, r);
}
