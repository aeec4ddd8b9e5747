/* clnscl/nn.h — float32 neural-network layers as forward/backward pairs (llm.c style).
 *
 * Conventions (THEORY.md §6.2 for the architecture they serve):
 *  - Every tensor is a dense row-major float array; the comment above each
 *    function states its shape. M = number of rows (images) in the batch.
 *  - Image tensors are NCHW: (M, C, H, W). Fully connected tensors are (M, D).
 *  - forward writes `out`; backward ACCUMULATES (+=) into every gradient buffer
 *    it is given (dinp, dw, db, ...), so callers zero the flat gradient block
 *    once per step. Any gradient pointer may be NULL (not needed: e.g. dinp of
 *    the first layer, db of a layer without bias).
 *  - Linear algebra goes through OpenBLAS cblas_sgemm; everything is
 *    deterministic for a fixed OpenBLAS thread count.
 * The layers never fail (shapes are the caller's contract); the model layer
 * (model.h) validates configurations.
 */
#ifndef CLNSCL_NN_H
#define CLNSCL_NN_H

#include <stddef.h>

/* A named tensor inside a flat parameter block (model.h), used by the
 * optimizers (LARS is per tensor) and by the weight gap (THEORY.md §5). */
typedef enum {
    CLNSCL_TENSOR_WEIGHT = 0, /* linear / conv kernel                  */
    CLNSCL_TENSOR_BIAS,       /* linear / conv bias                    */
    CLNSCL_TENSOR_BN_GAMMA,   /* batch-norm scale                      */
    CLNSCL_TENSOR_BN_BETA     /* batch-norm shift                      */
} clnscl_tensor_kind;

typedef struct {
    char name[48];          /* e.g. "encoder.0.weight", "projector.bn2.weight" */
    size_t offset, size;    /* in floats, into the flat parameter block        */
    clnscl_tensor_kind kind;
    int encoder_weight;     /* 1: an encoder `.weight` tensor (conv/linear kernel or
                               BN gamma), the layers of the §5 weight gap            */
} clnscl_tensor;

/* ---- linear: out = inp · Wᵀ + b ---------------------------------------------
 * inp (M, Din), w (Dout, Din) (torch layout), b (Dout) or NULL, out (M, Dout). */
void clnscl_nn_linear_forward(float *out, const float *inp, const float *w,
                              const float *b, int M, int Din, int Dout);
/* dout (M, Dout); dinp (M, Din) += dout·W; dw (Dout, Din) += doutᵀ·inp; db (Dout) += Σ_rows dout. */
void clnscl_nn_linear_backward(float *dinp, float *dw, float *db, const float *dout,
                               const float *inp, const float *w, int M, int Din, int Dout);

/* ---- batch normalisation over (M, C, S) (S = spatial size, 1 for (M, C)) -----
 * Training mode: per-channel mean / biased variance over the M·S values,
 * xhat = (x − mean)·rstd, rstd = 1/sqrt(var + eps), out = gamma·xhat + beta.
 * gamma NULL ⇒ 1, beta NULL ⇒ 0 (the paper's last projector BN has a frozen
 * zero bias: pass beta = NULL). mean, rstd (C) are saved for backward.
 * Running statistics (torch semantics, momentum 0.1, unbiased variance):
 * run_mean = (1−mom)·run_mean + mom·mean, run_var likewise with var·n/(n−1);
 * pass run_mean = run_var = NULL to skip the update. */
#define CLNSCL_BN_EPS 1e-5f
#define CLNSCL_BN_MOMENTUM 0.1f
void clnscl_nn_batchnorm_forward(float *out, float *mean, float *rstd, const float *inp,
                                 const float *gamma, const float *beta,
                                 float *run_mean, float *run_var, int M, int C, int S);
/* Evaluation mode: normalise with the running statistics. */
void clnscl_nn_batchnorm_forward_eval(float *out, const float *inp, const float *gamma,
                                      const float *beta, const float *run_mean,
                                      const float *run_var, int M, int C, int S);
