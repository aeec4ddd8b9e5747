#!/usr/bin/python3
"""bench/bench_data_ref.py — reference timings for bench/bench_data.c (run by bench/run_data.sh).

usage: /usr/bin/python3 bench/bench_data_ref.py SCRATCH_DIR THREADS
  load_fashion_train   gzip + numpy decode of the 60,000 training images to float32 in [0,1]
  augment_views_s      PyTorch batched equivalent of clnscl's default 28x28 augmentation for
                       B = 512 -> 2 views: random resized crop + flip (affine_grid/grid_sample,
                       bilinear), brightness/contrast jitter (p=0.8), Gaussian noise (p=0.5)
  probe_linear_s       the same objective as clnscl_probe_linear (standardised features,
                       mean CE + wd/2 ||W||^2, bias not decayed) by scipy L-BFGS-B, 100 iterations,
                       on the features bench_data saved in SCRATCH_DIR
"""
import gzip
import math
import sys
import time

import numpy as np
import scipy.optimize
import torch

scratch, threads = sys.argv[1], int(sys.argv[2])
torch.set_num_threads(threads)

t0 = time.perf_counter()
raw = gzip.open('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz').read()
imgs = np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 1, 28, 28).astype(np.float32) / 255
print(f"load_fashion_train {time.perf_counter() - t0:.4f} s")

x_all = torch.from_numpy(imgs)
gen = torch.Generator().manual_seed(1)
B = 512


def views(x):
    n = x.shape[0]
    s = 0.3 + 0.7 * torch.rand(n, generator=gen)
    logr = math.log(3 / 4) + (math.log(4 / 3) - math.log(3 / 4)) * torch.rand(n, generator=gen)
    r = torch.exp(logr)
    fw = torch.clamp(torch.sqrt(s * r), max=1.0)
    fh = torch.clamp(torch.sqrt(s / r), max=1.0)
    cx = (1 - fw) * (2 * torch.rand(n, generator=gen) - 1)
    cy = (1 - fh) * (2 * torch.rand(n, generator=gen) - 1)
    flip = torch.where(torch.rand(n, generator=gen) < 0.5, -1.0, 1.0)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = fw * flip
    theta[:, 0, 2] = cx
    theta[:, 1, 1] = fh
    theta[:, 1, 2] = cy
    grid = torch.nn.functional.affine_grid(theta, x.shape, align_corners=False)
    out = torch.nn.functional.grid_sample(x, grid, mode='bilinear', padding_mode='border',
                                          align_corners=False)
    jit = (torch.rand(n, 1, 1, 1, generator=gen) < 0.8).float()
    fb = 1 + jit * 0.4 * (2 * torch.rand(n, 1, 1, 1, generator=gen) - 1)
    out = torch.clamp(out * fb, 0, 1)
    fc = 1 + jit * 0.4 * (2 * torch.rand(n, 1, 1, 1, generator=gen) - 1)
    m = out.mean(dim=(1, 2, 3), keepdim=True)
    out = torch.clamp(fc * out + (1 - fc) * m, 0, 1)
    noise = (torch.rand(n, 1, 1, 1, generator=gen) < 0.5).float()
    out = torch.clamp(out + noise * 0.05 * torch.randn(out.shape, generator=gen), 0, 1)
    return out


reps = 40
with torch.no_grad():
    views(x_all[:B])
    t0 = time.perf_counter()
    for _ in range(reps):
        idx = torch.randint(0, x_all.shape[0], (B,), generator=gen)
        x = x_all[idx]
        v1, v2 = views(x), views(x)
    ta = (time.perf_counter() - t0) / reps
print(f"augment_views_s {ta:.6f} s")
print(f"augment_imgs_per_s {2 * B / ta:.0f} views/s")

X = np.load(f"{scratch}/probe_X.npy")
E = np.load(f"{scratch}/probe_E.npy")
y = np.load(f"{scratch}/probe_y.npy").astype(np.int64)
ye = np.load(f"{scratch}/probe_ye.npy").astype(np.int64)
K, wd = 10, 1e-4
t0 = time.perf_counter()
mu, sd = X.mean(0), X.std(0)
sd[sd <= 1e-12 * (1 + np.abs(mu))] = 1.0
Xs = (X - mu) / sd
n, d = Xs.shape
Y = np.eye(K)[y]


def fg(theta):
    W = theta[:d * K].reshape(d, K)
    b = theta[d * K:]
    Z = Xs @ W + b
    mx = Z.max(1, keepdims=True)
    P = np.exp(Z - mx)
    se = P.sum(1, keepdims=True)
    f = np.mean(np.log(se[:, 0]) + mx[:, 0] - Z[np.arange(n), y]) + 0.5 * wd * np.sum(W * W)
    G = P / se - Y
    gW = Xs.T @ G / n + wd * W
    gb = G.mean(0)
    return f, np.concatenate([gW.ravel(), gb])


res = scipy.optimize.minimize(fg, np.zeros(d * K + K), jac=True, method='L-BFGS-B',
                              options={'maxiter': 100, 'maxcor': 10, 'gtol': 1e-7})
W = res.x[:d * K].reshape(d, K)
b = res.x[d * K:]
acc = np.mean(np.argmax(((E - mu) / sd) @ W + b, 1) == ye)
print(f"probe_linear_s {time.perf_counter() - t0:.4f} s")
print(f"probe_linear_acc {acc:.4f}")
print(f"probe_linear_objective {res.fun:.8f}")
