"""torch_protocol.py - PyTorch speaking lrf-train's record protocol.

    /usr/bin/python3 bench/torch_protocol.py [--threads T] [--batch B]
        [--opt sgd|adam] [--dims 784-256-10] < schedule > losses

What a PyTorch LR finder driven by lrf-schedule would do: read one record
(the lr in column 1; '#' lines are comments), gather the next mini-batch
of Fashion-MNIST (a fresh shuffle every epoch, bytes to floats), one
training step at that lr, print "step lr loss" and flush, then read the
next record.  At the end of input it prints, as lrf-train does,
"#@ train steps=N seconds=S ms_per_step=M", timed from the first record
(loading excluded).  Thread settings as for torch_bench.py.
"""
import argparse
import gzip
import sys
import time

import numpy as np
import torch

FM = "/usr/share/datasets/fashion-mnist"


def idx(path, off):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=off)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--opt", default="sgd", choices=["sgd", "adam"])
    ap.add_argument("--dims", default="784-256-10")
    ap.add_argument("--data", default=FM)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    x = idx(a.data + "/train-images-idx3-ubyte.gz", 16).reshape(-1, 784)
    y = torch.from_numpy(
        idx(a.data + "/train-labels-idx1-ubyte.gz", 8).astype(np.int64))
    dims = [int(d) for d in a.dims.split("-")]
    layers = []
    for i in range(len(dims) - 1):
        layers.append(torch.nn.Linear(dims[i], dims[i + 1]))
        if i < len(dims) - 2:
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    if a.opt == "sgd":
        o = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    else:
        o = torch.optim.Adam(net.parameters(), lr=1e-3)
    lossf = torch.nn.CrossEntropyLoss()
    rng = np.random.default_rng(1)
    order = rng.permutation(len(y))
    pos = 0
    step = 0
    t0 = None
    out = sys.stdout
    out.write("# step\tlr\tloss\n")
    out.flush()
    for line in sys.stdin:
        if line.startswith("#") or not line.strip():
            continue
        if t0 is None:
            t0 = time.perf_counter()
        lr = float(line.split()[0])
        if pos + a.batch > len(order):
            order = rng.permutation(len(y))
            pos = 0
        i = order[pos:pos + a.batch]
        pos += a.batch
        xb = torch.from_numpy(x[i]).float().mul_(1 / 255)
        for g in o.param_groups:
            g["lr"] = lr
        o.zero_grad(set_to_none=True)
        loss = lossf(net(xb), y[i])
        loss.backward()
        o.step()
        out.write("%d\t%.9g\t%.9g\n" % (step, lr, loss.item()))
        out.flush()
        step += 1
    s = time.perf_counter() - t0 if t0 is not None else 0.0
    out.write("#@ train steps=%d seconds=%.6f ms_per_step=%.6f\n" %
              (step, s, s * 1e3 / step if step else 0.0))


if __name__ == "__main__":
    main()