/* Backward of the training-mode forward: dinp (M,C,S) +=, dgamma (C) +=, dbeta (C) +=. */
void clnscl_nn_batchnorm_backward(float *dinp, float *dgamma, float *dbeta, const float *dout,
                                  const float *inp, const float *mean, const float *rstd,
                                  const float *gamma, int M, int C, int S);

/* ---- relu: out = max(0, inp), n elements; dinp += dout·[inp > 0] ------------- */
void clnscl_nn_relu_forward(float *out, const float *inp, size_t n);
void clnscl_nn_relu_backward(float *dinp, const float *dout, const float *inp, size_t n);

/* ---- 2-D convolution via im2col + sgemm --------------------------------------
 * inp (M, Cin, H, W), w (Cout, Cin, k, k) (torch layout), b (Cout) or NULL,
 * stride st, zero padding pad: Ho = (H + 2·pad − k)/st + 1, likewise Wo;
 * out (M, Cout, Ho, Wo). col is scratch of clnscl_nn_conv2d_col_size() floats. */
size_t clnscl_nn_conv2d_col_size(int Cin, int H, int W, int k, int st, int pad);
void clnscl_nn_conv2d_forward(float *out, const float *inp, const float *w, const float *b,
                              float *col, int M, int Cin, int H, int W, int Cout,
                              int k, int st, int pad);
/* dout (M, Cout, Ho, Wo); dinp (M,Cin,H,W) +=, dw (Cout,Cin,k,k) +=, db (Cout) +=.
 * col and dcol: scratch, each clnscl_nn_conv2d_col_size() floats. */
void clnscl_nn_conv2d_backward(float *dinp, float *dw, float *db, const float *dout,
                               const float *inp, const float *w, float *col, float *dcol,
                               int M, int Cin, int H, int W, int Cout, int k, int st, int pad);

/* ---- pooling over (M, C, H, W), window k × k, stride st, no padding ----------
 * Ho = (H − k)/st + 1. out (M, C, Ho, Wo). Max pooling backward routes dout to
 * the first maximal element of each window (recomputed from inp). */
void clnscl_nn_maxpool_forward(float *out, const float *inp, int M, int C, int H, int W,
                               int k, int st);
void clnscl_nn_maxpool_backward(float *dinp, const float *dout, const float *inp,
                                int M, int C, int H, int W, int k, int st);
void clnscl_nn_avgpool_forward(float *out, const float *inp, int M, int C, int H, int W,
                               int k, int st);
void clnscl_nn_avgpool_backward(float *dinp, const float *dout, int M, int C, int H, int W,
                                int k, int st);

/* ---- row-wise l2 normalisation (EDGE_CASES.md L5) ------------------------------
 * inp (M, D); norm[r] = max(‖inp_r‖, 1e-12) (saved, M floats); out = inp / norm.
 * backward: dinp_r += (dout_r − out_r⟨dout_r, out_r⟩)/norm_r when ‖inp_r‖ > 1e-12,
 * else dout_r / 1e-12 (the clamped branch is linear). Always finite. */
#define CLNSCL_L2_EPS 1e-12
void clnscl_nn_l2norm_forward(float *out, float *norm, const float *inp, int M, int D);
void clnscl_nn_l2norm_backward(float *dinp, const float *dout, const float *out,
                               const float *inp, const float *norm, int M, int D);

/* ---- OpenBLAS kernel selection ----------------------------------------------------
 * OpenBLAS 0.3.21 does not recognise recent Xeons (e.g. Sapphire Rapids) and falls
 * back to its SSE3 "Prescott" kernels, 2-3x slower on the training sgemms. The core
 * type is read once when the library loads, so when that happened on a CPU with
 * AVX-512 (F/BW/DQ/VL) or AVX2+FMA this re-executes the program (/proc/self/exe,
 * argv) once with OPENBLAS_CORETYPE=SkylakeX or Haswell. It returns (doing nothing)
 * if OPENBLAS_CORETYPE is already set, the detection worked, or exec fails.
 * Call it first thing in main (cli/main.c, bench/). */
void clnscl_nn_openblas_coretype(char **argv);

#endif
