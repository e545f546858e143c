/* check.h - the unit-test protocol: each check prints "ok - NAME" or "not ok - NAME: why",
 * which tests/run.sh counts. A test program returns non-zero if any check failed. */
#ifndef LALSCAN_CHECK_H
#define LALSCAN_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(cond, ...)                                                              \
    do {                                                                              \
        if (cond) {                                                                   \
            printf("ok - ");                                                          \
        } else {                                                                      \
            printf("not ok - %s:%d (%s) ", __FILE__, __LINE__, #cond);                \
            check_failures++;                                                         \
        }                                                                             \
        printf(__VA_ARGS__);                                                          \
        printf("\n");                                                                 \
    } while (0)

#define CHECK_EQ_U64(a, b, ...)                                                       \
    do {                                                                              \
        uint64_t ca_ = (uint64_t)(a), cb_ = (uint64_t)(b);                            \
        CHECK(ca_ == cb_, __VA_ARGS__);                                               \
        if (ca_ != cb_)                                                               \
            printf("#   got 0x%" PRIx64 ", want 0x%" PRIx64 "\n", ca_, cb_);          \
    } while (0)

#define CHECK_STR(a, b, ...)                                                          \
    do {                                                                              \
        const char *ca_ = (a), *cb_ = (b);                                            \
        int same_ = ca_ && cb_ && strcmp(ca_, cb_) == 0;                              \
        CHECK(same_, __VA_ARGS__);                                                    \
        if (!same_)                                                                   \
            printf("#   got \"%s\", want \"%s\"\n", ca_ ? ca_ : "(null)", cb_ ? cb_ : "(null)"); \
    } while (0)

#define CHECK_DONE() (fflush(stdout), check_failures ? 1 : 0)

#endif
