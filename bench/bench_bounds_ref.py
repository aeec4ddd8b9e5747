#!/usr/bin/python3
"""bench/bench_bounds_ref.py — NumPy reference for bench/bench_bounds.c (run by bench/run_bounds.sh).

  recurrence_seq_s  the same unrolled recurrence in log space, vectorised:
                    ln W = logsumexp_t( ln η_t + Σ_{s>t} log1p(c η_s) ), c = 1/(2τ²B)
  eval_grid_s       ε, Δ, Theorem 1 (closed form), Corollaries 1-2, Theorem 2 and the loss gap,
                    vectorised over the same 100,000-point grid (constant η: the recurrence is
                    evaluated by its closed form ((1+cη)^T − 1)/c)
"""
import sys
import time

import numpy as np

T = 4_000_000
t = np.arange(T, dtype=np.float64)
eta = 0.5 * (1.0 + np.cos(np.pi * t / T))
tau, B, Delta = 0.1, 256, 1e8
t0 = time.perf_counter()
c = 1.0 / (2 * tau * tau * B)
l = np.log1p(c * eta)
suffix = l.sum() - np.cumsum(l)           # Σ_{s>t}
x = np.log(eta) + suffix
m = x.max()
lnW = m + np.log(np.exp(x - m).sum())
ln_rec = np.log(Delta) - np.log(tau) - 0.5 * np.log(B) + lnW
t1 = time.perf_counter()
print(f"recurrence_seq_s {t1 - t0:.4f}")
print(f"recurrence_log10 {ln_rec / np.log(10):.12f}")

t0 = time.perf_counter()
i, j = np.meshgrid(np.arange(100), np.arange(1000), indexing="ij")
pi = 1.0 / (2 + i * 10.0)
tau = 0.05 + 0.002 * j
B, delta, steps, eta0 = 1024, 0.05, 14400, 0.3
S = steps * eta0
eps = np.sqrt(np.log(steps * B / delta) / (2 * B))
p = pi + eps
valid = p < 1
pp = np.where(valid, p, 0.5)
lD = np.log(2) + 2 / tau + np.log(pp) - np.log1p(-pp)
cc = 1 / (2 * tau ** 2 * B)
lt1 = S * cc + np.log(S) - np.log(tau) - 0.5 * np.log(B) + lD
xa = steps * np.log1p(cc * eta0)
lexpm1 = np.where(xa > 36, xa + np.log1p(-np.exp(-xa)), np.log(np.expm1(np.minimum(xa, 36))))
lrec = lD - np.log(tau) - 0.5 * np.log(B) + lexpm1 - np.log(cc)
rho = lt1 - np.log(100.0)
cka = -np.tanh(0.5 * rho)
r = lt1 - 0.5 * np.log(499500.0) - np.log(0.1)
rsa = -np.tanh(0.5 * r)
lt2 = lD - np.log(tau) + S + np.log1p(-np.exp(-S))
lin = 2 / tau + np.log(pi) - np.log1p(-pi)
gap = np.logaddexp(0, lin)
t1 = time.perf_counter()
print(f"eval_grid_s {t1 - t0:.4f}")
print(f"eval_grid_points {pi.size} (checksum {np.sum(np.where(valid, lt1, 0)) / np.log(10):.6g})")
