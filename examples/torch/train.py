#!/usr/bin/python3
"""A PyTorch trainer that speaks the lrf record protocol (lrf(7)).

It reads learning rates on stdin, one record at a time, takes one optimizer
step at each rate and prints the step's loss, so that it can stand in for
lrf-train in a range test:

    lrf-schedule | python3 examples/torch/train.py | lrf-smooth | lrf-suggest

Input: a record stream; the lr column is found by the header line
("# step\tlr", as lrf-schedule writes), and without a header it is the
last field of each line.  Other "#" lines (as "#@ schedule ... num=100",
which lrf-suggest reads) are copied to the output in place.

Output: "# step\tlr\tloss", then one record per step, each flushed before
the next rate is read.  When the reader goes away (lrf-smooth stops the
stream when the loss diverges), the next write fails and the script exits
0 at once, without a traceback.

The model is an MLP 784-256-10 on Fashion-MNIST, read straight from the
IDX files of Debian's dataset-fashion-mnist with gzip and numpy; without
them, or with --synthetic, it is an MLP on Gaussian blobs made from the
seed.  Swap in any model: the protocol is all that lrf needs.
"""

import argparse
import gzip
import itertools
import os
import sys

import numpy as np
import torch
from torch import nn

FMNIST = "/usr/share/datasets/fashion-mnist"


def load_idx(path):
    """An IDX file (gzip-compressed) as a numpy array of its shape."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big")
             for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def fashion_mnist(root):
    """Training images as (N, 784) floats in [0, 1], and their labels."""
    x = load_idx(os.path.join(root, "train-images-idx3-ubyte.gz"))
    y = load_idx(os.path.join(root, "train-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(x.reshape(len(x), -1).astype(np.float32) / 255)
    return x, torch.from_numpy(y.astype(np.int64))


def blobs(gen, n=4000, d=32, k=4):
    """k Gaussian blobs (std 1) around centres in [-1, 1]^d."""
    centres = torch.rand(k, d, generator=gen) * 2 - 1
    y = torch.arange(n) % k
    return centres[y] + torch.randn(n, d, generator=gen), y


def batches(x, y, size, gen):
    """Mini-batches forever, reshuffled every epoch."""
    while True:
        perm = torch.randperm(len(x), generator=gen)
        for i in range(0, len(x) - size + 1, size):
            j = perm[i:i + size]
            yield x[j], y[j]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--optimizer", choices=["sgd", "adam", "adamw"],
                    default="sgd", help="sgd (momentum 0.9), adam, adamw")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--data", default=FMNIST,
                    help="directory of the Fashion-MNIST IDX files")
    ap.add_argument("--synthetic", action="store_true",
                    help="train on Gaussian blobs, not Fashion-MNIST")
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(args.seed)
    images = os.path.join(args.data, "train-images-idx3-ubyte.gz")
    if not args.synthetic and not os.path.exists(images):
        print(f"train.py: {args.data}: no Fashion-MNIST; using synthetic "
              "data", file=sys.stderr)
        args.synthetic = True
    x, y = blobs(gen) if args.synthetic else fashion_mnist(args.data)
    classes = int(y.max()) + 1

    model = nn.Sequential(nn.Linear(x.shape[1], 256), nn.ReLU(),
                          nn.Linear(256, classes))
    params = model.parameters()
    if args.optimizer == "sgd":
        opt = torch.optim.SGD(params, lr=1e-3, momentum=0.9)
    elif args.optimizer == "adam":
        opt = torch.optim.Adam(params, lr=1e-3)
    else:
        opt = torch.optim.AdamW(params, lr=1e-3)
    lossfn = nn.CrossEntropyLoss()
    data = batches(x, y, args.batch_size, gen)

    print("# step\tlr\tloss", flush=True)
    lines = iter(sys.stdin.readline, "")    # one line at a time: no read-
    first = next(lines, "")                 # ahead, so a stop stops us
    lrcol = -1                              # no header: the last field
    if first.startswith(("# ", "#\t")):     # the header names the columns
        names = first[1:].split()
        lrcol = names.index("lr") if "lr" in names else -1
    else:
        lines = itertools.chain([first], lines)
    step = 0
    for line in lines:
        if line.startswith("#"):            # comments pass through
            print(line, end="", flush=True)
            continue
        fields = line.split()
        if not fields:
            continue
        lr = float(fields[lrcol])
        for g in opt.param_groups:
            g["lr"] = lr
        xb, yb = next(data)
        loss = lossfn(model(xb), yb)        # the loss before the update
        opt.zero_grad()
        loss.backward()
        opt.step()
        print(f"{step}\t{lr:.9g}\t{loss.item():.9g}", flush=True)
        step += 1


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        # The reader has gone away: the normal end of a range test.  Point
        # stdout at /dev/null so that the flush at exit does not fail too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
