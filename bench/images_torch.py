#!/usr/bin/python3
# bench/images_torch.py - torchvision's ImageFolder + DataLoader on the
# folder bench/images made: the rate lrf's image pipeline is compared with.
#
#	images_torch.py DIR SIZE WORKERS BATCH [EPOCHS]
#
# The pipeline of torchvision's ImageNet examples: Resize(SIZE),
# CenterCrop(SIZE), ToTensor(), Normalize(ImageNet's mean and std), the
# default loader (Pillow, convert('RGB')), shuffled batches.  Prints
# "rate=IMAGES/S images=N seconds=S" counted from the first batch to the
# last (the steady state: worker start-up left out, as bench/images.c
# leaves out its scan), over EPOCHS epochs (1).
import sys
import time

import torch
import torchvision.transforms as T
from torchvision.datasets import ImageFolder


def main():
    root, size, workers, batch = (sys.argv[1], int(sys.argv[2]),
                                  int(sys.argv[3]), int(sys.argv[4]))
    epochs = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    torch.manual_seed(1)
    tf = T.Compose([T.Resize(size), T.CenterCrop(size), T.ToTensor(),
                    T.Normalize([0.485, 0.456, 0.406],
                                [0.229, 0.224, 0.225])])
    ds = ImageFolder(root, transform=tf)
    dl = torch.utils.data.DataLoader(
        ds, batch_size=batch, shuffle=True, num_workers=workers,
        persistent_workers=workers > 0, prefetch_factor=2 if workers else 2)
    n = 0
    t0 = None
    check = 0.0
    for e in range(epochs):
        for x, y in dl:
            check += float(x[0, 0, 0, 0])
            if t0 is None:
                t0 = time.monotonic()
            else:
                n += x.shape[0]
    t1 = time.monotonic()
    print("rate=%.1f images=%d seconds=%.3f check=%g" % (
        n / (t1 - t0), n, t1 - t0, check))


if __name__ == "__main__":
    main()
