"""crosscheck.py - lrf-train against PyTorch, loss by loss (make crosscheck).

    /usr/bin/python3 bench/crosscheck.py [--train cmd/lrf-train]
        [--data DIR] [--samples 512] [--steps 50] [--cnn-samples 256]
        [--cnn-steps 60] [--only PREFIX] [-v]

The same network, the same initial weights, the same data, the same
learning rates, in both: a 784-256-10 ReLU MLP with softmax
cross-entropy on the first 512 Fashion-MNIST training images, trained
full-batch (batch_size = the dataset, one fold, no dropout), so every step
sees the same samples in both and the mean loss depends on their order
only through rounding.

For each optimizer (SGD with momentum 0.9, Adam, AdamW with its default
weight decay; and AdamW with weight decay 0.1): lrf-train writes its initial weights (--save, empty
schedule; safetensors); a Python reader of the weights file (wfile.py)
loads them into
torch.nn.Linear layers; lrf-train trains from them (--load) on an
exponentially rising schedule of 50 LRs that ends in divergence, and
torch.optim does the same.  The loss printed at each step (before the
update) must agree to 1e-4 relative up to where the two curves stop being
comparable, a point the curves define (tests/curve.h, shared with the
suite's other curve comparisons, run as tests/curvecmp): either loss
diverges (not finite, or above 4x its lowest so far), or their
difference amplifies (8x within 3 steps from above the rounding level: a
chaotic region, or a max-pooling tie decided the other way).  At least
MIN_STEPS steps must be compared, or the check says the schedule
diverges too early to mean anything.

The CNN cases (issue 5) do the same with two small convolutional
networks on the first 256 images, 60 steps, SGD with momentum 0.9 and
Adam: "cnn" is conv 1->8 3x3 pad 1 + ReLU, max pool 2, conv 8->16 3x3 +
ReLU, average pool 2, flatten, dense 10; "cnn-bn" adds a batchnorm after
each pool (training mode: the full batch's statistics).  Conv2d weights
(F, C, k, k) + bias and batchnorm gamma, beta, running mean and variance
come from the weights file as for the dense layers.  Exit 0 if every case
passes, 1 otherwise.
"""
import argparse
import gzip
import os
import re
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
# The comparison runs up to where the curves stop being comparable
# (tests/curve.h, by tests/curvecmp: divergence, or a difference that
# amplifies), and at least MIN_STEPS steps must come before that: by then
# every layer's forward and backward and the optimizer's state (Adam's
# bias corrections change most over the first 1 / (1 - beta1) = 10 steps)
# have been through a dozen updates.  REL: the losses are means of
# positive terms, so their relative difference is that of the logits'
# sums, about sqrt(k) u per step for the k ~ 1000 terms on the MLP's path
# (u = 2^-24: 2e-6), adding up like a random walk over the 30 steps
# compared (1e-5); 1e-4 leaves 10 times that.
MIN_STEPS = 15

# Models: the layers of the config, and the same network in torch.  The
# k-th weights-file layer goes to the k-th module with parameters; images
# are (N, 1, 28, 28).
MODELS = {
    "mlp": ("""\
    - {type: dense, units: 256, activation: relu}
    - {type: dense, units: 10}
""", lambda: torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 10))),
    # 1x28x28 -> 8x28x28 -> 8x14x14 -> 16x12x12 -> 16x6x6 -> 576 -> 10
    "cnn": ("""\
    - {type: conv2d, filters: 8, kernel: 3, padding: 1, activation: relu}
    - {type: maxpool2d, kernel: 2}
    - {type: conv2d, filters: 16, kernel: 3, activation: relu}
    - {type: avgpool2d, kernel: 2}
    - {type: flatten}
    - {type: dense, units: 10}
""", lambda: torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 3), torch.nn.ReLU(),
        torch.nn.AvgPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(576, 10))),
    # the same with batch normalisation (training mode: the full batch's
    # statistics) after each pooling.  (Not between a ReLU and a max pool:
    # there the ReLU's zeros become ties of one value, and a value a few
    # ulps above them, rounded differently by the two, moves the pool's
    # gradient to another element: an O(1) change that chaos amplifies.)
    "cnn-bn": ("""\
    - {type: conv2d, filters: 8, kernel: 3, padding: 1, activation: relu}
    - {type: maxpool2d, kernel: 2}
    - {type: batchnorm}
    - {type: conv2d, filters: 16, kernel: 3, activation: relu}
    - {type: avgpool2d, kernel: 2}
    - {type: batchnorm}
    - {type: flatten}
    - {type: dense, units: 10}
""", lambda: torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2), torch.nn.BatchNorm2d(8),
        torch.nn.Conv2d(8, 16, 3), torch.nn.ReLU(),
        torch.nn.AvgPool2d(2), torch.nn.BatchNorm2d(16),
        torch.nn.Flatten(), torch.nn.Linear(576, 10))),
}

