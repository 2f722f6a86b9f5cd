"""crosscheck_resnet.py - lrf's ResNets against torchvision's (make
crosscheck).

    /usr/bin/python3 bench/crosscheck_resnet.py --train cmd/lrf-train
        --logits RESNET_LOGITS --cmp tests/curvecmp [--only resnet18]

torchvision's resnet18 (and resnet50) with random init (torch's seed 0;
nothing is downloaded) and running statistics moved by two batches in
training mode, exported as safetensors (examples/torch/
export_safetensors.py), loaded by lrf with model.arch:

  logits   a batch of 64x64 images through both, in evaluation (the
           running statistics) and in training mode (the batch's): every
           logit within TOL of torch's, relative to the largest logit of
           its sample;
  curves   lrf-train from those weights on 64x64 RGB images (an IDX file,
           data.shape [3, 64, 64]), full batch, batchnorm in training
           mode, an exponentially rising schedule, SGD with momentum 0.9
           and Adam; torch.optim the same: the losses must agree to REL
           up to where the curves stop being comparable (tests/curve.h,
           run as tests/curvecmp, as bench/crosscheck.py does), or at
           least as long as torch's own float32 curve follows its float64
           one (a ResNet that fits a few images is chaotic: a relu input
           near 0 that rounding sends to the other side changes the
           gradient of every layer below by up to 5e-3, in torch float32
           against float64 as much as in lrf against torch).

tol(arch), derived: a logit is the end of a chain of float32 sums, the
conv2d layers (20 in resnet18, 53 in resnet50, counting them all)
whose sums have up to 4608 terms; each rounds to about sqrt(k) u
relative (u = 2^-24: 4e-6 for k = 4608, random-signed errors), and the
chain adds them: n sqrt(4608) u if they all add up in one direction (8e-5
for resnet18, 2.2e-4 for resnet50), sqrt(n) of that as a random walk;
batchnorm rescales errors with the values.  The bound is the first,
relative to the sample's largest logit (the issue's 1e-4 for resnet18).
Exit 0 if every case passes, 1 otherwise.
"""
import argparse
import copy
import os
import re
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torchvision

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "examples", "torch"))
sys.path.insert(0, here)
from export_safetensors import save_safetensors  # noqa: E402

CONVS = {"resnet18": 20, "resnet34": 36, "resnet50": 53}
REL = 1e-4
DIVERGE = 4.0
MIN_REF = 5


def tol(arch):
    """The logits' bound (above): n sqrt(4608) 2^-24, n conv2d layers."""
    return CONVS[arch] * 4608 ** 0.5 * 2.0 ** -24


CONFIG = """\
data:
  format: idx
  images: {dir}/images.idx
  labels: {dir}/labels.idx
  shape: [3, {s}, {s}]
  folds: 1
model:
  arch: {arch}
optimizer:
  {opt}train:
  batch_size: {n}
  seed: 42
"""

# name, arch, samples, steps, optimizer section, torch optimizer, lr range
CASES = [
    ("resnet18-sgd", "resnet18", 16, 20, "name: sgd\n  momentum: 0.9\n",
     lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9), 1e-5, 1e-2),
    ("resnet18-adam", "resnet18", 16, 20, "name: adam\n",
     lambda p, lr: torch.optim.Adam(p, lr=lr), 1e-7, 1e-4),
    ("resnet50-sgd", "resnet50", 8, 8, "name: sgd\n  momentum: 0.9\n",
     lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9), 1e-5, 1e-3),
    ("resnet50-adam", "resnet50", 8, 8, "name: adam\n",
     lambda p, lr: torch.optim.Adam(p, lr=lr), 1e-7, 1e-5),
]


def run(cmd, stdin=None):
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("crosscheck_resnet: %s: exit %d\n%s" %
                 (" ".join(cmd), p.returncode, p.stderr))
    return p.stdout


def model(arch, k):
    """torchvision's arch, seed 0, its running statistics moved."""
    torch.manual_seed(0)
    m = getattr(torchvision.models, arch)(num_classes=k)
    m.train()
    with torch.no_grad():
        for _ in range(2):
            m(torch.rand(4, 3, 64, 64))
    return m


