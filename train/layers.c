/* train/layers.c — float32 layers, forward/backward pairs (nn.h; THEORY.md §6.2).
 * Backward passes accumulate into their gradient buffers (llm.c convention). */
#include "clnscl/nn.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Element-wise loops run in fixed blocks of VB floats, loads first, so that -O2's
 * straight-line (SLP) vectoriser turns them into branch-free SIMD code (outputs
 * may alias inputs element for element, e.g. the model's in-place ReLU). */
#define VB 16

/* ---- linear ------------------------------------------------------------------ */

/* inp (M,Din), w (Dout,Din), b (Dout) or NULL → out (M,Dout) = inp·Wᵀ + b */
void clnscl_nn_linear_forward(float *out, const float *inp, const float *w,
                              const float *b, int M, int Din, int Dout)
{
    if (b) {
        for (int r = 0; r < M; r++)
            memcpy(out + (size_t)r * Dout, b, (size_t)Dout * sizeof(float));
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, Dout, Din, 1.0f, inp, Din, w, Din,
                b ? 1.0f : 0.0f, out, Dout);
}

/* dout (M,Dout): dinp (M,Din) += dout·W, dw (Dout,Din) += doutᵀ·inp, db (Dout) += Σ_r dout */
void clnscl_nn_linear_backward(float *dinp, float *dw, float *db, const float *dout,
                               const float *inp, const float *w, int M, int Din, int Dout)
{
    if (dinp)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, Din, Dout, 1.0f, dout, Dout, w, Din,
                    1.0f, dinp, Din);
    if (dw)
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Dout, Din, M, 1.0f, dout, Dout, inp, Din,
                    1.0f, dw, Din);
    if (db) {
        for (int r = 0; r < M; r++) {
            const float *d = dout + (size_t)r * Dout;
            for (int o = 0; o < Dout; o++) db[o] += d[o];
        }
    }
}

/* ---- batch normalisation -------------------------------------------------------- */

/* Channels are processed in blocks of BN_BLOCK so that every pass walks rows of
 * contiguous memory (a per-channel walk strides by C·S floats), with the
 * per-channel sums in double on the stack. */
#define BN_BLOCK 256

/* Row kernels for the (M, C) layout (S = 1): one row x of nc channels at a time. */
static void row_sum(double *sum, const float *x, int nc)
{
    int c = 0;
    for (; c + VB <= nc; c += VB)
        for (int j = 0; j < VB; j++) sum[c + j] += (double)x[c + j];
    for (; c < nc; c++) sum[c] += (double)x[c];
}

static void row_sq(double *sq, const float *x, const double *mu, int nc)
{
    int c = 0;
    for (; c + VB <= nc; c += VB)
        for (int j = 0; j < VB; j++) { const double d = x[c + j] - mu[c + j]; sq[c + j] += d * d; }
    for (; c < nc; c++) { const double d = x[c] - mu[c]; sq[c] += d * d; }
}

/* o = (x − mu)·sc + sh */
static void row_affine(float *o, const float *x, const float *mu, const float *sc,
                       const float *sh, int nc)
{
    int c = 0;
    for (; c + VB <= nc; c += VB)
        for (int j = 0; j < VB; j++) o[c + j] = (x[c + j] - mu[c + j]) * sc[c + j] + sh[c + j];
    for (; c < nc; c++) o[c] = (x[c] - mu[c]) * sc[c] + sh[c];
}

/* sd += d, sdx += d·xhat */
static void row_dsum(double *sd, double *sdx, const float *d, const float *x, const float *mu,
                     const float *rs, int nc)
{
    int c = 0;
    for (; c + VB <= nc; c += VB)
        for (int j = 0; j < VB; j++) {
            sd[c + j] += (double)d[c + j];
            sdx[c + j] += (double)(d[c + j] * ((x[c + j] - mu[c + j]) * rs[c + j]));
        }
    for (; c < nc; c++) {
        sd[c] += (double)d[c];
        sdx[c] += (double)(d[c] * ((x[c] - mu[c]) * rs[c]));
    }
}

