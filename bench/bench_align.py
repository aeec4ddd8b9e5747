#!/usr/bin/python3
"""Benchmark `clnscl align`'s metrics against NumPy / SciPy and the authors' route.

usage: /usr/bin/python3 bench/bench_align.py [--build DIR] [--n 10000] [--d 512]
                                             [--skip-authors] [--skip-spearman]

Every measurement runs in its own process (so peak memory is per computation):
  clnscl  — build/bench_align (C, double precision);
  numpy   — feature-space linear CKA  ||XcᵀYc||² / (||XcᵀXc|| ||YcᵀYc||), float64;
  authors — the authors' route (THEORY.md §6.4): float32 torch Gram matrices K = XXᵀ, L = YYᵀ,
            centred, then three full n×n matrix products for tr(KcLc), tr(KcKc), tr(LcLc);
  scipy   — RSA: pdist(·, 'cosine') RDMs materialised, scipy.stats.pearsonr / spearmanr.
Times exclude file loading (best of --reps for the fast ones). Extra memory = peak RSS of the
process minus its resident memory once the inputs are loaded. Threads: 2 for everything
(OPENBLAS_NUM_THREADS, torch.set_num_threads, OMP_WAIT_POLICY=PASSIVE).
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def maxrss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def current_rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def worker(kind, xp, yp, reps):
    import numpy as np
    X, Y = np.load(xp), np.load(yp)
    if kind == "authors":
        import torch
        torch.set_num_threads(int(os.environ.get("OPENBLAS_NUM_THREADS", "2")))
        Xt, Yt = torch.from_numpy(X).float(), torch.from_numpy(Y).float()
    if kind.startswith("scipy"):
        from scipy import stats
        from scipy.spatial.distance import pdist
    base = current_rss()
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        if kind == "numpy":
            Xc, Yc = X - X.mean(0), Y - Y.mean(0)
            v = np.linalg.norm(Xc.T @ Yc) ** 2 / (np.linalg.norm(Xc.T @ Xc) * np.linalg.norm(Yc.T @ Yc))
        elif kind == "authors":
            def centre(K):
                return K - K.mean(0, keepdim=True) - K.mean(1, keepdim=True) + K.mean()
            Kc, Lc = centre(Xt @ Xt.T), centre(Yt @ Yt.T)
            v = float(torch.trace(Kc @ Lc) / torch.sqrt(torch.trace(Kc @ Kc) * torch.trace(Lc @ Lc)))
        elif kind == "scipy_rsa":
            v = stats.pearsonr(pdist(X, "cosine"), pdist(Y, "cosine"))[0]
        elif kind == "scipy_spearman":
            v = stats.spearmanr(pdist(X, "cosine"), pdist(Y, "cosine")).correlation
        best = min(best, time.perf_counter() - t0)
    print(json.dumps({"impl": kind, "value": float(v), "seconds": best, "rss_base_kib": base,
                      "rss_peak_kib": maxrss()}))


def cpu_coretype():
    """OpenBLAS 0.3.21 does not recognise this VM's Xeon and falls back to 'Prescott' (SSE3)
    kernels, several times slower; pick the kernel family from the CPU flags instead, the same
    for every implementation measured here."""
    flags = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                flags = line
                break
    return "SkylakeX" if " avx512f" in flags else "Haswell" if " avx2" in flags else "Prescott"


def run(cmd, env):
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"benchmark step failed: {' '.join(cmd)}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--d", type=int, default=512)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--skip-authors", action="store_true")
    ap.add_argument("--skip-spearman", action="store_true")
    ap.add_argument("--worker", nargs=4, metavar=("KIND", "X", "Y", "REPS"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        worker(a.worker[0], a.worker[1], a.worker[2], int(a.worker[3]))
        return
    import numpy as np
    coretype = os.environ.get("OPENBLAS_CORETYPE") or cpu_coretype()
    env = dict(os.environ, OPENBLAS_CORETYPE=coretype, OPENBLAS_NUM_THREADS=os.environ.get("OPENBLAS_NUM_THREADS", "2"),
               OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"), OMP_WAIT_POLICY="PASSIVE")
    binp = os.path.join(a.build, "bench_align")
    with tempfile.TemporaryDirectory() as tmp:
        rng = np.random.default_rng(0)
        X = rng.standard_normal((a.n, a.d))
        Y = X @ rng.standard_normal((a.d, a.d)) * 0.05 + rng.standard_normal((a.n, a.d)) + 0.3
        xp, yp = os.path.join(tmp, "X.npy"), os.path.join(tmp, "Y.npy")
        np.save(xp, X)
        np.save(yp, Y)
        del X, Y
        me = [sys.executable, os.path.abspath(__file__), "--worker"]
        res = {}
        res["c_cka"] = run([binp, xp, yp, "cka", str(a.reps)], env)
        res["np_cka"] = run(me + ["numpy", xp, yp, str(a.reps)], env)
        if not a.skip_authors:
            res["authors_cka"] = run(me + ["authors", xp, yp, "1"], env)
        res["c_rsa"] = run([binp, xp, yp, "rsa", str(a.reps)], env)
        res["scipy_rsa"] = run(me + ["scipy_rsa", xp, yp, "1"], env)
        if not a.skip_spearman:
            res["c_spearman"] = run([binp, xp, yp, "rsa-spearman", "1"], env)
            res["scipy_spearman"] = run(me + ["scipy_spearman", xp, yp, "1"], env)

    def extra(r):
        return (r["rss_peak_kib"] - r["rss_base_kib"]) / 1024.0

    print(f"n = {a.n}, d = {a.d}, threads = {env['OPENBLAS_NUM_THREADS']}, "
          f"OPENBLAS_CORETYPE = {env.get('OPENBLAS_CORETYPE', '(auto)')}")
    print(f"{'measurement':34s} {'seconds':>9s} {'extra MiB':>10s} {'value':>20s}")
    for k, r in res.items():
        print(f"{k:34s} {r['seconds']:9.3f} {extra(r):10.1f} {r['value']:20.15f}")
    c = res["c_cka"]["seconds"]
    print(f"linear CKA: numpy / clnscl time ratio = {res['np_cka']['seconds'] / c:.2f}")
    if "authors_cka" in res:
        print(f"linear CKA: authors' route / clnscl time ratio = {res['authors_cka']['seconds'] / c:.1f}")
    r, s = res["c_rsa"], res["scipy_rsa"]
    print(f"RSA-Pearson: scipy / clnscl time ratio = {s['seconds'] / r['seconds']:.2f}, "
          f"extra-memory ratio = {extra(s) / max(extra(r), 1e-9):.1f}")
    if "c_spearman" in res:
        print(f"RSA-Spearman: scipy / clnscl time ratio = "
              f"{res['scipy_spearman']['seconds'] / res['c_spearman']['seconds']:.2f}")
    for k in ("np_cka", "authors_cka"):
        if k in res:
            print(f"|clnscl − {k}| relative = "
                  f"{abs(res[k]['value'] - res['c_cka']['value']) / abs(res['c_cka']['value']):.2e}")
    print(f"|clnscl − scipy| RSA relative = {abs(s['value'] - r['value']) / abs(r['value']):.2e}")


if __name__ == "__main__":
    main()
