/* clnscl/bounds.h — the paper's bounds, evaluated in log space (THEORY.md §4).
 *
 * Owned by bounds/. Every bound is returned as a clnscl_bound: its log10 always,
 * its plain value only when finite in double, and a `vacuous` flag when it says
 * nothing (e.g. CKA lower bound ≤ 0). B below is the number of anchors |A| the
 * batch loss averages over (paper: B samples; authors' code: 2B views).
 */
#ifndef CLNSCL_BOUNDS_H
#define CLNSCL_BOUNDS_H

#include "clnscl/schedule.h"

typedef struct {
    double log10;  /* always set (may be -INFINITY for an exact 0)      */
    double value;  /* valid only when `finite`                          */
    int finite;    /* value representable in double                     */
    int vacuous;   /* the bound says nothing                            */
} clnscl_bound;

/* ε_{B,δ} = sqrt(log(T·B/δ)/(2B))  (Corollary 3, §4.2). */
int clnscl_bounds_epsilon(long T, long B, double delta, double *eps);

/* Δ = 2 e^{2/τ} p/(1−p) with p = π_max + ε (or the observed f_max for Δ_emp);
 * requires 0 ≤ p < 1 (§4.2). Returned as natural log (log Δ = −inf for p = 0). */
int clnscl_bounds_log_delta(double p, double tau, double *log_Delta);

/* Lemma 7 per-step bound on ‖G^CL − G^NSCL‖_F (§4.3), plain doubles (finite inputs). */
double clnscl_bounds_lemma7(double Delta, double tau, long B, double gap);

/* One step of the drift recurrence (§4.4): (1 + η/(2τ²B)) D + η Δ/(τ√B). */
double clnscl_bounds_recurrence_step(double D, double eta, double Delta, double tau, long B);

/* Unrolled recurrence (§4.4) over a schedule, in log space. */
int clnscl_bounds_recurrence(double log_Delta, double tau, long B,
                             const clnscl_schedule *s, clnscl_bound *out);

/* Theorem 1 closed form (§4.5): exp(S/(2τ²B)) · S/(τ√B) · Δ. */
int clnscl_bounds_theorem1(double log_Delta, double tau, long B, double S_eta, clnscl_bound *out);

/* Corollary 1 (§4.6): CKA ≥ (1−ρ)/(1+ρ); vacuous when ρ ≥ 1. */
int clnscl_bounds_cka_lower(double rho, clnscl_bound *out);
/* Corollary 2 (§4.7): RSA ≥ (1−r)/(1+r); vacuous when r ≥ 1. */
int clnscl_bounds_rsa_lower(double r, clnscl_bound *out);

/* Theorem 2 (§4.8): (G Δ/(β τ)) (e^{β S} − 1). */
int clnscl_bounds_theorem2(double log_Delta, double tau, double beta, double G,
                           double S_eta, clnscl_bound *out);

#endif