/* di += gr·(d − md − xhat·mdx) */
static void row_dinp(float *di, const float *d, const float *x, const float *mu, const float *rs,
                     const float *gr, const float *md, const float *mdx, int nc)
{
    int c = 0;
    for (; c + VB <= nc; c += VB)
        for (int j = 0; j < VB; j++)
            di[c + j] += gr[c + j] * (d[c + j] - md[c + j] - (x[c + j] - mu[c + j]) * rs[c + j] * mdx[c + j]);
    for (; c < nc; c++) di[c] += gr[c] * (d[c] - md[c] - (x[c] - mu[c]) * rs[c] * mdx[c]);
}

/* Segment kernels for one channel of one row when S > 1 (x has S contiguous values);
 * VB partial sums in double, added in a fixed order. */
static double seg_sum(const float *x, int S, double mu, int square)
{
    double part[VB] = {0}, t = 0.0;
    int k = 0;
    if (square) {
        for (; k + VB <= S; k += VB)
            for (int j = 0; j < VB; j++) { const double d = x[k + j] - mu; part[j] += d * d; }
        for (; k < S; k++) { const double d = x[k] - mu; t += d * d; }
    } else {
        for (; k + VB <= S; k += VB)
            for (int j = 0; j < VB; j++) part[j] += (double)x[k + j];
        for (; k < S; k++) t += (double)x[k];
    }
    for (int j = 0; j < VB; j++) t += part[j];
    return t;
}

/* o = (x − mu)·sc + sh over S values */
static void seg_affine(float *o, const float *x, int S, float mu, float sc, float sh)
{
    int k = 0;
    for (; k + VB <= S; k += VB)
        for (int j = 0; j < VB; j++) o[k + j] = (x[k + j] - mu) * sc + sh;
    for (; k < S; k++) o[k] = (x[k] - mu) * sc + sh;
}

/* *sd += Σ d, *sdx += Σ d·(x − mu)·rs over S values */
static void seg_dsum(double *sd, double *sdx, const float *d, const float *x, int S, float mu, float rs)
{
    double p1[VB] = {0}, p2[VB] = {0}, t1 = 0.0, t2 = 0.0;
    int k = 0;
    for (; k + VB <= S; k += VB)
        for (int j = 0; j < VB; j++) {
            p1[j] += (double)d[k + j];
            p2[j] += (double)(d[k + j] * ((x[k + j] - mu) * rs));
        }
    for (; k < S; k++) { t1 += (double)d[k]; t2 += (double)(d[k] * ((x[k] - mu) * rs)); }
    for (int j = 0; j < VB; j++) { t1 += p1[j]; t2 += p2[j]; }
    *sd += t1;
    *sdx += t2;
}

/* di += gr·(d − md − (x − mu)·rs·mdx) over S values */
static void seg_dinp(float *di, const float *d, const float *x, int S, float mu, float rs, float gr,
                     float md, float mdx)
{
    int k = 0;
    for (; k + VB <= S; k += VB)
        for (int j = 0; j < VB; j++) di[k + j] += gr * (d[k + j] - md - (x[k + j] - mu) * rs * mdx);
    for (; k < S; k++) di[k] += gr * (d[k] - md - (x[k] - mu) * rs * mdx);
}

