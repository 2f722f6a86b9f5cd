#!/usr/bin/python3
"""A PyTorch trainer that speaks the lrf record protocol (lrf(7)).

It reads learning rates on stdin, one record at a time, takes one optimizer
step at each rate and prints the step's loss, so that it can stand in for
lrf-train in a range test:

    lrf-schedule | python3 examples/torch/train.py | lrf-smooth | lrf-suggest

or, with its run directory, log and plot:

    lrf-find --trainer 'python3 examples/torch/train.py' --set finder.num_iter=0

The protocol is lrf.py's (lib/python/lrf.py, installed in
$PREFIX/share/lrf/python): the rates in (the lr column by the header's
name, else the last field; "#@" lines passed on), "# step\tlr\tloss" and
one record per step out, each flushed before the next rate is read, and
a quiet exit 0 when the reader goes away (lrf-smooth stops the stream
when the loss diverges).  The model and optimizer are put back as they
were at the end, as fastai's lr_find does.

The model is an MLP 784-256-10 on Fashion-MNIST, read straight from the
IDX files of Debian's dataset-fashion-mnist with gzip; without
them, or with --synthetic, it is an MLP on Gaussian blobs made from the
seed.  Swap in any model: the protocol is all that lrf needs.
"""

import argparse
import gzip
import os
import sys

import torch
from torch import nn

try:
    import lrf          # lrf-find puts lib/python (share/lrf/python) on
except ImportError:     # PYTHONPATH; from the source tree, without it:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(
        __file__)), os.pardir, os.pardir, "lib", "python"))
    import lrf

FMNIST = "/usr/share/datasets/fashion-mnist"


def load_idx(path):
    """An IDX file (gzip-compressed) as a uint8 tensor of its shape."""
    with gzip.open(path, "rb") as f:
        data = bytearray(f.read())
    ndim = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big")
             for i in range(ndim)]
    return torch.frombuffer(data, dtype=torch.uint8,
                            offset=4 + 4 * ndim).reshape(shape)


def fashion_mnist(root):
    """Training images as (N, 784) floats in [0, 1], and their labels."""
    x = load_idx(os.path.join(root, "train-images-idx3-ubyte.gz"))
    y = load_idx(os.path.join(root, "train-labels-idx1-ubyte.gz"))
    return x.reshape(len(x), -1).float() / 255, y.long()


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
    ap.add_argument("--seed", type=int, default=lrf.seed(),
                    help="random seed [LRF_SEED, else 42]")
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

    # the range test: a step at each rate, the loss before the update;
    # the model and optimizer as they were afterwards
    with lrf.restoring(model, opt):
        for lr in lrf.rates():
            for g in opt.param_groups:
                g["lr"] = lr
            xb, yb = next(data)
            loss = lossfn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            lrf.report(loss.item())


if __name__ == "__main__":
    main()
