#!/usr/bin/python3
"""Stand-in for ImageNet pre-training: a torchvision resnet18 trained a
little in PyTorch on an image folder, its state_dict saved as safetensors.

    pretrain.py [-n steps] [-s size] [--seed S] ROOT OUT

torchvision's resnet18 (random init, nothing downloaded) keeps its
1000-class fc, as the weights a PyTorch user downloads do; the labels
are the folder's classes (0..K-1, in sorted order).  It trains N steps
(Adam, onecycle up to 2e-3, batch 32, random horizontal flips) on the
images resized to size x size and normalised with their own mean and
std, then writes OUT with ../torch/export_safetensors.py's
save_safetensors.  Only torch, torchvision and PIL are needed.
"""

import argparse
import os
import sys

import numpy as np
import torch
import torchvision
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "torch"))
from export_safetensors import save_safetensors  # noqa: E402


def folder(root, size):
    """The images of root/<class>/* as (N, 3, size, size) float32 and
    their labels."""
    xs, ys = [], []
    classes = sorted(c for c in os.listdir(root) if not c.startswith(".")
                     and os.path.isdir(os.path.join(root, c)))
    for k, c in enumerate(classes):
        d = os.path.join(root, c)
        for f in sorted(f for f in os.listdir(d) if not f.startswith(".")):
            im = Image.open(os.path.join(d, f)).convert("RGB")
            im = im.resize((size, size), Image.BILINEAR)
            xs.append(np.asarray(im, dtype=np.float32) / 255)
            ys.append(k)
    x = torch.from_numpy(np.stack(xs)).permute(0, 3, 1, 2).contiguous()
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    std = x.std(dim=(0, 2, 3), keepdim=True)
    return (x - mean) / std, torch.tensor(ys)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", "--steps", type=int, default=60)
    ap.add_argument("-s", "--size", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("root")
    ap.add_argument("out")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    x, y = folder(a.root, a.size)
    model = torchvision.models.resnet18().train()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 2e-3,
                                                total_steps=a.steps)
    lossf = torch.nn.CrossEntropyLoss()
    for step in range(a.steps):
        i = torch.randint(0, len(y), (32,))
        xb = x[i]
        flip = torch.rand(len(i)) < 0.5
        xb[flip] = xb[flip].flip(3)
        opt.zero_grad(set_to_none=True)
        loss = lossf(model(xb), y[i])
        loss.backward()
        opt.step()
        sched.step()
        if step % 10 == 9 or step == a.steps - 1:
            print("step %d loss %.4f" % (step + 1, loss.item()))
    save_safetensors(model.state_dict(), a.out)


if __name__ == "__main__":
    main()