/* inp (M,C,S) → out (M,C,S); mean, rstd (C) saved; running stats updated if non-NULL. */
void clnscl_nn_batchnorm_forward(float *out, float *mean, float *rstd, const float *inp,
                                 const float *gamma, const float *beta,
                                 float *run_mean, float *run_var, int M, int C, int S)
{
    const double n = (double)M * S;
    for (int c0 = 0; c0 < C; c0 += BN_BLOCK) {
        const int nc = C - c0 < BN_BLOCK ? C - c0 : BN_BLOCK;
        double sum[BN_BLOCK] = {0}, sq[BN_BLOCK] = {0};
        float sc[BN_BLOCK], sh[BN_BLOCK], mu[BN_BLOCK];
        for (int r = 0; r < M; r++) {
            const float *x = inp + ((size_t)r * C + c0) * S;
            if (S == 1) { row_sum(sum, x, nc); continue; }
            for (int c = 0; c < nc; c++) sum[c] += seg_sum(x + (size_t)c * S, S, 0.0, 0);
        }
        for (int c = 0; c < nc; c++) { sum[c] /= n; mu[c] = (float)sum[c]; }
        /* two-pass variance (centre first) */
        for (int r = 0; r < M; r++) {
            const float *x = inp + ((size_t)r * C + c0) * S;
            if (S == 1) { row_sq(sq, x, sum, nc); continue; }
            for (int c = 0; c < nc; c++) sq[c] += seg_sum(x + (size_t)c * S, S, sum[c], 1);
        }
        for (int c = 0; c < nc; c++) {
            const double var = sq[c] / n;
            const float rs = (float)(1.0 / sqrt(var + CLNSCL_BN_EPS));
            const float g = gamma ? gamma[c0 + c] : 1.0f, bb = beta ? beta[c0 + c] : 0.0f;
            mean[c0 + c] = mu[c];
            rstd[c0 + c] = rs;
            sc[c] = g * rs;
            sh[c] = bb;
            if (run_mean && run_var) {
                const double unb = n > 1 ? var * n / (n - 1) : var;
                run_mean[c0 + c] = (1.0f - CLNSCL_BN_MOMENTUM) * run_mean[c0 + c] +
                                   CLNSCL_BN_MOMENTUM * mu[c];
                run_var[c0 + c] = (1.0f - CLNSCL_BN_MOMENTUM) * run_var[c0 + c] +
                                  CLNSCL_BN_MOMENTUM * (float)unb;
            }
        }
        for (int r = 0; r < M; r++) {
            const float *x = inp + ((size_t)r * C + c0) * S;
            float *o = out + ((size_t)r * C + c0) * S;
            if (S == 1) { row_affine(o, x, mu, sc, sh, nc); continue; }
            for (int c = 0; c < nc; c++)
                seg_affine(o + (size_t)c * S, x + (size_t)c * S, S, mu[c], sc[c], sh[c]);
        }
    }
}

void clnscl_nn_batchnorm_forward_eval(float *out, const float *inp, const float *gamma,
                                      const float *beta, const float *run_mean,
                                      const float *run_var, int M, int C, int S)
{
    for (int c0 = 0; c0 < C; c0 += BN_BLOCK) {
        const int nc = C - c0 < BN_BLOCK ? C - c0 : BN_BLOCK;
        float sc[BN_BLOCK], sh[BN_BLOCK], mu[BN_BLOCK];
        for (int c = 0; c < nc; c++) {
            const float rs = (float)(1.0 / sqrt((double)run_var[c0 + c] + CLNSCL_BN_EPS));
            sc[c] = (gamma ? gamma[c0 + c] : 1.0f) * rs;
            sh[c] = beta ? beta[c0 + c] : 0.0f;
            mu[c] = run_mean[c0 + c];
        }
        for (int r = 0; r < M; r++) {
            const float *x = inp + ((size_t)r * C + c0) * S;
            float *o = out + ((size_t)r * C + c0) * S;
            if (S == 1) { row_affine(o, x, mu, sc, sh, nc); continue; }
            for (int c = 0; c < nc; c++)
                seg_affine(o + (size_t)c * S, x + (size_t)c * S, S, mu[c], sc[c], sh[c]);
        }
    }
}