def check_logits(a, arch, k, tmp):
    """The logits of one batch, evaluation and training mode."""
    m = model(arch, k)
    w = "%s/%s.safetensors" % (tmp, arch)
    save_safetensors(m.state_dict(), w)
    g = torch.Generator().manual_seed(1)
    x = torch.rand(4, 3, 64, 64, generator=g)
    with open(tmp + "/x.f32", "wb") as f:
        f.write(x.numpy().astype("<f4").tobytes())
    good = True
    for train in (0, 1):
        m.train(bool(train))
        with torch.no_grad():
            want = m(x).numpy().astype(np.float64)
        out = run([a.logits, arch, str(k), "64", str(train), w,
                   tmp + "/x.f32"])
        got = np.array([[float(v) for v in l.split("\t")]
                        for l in out.splitlines()])
        scale = np.abs(want).max(axis=1, keepdims=True)
        worst = (np.abs(got - want) / scale).max()
        ok = got.shape == want.shape and worst <= tol(arch)
        good &= ok
        print("%s logits, %s mode, 4 samples x %d: max |diff| / max "
              "|logit| %.2e (tol %g): %s" %
              (arch, "training" if train else "evaluation", k, worst,
               tol(arch),
               "PASS" if ok else "FAIL"))
    return good


def data(n, k, s, tmp):
    """n images 3 x s x s of uniform noise, k classes, as an IDX pair;
    labels i % k, each class brighter by 2 than the one before: hard
    to tell apart, so that the loss falls slowly and smoothly (with an
    easy task a few steps take it near 0, where the curves' relative
    differences mean nothing; and a net that fits 16 images at once is
    chaotic: torch's own float32 and float64 gradients differ by 5e-3 in
    some tensors, where a relu input near 0 has another sign)."""
    rng = np.random.default_rng(3)
    lab = (np.arange(n) % k).astype(np.uint8)
    img = rng.integers(0, 240, (n, 3, s, s)) + 2 * lab[:, None, None, None]
    img = img.astype(np.uint8)
    with open(tmp + "/images.idx", "wb") as f:
        f.write(struct.pack(">IIIII", 0x804, n, 3, s, s) + img.tobytes())
    with open(tmp + "/labels.idx", "wb") as f:
        f.write(struct.pack(">II", 0x801, n) + lab.tobytes())
    x = torch.from_numpy(img.astype(np.float32) * np.float32(1 / 255))
    return x, torch.from_numpy(lab.astype(np.int64))


def losses(out):
    col, got = None, []
    for line in out.splitlines():
        if line.startswith("#"):
            if col is None and not line.startswith("#@"):
                names = line[1:].split()
                if "loss" in names:
                    col = names.index("loss")
            continue
        got.append(float(line.split("\t")[col if col is not None else 2]))
    return got


def compare(cmp, mine, theirs, minsteps, tmp):
    files = []
    for k, seq in (("mine", mine), ("theirs", theirs)):
        files.append("%s/%s.tsv" % (tmp, k))
        with open(files[-1], "w") as f:
            f.write("# lr\tloss\n" + "".join("0\t%.17g\n" % v
                                             for v in seq))
    p = subprocess.run([cmp, "-d", str(DIVERGE), "-r", str(REL),
                        "-m", str(minsteps)] + files,
                       capture_output=True, text=True)
    m = re.match(r"compared (\d+) of \d+ steps", p.stdout)
    if p.returncode > 1 or m is None:
        sys.exit("crosscheck_resnet: %s: exit %d\n%s%s" %
                 (cmp, p.returncode, p.stdout, p.stderr))
    return int(m.group(1)), p.stdout.strip(), p.returncode == 0


def torch_curve(m, x, y, lrs, make):
    o = make(m.parameters(), lrs[0])
    lossf = torch.nn.CrossEntropyLoss()
    got = []
    m.train()
    for lr in lrs:
        for g in o.param_groups:
            g["lr"] = lr
        o.zero_grad()
        loss = lossf(m(x), y)
        loss.backward()
        o.step()
        got.append(loss.item())
    return got


def as_close(mine, theirs, ref):
    """Where torch's own float32 curve leaves its float64 one at once
    (resnet50 on a few images: chaotic from step 1), no float32 curve can
    be asked to follow another; what can be asked is that lrf's stays as
    close to the float64 curve as torch's float32 one does: at each step
    before the divergence, lrf's relative distance from float64 at most
    AMP times torch float32's largest so far (AMP = 8, curve.h's
    amplification: rounding that grows no faster than torch's), with a
    floor of AMP times the first step's rounding (2^-24 times the terms
    of a logit's chain, tol("resnet50")).  A wrong gradient moves the
    curve by its own size at step 1, far past torch's rounding."""
    amp, worst, big = 8.0, tol("resnet50"), 0.0
    lo = ref[0]
    for i in range(min(len(mine), len(theirs), len(ref))):
        if not (abs(ref[i]) < float("inf")) or ref[i] > DIVERGE * lo:
            break
        lo = min(lo, ref[i])
        e_t = abs(theirs[i] - ref[i]) / abs(ref[i])
        e_m = abs(mine[i] - ref[i]) / abs(ref[i])
        worst = max(worst, e_t)
        big = max(big, e_m / worst)
        if e_m > amp * worst:
            return False, ("step %d: lrf %.2e from float64, torch float32 "
                           "at most %.2e so far: more than %gx" %
                           (i, e_m, worst, amp))
    return True, ("every step as close to float64 as torch float32, "
                  "within %.2fx (at most %gx)" % (big, amp))