# Tensors of each weights-file layer type, in the order of state_dict.
TENSORS = {
    wfile.DENSE: ("weight", "bias"),
    wfile.CONV2D: ("weight", "bias"),
    wfile.BATCHNORM: ("weight", "bias", "running_mean", "running_var"),
}

# The MLP cases run on --samples images for --steps steps, the CNN cases
# (issue 5) on --cnn-samples for --cnn-steps.
CASES = [
    # name, model, optimizer section, torch optimizer, lr range
    ("sgd", "mlp", "name: sgd\n  momentum: 0.9\n",
     lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9), 1e-3, 10.0),
    ("adam", "mlp", "name: adam\n",
     lambda p, lr: torch.optim.Adam(p, lr=lr), 1e-5, 1.0),
    ("adamw", "mlp", "name: adamw\n",
     lambda p, lr: torch.optim.AdamW(p, lr=lr), 1e-5, 1.0),
    # beyond the three: a weight decay strong enough to matter.
    # (RMSprop is left to tests/unit/opt.c.)
    ("adamw-wd0.1", "mlp", "name: adamw\n  weight_decay: 0.1\n",
     lambda p, lr: torch.optim.AdamW(p, lr=lr, weight_decay=0.1), 1e-5,
     1.0),
    # The CNN cases run over the whole range; where they stop being
    # comparable is the curves' business (tests/curve.h): Adam's loss
    # wanders from lr ~0.02 without diverging, and with batchnorm a
    # max-pool window whose two largest values are a few ulps apart,
    # rounded differently by the two, sooner or later sends the gradient
    # to another element (the losses agree to 1e-7 up to that step, to
    # 1e-3 after it); when depends on the kernels and the threads.
    ("cnn-sgd", "cnn", "name: sgd\n  momentum: 0.9\n",
     lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9), 1e-3, 1.0),
    ("cnn-adam", "cnn", "name: adam\n",
     lambda p, lr: torch.optim.Adam(p, lr=lr), 1e-4, 1.0),
    ("cnn-bn-sgd", "cnn-bn", "name: sgd\n  momentum: 0.9\n",
     lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9), 1e-3, 1.0),
    ("cnn-bn-adam", "cnn-bn", "name: adam\n",
     lambda p, lr: torch.optim.Adam(p, lr=lr), 1e-4, 1.0),
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
            names = TENSORS.get(typ, ())
            sd = m.state_dict()
            want = [tuple(sd[k].shape) for k in names if k in sd]
            if len(names) != len(t) or [a.shape for a in t] != want:
                sys.exit("crosscheck: weights %s (type %d) do not fit %s" %
                         ([a.shape for a in t], typ, m))
            for k, a in zip(names, t):
                sd[k].copy_(torch.from_numpy(a))
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


