/* core/softmax.c — masked softmax / log-sum-exp (include/clnscl/softmax.h; THEORY.md §3.2,
 * EDGE_CASES L4). */
#include "clnscl/softmax.h"

#include "clnscl/hot.h"
#include "clnscl/lanes.h"

#include <math.h>


CLNSCL_HOT int clnscl_softmax_masked(double *g, long n, double scale, double *m_out, double *log1p_rest)
{
    const long nc = n - n % CLNSCL_LANES; /* whole chunks; the rest goes to lane 0 */
    /* maximum of the set (exact: its order does not matter) */
    clnscl_v8 mx = clnscl_v8_splat(-INFINITY);
    for (long j = 0; j < nc; j += CLNSCL_LANES) mx = clnscl_v8_max(clnscl_v8_load(g + j), mx);
    double m = clnscl_v8_hmax(mx);
    for (long j = nc; j < n; j++) m = g[j] > m ? g[j] : m;
    if (m == -INFINITY) return -1;
    /* −∞ (outside the set) → 0; 32 at a time (clnscl_exp_nonpos_n), then the rest */
    double ms[CLNSCL_EXP_BLOCK];
    for (int i = 0; i < CLNSCL_EXP_BLOCK; i++) ms[i] = m;
    long j0 = 0;
    for (; j0 + CLNSCL_EXP_BLOCK <= n; j0 += CLNSCL_EXP_BLOCK) clnscl_exp_nonpos_n(g + j0, ms, CLNSCL_EXP_BLOCK);
    if (j0 < n) clnscl_exp_nonpos_n(g + j0, ms, (int)(n - j0));
    /* Z = 1 + Z_rest: the terms that are exactly 1 (the maximum and its ties, g_j − m = 0) are
     * counted, the others summed, so Z_rest keeps a tiny rest such as 2e^{−400} */
    const clnscl_v8 one = clnscl_v8_splat(1.0), zero = clnscl_v8_splat(0.0);
    clnscl_v8 z = zero, ones = zero;
    for (long j = 0; j < nc; j += CLNSCL_LANES) {
        const clnscl_v8 e = clnscl_v8_load(g + j);
        const clnscl_m8 is1 = e == one;
        z += clnscl_v8_select(is1, zero, e);
        ones += clnscl_v8_select(is1, one, zero);
    }
    for (long j = nc; j < n; j++) {
        z[0] += g[j] == 1.0 ? 0.0 : g[j];
        ones[0] += g[j] == 1.0 ? 1.0 : 0.0;
    }
    const double zrest = clnscl_v8_sum(z) + (clnscl_v8_sum(ones) - 1.0);
    const double f = scale / (1.0 + zrest);
    for (long j = 0; j < n; j++) g[j] *= f;
    if (m_out) *m_out = m;
    if (log1p_rest) *log1p_rest = log1p(zrest);
    return 0;
}
