"""crosscheck.py - lrf-train against PyTorch, loss by loss (make crosscheck).

    /usr/bin/python3 bench/crosscheck.py [--train cmd/lrf-train]
        [--data DIR] [--samples 512] [--steps 50] [-v]

The same network, the same initial weights, the same data, the same
learning rates, in both: a 784-256-10 ReLU MLP with softmax
cross-entropy on the first 512 Fashion-MNIST training images, trained
full-batch (batch_size = the dataset, one fold, no dropout), so every step
sees the same samples in both and the mean loss depends on their order
only through rounding.

For each optimizer (SGD with momentum 0.9, Adam, AdamW with its default
weight decay; and AdamW with weight decay 0.1): lrf-train writes its initial weights (--save, empty
schedule); a Python reader of the weights file (wfile.py) loads them into
torch.nn.Linear layers; lrf-train trains from them (--load) on an
exponentially rising schedule of 50 LRs that ends in divergence, and
torch.optim does the same.  The loss printed at each step (before the
update) must agree to 1e-4 relative until divergence: the first step at
which either loss is not finite or above 4x the lowest loss so far.  At
least MIN_STEPS steps must be compared, or the check says the schedule
diverges too early to mean anything.  Exit 0 if every optimizer passes,
1 otherwise.
"""
import argparse
import gzip
import math
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch

import wfile

FM = "/usr/share/datasets/fashion-mnist"
REL = 1e-4
DIVERGE = 4.0
MIN_STEPS = 20

# Models: the layers of the config, and the same network in torch.  The
# k-th weights-file layer goes to the k-th module with parameters.  (A CNN
# case for issue 5 adds an entry here: its images are (N, 1, 28, 28).)
MODELS = {
    "mlp": ("""\
    - {type: dense, units: 256, activation: relu}
    - {type: dense, units: 10}
""", lambda: torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 10))),
}

CASES = [
    # name, model, optimizer section, torch optimizer, lr range
    ("sgd", "mlp", "name: sgd\n  momentum: 0.9\n",
     lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9), 1e-3, 10.0),
    ("adam", "mlp", "name: adam\n",
     lambda p, lr: torch.optim.Adam(p, lr=lr), 1e-5, 1.0),
    ("adamw", "mlp", "name: adamw\n",
     lambda p, lr: torch.optim.AdamW(p, lr=lr), 1e-5, 1.0),
    # beyond the three: a weight decay strong enough to matter.
    # (RMSprop is left to tests/unit/opt.c: on this schedule its loss
    # wanders, below 4x its minimum, for ten steps before it diverges,
    # and that chaos amplifies the rounding differences past 1e-4.)
    ("adamw-wd0.1", "mlp", "name: adamw\n  weight_decay: 0.1\n",
     lambda p, lr: torch.optim.AdamW(p, lr=lr, weight_decay=0.1), 1e-5,
     1.0),
]

CONFIG = """\
data:
  format: idx
  images: {dir}/images.idx
  labels: {dir}/labels.idx
  folds: 1
model:
  layers:
{layers}  loss: cross_entropy
  init: he
optimizer:
  {opt}train:
  batch_size: {n}
  seed: 42
"""


def subset(data, n, tmp):
    """The first n training images and labels as raw IDX files."""
    with gzip.open(data + "/train-images-idx3-ubyte.gz", "rb") as f:
        img = np.frombuffer(f.read(), np.uint8, offset=16)[:n * 784]
    with gzip.open(data + "/train-labels-idx1-ubyte.gz", "rb") as f:
        lab = np.frombuffer(f.read(), np.uint8, offset=8)[:n]
    with open(tmp + "/images.idx", "wb") as f:
        f.write(struct.pack(">IIII", 0x803, n, 28, 28) + img.tobytes())
    with open(tmp + "/labels.idx", "wb") as f:
        f.write(struct.pack(">II", 0x801, n) + lab.tobytes())
    return img.reshape(n, 784), lab


def lrf(train, args, stdin):
    p = subprocess.run([train] + args, input=stdin, capture_output=True,
                       text=True)
    if p.returncode != 0:
        sys.exit("crosscheck: %s %s: exit %d\n%s" %
                 (train, " ".join(args), p.returncode, p.stderr))
    return p.stdout


def losses(out):
    """The loss column of lrf-train's output, by its header."""
    col, got = None, []
    for line in out.splitlines():
        if line.startswith("#"):
            if col is None and not line.startswith("#@"):
                names = line[1:].split()
                if "loss" in names:
                    col = names.index("loss")
            continue
        if col is None:
            col = 2
        got.append(float(line.split("\t")[col]))
    return got


