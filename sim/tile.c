/* sim/tile.c — Σ-space gradients of eight anchors at once (THEORY.md §3.2; layout in sim/tile.h).
 *
 * Every per-anchor quantity — the masked maximum, Z = Σ_{j∈D(i)} e^{(x_j − m)/τ}, the loss — is a
 * lane-wise vector operation over the columns j: each anchor's sums have one fixed order on every
 * CPU (Z: the even and the odd columns in increasing order, then the two added), and no horizontal
 * reductions are needed (the rows are as short as 2B = 16 entries). The formulas are those of
 * sim/grad.c's header.
 */
#include "tile.h"

#include "clnscl/hot.h"
#include "clnscl/softmax.h"
#include "clnscl/status.h"

#include <math.h>
#include <stdint.h>

/* row offsets of the tile's lanes in entries (padding lanes repeat lane 0) */
static void tile_rows(const clnscl_sim_batch *b, const long *idx, size_t ld, long i0, size_t off[CLNSCL_SIM_TILE])
{
    const long nl = clnscl_sim_tile_lanes(b, i0);
    for (long l = 0; l < CLNSCL_SIM_TILE; l++) off[l] = (size_t)idx[i0 + (l < nl ? l : 0)] * ld;
}

/* the loops for a fixed number of interleaved matrices R (inlined with a constant R) */
static inline void gather_r(const double *restrict S, int R, int nk, const long *idx, long nv, const size_t *off,
                            double *const *x)
{
    for (long j = 0; j < nv; j++) {
        const double *col = S + (size_t)idx[j] * (size_t)R;
        for (long l = 0; l < CLNSCL_SIM_TILE; l++) {
            const double *e = col + off[l] * (size_t)R;
            for (int k = 0; k < nk; k++) x[k][j * CLNSCL_SIM_TILE + l] = e[k];
        }
    }
}

static inline void scatter_r(double *restrict S, int R, const long *idx, long nv, const size_t *off, long nl,
                             double *const *x)
{
    for (long j = 0; j < nv; j++) {
        double *col = S + (size_t)idx[j] * (size_t)R;
        for (long l = 0; l < nl; l++) {
            double *e = col + off[l] * (size_t)R;
            for (int k = 0; k < R; k++) e[k] = x[k][j * CLNSCL_SIM_TILE + l];
        }
    }
}

CLNSCL_HOT void clnscl_sim_tile_gather(const double *S, size_t ld, int R, int k0, int nk, const long *idx,
                                       const clnscl_sim_batch *b, long i0, double *const *x)
{
    size_t off[CLNSCL_SIM_TILE];
    tile_rows(b, idx, ld, i0, off);
    S += k0;
    if (nk == R && R == 3) gather_r(S, 3, 3, idx, b->nv, off, x);
    else if (nk == R && R == 2) gather_r(S, 2, 2, idx, b->nv, off, x);
    else if (nk == 1 && R == 3) gather_r(S, 3, 1, idx, b->nv, off, x);
    else if (nk == 1 && R == 2) gather_r(S, 2, 1, idx, b->nv, off, x);
    else gather_r(S, R, nk, idx, b->nv, off, x);
}

CLNSCL_HOT void clnscl_sim_tile_scatter(double *S, size_t ld, int R, const long *idx, const clnscl_sim_batch *b,
                                        long i0, double *const *x)
{
    size_t off[CLNSCL_SIM_TILE];
    tile_rows(b, idx, ld, i0, off);
    const long nl = clnscl_sim_tile_lanes(b, i0);
    switch (R) {
    case 1: scatter_r(S, 1, idx, b->nv, off, nl, x); break;
    case 2: scatter_r(S, 2, idx, b->nv, off, nl, x); break;
    case 3: scatter_r(S, 3, idx, b->nv, off, nl, x); break;
    default: scatter_r(S, R, idx, b->nv, off, nl, x);
    }
}