def compare(cmp, mine, theirs, tmp):
    """tests/curvecmp on the two curves (the rule of tests/curve.h,
    shared with the suite's other curve comparisons): at least half of
    the schedule must come before the cut, or the range starts too close
    to divergence to mean anything.  (Not its -R 0, the first rise of a
    loss: heavy-ball momentum raises the loss while stable.)  Returns
    (steps compared, the reason it stopped, PASS or not)."""
    files = []
    for k, seq in (("mine", mine), ("theirs", theirs)):
        files.append("%s/%s.tsv" % (tmp, k))
        with open(files[-1], "w") as f:
            f.write("# lr\tloss\n" + "".join("0\t%.17g\n" % v
                                             for v in seq))
    p = subprocess.run([cmp, "-d", str(DIVERGE), "-r", str(REL),
                        "-m", str(MIN_STEPS)] + files,
                       capture_output=True, text=True)
    m = re.match(r"compared (\d+) of \d+ steps \(([a-z ]+) at step",
                 p.stdout)
    if p.returncode > 1 or m is None:
        sys.exit("crosscheck: %s: exit %d\n%s%s" % (cmp, p.returncode,
                                                    p.stdout, p.stderr))
    return int(m.group(1)), m.group(2), p.returncode == 0


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--train", default=os.path.join(here, "..", "cmd",
                                                    "lrf-train"))
    ap.add_argument("--data", default=FM)
    ap.add_argument("--cmp", default=os.path.join(here, "..", "tests",
                                                  "curvecmp"))
    ap.add_argument("--samples", type=int, default=512)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--cnn-samples", type=int, default=256)
    ap.add_argument("--cnn-steps", type=int, default=60)
    ap.add_argument("--only", help="run only the cases whose name starts "
                    "with this (mlp: the MLP ones)")
    ap.add_argument("--verbose", "-v", action="store_true",
                    help="print the steps after divergence too")
    a = ap.parse_args()
    torch.set_num_threads(1)

    ok = True
    with tempfile.TemporaryDirectory(prefix="lrf-crosscheck.") as tmp:
        sets = {}
        for kind, n in (("mlp", a.samples), ("cnn", a.cnn_samples)):
            d = tmp + "/" + kind
            os.mkdir(d)
            img, lab = subset(a.data, n, d)
            # x = byte * scale in float32, as lrf-train's data layer does
            x = torch.from_numpy(img.astype(np.float32) *
                                 np.float32(1 / 255))
            x = x.reshape(-1, 1, 28, 28)
            y = torch.from_numpy(lab.astype(np.int64))
            sets[kind] = (d, n, x, y)
        print("crosscheck: lrf-train vs torch %s, full batch, rel tol %g; "
              "MLP: %d Fashion-MNIST samples, %d steps; CNN: %d samples, "
              "%d steps" % (torch.__version__, REL, a.samples, a.steps,
                            a.cnn_samples, a.cnn_steps))
        for name, model, opt, make, lo, hi in CASES:
            if a.only and not (name.startswith(a.only) or
                               model.startswith(a.only)):
                continue
            layers, net = MODELS[model]
            kind = "cnn" if model.startswith("cnn") else "mlp"
            d, n, x, y = sets[kind]
            steps = a.cnn_steps if kind == "cnn" else a.steps
            cfg = tmp + "/" + name + ".yaml"
            with open(cfg, "w") as f:
                f.write(CONFIG.format(dir=d, layers=layers, opt=opt, n=n))
            init = tmp + "/" + name + ".safetensors"
            lrf(a.train, ["-c", cfg, "--threads", "2", "--save", init],
                "# lr\n")
            lrs = [lo * (hi / lo) ** (i / (steps - 1))
                   for i in range(steps)]
            sched = "# lr\n" + "".join("%.17g\n" % v for v in lrs)
            mine = losses(lrf(a.train, ["-c", cfg, "--threads", "2",
                                        "--load", init], sched))
            if len(mine) != len(lrs):
                sys.exit("crosscheck: lrf-train printed %d losses for %d "
                         "lrs" % (len(mine), len(lrs)))
            theirs = torch_run(wfile.read(init), net(), x, y, lrs, make)
            end, why, good = compare(a.cmp, mine, theirs, tmp)
            worst, at = 0.0, -1
            print("\n%s: %s, lr %g .. %g" % (name, model, lo, hi))
            print("%5s %12s %14s %14s %10s" %
                  ("step", "lr", "lrf-train", "torch", "rel diff"))
            for i in range(len(lrs)):
                rel = abs(mine[i] - theirs[i]) / \
                    max(abs(mine[i]), abs(theirs[i])) \
                    if mine[i] != theirs[i] else 0.0
                if i < end and rel > worst:
                    worst, at = rel, i
                if i == end:
                    print("  -- %s at step %d (tests/curve.h): not "
                          "compared below --" % (why, i))
                    if not a.verbose:
                        break
                print("%5d %12.5g %14.9g %14.9g %10.2e" %
                      (i, lrs[i], mine[i], theirs[i], rel))
            ok = ok and good
            short = "" if end >= MIN_STEPS else \
                " (fewer than %d steps compared)" % MIN_STEPS
            print("%s: %d steps compared (%s at step %d), max rel diff "
                  "%.2e at step %d: %s%s" % (name, end, why, end, worst, at,
                                             "PASS" if good else "FAIL",
                                             short))
    print("\ncrosscheck: %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