def torch_run(init, net, x, y, lrs, make):
    mods = [m for m in net.modules()
            if list(m.parameters(recurse=False))]
    if len(init) != len(mods):
        sys.exit("crosscheck: the weights file has %d layers, want %d" %
                 (len(init), len(mods)))
    with torch.no_grad():
        for m, (typ, t) in zip(mods, init):
            want = [tuple(m.weight.shape), tuple(m.bias.shape)]
            if [a.shape for a in t] != want:
                sys.exit("crosscheck: weights %s do not fit %s" %
                         ([a.shape for a in t], m))
            m.weight.copy_(torch.from_numpy(t[0]))
            m.bias.copy_(torch.from_numpy(t[1]))
    o = make(net.parameters(), lrs[0])
    lossf = torch.nn.CrossEntropyLoss()
    got = []
    for lr in lrs:
        for g in o.param_groups:
            g["lr"] = lr
        o.zero_grad()
        loss = lossf(net(x), y)
        loss.backward()
        o.step()
        got.append(loss.item())
    return got


def diverged(seq):
    """Index of the first divergent step of seq, or len(seq)."""
    best = math.inf
    for i, v in enumerate(seq):
        if not math.isfinite(v) or v > DIVERGE * best:
            return i
        best = min(best, v)
    return len(seq)


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--train", default=os.path.join(here, "..", "cmd",
                                                    "lrf-train"))
    ap.add_argument("--data", default=FM)
    ap.add_argument("--samples", type=int, default=512)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--verbose", "-v", action="store_true",
                    help="print the steps after divergence too")
    a = ap.parse_args()
    torch.set_num_threads(1)

    ok = True
    with tempfile.TemporaryDirectory(prefix="lrf-crosscheck.") as tmp:
        img, lab = subset(a.data, a.samples, tmp)
        # x = byte * scale in float32, as lrf-train's data layer does
        x = torch.from_numpy(img.astype(np.float32) * np.float32(1 / 255))
        x = x.reshape(-1, 1, 28, 28)
        y = torch.from_numpy(lab.astype(np.int64))
        print("crosscheck: lrf-train vs torch %s, %d Fashion-MNIST "
              "samples, full batch, %d steps, rel tol %g"
              % (torch.__version__, a.samples, a.steps, REL))
        for name, model, opt, make, lo, hi in CASES:
            layers, net = MODELS[model]
            cfg = tmp + "/" + name + ".yaml"
            with open(cfg, "w") as f:
                f.write(CONFIG.format(dir=tmp, layers=layers, opt=opt,
                                      n=a.samples))
            init = tmp + "/" + name + ".lrfw"
            lrf(a.train, ["-c", cfg, "--threads", "2", "--save", init],
                "# lr\n")
            lrs = [lo * (hi / lo) ** (i / (a.steps - 1))
                   for i in range(a.steps)]
            sched = "# lr\n" + "".join("%.17g\n" % v for v in lrs)
            mine = losses(lrf(a.train, ["-c", cfg, "--threads", "2",
                                        "--load", init], sched))
            if len(mine) != len(lrs):
                sys.exit("crosscheck: lrf-train printed %d losses for %d "
                         "lrs" % (len(mine), len(lrs)))
            theirs = torch_run(wfile.read(init), net(), x, y, lrs, make)
            end = min(diverged(mine), diverged(theirs))
            worst, at = 0.0, -1
            print("\n%s: %s, lr %g .. %g" % (name, model, lo, hi))
            print("%5s %12s %14s %14s %10s" %
                  ("step", "lr", "lrf-train", "torch", "rel diff"))
            for i in range(len(lrs)):
                rel = abs(mine[i] - theirs[i]) / abs(theirs[i]) \
                    if theirs[i] != 0 else abs(mine[i])
                if i < end and rel > worst:
                    worst, at = rel, i
                if i == end:
                    print("  -- diverged at step %d (a loss above %gx the "
                          "lowest, or not finite): not compared below --"
                          % (i, DIVERGE))
                    if not a.verbose:
                        break
                print("%5d %12.5g %14.9g %14.9g %10.2e" %
                      (i, lrs[i], mine[i], theirs[i], rel))
            good = end >= MIN_STEPS and worst <= REL
            ok = ok and good
            why = "" if end >= MIN_STEPS else \
                " (diverged before step %d: too early to compare)" % \
                MIN_STEPS
            print("%s: %d steps compared before divergence, max rel diff "
                  "%.2e at step %d: %s%s" % (name, end, worst, at,
                                             "PASS" if good else "FAIL", why))
    print("\ncrosscheck: %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
