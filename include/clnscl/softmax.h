/* clnscl/softmax.h — the masked softmax shared by the surrogate (sim/, Σ-space gradients) and
 * the training losses (train/loss.c): log-sum-exp over exactly the unmasked set (EDGE_CASES L4).
 */
#ifndef CLNSCL_SOFTMAX_H
#define CLNSCL_SOFTMAX_H

/* Softmax over the entries of g[0..n) that are not −∞ (−∞ marks "outside the set"): with
 * m = their maximum (the first position attaining it contributes exactly e^0 = 1) and
 * Z = 1 + Z_rest = Σ e^{g_j − m},
 *   g_j ← scale · e^{g_j − m} / Z   (0 outside the set),
 *   *m_out = m,  *log1p_rest = log1p(Z_rest),  so log Σ e^{g_j} = m + log1p(Z_rest)
 * (log1p keeps a tiny loss such as log(1 + 2e^{−400}) instead of rounding it to 0).
 * Returns 0, or −1 (g untouched) when every entry is −∞ (an empty set). Vectorised; the
 * maxima and sums use a fixed order, so results do not depend on the CPU's vector width. */
int clnscl_softmax_masked(double *g, long n, double scale, double *m_out, double *log1p_rest);

/* e^x for x ≤ 0 as the softmax computes it (within 1 ulp of libm's exp; 0 below −708). */
double clnscl_exp_nonpos(double x);

#endif
