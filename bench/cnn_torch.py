"""cnn_torch.py - PyTorch's time per training step of bench/cnn's CNN.

    /usr/bin/python3 bench/cnn_torch.py [--threads T] [--steps N]
        [--repeats R] [--batch B] [--data DIR]

The network of examples/fashion-mnist-cnn.yaml, as torch modules: conv
1->32 3x3 pad 1 + ReLU, max pool 2, conv 32->64 3x3 pad 1 + ReLU, max
pool 2, flatten, dense 3136->128 + ReLU, dense 10, softmax cross-entropy;
SGD lr 0.01, momentum 0.9.  Batches of B Fashion-MNIST images (x = byte /
255, 1x28x28) are gathered before the clock starts (a pool of 64 random
batches used in turn), so the time is PyTorch's compute alone:
zero_grad(set_to_none=True), forward, loss, backward, step, loss.item().
After 10 warm-up steps, prints "ms_per_step=M" per repeat of N steps and
then "median_ms_per_step=M".  Set OMP_WAIT_POLICY and OPENBLAS_NUM_THREADS
in the environment, before torch is imported.
"""
import argparse
import gzip
import statistics
import time

import numpy as np
import torch

FM = "/usr/share/datasets/fashion-mnist"


def idx(path, off):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=off)


def net():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(3136, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--data", default=FM)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    img = idx(a.data + "/train-images-idx3-ubyte.gz", 16).reshape(-1, 784)
    lab = idx(a.data + "/train-labels-idx1-ubyte.gz", 8)
    rng = np.random.default_rng(42)
    pool = []
    for _ in range(64):
        i = rng.choice(len(lab), a.batch, replace=False)
        x = torch.from_numpy(img[i].astype(np.float32) / 255)
        pool.append((x.reshape(-1, 1, 28, 28).contiguous(),
                     torch.from_numpy(lab[i].astype(np.int64))))
    m = net()
    opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
    lossf = torch.nn.CrossEntropyLoss()
    k = 0

    def step():
        nonlocal k
        x, y = pool[k % len(pool)]
        k += 1
        opt.zero_grad(set_to_none=True)
        loss = lossf(m(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(10):
        step()
    ms = []
    for _ in range(a.repeats):
        t = time.perf_counter()
        for _ in range(a.steps):
            step()
        ms.append((time.perf_counter() - t) * 1000 / a.steps)
        print("ms_per_step=%.3f" % ms[-1], flush=True)
    print("median_ms_per_step=%.3f" % statistics.median(ms))


if __name__ == "__main__":
    main()
