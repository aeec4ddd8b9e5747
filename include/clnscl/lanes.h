/* clnscl/lanes.h — eight double lanes for the hot reductions (softmax, the surrogate's fused update).
 *
 * A reduction over x[0..n) keeps lane l = the entries j ≡ l (mod 8) of the whole chunks, adds the
 * remainder into lane 0 and combines the lanes by a fixed tree: one order on every CPU (the
 * AVX-512 clone holds the lanes in one register, x86-64-v3 (AVX2) in two, the baseline in four
 * SSE2 registers), so every clone of a CLNSCL_HOT function gives bit-identical sums. GCC/Clang
 * vector extensions.
 */
#ifndef CLNSCL_LANES_H
#define CLNSCL_LANES_H

#include <string.h>

#define CLNSCL_LANES 8

typedef double clnscl_v8 __attribute__((vector_size(CLNSCL_LANES * sizeof(double))));
typedef long long clnscl_m8 __attribute__((vector_size(CLNSCL_LANES * sizeof(long long))));

static inline clnscl_v8 clnscl_v8_load(const double *p)
{
    clnscl_v8 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void clnscl_v8_store(double *p, clnscl_v8 v) { memcpy(p, &v, sizeof v); }

static inline clnscl_v8 clnscl_v8_splat(double x)
{
    clnscl_v8 v = {x, x, x, x, x, x, x, x};
    return v;
}

/* m ? a : b per lane (m from a vector comparison: all bits set or clear) */
static inline clnscl_v8 clnscl_v8_select(clnscl_m8 m, clnscl_v8 a, clnscl_v8 b)
{
    return (clnscl_v8)((m & (clnscl_m8)a) | (~m & (clnscl_m8)b));
}

static inline clnscl_v8 clnscl_v8_max(clnscl_v8 a, clnscl_v8 b) { return clnscl_v8_select(a > b, a, b); }

/* x clipped to [lo, hi] per lane (infinite bounds: no clipping) */
static inline clnscl_v8 clnscl_v8_clamp(clnscl_v8 x, clnscl_v8 lo, clnscl_v8 hi)
{
    return clnscl_v8_select(x > hi, hi, clnscl_v8_select(x < lo, lo, x));
}

/* ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)) */
static inline double clnscl_v8_sum(clnscl_v8 v)
{
    return ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]));
}

static inline double clnscl_v8_hmax(clnscl_v8 v)
{
    double m = v[0];
    for (int l = 1; l < CLNSCL_LANES; l++) m = v[l] > m ? v[l] : m;
    return m;
}

#endif