CLNSCL_HOT int clnscl_sim_tile_grad(const double *x, const clnscl_sim_batch *b, long i0, clnscl_sim_loss loss,
                                    clnscl_sim_form form, double tau, double *g, double *li)
{
    enum { W = CLNSCL_SIM_TILE };
    const long nv = b->nv, nl = clnscl_sim_tile_lanes(b, i0);
    const double inv_tau = 1.0 / tau, scale = 1.0 / ((double)b->na * tau);
    const int nscl = loss == CLNSCL_SIM_NSCL, scl = loss == CLNSCL_SIM_SCL, code = form == CLNSCL_SIM_FORM_CODE;
    long ia[W], pa[W]; /* anchor and positive position of each lane (padding lanes: lane 0's) */
    double ya[W];
    for (long l = 0; l < W; l++) {
        ia[l] = i0 + (l < nl ? l : 0);
        pa[l] = (ia[l] + b->B) % nv;
        ya[l] = (double)b->y[ia[l]];
    }
    const clnscl_v8 YI = clnscl_v8_load(ya), zero = clnscl_v8_splat(0.0), one = clnscl_v8_splat(1.0);
    const clnscl_v8 ninf = clnscl_v8_splat(-INFINITY);

    /* logits x_j/τ on exactly D(i), −∞ elsewhere (§3.2, EDGE_CASES L4):
     *   CL paper: j ∉ {i, p(i)}; CL code, SCL: j ≠ i; NSCL: y_j ≠ y_i, plus p(i) in the code form;
     * SCL counts |P(i)| + 1 = #{j : y_j = y_i} on the way */
    const clnscl_v8 vit = clnscl_v8_splat(inv_tau);
    clnscl_v8 np = clnscl_v8_splat(-1.0);
    for (long j = 0; j < nv; j++) {
        const clnscl_v8 yj = clnscl_v8_splat((double)b->y[j]), u = clnscl_v8_load(x + j * W) * vit;
        if (nscl) clnscl_v8_store(g + j * W, clnscl_v8_select(yj == YI, ninf, u));
        else clnscl_v8_store(g + j * W, u);
        if (scl) np += clnscl_v8_select(yj == YI, one, zero);
    }
    for (long l = 0; l < W; l++) {
        g[ia[l] * W + l] = -INFINITY;
        if (!scl && !nscl && !code) g[pa[l] * W + l] = -INFINITY;
        if (nscl && code) g[pa[l] * W + l] = x[pa[l] * W + l] * inv_tau;
    }
    /* four running maxima over j ≡ 0..3 (mod 4): exact, so the split changes nothing but the
     * length of the dependency chain */
    clnscl_v8 m = ninf, m1 = ninf, m2 = ninf, m3 = ninf;
    long j4 = 0;
    for (; j4 + 4 <= nv; j4 += 4) {
        m = clnscl_v8_max(clnscl_v8_load(g + j4 * W), m);
        m1 = clnscl_v8_max(clnscl_v8_load(g + (j4 + 1) * W), m1);
        m2 = clnscl_v8_max(clnscl_v8_load(g + (j4 + 2) * W), m2);
        m3 = clnscl_v8_max(clnscl_v8_load(g + (j4 + 3) * W), m3);
    }
    for (; j4 < nv; j4++) m = clnscl_v8_max(clnscl_v8_load(g + j4 * W), m);
    m = clnscl_v8_max(clnscl_v8_max(m, m1), clnscl_v8_max(m2, m3));
    for (long l = 0; l < nl; l++)
        if (m[l] == -INFINITY)
            return clnscl_fail(CLNSCL_EDEGENERATE,
                               "%s loss (%s form) has an empty denominator: every sample of the batch has "
                               "label %d (no negatives); use --form code, more classes or a larger batch",
                               nscl ? "NSCL" : "CL", code ? "code" : "paper", (int)ya[l]);
    double ma[W];
    clnscl_v8_store(ma, m);
    for (long j = 0; j < nv; j++) /* −∞ (outside D(i)) → 0 */
        for (long l = 0; l < W; l++) g[j * W + l] = clnscl_exp_nonpos(g[j * W + l] - ma[l]);

    /* Z = 1 + Z_rest per anchor: terms exactly 1 (the maximum and its ties) counted, the others
     * summed (as core/softmax.c, so Z_rest keeps a tiny rest) */
    clnscl_v8 z0 = zero, z1 = zero, ones = zero;
    for (long j = 0; j < nv; j += 2) { /* nv = 2B is even: z0 sums the even columns, z1 the odd */
        const clnscl_v8 e0 = clnscl_v8_load(g + j * W), e1 = clnscl_v8_load(g + (j + 1) * W);
        const clnscl_m8 is0 = e0 == one, is1 = e1 == one;
        z0 += clnscl_v8_select(is0, zero, e0);
        z1 += clnscl_v8_select(is1, zero, e1);
        ones += clnscl_v8_select(is0, one, zero) + clnscl_v8_select(is1, one, zero);
    }
    const clnscl_v8 zrest = (z0 + z1) + (ones - one), f = clnscl_v8_splat(scale) / (one + zrest);

    /* G = q·scale − w·scale: w = e_{p(i)} (CL, NSCL) or 1/|P(i)| on P(i) = {j ≠ i : y_j = y_i}
     * (SCL); G[i][i] = 0 (i is in neither set) */
    double pos[W];
    if (scl) {
        const clnscl_v8 wp = clnscl_v8_splat(scale) / np;
        for (long j = 0; j < nv; j++) {
            const clnscl_v8 yj = clnscl_v8_splat((double)b->y[j]);
            clnscl_v8_store(g + j * W, clnscl_v8_load(g + j * W) * f - clnscl_v8_select(yj == YI, wp, zero));
        }
        for (long l = 0; l < W; l++) g[ia[l] * W + l] = 0.0;
        if (li)
            for (long l = 0; l < W; l++) {
                pos[l] = 0.0;
                for (long j = 0; j < nv; j++)
                    if (j != ia[l] && b->y[j] == b->y[ia[l]]) pos[l] += x[j * W + l];
                pos[l] /= np[l];
            }
    } else {
        for (long j = 0; j < nv; j++) clnscl_v8_store(g + j * W, clnscl_v8_load(g + j * W) * f);
        for (long l = 0; l < W; l++) {
            g[pa[l] * W + l] -= scale;
            pos[l] = x[pa[l] * W + l];
        }
    }
    if (li)
        for (long l = 0; l < W; l++) li[l] = (m[l] - pos[l] * inv_tau) + log1p(zrest[l]);
    return CLNSCL_OK;
}
