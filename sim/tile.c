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
#include <string.h>

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

static inline void scatter_r(double *restrict S, int R, int nk, const long *idx, long nv, const size_t *off, long nl,
                             double *const *x)
{
    for (long j = 0; j < nv; j++) {
        double *col = S + (size_t)idx[j] * (size_t)R;
        for (long l = 0; l < nl; l++) {
            double *e = col + off[l] * (size_t)R;
            for (int k = 0; k < nk; k++) e[k] = x[k][j * CLNSCL_SIM_TILE + l];
        }
    }
}

/* Three matrices in four slots: an entry is one aligned vector of four, and the eight lanes of a
 * column form two 4 × 4 blocks, transposed into three lane vectors (and back) by 256-bit
 * shuffles, which cost less than 512-bit two-source ones on the AVX-512 machines measured.
 * Pure data movement: every clone gives the same bits. */
typedef double clnscl_v4 __attribute__((vector_size(4 * sizeof(double))));

static inline clnscl_v4 v4_load(const double *p)
{
    clnscl_v4 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void v4_store(double *p, clnscl_v4 v) { memcpy(p, &v, sizeof v); }

/* rows a, b, c, d (4 each) → r[k] = (a_k, b_k, c_k, d_k): the 4 × 4 transpose by unpacks and
 * 128-bit halves (an unused r[k] is not formed once inlined) */
static inline void transpose_4x4(clnscl_v4 a, clnscl_v4 b, clnscl_v4 c, clnscl_v4 d, clnscl_v4 r[4])
{
    const clnscl_v4 t0 = __builtin_shufflevector(a, b, 0, 4, 2, 6), t1 = __builtin_shufflevector(a, b, 1, 5, 3, 7);
    const clnscl_v4 t2 = __builtin_shufflevector(c, d, 0, 4, 2, 6), t3 = __builtin_shufflevector(c, d, 1, 5, 3, 7);
    r[0] = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
    r[1] = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
    r[2] = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
    r[3] = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
}

static inline void gather_4x3(const double *restrict S, const long *idx, long nv, const size_t *off, double *const *x)
{
    for (long j = 0; j < nv; j++) {
        const double *col = S + (size_t)idx[j] * 4;
        for (long h = 0; h < 2; h++) { /* lanes 4h .. 4h + 3 */
            clnscl_v4 r[4];
            transpose_4x4(v4_load(col + off[4 * h] * 4), v4_load(col + off[4 * h + 1] * 4), v4_load(col + off[4 * h + 2] * 4),
                          v4_load(col + off[4 * h + 3] * 4), r);
            for (int k = 0; k < 3; k++) v4_store(x[k] + j * CLNSCL_SIM_TILE + 4 * h, r[k]);
        }
    }
}

static inline void scatter_4x3(double *restrict S, const long *idx, long nv, const size_t *off, long nl,
                               double *const *x)
{
    for (long j = 0; j < nv; j++) {
        double *col = S + (size_t)idx[j] * 4;
        for (long h = 0; h < 2 && 4 * h < nl; h++) { /* lanes 4h .. 4h + 3; slot 3 ← slot 2 */
            const clnscl_v4 r0 = v4_load(x[0] + j * CLNSCL_SIM_TILE + 4 * h), r1 = v4_load(x[1] + j * CLNSCL_SIM_TILE + 4 * h);
            const clnscl_v4 r2 = v4_load(x[2] + j * CLNSCL_SIM_TILE + 4 * h);
            clnscl_v4 e[4]; /* entry of lane 4h + l, its slot 3 a copy of slot 2 */
            transpose_4x4(r0, r1, r2, r2, e);
            const long n = nl - 4 * h < 4 ? nl - 4 * h : 4;
            for (long l = 0; l < n; l++) v4_store(col + off[4 * h + l] * 4, e[l]);
        }
    }
}

CLNSCL_HOT void clnscl_sim_tile_gather(const double *S, size_t ld, int R, int k0, int nk, const long *idx,
                                       const clnscl_sim_batch *b, long i0, double *const *x)
{
    size_t off[CLNSCL_SIM_TILE];
    tile_rows(b, idx, ld, i0, off);
    S += k0;
    if (nk == 3 && R == 4) gather_4x3(S, idx, b->nv, off, x);
    else if (nk == 1 && R == 4) gather_r(S, 4, 1, idx, b->nv, off, x);
    else if (nk == R && R == 2) gather_r(S, 2, 2, idx, b->nv, off, x);
    else if (nk == 1 && R == 2) gather_r(S, 2, 1, idx, b->nv, off, x);
    else gather_r(S, R, nk, idx, b->nv, off, x);
}

CLNSCL_HOT void clnscl_sim_tile_scatter(double *S, size_t ld, int R, int nk, const long *idx, const clnscl_sim_batch *b,
                                        long i0, double *const *x)
{
    size_t off[CLNSCL_SIM_TILE];
    tile_rows(b, idx, ld, i0, off);
    const long nl = clnscl_sim_tile_lanes(b, i0);
    if (R == 4 && nk == 3) scatter_4x3(S, idx, b->nv, off, nl, x);
    else if (R == 2 && nk == 2) scatter_r(S, 2, 2, idx, b->nv, off, nl, x);
    else if (R == 1 && nk == 1) scatter_r(S, 1, 1, idx, b->nv, off, nl, x);
    else scatter_r(S, R, nk, idx, b->nv, off, nl, x);
}

CLNSCL_HOT void clnscl_sim_tile_cols_fill(const clnscl_sim_batch *b, long i0, clnscl_sim_tile_cols *tc)
{
    enum { W = CLNSCL_SIM_TILE };
    const long nv = b->nv, nl = clnscl_sim_tile_lanes(b, i0);
    long long ia[W], pa[W], ya[W];
    memset(tc->special, 0, (size_t)nv);
    for (long l = 0; l < W; l++) { /* padding lanes: lane 0's anchor */
        tc->ia[l] = i0 + (l < nl ? l : 0);
        tc->pa[l] = (tc->ia[l] + b->B) % nv;
        ia[l] = tc->ia[l];
        pa[l] = tc->pa[l];
        ya[l] = tc->yl[tc->ia[l]];
        tc->special[tc->ia[l]] = tc->special[tc->pa[l]] = 1;
    }
    memcpy(&tc->IA, ia, sizeof tc->IA);
    memcpy(&tc->PA, pa, sizeof tc->PA);
    memcpy(&tc->YA, ya, sizeof tc->YA);
    const clnscl_v8 zero = clnscl_v8_splat(0.0), one = clnscl_v8_splat(1.0);
    /* counts: exact in any order; two chains (nv = 2B is even) */
    clnscl_v8 n0 = zero, n1 = zero;
    for (long j = 0; j < nv; j += 2) {
        n0 += clnscl_v8_select(clnscl_sim_tile_same(tc, j), one, zero);
        n1 += clnscl_v8_select(clnscl_sim_tile_same(tc, j + 1), one, zero);
    }
    tc->np = (n0 + n1) - one; /* i itself is of its class */
}

/* e[j] ← the logits x_j/τ of column j on D(i), −∞ elsewhere (returned too) */
static inline clnscl_v8 tile_logit(const double *x, const clnscl_sim_tile_cols *tc, long j, clnscl_v8 vit, int nscl, int scl,
                                   int code, double *e)
{
    enum { W = CLNSCL_SIM_TILE };
    const clnscl_v8 ninf = clnscl_v8_splat(-INFINITY);
    clnscl_v8 u = clnscl_v8_load(x + j * W) * vit;
    if (nscl) {
        clnscl_m8 out = clnscl_sim_tile_same(tc, j);
        if (code && tc->special[j]) out &= ~(tc->PA == (long long)j);
        u = clnscl_v8_select(out, ninf, u);
    } else if (tc->special[j]) {
        clnscl_m8 out = tc->IA == (long long)j;
        if (!scl && !code) out |= tc->PA == (long long)j;
        u = clnscl_v8_select(out, ninf, u);
    }
    clnscl_v8_store(e + j * W, u);
    return u;
}

CLNSCL_HOT int clnscl_sim_tile_softmax(const double *x, const clnscl_sim_batch *b, long i0, const clnscl_sim_tile_cols *tc,
                                       clnscl_sim_loss loss, clnscl_sim_form form, double tau, double *e, clnscl_v8 *f,
                                       double *li)
{
    enum { W = CLNSCL_SIM_TILE };
    const long nv = b->nv, nl = clnscl_sim_tile_lanes(b, i0);
    const double inv_tau = 1.0 / tau, scale = 1.0 / ((double)b->na * tau);
    const int nscl = loss == CLNSCL_SIM_NSCL, scl = loss == CLNSCL_SIM_SCL, code = form == CLNSCL_SIM_FORM_CODE;
    const clnscl_v8 zero = clnscl_v8_splat(0.0), one = clnscl_v8_splat(1.0), ninf = clnscl_v8_splat(-INFINITY);
    const clnscl_v8 vit = clnscl_v8_splat(inv_tau);

    /* logits x_j/τ on exactly D(i), −∞ elsewhere (§3.2, EDGE_CASES L4), and their maxima m:
     *   CL paper: j ∉ {i, p(i)}; CL code, SCL: j ≠ i; NSCL: y_j ≠ y_i, plus p(i) in the code form.
     * Four running maxima over j ≡ 0..3 (mod 4): exact, so the split changes nothing but the
     * length of the dependency chain. */
    clnscl_v8 m0 = ninf, m1 = ninf, m2 = ninf, m3 = ninf;
    long j4 = 0;
    for (; j4 + 4 <= nv; j4 += 4) {
        m0 = clnscl_v8_max(tile_logit(x, tc, j4, vit, nscl, scl, code, e), m0);
        m1 = clnscl_v8_max(tile_logit(x, tc, j4 + 1, vit, nscl, scl, code, e), m1);
        m2 = clnscl_v8_max(tile_logit(x, tc, j4 + 2, vit, nscl, scl, code, e), m2);
        m3 = clnscl_v8_max(tile_logit(x, tc, j4 + 3, vit, nscl, scl, code, e), m3);
    }
    for (; j4 < nv; j4++) m0 = clnscl_v8_max(tile_logit(x, tc, j4, vit, nscl, scl, code, e), m0);
    const clnscl_v8 m = clnscl_v8_max(clnscl_v8_max(m0, m1), clnscl_v8_max(m2, m3));
    for (long l = 0; l < nl; l++)
        if (m[l] == -INFINITY)
            return clnscl_fail(CLNSCL_EDEGENERATE,
                               "%s loss (%s form) has an empty denominator: every sample of the batch has "
                               "label %d (no negatives); use --form code, more classes or a larger batch",
                               nscl ? "NSCL" : "CL", code ? "code" : "paper", (int)b->y[tc->ia[l]]);

    /* e^{x_j/τ − m}: −∞ (outside D(i)) → 0; four columns at a time, then one; and
     * Z = Σ_j e_j per anchor (the maximum contributes exactly 1): z0 sums the even columns in
     * increasing order, z1 the odd */
    enum { CB = CLNSCL_EXP_BLOCK / W };
    double ms[CLNSCL_EXP_BLOCK];
    for (long c = 0; c < CB; c++) clnscl_v8_store(ms + c * W, m);
    clnscl_v8 z0 = zero, z1 = zero;
    long j = 0;
    for (; j + CB <= nv; j += CB) {
        clnscl_exp_nonpos_n(e + j * W, ms, CLNSCL_EXP_BLOCK);
        for (long c = 0; c < CB; c += 2) {
            z0 += clnscl_v8_load(e + (j + c) * W);
            z1 += clnscl_v8_load(e + (j + c + 1) * W);
        }
    }
    for (; j < nv; j++) {
        clnscl_exp_nonpos_n(e + j * W, ms, W);
        if (j & 1) z1 += clnscl_v8_load(e + j * W);
        else z0 += clnscl_v8_load(e + j * W);
    }
    *f = clnscl_v8_splat(scale) / (z0 + z1);
    if (!li) return CLNSCL_OK;

    /* ℓ_i = m − (positive logit) + log Z, with log Z = log1p(Z_rest) and Z_rest = Z − 1 kept to its
     * last bits (a tiny loss such as log(1 + 2e^{−400})): the terms exactly 1 (the maximum and its
     * ties) counted, the others summed (as core/softmax.c); the positive logit is the mean over
     * P(i) for SCL */
    clnscl_v8 r0 = zero, r1 = zero, ones = zero;
    for (long j2 = 0; j2 < nv; j2 += 2) {
        const clnscl_v8 e0 = clnscl_v8_load(e + j2 * W), e1 = clnscl_v8_load(e + (j2 + 1) * W);
        const clnscl_m8 is0 = e0 == one, is1 = e1 == one;
        r0 += clnscl_v8_select(is0, zero, e0);
        r1 += clnscl_v8_select(is1, zero, e1);
        ones += clnscl_v8_select(is0, one, zero) + clnscl_v8_select(is1, one, zero);
    }
    const clnscl_v8 zrest = (r0 + r1) + (ones - one);
    for (long l = 0; l < W; l++) {
        double pos = 0.0;
        if (scl) {
            for (long j2 = 0; j2 < nv; j2++)
                if (j2 != tc->ia[l] && tc->yl[j2] == tc->yl[tc->ia[l]]) pos += x[j2 * W + l];
            pos /= tc->np[l];
        } else {
            pos = x[tc->pa[l] * W + l];
        }
        li[l] = (m[l] - pos * inv_tau) + log1p(zrest[l]);
    }
    return CLNSCL_OK;
}

CLNSCL_HOT int clnscl_sim_tile_grad(const double *x, const clnscl_sim_batch *b, long i0, clnscl_sim_loss loss,
                                    clnscl_sim_form form, double tau, double *g, double *li, clnscl_sim_tile_cols *tc)
{
    enum { W = CLNSCL_SIM_TILE };
    clnscl_sim_tile_cols_fill(b, i0, tc);
    clnscl_v8 f;
    int st = clnscl_sim_tile_softmax(x, b, i0, tc, loss, form, tau, g, &f, li);
    if (st) return st;
    const int scl = loss == CLNSCL_SIM_SCL;
    const clnscl_v8 w = clnscl_sim_tile_w(b, tc, scl, tau);
    for (long j = 0; j < b->nv; j++) clnscl_v8_store(g + j * W, clnscl_sim_tile_g(tc, scl, j, clnscl_v8_load(g + j * W), f, w));
    return CLNSCL_OK;
}
