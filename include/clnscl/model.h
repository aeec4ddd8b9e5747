/* clnscl/model.h — twin network: encoder h + projector g (+ optional CE head)
 * on one flat parameter block (THEORY.md §6.2, STYLE.md llm.c/kann).
 *
 * Architecture:
 *  - encoder `mlp`: input flattened (in_c·in_h·in_w); for each width w_l:
 *      Linear(prev → w_l, no bias) → BN(w_l) → ReLU;  h = last ReLU output.
 *  - encoder `cnn`: for each stage channel count c_l:
 *      Conv3×3(pad 1, no bias) → BN(c_l) → ReLU → MaxPool 2×2 (stride 2);
 *      h = global average pool of the last stage (c_last values).
 *  - projector (the paper's): Linear(h → proj_hidden, no bias) → BN → ReLU →
 *      Linear(proj_hidden → proj_dim, no bias) → BN(γ trainable, β frozen at 0)
 *      = p;  z = p / max(‖p‖, 1e-12).
 *  - CE head (n_classes > 0): logits = Linear(proj_dim → n_classes, bias)(z).
 * Contrastive losses take p (unnormalised; loss.h normalises inside) and hand
 * back ∂L/∂p; CE takes the logits.
 * Initialisation (torch defaults): Linear/Conv weights and biases
 * U(−1/√fan_in, 1/√fan_in); BN γ = 1, β = 0, running mean 0, running var 1.
 * BN running statistics live outside the parameter block (bn_stats), one set
 * per twin; clnscl_model_copy copies parameters AND statistics.
 * Default sizes (clnscl_model_config_default), chosen for ≤ 15 s per
 * Fashion-MNIST epoch with four twins on 2 cores (see README):
 *  mlp: 784 → 256 → 256 (h = 256), projector 256 → 256 → 64: 0.35 M multiply-adds
 *       per view forward, ≈ 1.7 MFLOP forward + backward, so one Fashion-MNIST
 *       epoch (60,000 images × 2 views × 4 twins) is ≈ 0.8 TFLOP of sgemm;
 *  cnn: stages 8, 16, 32 (h = 32), projector 32 → 128 → 64: 0.5 M multiply-adds
 *       per 28×28 view (0.8 M for 32×32×3), ≈ 1.5–2.5× the mlp's cost.
 */
#ifndef CLNSCL_MODEL_H
#define CLNSCL_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "clnscl/nn.h"
#include "clnscl/loss.h"
#include "clnscl/rng.h"

#define CLNSCL_MAX_ENC_LAYERS 8

typedef enum { CLNSCL_ENC_MLP = 0, CLNSCL_ENC_CNN } clnscl_encoder_kind;

typedef struct {
    clnscl_encoder_kind encoder;
    int in_c, in_h, in_w;               /* input image (NCHW per image)             */
    int n_enc;                          /* number of encoder layers / stages        */
    int enc[CLNSCL_MAX_ENC_LAYERS];     /* mlp widths / cnn stage channels          */
    int proj_hidden, proj_dim;          /* projector sizes                          */
    int n_classes;                      /* > 0: CE head; 0: none                    */
    int max_batch;                      /* M rows the activation buffers hold (2B)  */
} clnscl_model_config;

/* Defaults above for an in_c × in_h × in_w input; n_classes 0, max_batch 512. */
clnscl_model_config clnscl_model_config_default(clnscl_encoder_kind kind, int in_c, int in_h,
                                                int in_w);
int clnscl_model_parse_encoder(const char *name, clnscl_encoder_kind *out); /* mlp | cnn */
/* "512,256" → widths; 1..CLNSCL_MAX_ENC_LAYERS positive integers. */
int clnscl_model_parse_widths(const char *s, int *widths, int *n);

typedef struct clnscl_model_internal clnscl_model_internal;

