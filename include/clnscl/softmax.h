/* clnscl/softmax.h — the masked softmax shared by the surrogate (sim/, Σ-space gradients) and
 * the training losses (train/loss.c): log-sum-exp over exactly the unmasked set (EDGE_CASES L4).
 */
#ifndef CLNSCL_SOFTMAX_H
#define CLNSCL_SOFTMAX_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Softmax over the entries of g[0..n) that are not −∞ (−∞ marks "outside the set"): with
 * m = their maximum (the first position attaining it contributes exactly e^0 = 1) and
 * Z = 1 + Z_rest = Σ e^{g_j − m},
 *   g_j ← scale · e^{g_j − m} / Z   (0 outside the set),
 *   *m_out = m,  *log1p_rest = log1p(Z_rest),  so log Σ e^{g_j} = m + log1p(Z_rest)
 * (log1p keeps a tiny loss such as log(1 + 2e^{−400}) instead of rounding it to 0).
 * m_out and log1p_rest may be NULL (the gradient alone needs neither).
 * Returns 0, or −1 (g untouched) when every entry is −∞ (an empty set). Vectorised; the
 * maxima and sums use a fixed order, so results do not depend on the CPU's vector width. */
int clnscl_softmax_masked(double *g, long n, double scale, double *m_out, double *log1p_rest);

/* g[i] ← e^{g[i] − s[i]} for i < n ≤ 32, where the difference is ≤ 0 (NaN-free; −∞ and
 * differences below −708 give 0, where e^x < 3.3e-308 is negligible against the maximum term 1
 * of a softmax). Cody–Waite reduction x = k ln 2 + r, |r| ≤ ln2/2, rounding through the 1.5·2^52
 * shift; e^r by its degree-13 Taylor polynomial (truncation < 4e-18 relative) in Horner form with
 * fused multiply-adds (fma() is exactly rounded, so every clone agrees; the x86-64-v3 and AVX-512
 * clones make it one instruction, the baseline calls libm); p·2^k by adding k to p's exponent
 * field (the low bits of the shifted value hold k). Within 1 ulp of
 * libm's exp on [−708, 0] (tests/test_sim.c); branch-free so the loops vectorise.
 * Each step of the evaluation is a loop over the n entries: with n = CLNSCL_EXP_BLOCK a vectorising
 * clone issues four independent vectors per step, where one entry at a time the 13 dependent
 * multiply-adds leave the core waiting on their latency (1.1 → 0.77 ns per exponential on the
 * 2-core test machine). The result does not depend on n. Always inlined, with n a constant: a
 * CLNSCL_HOT caller compiles it for each of its instruction sets. */
#define CLNSCL_EXP_BLOCK 32
static inline __attribute__((always_inline)) void clnscl_exp_nonpos_n(double *restrict g, const double *restrict s, int n)
{
    double x[CLNSCL_EXP_BLOCK], xc[CLNSCL_EXP_BLOCK], t[CLNSCL_EXP_BLOCK], r[CLNSCL_EXP_BLOCK], p[CLNSCL_EXP_BLOCK];
    for (int i = 0; i < n; i++) {
        x[i] = g[i] - s[i];
        xc[i] = x[i] >= -708.0 ? x[i] : -708.0; /* the predicate of the final mask (x is not NaN) */
    }
    for (int i = 0; i < n; i++) t[i] = fma(xc[i], 1.4426950408889634, 0x1.8p52);
    for (int i = 0; i < n; i++) {
        const double kd = t[i] - 0x1.8p52;
        r[i] = fma(kd, -0x1.a39ef35793c76p-33, fma(kd, -0x1.62e42fee00000p-1, xc[i]));
    }
    for (int i = 0; i < n; i++) p[i] = fma(1.0 / 6227020800.0, r[i], 1.0 / 479001600.0);
    for (int i = 0; i < n; i++) p[i] = fma(p[i], r[i], 1.0 / 39916800.0);
    for (int i = 0; i < n; i++) p[i] = fma(p[i], r[i], 1.0 / 3628800.0);
    for (int i = 0; i < n; i++) p[i] = fma(p[i], r[i], 1.0 / 362880.0);
    for (int i = 0; i < n; i++) p[i] = fma(p[i], r[i], 1.0 / 40320.0);
    for (int i = 0; i < n; i++) p[i] = fma(p[i], r[i], 1.0 / 5040.0);
    for (int i = 0; i < n; i++) p[i] = fma(p[i], r[i], 1.0 / 720.0);
    for (int i = 0; i < n; i++) p[i] = fma(p[i], r[i], 1.0 / 120.0);
    for (int i = 0; i < n; i++) p[i] = fma(p[i], r[i], 1.0 / 24.0);
    for (int i = 0; i < n; i++) p[i] = fma(p[i], r[i], 1.0 / 6.0);
    for (int i = 0; i < n; i++) p[i] = fma(p[i], r[i], 0.5);
    for (int i = 0; i < n; i++) p[i] = fma(p[i], r[i], 1.0);
    for (int i = 0; i < n; i++) p[i] = fma(p[i], r[i], 1.0);
    for (int i = 0; i < n; i++) {
        uint64_t tb, pb;
        memcpy(&tb, &t[i], sizeof tb);
        memcpy(&pb, &p[i], sizeof pb);
        /* p·2^k by adding k to p's exponent field: the low bits of t hold k (two's complement,
         * so tb << 52 = k << 52 modulo 2^64); exact, as p·2^k is, while the result is normal,
         * which it is for x ≥ −708 (k ≥ −1021, p > 0.7); an integer add instead of a multiply
         * keeps the multiply-add units for the polynomial. +0 below −708 through an
         * all-ones/zero mask: an integer select, which the x86-64-v3 clone can vectorise too. */
        pb = (pb + (tb << 52)) & (0 - (uint64_t)(x[i] >= -708.0));
        memcpy(&g[i], &pb, sizeof pb);
    }
}

/* e^x for x ≤ 0: clnscl_exp_nonpos_n on one entry */
static inline __attribute__((always_inline)) double clnscl_exp_nonpos(double x)
{
    const double zero = 0.0;
    clnscl_exp_nonpos_n(&x, &zero, 1);
    return x;
}

#endif
