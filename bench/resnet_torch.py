"""resnet_torch.py - PyTorch's time per training step of resnet18.

    /usr/bin/python3 bench/resnet_torch.py [--threads T] [--size S]
        [--batch B] [--steps N] [--repeats R] [--classes K]
        [--channels-last]

torchvision's resnet18 (random init, K classes), batches of B random
3xSxS images and labels made before the clock (8 of them, used in turn),
so the time is PyTorch's compute alone: zero_grad(set_to_none=True),
forward, cross-entropy, backward, SGD step (lr 0.01, momentum 0.9),
loss.item().  --channels-last puts the model and the batches in
torch.channels_last.  After 2 warm-up steps, prints "ms_per_step=M" per
repeat of N steps and then "median_ms_per_step=M".  Set OMP_WAIT_POLICY
in the environment, before torch is imported.
"""
import argparse
import statistics
import time

import torch
import torchvision


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--classes", type=int, default=3)
    ap.add_argument("--channels-last", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    model = torchvision.models.resnet18(num_classes=a.classes)
    model = model.to(memory_format=fmt).train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    lossf = torch.nn.CrossEntropyLoss()
    pool = [(torch.randn(a.batch, 3, a.size, a.size).contiguous(
        memory_format=fmt), torch.randint(0, a.classes, (a.batch,)))
        for _ in range(8)]

    def step(i):
        x, y = pool[i % len(pool)]
        opt.zero_grad(set_to_none=True)
        loss = lossf(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for i in range(2):
        step(i)
    times = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        for i in range(a.steps):
            step(i)
        ms = (time.perf_counter() - t0) * 1e3 / a.steps
        times.append(ms)
        print("ms_per_step=%.3f" % ms, flush=True)
    print("median_ms_per_step=%.3f" % statistics.median(times))


if __name__ == "__main__":
    main()
