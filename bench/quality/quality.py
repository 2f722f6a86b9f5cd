#!/usr/bin/python3
"""quality.py - the arithmetic of the suggestion-quality benchmark.

    quality.py seed --cache DIR --from SHARED TASK...
    quality.py table --cache DIR --tasks TASKDIR --bin CMDDIR TASK...

seed copies what the shared data holds (../shared/quality: runs.jsonl of
the landscapes, range-test curves) into the cache, as the files
bench/quality/run would have written, leaving alone what is there.

table reads the cache, runs every rule on every range test with the real
programs (lrf-smooth and lrf-suggest, in CMDDIR), and prints the regret
tables.  Only the arithmetic is done here: no rule is evaluated in Python.
"""

import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

VARIANTS = ("lrf", "fastai", "n50", "n300")
SEEDS = (101, 102, 103, 104, 105)
PROTOS = ("const", "onecycle")


def seed(cache, src, tasks):
    for t in tasks:
        os.makedirs(os.path.join(cache, "runs", t), exist_ok=True)
        os.makedirs(os.path.join(cache, "curves", t), exist_ok=True)
        jl = os.path.join(src, "landscapes", t + ".runs.jsonl")
        if os.path.exists(jl):
            with open(jl) as fp:
                for line in fp:
                    r = json.loads(line)
                    f = os.path.join(cache, "runs", t, "%s-%d-s%d" %
                                     (r["proto"], r["i"], r["seed"]))
                    if os.path.exists(f):
                        continue
                    v, a = r.get("val_loss"), r.get("val_acc")
                    if r.get("train_nonfinite") or v is None or a is None:
                        v = a = float("nan")
                    with open(f + ".tmp", "w") as out:
                        out.write("%.9g %.9g\n" % (v, a))
                    os.rename(f + ".tmp", f)
        for v in VARIANTS:
            for s in SEEDS:
                name = "%s-s%d.tsv" % (v, s)
                a = os.path.join(src, "curves", t, name)
                b = os.path.join(cache, "curves", t, name)
                if os.path.exists(a) and not os.path.exists(b):
                    shutil.copyfile(a, b + ".tmp")
                    os.rename(b + ".tmp", b)


# The landscapes.

def taskinfo(taskdir, t):
    """steps, classes, optimizer name of a task file."""
    with open(os.path.join(taskdir, t + ".yaml")) as fp:
        text = fp.read()
    head = text.split("\n", 1)[0]
    keys = dict(kv.split("=", 1) for kv in head.split() if "=" in kv)
    opt = re.search(r"optimizer:\s*\{\s*name:\s*(\w+)", text)
    return int(keys["classes"]), opt.group(1) if opt else "sgd"


def landscape(cache, t, classes):
    """{proto: (lr array, L array)}: L = mean over seeds of
    min(val_loss, ln K), nan counting as ln K."""
    lnk = math.log(classes)
    runs = {}
    d = os.path.join(cache, "runs", t)
    for f in os.listdir(d):
        m = re.match(r"(const|onecycle)-(\d+)-s(\d+)$", f)
        if not m:
            continue
        with open(os.path.join(d, f)) as fp:
            v = float(fp.read().split()[0])
        if not math.isfinite(v) or v > lnk:
            v = lnk
        runs.setdefault(m.group(1), {}).setdefault(int(m.group(2)),
                                                   []).append(v)
    out = {}
    for p in PROTOS:
        idx = sorted(runs[p])
        out[p] = (np.array([10 ** (-5 + i / 8) for i in idx]),
                  np.array([np.mean(runs[p][i]) for i in idx]))
    return out


def regret(land, lr):
    """L at lr (linear in log lr between grid points, the nearest end
    outside) over the grid's best."""
    g, L = land
    if lr is None or not (lr > 0):
        return float("nan")
    return float(np.interp(math.log(lr), np.log(g), L) / L.min())


# The rules, each run with the real programs.