/* dinp = γ·rstd·(dout − mean(dout) − xhat·mean(dout·xhat)), per channel over M·S values. */
void clnscl_nn_batchnorm_backward(float *dinp, float *dgamma, float *dbeta, const float *dout,
                                  const float *inp, const float *mean, const float *rstd,
                                  const float *gamma, int M, int C, int S)
{
    const double n = (double)M * S;
    for (int c0 = 0; c0 < C; c0 += BN_BLOCK) {
        const int nc = C - c0 < BN_BLOCK ? C - c0 : BN_BLOCK;
        double sd[BN_BLOCK] = {0}, sdx[BN_BLOCK] = {0};
        float mu[BN_BLOCK], rs[BN_BLOCK], gr[BN_BLOCK], md[BN_BLOCK], mdx[BN_BLOCK];
        for (int c = 0; c < nc; c++) { mu[c] = mean[c0 + c]; rs[c] = rstd[c0 + c]; }
        for (int r = 0; r < M; r++) {
            const float *x = inp + ((size_t)r * C + c0) * S;
            const float *d = dout + ((size_t)r * C + c0) * S;
            if (S == 1) { row_dsum(sd, sdx, d, x, mu, rs, nc); continue; }
            for (int c = 0; c < nc; c++)
                seg_dsum(&sd[c], &sdx[c], d + (size_t)c * S, x + (size_t)c * S, S, mu[c], rs[c]);
        }
        for (int c = 0; c < nc; c++) {
            if (dbeta) dbeta[c0 + c] += (float)sd[c];
            if (dgamma) dgamma[c0 + c] += (float)sdx[c];
            gr[c] = (gamma ? gamma[c0 + c] : 1.0f) * rs[c];
            md[c] = (float)(sd[c] / n);
            mdx[c] = (float)(sdx[c] / n);
        }
        if (!dinp) continue;
        for (int r = 0; r < M; r++) {
            const float *x = inp + ((size_t)r * C + c0) * S;
            const float *d = dout + ((size_t)r * C + c0) * S;
            float *di = dinp + ((size_t)r * C + c0) * S;
            if (S == 1) { row_dinp(di, d, x, mu, rs, gr, md, mdx, nc); continue; }
            for (int c = 0; c < nc; c++)
                seg_dinp(di + (size_t)c * S, d + (size_t)c * S, x + (size_t)c * S, S, mu[c], rs[c],
                         gr[c], md[c], mdx[c]);
        }
    }
}

/* ---- relu ------------------------------------------------------------------------ */

void clnscl_nn_relu_forward(float *out, const float *inp, size_t n)
{
    size_t i = 0;
    for (; i + VB <= n; i += VB) {
        float t[VB];
        for (int j = 0; j < VB; j++) t[j] = inp[i + j];
        for (int j = 0; j < VB; j++) out[i + j] = t[j] > 0.0f ? t[j] : 0.0f;
    }
    for (; i < n; i++) out[i] = inp[i] > 0.0f ? inp[i] : 0.0f;
}

/* dinp += dout·[inp > 0]; inp may be the ReLU output (same sign pattern) */
void clnscl_nn_relu_backward(float *dinp, const float *dout, const float *inp, size_t n)
{
    size_t i = 0;
    for (; i + VB <= n; i += VB) {
        float d[VB], x[VB], t[VB];
        for (int j = 0; j < VB; j++) { d[j] = dout[i + j]; x[j] = inp[i + j]; }
        for (int j = 0; j < VB; j++) t[j] = x[j] > 0.0f ? d[j] : 0.0f;
        for (int j = 0; j < VB; j++) dinp[i + j] += t[j];
    }
    for (; i < n; i++) if (inp[i] > 0.0f) dinp[i] += dout[i];
}

/* ---- conv2d via im2col ------------------------------------------------------------ */

size_t clnscl_nn_conv2d_col_size(int Cin, int H, int W, int k, int st, int pad)
{
    const int Ho = (H + 2 * pad - k) / st + 1, Wo = (W + 2 * pad - k) / st + 1;
    return (size_t)Cin * k * k * Ho * Wo;
}

