/* clnscl/optim.h — SGD with momentum and LARS on a flat parameter block (THEORY.md §6.3).
 *
 * One optimizer per twin (each twin has its own state, THEORY.md §1). The
 * learning rate is given by the caller at every step (schedule.h).
 * A step, in order (matching the authors' GradScaler-unscale → clip → LARS):
 *  1. clipping: if clip > 0 and c = clip/(‖g‖₂ + 1e-6) < 1 (norm over the whole
 *     block), g ← c·g   (torch.nn.utils.clip_grad_norm_);
 *  2. per tensor: d = g + wd·w   (weight decay on every tensor, as the authors);
 *  3. LARS only: q = trust·‖w‖/‖d‖ if ‖w‖ > 0 and ‖d‖ > 0, else 1; d ← q·d
 *     (the Barlow Twins / SimCLR LARS the authors use; trust = 0.001);
 *     tensors excluded from the adaptation use q = 1 (see lars_exclude_1d);
 *  4. m ← μ·m + d;  w ← w − lr·m   (torch SGD convention, no dampening).
 * Norms are accumulated in double.
 * Exclusions: the authors' LARS has an exclusion filter for biases and BN
 * parameters but never enables it, so by default LARS adapts EVERY tensor;
 * lars_exclude_1d = 1 excludes biases and BN γ/β (tensor kinds BIAS, BN_*)
 * from both weight decay and the trust ratio (the usual SimCLR choice). */
#ifndef CLNSCL_OPTIM_H
#define CLNSCL_OPTIM_H

#include <stddef.h>
#include "clnscl/nn.h"

typedef enum { CLNSCL_OPT_SGD = 0, CLNSCL_OPT_LARS } clnscl_opt_kind;

typedef struct {
    clnscl_opt_kind kind;
    double momentum;      /* μ (authors 0.9)                          */
    double weight_decay;  /* authors 1e-6                             */
    double trust;         /* LARS trust coefficient (authors 0.001)   */
    double clip;          /* max gradient 2-norm, 0 = no clipping (authors 1.0) */
    int lars_exclude_1d;  /* 0 (authors): adapt and decay every tensor */
} clnscl_optim_config;

/* The authors' defaults: LARS, μ 0.9, wd 1e-6, trust 0.001, clip 1.0, no exclusions. */
clnscl_optim_config clnscl_optim_config_default(void);
int clnscl_optim_parse_kind(const char *name, clnscl_opt_kind *out); /* "sgd" | "lars" */

typedef struct {
    clnscl_optim_config cfg;
    size_t n;                    /* parameters                      */
    float *m;                    /* momentum buffer (n)             */
    const clnscl_tensor *tensors;/* borrowed from the model         */
    int ntensors;
    double last_grad_norm;       /* ‖g‖₂ before clipping, last step */
} clnscl_optim;

/* Validate cfg (μ ∈ [0,1), wd ≥ 0, trust > 0, clip ≥ 0) and allocate zeroed
 * state for n parameters described by tensors (which must tile [0, n)). */
int clnscl_optim_alloc(clnscl_optim **out, const clnscl_optim_config *cfg, size_t n,
                       const clnscl_tensor *tensors, int ntensors);
void clnscl_optim_free(clnscl_optim *o);
/* One step: params (n) updated in place; grads (n) may be modified (clipping).
 * lr ≥ 0 finite; a non-finite gradient → CLNSCL_ENONFINITE, params untouched. */
int clnscl_optim_step(clnscl_optim *o, float *params, float *grads, double lr);
/* Copy the optimizer state (momentum) of src into dst (same n); for checkpoints
 * the trainer reads/writes o->m directly. */
int clnscl_optim_copy(clnscl_optim *dst, const clnscl_optim *src);

#endif