def sh(cmd):
    r = subprocess.run(cmd, shell=True, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def num_of(path):
    with open(path) as fp:
        for line in fp:
            m = re.match(r"#@ schedule .*num=(\d+)", line)
            if m:
                return int(m.group(1))
    return 0


class Runner:
    """Runs lrf-smooth and lrf-suggest; the smoothed streams are made
    once per curve, in a temporary directory."""

    def __init__(self, bindir, tmp):
        self.bin = bindir
        self.tmp = tmp
        self.smoothed = {}
        self.failures = 0

    def smooth(self, curve, args=""):
        key = (curve, args)
        if key not in self.smoothed:
            out = os.path.join(self.tmp, "s%d.tsv" % len(self.smoothed))
            rc, _, err = sh("%s/lrf-smooth %s '%s' > '%s'" %
                            (self.bin, args, curve, out))
            if rc != 0:
                sys.exit("quality: lrf-smooth failed on %s: %s" %
                         (curve, err))
            self.smoothed[key] = out
        return self.smoothed[key]

    def suggest(self, files, args):
        rc, out, err = sh("%s/lrf-suggest -q %s %s" % (
            self.bin, args, " ".join("'%s'" % f for f in files)))
        if rc != 0 or not out.strip():
            self.failures += 1
            return None
        return float(out.split()[0])

    def json(self, f, args=""):
        rc, out, err = sh("%s/lrf-suggest --json %s '%s'" %
                          (self.bin, args, f))
        return json.loads(out)


def fastai_skips(curve):
    return "--skip-start %d --skip-end 5" % (num_of(curve) // 10)


# name, description, function(runner, task, curves of the 5 seeds) ->
# list of suggestions (one per curve, or one per group of curves)
def rule_old(run, curves):
    return [run.suggest([run.smooth(c)], "-m steep " + fastai_skips(c))
            for c in curves]


def rule_valley(run, curves):
    return [run.suggest([run.smooth(c)], "-m valley " + fastai_skips(c))
            for c in curves]


def rule_torch(run, curves):
    return [run.suggest([run.smooth(c, "-b 0.95 -d 5")],
                        "-m steep -b 0.95 --skip-start 10 --skip-end 5")
            for c in curves]


def rule_floor(run, curves, args=""):
    return [run.suggest([run.smooth(c)], args) for c in curves]


def rule_steep(run, curves):
    return [run.suggest([run.smooth(c)], "-m steep") for c in curves]


def rule_floor_mean(run, curves, k):
    # every run of k consecutive seeds, cyclically: len(curves) groups
    # (one for k = len(curves))
    n = len(curves)
    groups = [[curves[(i + j) % n] for j in range(k)]
              for i in range(n if k < n else 1)]
    return [run.suggest([run.smooth(c) for c in g], "") for g in groups]


def rule_steep_mean(run, curves):
    return [run.suggest([run.smooth(c) for c in curves],
                        "-m steep " + fastai_skips(curves[0]))]


RULES = [
    ("old", "old default: steep, fastai's skips (lrf-smooth | "
     "lrf-suggest -m steep --skip-start num/10 --skip-end 5)"),
    ("floor", "new default: floor (lrf-smooth | lrf-suggest)"),
    ("valley", "fastai's valley (lrf-suggest -m valley, fastai's skips)"),
    ("torch", "pytorch-lr-finder's rule, as lrf runs it (lrf-smooth "
     "-b 0.95 -d 5 | lrf-suggest -m steep -b 0.95 --skip-start 10 "
     "--skip-end 5)"),
    ("fixed", "no finder: 1e-3 for Adam and AdamW, 1e-2 for SGD"),
    ("steep", "steep with lrf's skips (EMA warm-up, tail): "
     "lrf-suggest -m steep"),
    ("floor3", "floor on the mean of 3 runs (lrf-suggest run1 run2 run3)"),
    ("floor5", "floor on the mean of 5 runs"),
    ("steep5", "old default on the mean of 5 runs"),
]


def evaluate(run, cache, tasks, lands, fixed, variant, rules):
    """{rule: {(task, proto): [R...]}}"""
    res = {r: {} for r in rules}
    for t in tasks:
        curves = [os.path.join(cache, "curves", t, "%s-s%d.tsv" %
                               (variant, s)) for s in SEEDS]
        for r in rules:
            if r == "old":
                lrs = rule_old(run, curves)
            elif r == "floor":
                lrs = rule_floor(run, curves)
            elif r == "valley":
                lrs = rule_valley(run, curves)
            elif r == "torch":
                lrs = rule_torch(run, curves)
            elif r == "fixed":
                lrs = [fixed[t]] * len(curves)
            elif r == "steep":
                lrs = rule_steep(run, curves)
            elif r == "floor3":
                lrs = rule_floor_mean(run, curves, 3)
            elif r == "floor5":
                lrs = rule_floor_mean(run, curves, 5)
            elif r == "steep5":
                lrs = rule_steep_mean(run, curves)
            for p in PROTOS:
                res[r][(t, p)] = [regret(lands[t][p], x) for x in lrs]
    return res


# Leave one task out: floor's two constants chosen on the other tasks.

SHIFTS = np.arange(-0.5, 1.5001, 1 / 16)
GAINS = np.arange(0, 15.001, 0.5)
TUNE_VARIANTS = ("lrf", "fastai")


def objective(rs):
    rs = np.array(rs)
    return float(np.mean(np.log(rs)) + 0.1 * np.log(rs.max()))


def features(run, cache, tasks, variants=TUNE_VARIANTS):
    """{(variant, task): [(lr90, noise_ratio, lr, reasons), ...]} from
    lrf-suggest --json on the smoothed range tests."""
    feat = {}
    for v in variants:
        for t in tasks:
            for s in SEEDS:
                c = os.path.join(cache, "curves", t, "%s-s%d.tsv" % (v, s))
                j = run.json(run.smooth(c))
                feat.setdefault((v, t), []).append(
                    (j["shape"]["lr90"], j["shape"]["noise_ratio"],
                     j.get("lr"), tuple(j.get("reasons", ()))))
    return feat


def choose(feat, lands, tasks):
    best, arg = None, None
    grids = {}
    for (v, t), fs in feat.items():
        if t in tasks and v in TUNE_VARIANTS:
            grids[(v, t)] = fs
    for a in SHIFTS:
        for b in GAINS:
            rs = [regret(lands[t][p], x * 10 ** (a - b * nu))
                  for (v, t), fs in grids.items() for x, nu, _, _ in fs
                  for p in PROTOS]
            o = objective(rs)
            if best is None or o < best:
                best, arg = o, (float(a), float(b))
    return arg


def loto(run, cache, tasks, lands, feat, variants):
    """The held-out task's R with the constants chosen without it, by the
    real program; {variant: {(task, proto): [R...]}}, {task: (a, b)}."""
    chosen, out = {}, {v: {} for v in variants}
    if len(tasks) < 2:
        return out, chosen
    for t in tasks:
        chosen[t] = choose(feat, lands, [u for u in tasks if u != t])
    for v in variants:
        for t in tasks:
            a, b = chosen[t]
            curves = [os.path.join(cache, "curves", t, "%s-s%d.tsv" %
                                   (v, s)) for s in SEEDS]
            lrs = rule_floor(run, curves, "--floor-shift %g --floor-gain %g"
                             % (a, b))
            for p in PROTOS:
                out[v][(t, p)] = [regret(lands[t][p], x) for x in lrs]
    return out, chosen


# The tables.

def stats(rs):
    rs = np.array([r for r in rs if not math.isnan(r)])
    if len(rs) == 0:
        return "     -      -      -"
    return "%6.3f %6.3f %6.3f" % (np.median(rs), np.percentile(rs, 90),
                                   rs.max())


def allof(d):
    return [r for v in d.values() for r in v]


def table(cache, taskdir, bindir, tasks):
    info = {t: taskinfo(taskdir, t) for t in tasks}
    lands = {t: landscape(cache, t, info[t][0]) for t in tasks}
    fixed = {t: 1e-3 if info[t][1] in ("adam", "adamw") else 1e-2
             for t in tasks}
    names = dict(RULES)
    with tempfile.TemporaryDirectory(prefix="lrf-quality.") as tmp:
        run = Runner(bindir, tmp)
        variants = ("lrf", "fastai", "n50", "n300")
        feat = features(run, cache, tasks, variants)
        full = choose(feat, lands, tasks)
        lo, chosen = loto(run, cache, tasks, lands, feat, variants)
        res = {v: evaluate(run, cache, tasks, lands, fixed, v,
                           [r for r, _ in RULES]) for v in variants}
    print("Regret R = L(suggested lr) / min over the grid of L(lr): the "
          "final held-out loss")
    print("after a fixed budget, %d tasks x 2 protocols (const, onecycle) x "
          "5 range tests" % len(tasks))
    print("(seeds 101-105) each; 1 is perfect.  "
          "LOTO: floor's constants chosen without the task.")
    print()
    print("Rules:")
    for r, d in RULES:
        print("  %-7s %s" % (r, d))
    print()
    print("floor's constants (--floor-shift, --floor-gain) chosen on all "
          "tasks, range tests lrf and fastai:")
    _, usage, _ = sh("%s/lrf-suggest -h" % bindir)
    m1 = re.search(r"--floor-shift d .*\[([^]]*)\]", usage)
    m2 = re.search(r"--floor-gain g .*\[([^]]*)\]", usage)
    built = (float(m1.group(1)), float(m2.group(1))) if m1 and m2 else None
    print("  %g, %g: %s; leaving one task out:" % (full + (
        "lrf-suggest's defaults" if built == full else
        "NOT lrf-suggest's defaults, %s" % (built,),)))
    for t in chosen:
        print("    without %-16s %g, %g" % ((t,) + chosen[t]))
    for v, what in (("lrf", "1e-7 to 1, 100 steps: lrf's default range"),
                    ("fastai", "1e-7 to 10, 100 steps: fastai's default "
                     "range"),
                    ("n50", "1e-7 to 1, 50 steps"),
                    ("n300", "1e-7 to 1, 300 steps")):
        print()
        print("Range test %s (%s)" % (v, what))
        print("  %-24s %6s %6s %6s" % ("rule", "median", "p90", "worst"))
        print("  %-24s %s" % ("floor, LOTO", stats(allof(lo[v]))))
        for r, _ in RULES:
            print("  %-24s %s" % (r, stats(allof(res[v][r]))))
        sure, unsure, why = [], [], {}
        for t in tasks:
            for _, _, x, reasons in feat[(v, t)]:
                rs = [regret(lands[t][p], x) for p in PROTOS]
                (unsure if reasons else sure).extend(rs)
                for w in reasons:
                    why[w] = why.get(w, 0) + 1
        print("  %-24s %s  (%d range tests)" % ("floor, sure", stats(sure),
                                                len(sure) // 2))
        print("  %-24s %s  (%d: %s)" % (
            "floor, not sure", stats(unsure), len(unsure) // 2,
            ", ".join("%s %d" % kv for kv in sorted(why.items()))))
        if v != "lrf":
            continue
        small = [t for t in tasks if not t.startswith("fm-mlp") and
                 not t.startswith("fm-cnn")]
        for what, part in (("the six Fashion-MNIST tasks",
                            [t for t in tasks if t not in small]),
                           ("the small, noisy tasks", small)):
            if not part or len(part) == len(tasks):
                continue
            print()
            print("  %s (%s):" % (what, " ".join(part)))
            print("  %-24s %6s %6s %6s" % ("rule", "median", "p90",
                                           "worst"))
            print("  %-24s %s" % ("floor, LOTO", stats(
                [r for (t, p), x in lo[v].items() if t in part
                 for r in x])))
            for r, _ in RULES:
                print("  %-24s %s" % (r, stats(
                    [x for (t, p), xs in res[v][r].items() if t in part
                     for x in xs])))
        cols = ["floor LOTO"] + [r for r, _ in RULES]
        print()
        print("  per task and protocol, median/worst (range test lrf):")
        print("  %-16s %-8s" % ("task", "proto") +
              "".join("%12s" % c for c in cols))
        for t in tasks:
            for p in PROTOS:
                row = [lo[v].get((t, p), [float("nan")])] + [res[v][r][(t, p)]
                                         for r, _ in RULES]
                print("  %-16s %-8s" % (t, p) + "".join(
                    "%12s" % ("%.2f/%.2f" % (np.nanmedian(x), np.nanmax(x))
                              if not all(math.isnan(y) for y in x)
                              else "-") for x in row))
    if run.failures:
        print()
        print("(%d suggestions failed: counted as missing)" % run.failures)


def main(argv):
    if len(argv) < 2:
        sys.exit("usage: quality.py seed|table ...")
    opts, rest, i = {}, [], 2
    while i < len(argv):
        if argv[i].startswith("--"):
            opts[argv[i][2:]] = argv[i + 1]
            i += 2
        else:
            rest.append(argv[i])
            i += 1
    if argv[1] == "seed":
        seed(opts["cache"], opts["from"], rest)
    elif argv[1] == "table":
        table(opts["cache"], opts["tasks"], opts["bin"], rest)
    else:
        sys.exit("quality.py: no command " + argv[1])


if __name__ == "__main__":
    main(sys.argv)
