#!/usr/bin/python3
"""PyTorch reference for bench/bench_nn.c: the same four MLP twins (CL, NSCL, SCL, CE;
code form, tau 0.5), same architecture (model.h defaults: Linear(no bias)-BN-ReLU encoder
784-256-256, projector 256-256-64 with BN (last BN bias frozen), l2-normalised output,
CE head Linear(64 -> 10)), LARS (momentum 0.9, trust 0.001, wd 1e-6, clip 1.0), B = 256,
float32 on CPU. usage: bench_nn_ref.py THREADS [STEPS]. Prints "step_s", "images_per_s",
"epoch_s" lines like bench_nn."""
import sys
import time
import torch
import torch.nn as nn
import torch.nn.functional as F

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 30
torch.set_num_threads(threads)
torch.manual_seed(1)
B, TAU = 256, 0.5


class Twin(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(784, 256, bias=False), nn.BatchNorm1d(256), nn.ReLU(),
                                 nn.Linear(256, 256, bias=False), nn.BatchNorm1d(256), nn.ReLU())
        self.proj = nn.Sequential(nn.Linear(256, 256, bias=False), nn.BatchNorm1d(256), nn.ReLU(),
                                  nn.Linear(256, 64, bias=False), nn.BatchNorm1d(64))
        self.proj[4].bias.requires_grad = False
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        p = self.proj(self.enc(x))
        z = F.normalize(p, dim=1)
        return p, self.head(z)


def contrastive(p, y, kind):
    n = p.shape[0]
    z = F.normalize(p, dim=1)
    s = z @ z.T / TAU
    idx = torch.arange(n)
    pos = (idx + n // 2) % n
    yy = torch.cat([y, y])
    eye = torch.eye(n, dtype=torch.bool)
    same = yy[:, None] == yy[None, :]
    ispos = torch.zeros(n, n, dtype=torch.bool)
    ispos[idx, pos] = True
    allowed = (~same | ispos) if kind == "nscl" else ~eye
    lse = torch.logsumexp(s.masked_fill(~allowed, float("-inf")), dim=1)
    if kind == "scl":
        P = (same & ~eye).float()
        possum = (s * P).sum(1) / P.sum(1)
    else:
        possum = s[idx, pos]
    return (lse - possum).mean()


class LARS(torch.optim.Optimizer):
    def __init__(self, params, lr, weight_decay=1e-6, momentum=0.9, eta=0.001):
        super().__init__(params, dict(lr=lr, weight_decay=weight_decay, momentum=momentum, eta=eta))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for p in g["params"]:
                if p.grad is None:
                    continue
                dp = p.grad.add(p, alpha=g["weight_decay"])
                pn, un = torch.norm(p), torch.norm(dp)
                one = torch.ones_like(pn)
                q = torch.where(pn > 0., torch.where(un > 0, (g["eta"] * pn / un), one), one)
                dp = dp.mul(q)
                st = self.state[p]
                if "mu" not in st:
                    st["mu"] = torch.zeros_like(p)
                mu = st["mu"]
                mu.mul_(g["momentum"]).add_(dp)
                p.add_(mu, alpha=-g["lr"])


base = Twin()
twins = []
for kind in ("cl", "nscl", "scl", "ce"):
    m = Twin()
    m.load_state_dict(base.state_dict())
    twins.append((kind, m, LARS([q for q in m.parameters() if q.requires_grad], lr=0.1)))
x = torch.rand(2 * B, 784)
y = torch.arange(B) % 10


def one_step():
    for kind, m, opt in twins:
        opt.zero_grad(set_to_none=True)
        p, logits = m(x)
        loss = F.cross_entropy(logits, torch.cat([y, y])) if kind == "ce" else contrastive(p, y, kind)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()


for _ in range(3):
    one_step()
t0 = time.perf_counter()
for _ in range(steps):
    one_step()
step = (time.perf_counter() - t0) / steps
print("step_s %.5f" % step)
print("images_per_s %.0f" % (B / step))
print("epoch_s %.2f" % (234 * step))
