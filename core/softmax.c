/* core/softmax.c — masked softmax / log-sum-exp (include/clnscl/softmax.h; THEORY.md §3.2,
 * EDGE_CASES L4). */
#include "clnscl/softmax.h"

#include "clnscl/hot.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* e^x for x ≤ 0 (NaN-free; −∞ and x < −708 give 0, where e^x < 3.3e-308 is negligible against the
 * maximum term 1 of a softmax). Cody–Waite reduction x = k ln 2 + r, |r| ≤ ln2/2, rounding through
 * the 1.5·2^52 shift; e^r by its degree-13 Taylor polynomial (truncation < 4e-18 relative); 2^k from
 * the exponent bits of the shifted value. Within 1 ulp of libm's exp on [−708, 0] (tests/test_sim.c);
 * written branch-free so that the softmax loop vectorises. */
static inline double exp_nonpos(double x)
{
    const double xc = x < -708.0 ? -708.0 : x;
    const double t = xc * 1.4426950408889634 + 0x1.8p52;
    const double kd = t - 0x1.8p52;
    const double r = (xc - kd * 0x1.62e42fee00000p-1) - kd * 0x1.a39ef35793c76p-33;
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    uint64_t tb, sb;
    memcpy(&tb, &t, sizeof tb);
    sb = (tb + 1023u) << 52; /* (k + 1023) << 52 modulo 2^64 */
    double sc;
    memcpy(&sc, &sb, sizeof sc);
    return x < -708.0 ? 0.0 : p * sc;
}

double clnscl_exp_nonpos(double x) { return exp_nonpos(x); }

CLNSCL_HOT int clnscl_softmax_masked(double *g, long n, double scale, double *m_out, double *log1p_rest)
{
    /* four independent running maxima (max is exact: same m as a sequential scan), then the
     * first position attaining it */
    double m0 = -INFINITY, m1 = -INFINITY, m2 = -INFINITY, m3 = -INFINITY;
    long j4 = 0;
    for (; j4 + 4 <= n; j4 += 4) {
        m0 = g[j4] > m0 ? g[j4] : m0;
        m1 = g[j4 + 1] > m1 ? g[j4 + 1] : m1;
        m2 = g[j4 + 2] > m2 ? g[j4 + 2] : m2;
        m3 = g[j4 + 3] > m3 ? g[j4 + 3] : m3;
    }
    for (; j4 < n; j4++) m0 = g[j4] > m0 ? g[j4] : m0;
    m0 = m1 > m0 ? m1 : m0;
    m2 = m3 > m2 ? m3 : m2;
    const double m = m2 > m0 ? m2 : m0;
    if (m == -INFINITY) return -1;
    long jm = 0;
    while (jm < n && g[jm] != m) jm++;
    for (long j = 0; j < n; j++) g[j] = exp_nonpos(g[j] - m); /* −∞ (outside the set) → 0 */
    g[jm] = 0.0; /* the maximum's own term e^0 = 1 is added exactly below */
    double z0 = 0.0, z1 = 0.0, z2 = 0.0, z3 = 0.0;
    long j = 0;
    for (; j + 4 <= n; j += 4) {
        z0 += g[j];
        z1 += g[j + 1];
        z2 += g[j + 2];
        z3 += g[j + 3];
    }
    for (; j < n; j++) z0 += g[j];
    const double zrest = (z0 + z1) + (z2 + z3);
    g[jm] = 1.0;
    const double f = scale / (1.0 + zrest);
    for (j = 0; j < n; j++) g[j] *= f;
    *m_out = m;
    *log1p_rest = log1p(zrest);
    return 0;
}