/* Output columns oj whose tap jj = oj·st − pad + kj lies inside [0, W): [*lo, *hi). */
static void tap_range(int kj, int st, int pad, int W, int Wo, int *lo, int *hi)
{
    int l = 0, h = Wo;
    while (l < Wo && l * st - pad + kj < 0) l++;
    while (h > l && (h - 1) * st - pad + kj >= W) h--;
    *lo = l;
    *hi = h;
}

/* img (Cin,H,W) → col (Cin·k·k, Ho·Wo); out-of-image taps are 0 */
static void im2col(float *col, const float *img, int Cin, int H, int W, int k, int st,
                   int pad, int Ho, int Wo)
{
    for (int c = 0; c < Cin; c++)
        for (int ki = 0; ki < k; ki++)
            for (int kj = 0; kj < k; kj++) {
                float *dst = col + (((size_t)c * k + ki) * k + kj) * Ho * Wo;
                int lo, hi;
                tap_range(kj, st, pad, W, Wo, &lo, &hi);
                for (int oi = 0; oi < Ho; oi++) {
                    float *d = dst + (size_t)oi * Wo;
                    const int ii = oi * st - pad + ki;
                    if (ii < 0 || ii >= H || lo >= hi) {
                        memset(d, 0, (size_t)Wo * sizeof(float));
                        continue;
                    }
                    const float *srow = img + ((size_t)c * H + ii) * W + (lo * st - pad + kj);
                    for (int oj = 0; oj < lo; oj++) d[oj] = 0.0f;
                    if (st == 1)
                        memcpy(d + lo, srow, (size_t)(hi - lo) * sizeof(float));
                    else
                        for (int oj = lo; oj < hi; oj++) d[oj] = srow[(size_t)(oj - lo) * st];
                    for (int oj = hi; oj < Wo; oj++) d[oj] = 0.0f;
                }
            }
}

/* col (Cin·k·k, Ho·Wo) → dimg (Cin,H,W) += (adjoint of im2col) */
static void col2im_add(float *dimg, const float *col, int Cin, int H, int W, int k, int st,
                       int pad, int Ho, int Wo)
{
    for (int c = 0; c < Cin; c++)
        for (int ki = 0; ki < k; ki++)
            for (int kj = 0; kj < k; kj++) {
                const float *src = col + (((size_t)c * k + ki) * k + kj) * Ho * Wo;
                int lo, hi;
                tap_range(kj, st, pad, W, Wo, &lo, &hi);
                for (int oi = 0; oi < Ho; oi++) {
                    const int ii = oi * st - pad + ki;
                    if (ii < 0 || ii >= H) continue;
                    float *drow = dimg + ((size_t)c * H + ii) * W + (lo * st - pad + kj);
                    const float *s = src + (size_t)oi * Wo;
                    for (int oj = lo; oj < hi; oj++) drow[(size_t)(oj - lo) * st] += s[oj];
                }
            }
}

/* inp (M,Cin,H,W), w (Cout,Cin,k,k), b (Cout)|NULL → out (M,Cout,Ho,Wo); per image
 * out_m (Cout, Ho·Wo) = W (Cout, Cin·k·k) · col_m (Cin·k·k, Ho·Wo) */
void clnscl_nn_conv2d_forward(float *out, const float *inp, const float *w, const float *b,
                              float *col, int M, int Cin, int H, int W, int Cout,
                              int k, int st, int pad)
{
    const int Ho = (H + 2 * pad - k) / st + 1, Wo = (W + 2 * pad - k) / st + 1;
    const int K = Cin * k * k, P = Ho * Wo;
    for (int m = 0; m < M; m++) {
        const float *img = inp + (size_t)m * Cin * H * W;
        float *o = out + (size_t)m * Cout * P;
        im2col(col, img, Cin, H, W, k, st, pad, Ho, Wo);
        if (b)
            for (int co = 0; co < Cout; co++)
                for (int q = 0; q < P; q++) o[(size_t)co * P + q] = b[co];
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Cout, P, K, 1.0f, w, K, col, P,
                    b ? 1.0f : 0.0f, o, P);
    }
}

