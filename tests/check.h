/* tests/check.h — minimal assertion helpers for unit tests.
 * A test program runs its checks, prints one line per failure and a summary
 * "N passed, M failed", and exits non-zero if anything failed. */
#ifndef CLNSCL_TEST_CHECK_H
#define CLNSCL_TEST_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int check_pass_, check_fail_;

#define CHECK(cond) do { if (cond) check_pass_++; else { check_fail_++; \
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)

#define CHECK_MSG(cond, ...) do { if (cond) check_pass_++; else { check_fail_++; \
    fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

/* |a − b| ≤ rel·max(|a|,|b|) + abs_ */
#define CHECK_CLOSE(a, b, rel, abs_) do { double a_ = (a), b_ = (b); \
    double tol_ = (rel) * fmax(fabs(a_), fabs(b_)) + (abs_); \
    if (isfinite(a_) && isfinite(b_) && fabs(a_ - b_) <= tol_) check_pass_++; else { check_fail_++; \
    fprintf(stderr, "%s:%d: CHECK_CLOSE failed: %s = %.17g vs %s = %.17g (tol %.3g)\n", \
            __FILE__, __LINE__, #a, a_, #b, b_, tol_); } } while (0)

#define CHECK_STATUS(expr, code) do { int s_ = (expr); if (s_ == (code)) check_pass_++; else { \
    check_fail_++; fprintf(stderr, "%s:%d: %s returned %d, expected %d\n", __FILE__, __LINE__, \
    #expr, s_, (int)(code)); } } while (0)

static inline int check_report(void)
{
    printf("%d passed, %d failed\n", check_pass_, check_fail_);
    return check_fail_ ? 1 : 0;
}

#endif