def check_curve(a, case, tmp):
    name, arch, n, steps, opt, make, lo, hi = case
    k = 4
    d = tmp + "/" + name
    os.mkdir(d)
    x, y = data(n, k, 64, d)
    m = model(arch, k)
    w = d + "/init.safetensors"
    save_safetensors(m.state_dict(), w)
    cfg = d + "/cfg.yaml"
    with open(cfg, "w") as f:
        f.write(CONFIG.format(dir=d, s=64, arch=arch, opt=opt, n=n))
    lrs = [lo * (hi / lo) ** (i / (steps - 1)) for i in range(steps)]
    sched = "# lr\n" + "".join("%.17g\n" % v for v in lrs)
    mine = losses(run([a.train, "-c", cfg, "--threads", "2", "--load", w],
                      sched))
    m64 = copy.deepcopy(m).double()
    theirs = torch_curve(m, x, y, lrs, make)
    ref = torch_curve(m64, x.double(), y, lrs, make)
    minsteps = min(steps, 15) * 3 // 4
    got, what, good = compare(a.cmp, mine, theirs, minsteps, d)
    n64, what64, _ = compare(a.cmp, ref, theirs, 1, d)
    # how long torch's own float32 curve follows its float64 one is as
    # long as any float32 curve can be asked to follow it; a case where
    # that is under MIN_REF steps (resnet50 here: its curve is chaotic
    # from step 1 on, in torch too) is held to as_close() instead
    #
    # Two float32 curves that each follow float64 for n64 steps need not
    # follow each other that long by curve.h's rule: near the onset of
    # chaos (a relu input near 0 rounded to the other side) the growth of
    # their DIFFERENCE can pass 8x in 3 steps a step or two before either
    # leaves float64, while that difference is still at the rounding
    # level.  lrf's Winograd convolutions (LRF_CONV, lib/wino.h) round
    # otherwise than im2col (tests/unit/wino.c bounds it: a few times the
    # direct sums' gamma_k S), which moves that step: resnet18-sgd was cut
    # at step 5 with differences of at most 1.5e-6 through step 6, while
    # lrf stayed as close to float64 as torch float32 (2.2e-5 and 4.4e-5
    # at step 7).  So where the cut comes before n64 >= MIN_REF, every one
    # of the n64 steps must still agree within REL (the bound derived for
    # rounding above; a wrong gradient moves the curve by its own size at
    # step 1, far past it).
    if not good and n64 >= MIN_REF and got < n64 and len(mine) >= n64 and \
            all(abs(mine[i] - theirs[i]) <= REL * max(abs(mine[i]),
                                                      abs(theirs[i]))
                for i in range(n64)):
        good = True
        what += ("; within %g for all %d steps torch float32 follows "
                 "float64" % (REL, n64))
    elif not good and got >= n64 >= MIN_REF:
        good = True
        what += "; torch float32 vs float64: " + what64
    elif not good and n64 < MIN_REF:
        good, how = as_close(mine, theirs, ref)
        what += "; " + how
    print("\n%s: %d images 3x64x64, %d classes, full batch, lr %g .. %g" %
          (name, n, k, lo, hi))
    print("%5s %12s %14s %14s %10s %14s" % ("step", "lr", "lrf-train",
                                            "torch", "rel diff",
                                            "torch float64"))
    for i in range(len(lrs)):
        mi = mine[i] if i < len(mine) else float("nan")
        rel = abs(mi - theirs[i]) / max(abs(mi), abs(theirs[i]))
        print("%5d %12.5g %14.9g %14.9g %10.2e %14.9g" %
              (i, lrs[i], mi, theirs[i], rel, ref[i]))
    print("%s: %s (torch float32 vs float64: %d steps): %s" %
          (name, what, n64, "PASS" if good else "FAIL"))
    return good


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--logits", required=True)
    ap.add_argument("--cmp", required=True)
    ap.add_argument("--only", help="the cases whose name starts so")
    a = ap.parse_args()
    torch.set_num_threads(2)
    ok = True
    print("crosscheck_resnet: lrf vs torch %s, torchvision %s" %
          (torch.__version__, torchvision.__version__))
    with tempfile.TemporaryDirectory(prefix="lrf-crosscheck.") as tmp:
        for arch in ("resnet18", "resnet50"):
            if not a.only or arch.startswith(a.only):
                ok &= check_logits(a, arch, 10, tmp)
        for case in CASES:
            if not a.only or case[0].startswith(a.only):
                ok &= check_curve(a, case, tmp)
    print("\ncrosscheck_resnet: %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