/* dout (M,Cout,Ho,Wo): dw += dout_m·col_mᵀ, dcol = Wᵀ·dout_m → dinp += col2im(dcol), db += Σ dout */
void clnscl_nn_conv2d_backward(float *dinp, float *dw, float *db, const float *dout,
                               const float *inp, const float *w, float *col, float *dcol,
                               int M, int Cin, int H, int W, int Cout, int k, int st, int pad)
{
    const int Ho = (H + 2 * pad - k) / st + 1, Wo = (W + 2 * pad - k) / st + 1;
    const int K = Cin * k * k, P = Ho * Wo;
    for (int m = 0; m < M; m++) {
        const float *d = dout + (size_t)m * Cout * P;
        if (dw) {
            im2col(col, inp + (size_t)m * Cin * H * W, Cin, H, W, k, st, pad, Ho, Wo);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Cout, K, P, 1.0f, d, P, col, P,
                        1.0f, dw, K);
        }
        if (db)
            for (int co = 0; co < Cout; co++) {
                float s = 0.0f;
                for (int q = 0; q < P; q++) s += d[(size_t)co * P + q];
                db[co] += s;
            }
        if (dinp) {
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, P, Cout, 1.0f, w, K, d, P,
                        0.0f, dcol, P);
            col2im_add(dinp + (size_t)m * Cin * H * W, dcol, Cin, H, W, k, st, pad, Ho, Wo);
        }
    }
}

/* ---- pooling ------------------------------------------------------------------------ */

/* inp (M,C,H,W) → out (M,C,Ho,Wo), max over each k×k window */
void clnscl_nn_maxpool_forward(float *out, const float *inp, int M, int C, int H, int W,
                               int k, int st)
{
    const int Ho = (H - k) / st + 1, Wo = (W - k) / st + 1;
    for (size_t mc = 0; mc < (size_t)M * C; mc++) {
        const float *x = inp + mc * H * W;
        float *o = out + mc * Ho * Wo;
        for (int oi = 0; oi < Ho; oi++)
            for (int oj = 0; oj < Wo; oj++) {
                float best = x[(size_t)oi * st * W + oj * st];
                for (int a = 0; a < k; a++)
                    for (int b = 0; b < k; b++) {
                        const float v = x[(size_t)(oi * st + a) * W + oj * st + b];
                        if (v > best) best = v;
                    }
                o[oi * Wo + oj] = best;
            }
    }
}

/* dout (M,C,Ho,Wo): dinp += dout at the first maximal element of each window */
void clnscl_nn_maxpool_backward(float *dinp, const float *dout, const float *inp,
                                int M, int C, int H, int W, int k, int st)
{
    const int Ho = (H - k) / st + 1, Wo = (W - k) / st + 1;
    for (size_t mc = 0; mc < (size_t)M * C; mc++) {
        const float *x = inp + mc * H * W;
        const float *d = dout + mc * Ho * Wo;
        float *di = dinp + mc * H * W;
        for (int oi = 0; oi < Ho; oi++)
            for (int oj = 0; oj < Wo; oj++) {
                size_t arg = (size_t)oi * st * W + oj * st;
                float best = x[arg];
                for (int a = 0; a < k; a++)
                    for (int b = 0; b < k; b++) {
                        const size_t idx = (size_t)(oi * st + a) * W + oj * st + b;
                        const float v = x[idx];
                        arg = v > best ? idx : arg;
                        best = v > best ? v : best;
                    }
                di[arg] += d[oi * Wo + oj];
            }
    }
}

