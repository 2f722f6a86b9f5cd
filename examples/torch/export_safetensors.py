#!/usr/bin/python3
"""Export a torchvision model's state_dict as safetensors, for lrf.

    export_safetensors.py [-a resnet18] [-k 1000] [-s 0] [--bn-steps 0] OUT

The model is made with random init (seed -s), nothing is downloaded;
--bn-steps N first runs N random batches in training mode, so that the
BatchNorm running statistics are not their initial 0 and 1.  To export
your own model, call save_safetensors(model.state_dict(), path).

The safetensors bytes are written here, with torch, json and struct only
(the safetensors package is not in Debian): the header length (8 bytes,
little-endian), the JSON header naming each tensor's dtype, shape and
[begin, end) in the data, blanks to a multiple of 8, then the raw
little-endian tensors, one after the other.
"""

import argparse
import json
import os
import struct

import torch
import torchvision

DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
          torch.float64: "F64", torch.int64: "I64", torch.int32: "I32",
          torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
          torch.bool: "BOOL"}


def tensor_bytes(t):
    """The tensor's elements as little-endian bytes, row-major."""
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:       # numpy has no bfloat16: its bits
        t = t.view(torch.int16)
    a = t.numpy()
    return a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()


def save_safetensors(tensors, path, metadata=None):
    """Write the dict name -> tensor to path (via a temporary file)."""
    header, blobs, off = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        b = tensor_bytes(t)
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for b in blobs:
            f.write(b)
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-a", "--arch", default="resnet18")
    ap.add_argument("-k", "--classes", type=int, default=1000)
    ap.add_argument("-s", "--seed", type=int, default=0)
    ap.add_argument("--bn-steps", type=int, default=0)
    ap.add_argument("out")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    model = getattr(torchvision.models, args.arch)(num_classes=args.classes)
    model.train()
    with torch.no_grad():
        for _ in range(args.bn_steps):
            model(torch.randn(2, 3, 64, 64))
    save_safetensors(model.state_dict(), args.out, {"format": "pt"})


if __name__ == "__main__":
    main()
