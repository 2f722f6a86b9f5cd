#!/usr/bin/python3
"""Load a safetensors file (lrf's, or any) into a torchvision model.

    load_safetensors.py [-a resnet18] [-k 1000] [--partial] FILE

Reads FILE with json and struct (no safetensors package), loads it into
a freshly made torchvision model (strict: every name and shape must be
the model's; --partial: skip what does not fit, and say what was
skipped) and prints how many tensors it took.  In your own code:

    model.load_state_dict(load_safetensors("weights.safetensors"))

BatchNorm's num_batches_tracked, which lrf does not keep, is left as the
model has it; torch fills it in when a file lacks it.
"""

import argparse
import json
import struct
import sys

import torch
import torchvision

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
          "F64": torch.float64, "I64": torch.int64, "I32": torch.int32,
          "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
          "BOOL": torch.bool}


def load_safetensors(path):
    """The dict name -> tensor of a safetensors file (and its metadata in
    load_safetensors.metadata)."""
    assert sys.byteorder == "little", "the data is little-endian"
    with open(path, "rb") as f:
        n, = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = memoryview(bytearray(f.read()))
    load_safetensors.metadata = header.pop("__metadata__", {})
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        if end > begin:
            t = torch.frombuffer(data[begin:end], dtype=dtype)
        else:
            t = torch.empty(0, dtype=dtype)
        out[name] = t.reshape(info["shape"]).clone()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-a", "--arch", default="resnet18")
    ap.add_argument("-k", "--classes", type=int, default=1000)
    ap.add_argument("--partial", action="store_true")
    ap.add_argument("file")
    args = ap.parse_args()
    model = getattr(torchvision.models, args.arch)(num_classes=args.classes)
    sd = load_safetensors(args.file)
    if args.partial:
        own = model.state_dict()
        skip = [k for k in sd if k in own and sd[k].shape != own[k].shape]
        for k in skip:
            print(f"skipped {k}: {list(sd[k].shape)}, the model has "
                  f"{list(own[k].shape)}")
            del sd[k]
    try:
        r = model.load_state_dict(sd, strict=not args.partial)
    except RuntimeError as e:
        sys.exit(f"load_safetensors.py: {args.file}: {e}")
    if args.partial:
        for k in r.missing_keys:
            if k not in skip:
                print(f"missing {k}")
        for k in r.unexpected_keys:
            print(f"ignored {k}")
    print(f"{args.arch}: {len(sd) - len(r.unexpected_keys)} tensors loaded "
          f"from {args.file}")


if __name__ == "__main__":
    main()