/* inp (M,C,H,W) → out (M,C,Ho,Wo), mean over each k×k window */
void clnscl_nn_avgpool_forward(float *out, const float *inp, int M, int C, int H, int W,
                               int k, int st)
{
    const int Ho = (H - k) / st + 1, Wo = (W - k) / st + 1;
    const float inv = 1.0f / (float)(k * k);
    for (size_t mc = 0; mc < (size_t)M * C; mc++) {
        const float *x = inp + mc * H * W;
        float *o = out + mc * Ho * Wo;
        for (int oi = 0; oi < Ho; oi++)
            for (int oj = 0; oj < Wo; oj++) {
                float s = 0.0f;
                for (int a = 0; a < k; a++)
                    for (int b = 0; b < k; b++) s += x[(size_t)(oi * st + a) * W + oj * st + b];
                o[oi * Wo + oj] = s * inv;
            }
    }
}

void clnscl_nn_avgpool_backward(float *dinp, const float *dout, int M, int C, int H, int W,
                                int k, int st)
{
    const int Ho = (H - k) / st + 1, Wo = (W - k) / st + 1;
    const float inv = 1.0f / (float)(k * k);
    for (size_t mc = 0; mc < (size_t)M * C; mc++) {
        const float *d = dout + mc * Ho * Wo;
        float *di = dinp + mc * H * W;
        for (int oi = 0; oi < Ho; oi++)
            for (int oj = 0; oj < Wo; oj++) {
                const float g = d[oi * Wo + oj] * inv;
                for (int a = 0; a < k; a++)
                    for (int b = 0; b < k; b++) di[(size_t)(oi * st + a) * W + oj * st + b] += g;
            }
    }
}

/* ---- l2 normalisation of rows --------------------------------------------------------- */

/* inp (M,D) → out (M,D) = inp / max(‖inp‖, 1e-12); norm (M) saved (the clamped value) */
void clnscl_nn_l2norm_forward(float *out, float *norm, const float *inp, int M, int D)
{
    for (int r = 0; r < M; r++) {
        const float *x = inp + (size_t)r * D;
        double s = 0.0;
        for (int j = 0; j < D; j++) s += (double)x[j] * x[j];
        const double nr = fmax(sqrt(s), CLNSCL_L2_EPS);
        norm[r] = (float)nr;
        float *o = out + (size_t)r * D;
        for (int j = 0; j < D; j++) o[j] = (float)(x[j] / nr);
    }
}

void clnscl_nn_l2norm_backward(float *dinp, const float *dout, const float *out,
                               const float *inp, const float *norm, int M, int D)
{
    for (int r = 0; r < M; r++) {
        const float *d = dout + (size_t)r * D, *o = out + (size_t)r * D, *x = inp + (size_t)r * D;
        float *di = dinp + (size_t)r * D;
        double s = 0.0;
        for (int j = 0; j < D; j++) s += (double)x[j] * x[j];
        const double nr = norm[r];
        if (sqrt(s) > CLNSCL_L2_EPS) {
            double dot = 0.0;
            for (int j = 0; j < D; j++) dot += (double)d[j] * o[j];
            for (int j = 0; j < D; j++) di[j] += (float)((d[j] - o[j] * dot) / nr);
        } else {
            for (int j = 0; j < D; j++) di[j] += (float)(d[j] / CLNSCL_L2_EPS);
        }
    }
}

/* ---- OpenBLAS kernel selection (nn.h) --------------------------------------------------- */

void clnscl_nn_openblas_coretype(char **argv)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (getenv("OPENBLAS_CORETYPE")) return;
    const char *core = openblas_get_corename();
    if (!core || strcmp(core, "Prescott") != 0) return;
    const char *want = NULL;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        want = "SkylakeX";
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        want = "Haswell";
    if (!want || setenv("OPENBLAS_CORETYPE", want, 1) != 0) return;
    execv("/proc/self/exe", argv); /* returns only on failure: carry on with Prescott */
#else
    (void)argv;
#endif
}
