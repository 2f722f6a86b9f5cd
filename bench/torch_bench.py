"""torch_bench.py - PyTorch's time per training step, compute only.

    /usr/bin/python3 bench/torch_bench.py [--threads T] [--steps N]
        [--repeats R] CONFIG...

CONFIG is DIMS:BATCH:OPT, e.g. 784-256-10:128:sgd.  For each, the same
network lrf-train builds (Linear layers with ReLU between them, softmax
cross-entropy) is trained on Fashion-MNIST with SGD (lr 0.01, momentum 0.9)
or Adam (lr 1e-3) from batches gathered before the clock starts (a pool of
64 random batches used in turn), so the time is PyTorch's compute alone:
zero_grad(set_to_none=True), forward, loss, backward, optimizer step, and
loss.item() (an LR finder records every loss).  Prints one line per
config, "DIMS BATCH OPT MS": the median over R repeats of N steps, after
20 warm-up steps.

Thread settings come from the environment, which must be set before
torch is imported (OMP_WAIT_POLICY, OPENBLAS_NUM_THREADS), and from
--threads (torch.set_num_threads); bench/run tries several and keeps the
fastest.
"""
import argparse
import gzip
import statistics
import sys
import time

import numpy as np
import torch

FM = "/usr/share/datasets/fashion-mnist"


def idx(path, off):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=off)


def mlp(dims):
    layers = []
    for i in range(len(dims) - 1):
        layers.append(torch.nn.Linear(dims[i], dims[i + 1]))
        if i < len(dims) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--data", default=FM)
    ap.add_argument("configs", nargs="+")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    x = idx(a.data + "/train-images-idx3-ubyte.gz", 16).reshape(-1, 784)
    y = idx(a.data + "/train-labels-idx1-ubyte.gz", 8).astype(np.int64)
    rng = np.random.default_rng(1)
    for conf in a.configs:
        dims, batch, opt = conf.split(":")
        dims = [int(d) for d in dims.split("-")]
        batch = int(batch)
        net = mlp(dims)
        if opt == "sgd":
            o = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
        elif opt == "adam":
            o = torch.optim.Adam(net.parameters(), lr=1e-3)
        else:
            sys.exit("torch_bench: unknown optimizer " + opt)
        lossf = torch.nn.CrossEntropyLoss()
        pool = []
        for _ in range(64):
            i = rng.integers(0, len(y), batch)
            pool.append((torch.from_numpy(x[i].astype(np.float32) / 255),
                         torch.from_numpy(y[i])))

        def run(n):
            for s in range(n):
                xb, yb = pool[s % len(pool)]
                o.zero_grad(set_to_none=True)
                loss = lossf(net(xb), yb)
                loss.backward()
                o.step()
                loss.item()

        run(20)
        ms = []
        for _ in range(a.repeats):
            t0 = time.perf_counter()
            run(a.steps)
            ms.append((time.perf_counter() - t0) * 1e3 / a.steps)
        print("%s %d %s %.4f" % ("-".join(map(str, dims)), batch, opt,
                                 statistics.median(ms)), flush=True)


if __name__ == "__main__":
    main()
