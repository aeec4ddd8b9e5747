#!/usr/bin/python3
"""NumPy reference for bench_sim: the same surrogate update as sim/ (THEORY.md §3.2-3.4),
vectorised over the batch block, for CL, NSCL and SCL (paper form, views anchors, clipping).

usage: sim_numpy_ref.py steps CLASSES PER_CLASS BATCH [metrics N]
Prints "steps_per_s <value>" (wall-clock) for the update loop, the final CL-NSCL gap, and with `metrics N` the seconds of
Gram-route CKA and RSA on an N x N similarity pair (centre first, as core/metrics_gram.c).
"""
import os
import sys
import time

import numpy as np


def step_run(S, V, same_sample, same_class, eye, na, tau, eta, loss):
    X = S[np.ix_(V, V)]
    if loss == "cl":
        mask = ~same_sample
    elif loss == "nscl":
        mask = ~same_class
    else:
        mask = ~eye
    L = np.where(mask, X / tau, -np.inf)[:na]
    m = L.max(axis=1, keepdims=True)
    E = np.exp(L - m)
    Q = E / E.sum(axis=1, keepdims=True)
    if loss == "scl":
        P = (same_class & ~eye)[:na]
        W = P / P.sum(axis=1, keepdims=True)
    else:
        W = (same_sample & ~eye)[:na].astype(float)
    G = (Q - W) / (na * tau)
    X[:na] -= eta * G
    np.clip(X, -1.0, 1.0, out=X)
    X[eye] = 1.0
    S[np.ix_(V, V)] = X


def main():
    steps, C, n, B = (int(a) for a in sys.argv[1:5])
    tau, eta = 0.5, 1.0
    N = C * n
    P = 2 * N
    rng = np.random.default_rng(1)
    U = rng.standard_normal((P, 16))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    S0 = U @ U.T
    np.fill_diagonal(S0, 1.0)
    runs = [S0.copy(), S0.copy(), S0.copy()]
    labels = np.arange(N) // n
    na = 2 * B
    eye = np.eye(2 * B, dtype=bool)
    t0 = time.perf_counter()
    for _ in range(steps):
        b = np.sort(rng.choice(N, B, replace=False))
        V = np.concatenate([b, b + N])
        s = np.concatenate([b, b])
        y = labels[s]
        same_sample = s[:, None] == s[None, :]
        same_class = y[:, None] == y[None, :]
        for S, loss in zip(runs, ("cl", "nscl", "scl")):
            step_run(S, V, same_sample, same_class, eye, na, tau, eta, loss)
    dt = time.perf_counter() - t0
    print(f"steps_per_s {steps / dt:.6g}")
    print(f"final_gap_cl_nscl {np.linalg.norm(runs[0] - runs[1]):.6g}")
    if len(sys.argv) > 6 and sys.argv[5] == "metrics":
        m = int(sys.argv[6])
        r = np.random.default_rng(2)
        A = r.standard_normal((m, 16))
        A /= np.linalg.norm(A, axis=1, keepdims=True)
        S1 = A @ A.T
        S2 = S1 + 0.01 * r.standard_normal((m, m))
        t0 = time.perf_counter()
        K1 = S1 - S1.mean(0) - S1.mean(1)[:, None] + S1.mean()
        K2 = S2 - S2.mean(0) - S2.mean(1)[:, None] + S2.mean()
        cka = (K1 * K2).sum() / np.sqrt((K1 * K1).sum() * (K2 * K2).sum())
        t_cka = time.perf_counter() - t0
        t0 = time.perf_counter()
        iu = np.triu_indices(m, 1)
        rsa = np.corrcoef(1 - S1[iu], 1 - S2[iu])[0, 1]
        t_rsa = time.perf_counter() - t0
        print(f"cka_s {t_cka:.6g} rsa_s {t_rsa:.6g} cka {cka:.12g} rsa {rsa:.12g}")


if __name__ == "__main__":
    main()
