#!/usr/bin/python3
# bench/images_torch.py - torchvision's ImageFolder + DataLoader on the
# folder bench/images made: the rate lrf's image pipeline is compared with.
#
#	images_torch.py DIR SIZE WORKERS BATCH [EPOCHS]
#
# The pipeline of torchvision's ImageNet examples: Resize(SIZE),
# CenterCrop(SIZE), ToTensor(), Normalize(ImageNet's mean and std), the
# default loader (Pillow, convert('RGB')), shuffled batches.  Prints
# "rate=IMAGES/S images=N seconds=S cpu_ms=MS": the rate counted from the
# first batch to the last (the steady state: worker start-up left out, as
# bench/images.c leaves out its scan), over EPOCHS epochs (1); cpu_ms the
# CPU time per image of the whole run after the imports, this process and
# its worker processes (reaped when the epoch ends), all images counted.
import gc
import resource
import sys
import time
import warnings

import torch
import torchvision.transforms as T
from torchvision.datasets import ImageFolder


def main():
    root, size, workers, batch = (sys.argv[1], int(sys.argv[2]),
                                  int(sys.argv[3]), int(sys.argv[4]))
    epochs = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    r0 = [resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                          resource.RUSAGE_CHILDREN)]
    # more workers than cores is one of the settings tried, on purpose
    warnings.filterwarnings("ignore", message="This DataLoader will create")
    torch.manual_seed(1)
    tf = T.Compose([T.Resize(size), T.CenterCrop(size), T.ToTensor(),
                    T.Normalize([0.485, 0.456, 0.406],
                                [0.229, 0.224, 0.225])])
    ds = ImageFolder(root, transform=tf)
    dl = torch.utils.data.DataLoader(
        ds, batch_size=batch, shuffle=True, num_workers=workers)
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
    del dl
    gc.collect()
    r1 = [resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                          resource.RUSAGE_CHILDREN)]
    cpu = sum(b.ru_utime + b.ru_stime - a.ru_utime - a.ru_stime
              for a, b in zip(r0, r1))
    print("rate=%.1f images=%d seconds=%.3f cpu_ms=%.3f check=%g" % (
        n / (t1 - t0), n, t1 - t0, 1e3 * cpu / (len(ds) * epochs), check))


if __name__ == "__main__":
    main()