typedef struct {
    clnscl_model_config cfg;
    int in_dim;              /* in_c·in_h·in_w                                  */
    int feat_dim;            /* dimension of h                                  */
    size_t nparams;
    float *params;           /* flat parameter block (nparams)                  */
    float *grads;            /* flat gradient block (nparams)                   */
    clnscl_tensor *tensors;  /* named tensors tiling the block, in order        */
    int ntensors;
    size_t nstats;
    float *bn_stats;         /* running mean/var of every BN (nstats), per twin */
    /* outputs of the last forward (pointers into the activation block) */
    int M;                   /* rows of the last forward                        */
    float *h;                /* (M, feat_dim) encoder features                  */
    float *p;                /* (M, proj_dim) projector output, unnormalised    */
    float *z;                /* (M, proj_dim) l2-normalised projector output     */
    float *logits;           /* (M, n_classes) or NULL                          */
    clnscl_model_internal *in; /* activations and layer bookkeeping (model.c)   */
    size_t bytes;            /* heap bytes: parameters, gradients, statistics and
                                activations                                      */
} clnscl_model;

/* Validate cfg (CLNSCL_EINVAL with a message) and allocate; parameters zero
 * until clnscl_model_init. */
int  clnscl_model_alloc(clnscl_model **out, const clnscl_model_config *cfg);
void clnscl_model_free(clnscl_model *m);
/* The sizes clnscl_model_alloc would give (nparams, nstats, feat_dim, bytes) without
 * allocating the blocks: to refuse a model larger than the memory before allocating it. */
int  clnscl_model_footprint(const clnscl_model_config *cfg, size_t *nparams, size_t *nstats, int *feat_dim,
                            size_t *bytes);
/* Draw the initial parameters from r (advances r); reset BN statistics. */
void clnscl_model_init(clnscl_model *m, clnscl_rng *r);
/* dst ← src (parameters and BN statistics; dst's gradients zeroed).
 * Same configuration required (CLNSCL_ESHAPE otherwise). */
int  clnscl_model_copy(clnscl_model *dst, const clnscl_model *src);
void clnscl_model_zero_grad(clnscl_model *m);

/* Training-mode forward of x (M, in_dim), 1 ≤ M ≤ max_batch (batch statistics,
 * running statistics updated). Sets m->M, h, p, z, logits. BN needs M ≥ 2. */
int  clnscl_model_forward(clnscl_model *m, const float *x, int M);
/* Evaluation-mode forward (running statistics; nothing updated). */
int  clnscl_model_forward_eval(clnscl_model *m, const float *x, int M);
/* Backward after clnscl_model_forward: dp (M, proj_dim) = ∂L/∂p and/or
 * dlogits (M, n_classes) = ∂L/∂logits (either may be NULL); accumulates into grads. */
void clnscl_model_backward(clnscl_model *m, const float *dp, const float *dlogits);

/* One training computation on a batch of 2B rows x (rows 0..B−1 view 1,
 * B..2B−1 view 2, loss.h layout), labels (B): zero_grad, forward, loss
 * (kind/form/tau; CE needs n_classes > 0), backward. *loss = batch loss.
 * The optimizer step is the caller's (optim.h). */
int  clnscl_model_train_step(clnscl_model *m, const float *x, int B, const int32_t *labels,
                             clnscl_loss_kind kind, clnscl_loss_form form, double tau,
                             double *loss);

/* Evaluation-mode embedding of n rows of x in chunks of max_batch:
 * h (n, feat_dim) and/or z (n, proj_dim) in double (either may be NULL). */
int  clnscl_model_embed(clnscl_model *m, const float *x, size_t n, double *h, double *z);

/* Weight gap (THEORY.md §5): mean over encoder weight tensors of
 * ‖A_l − B_l‖_F / (½(‖A_l‖_F + ‖B_l‖_F)) (tensors with zero denominator skipped)
 * and the same ratio over the whole parameter vector. CLNSCL_EDEGENERATE if
 * every denominator is zero. Either output may be NULL. */
int  clnscl_model_weight_gap(const clnscl_model *a, const clnscl_model *b, double *gap_enc,
                             double *gap_all);

#endif
