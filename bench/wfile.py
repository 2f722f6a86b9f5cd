"""wfile.py - read and write lrf-train's weights files.

    layers = read("model.safetensors")  # [(type, [numpy float32 arrays])]
    tensors = read_safetensors("model.safetensors")  # [(name, array)]
    write("model.lrfw", layers)

read() takes what lrf-train --save writes, safetensors (lrf-train(1),
WEIGHTS FILES: an 8-byte little-endian header length, a JSON header of
dtype, shape and data_offsets per tensor, the data), grouping the
tensors "<layer>.<tensor>" by layer in the header's order, each layer's
type told by its tensors (running_mean: batchnorm; a 4-dimensional
weight: conv2d; else dense); and the older LRFW files (lib/wfile.h),
which write() still makes.

LRFW:
Format version 1, little-endian: "LRFW", u32 version, u32 nlayers; per
layer u32 type (1 dense, 2 conv2d, 3 batchnorm), u32 ntensor; per tensor
u32 ndim, u32 dim[ndim], float32 data; then the CRC-32 (zlib) of every
byte before it.  Nothing may follow.
"""
import json
import struct
import zlib

import numpy as np

MAGIC = b"LRFW"
VERSION = 1
DENSE, CONV2D, BATCHNORM = 1, 2, 3


class FormatError(Exception):
    pass


# safetensors dtypes read as float32 (F16 and BF16 converted)
DTYPES = {"F32": 4, "F16": 2, "BF16": 2}


def read_safetensors(path):
    """The tensors of a safetensors file as [(name, float32 array)], in
    the header's order; num_batches_tracked (PyTorch's int64 counter,
    which lrf does not keep) left out."""
    with open(path, "rb") as f:
        b = f.read()
    if len(b) < 10 or b[8:9] != b"{":
        raise FormatError("%s: not a safetensors file" % path)
    n = struct.unpack_from("<Q", b, 0)[0]
    if n > len(b) - 8:
        raise FormatError("%s: a header of %d bytes in a file of %d" %
                          (path, n, len(b)))
    try:
        hdr = json.loads(b[8:8 + n].decode("utf-8"),
                         object_pairs_hook=_nodup)
    except ValueError as e:
        raise FormatError("%s: header: %s" % (path, e))
    data = memoryview(b)[8 + n:]
    out = []
    for name, t in hdr.items():
        if name == "__metadata__":
            continue
        if name.endswith(".num_batches_tracked"):
            continue
        dt, shape, (lo, hi) = t["dtype"], t["shape"], t["data_offsets"]
        if dt not in DTYPES:
            raise FormatError("%s: %s: dtype %s" % (path, name, dt))
        cnt = int(np.prod(shape, dtype=np.int64))
        if hi - lo != DTYPES[dt] * cnt or lo < 0 or hi > len(data):
            raise FormatError("%s: %s: bad data_offsets" % (path, name))
        raw = data[lo:hi]
        if dt == "F32":
            a = np.frombuffer(raw, dtype="<f4")
        elif dt == "F16":
            a = np.frombuffer(raw, dtype="<f2").astype(np.float32)
        else:   # bfloat16: the high half of a float32
            a = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) <<
                 16).view(np.float32)
        out.append((name, a.reshape(shape).astype(np.float32)))
    return out


def _nodup(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError("duplicate key %r" % k)
        d[k] = v
    return d


def layer_type(tensors):
    """The LRFW type of one layer's [(tensor name, array)]."""
    names = [t for t, _ in tensors]
    if "running_mean" in names:
        return BATCHNORM
    w = dict(tensors).get("weight")
    return CONV2D if w is not None and w.ndim == 4 else DENSE


def read(path):
    with open(path, "rb") as f:
        head = f.read(9)
    if len(head) == 9 and head[8:9] == b"{":
        layers, last = [], None
        for name, a in read_safetensors(path):
            layer, _, t = name.rpartition(".")
            if layer != last:
                layers.append([])
                last = layer
            layers[-1].append((t, a))
        return [(layer_type(ts), [a for _, a in ts]) for ts in layers]
    return read_lrfw(path)


def read_lrfw(path):
    with open(path, "rb") as f:
        b = f.read()
    if len(b) < 16 or b[:4] != MAGIC:
        raise FormatError("%s: not an lrf weights file" % path)
    body, crc = b[:-4], struct.unpack("<I", b[-4:])[0]
    if zlib.crc32(body) & 0xffffffff != crc:
        raise FormatError("%s: checksum mismatch" % path)
    pos = 4

    def u32():
        nonlocal pos
        if pos + 4 > len(body):
            raise FormatError("%s: truncated" % path)
        v = struct.unpack_from("<I", body, pos)[0]
        pos += 4
        return v

    version = u32()
    if version != VERSION:
        raise FormatError("%s: version %d" % (path, version))
    layers = []
    for _ in range(u32()):
        typ, nt = u32(), u32()
        tensors = []
        for _ in range(nt):
            ndim = u32()
            if not 1 <= ndim <= 4:
                raise FormatError("%s: ndim %d" % (path, ndim))
            dims = [u32() for _ in range(ndim)]
            n = int(np.prod(dims))
            if pos + 4 * n > len(body):
                raise FormatError("%s: truncated" % path)
            a = np.frombuffer(body, dtype="<f4", count=n, offset=pos)
            tensors.append(a.reshape(dims).astype(np.float32))
            pos += 4 * n
        layers.append((typ, tensors))
    if pos != len(body):
        raise FormatError("%s: %d bytes after the data" %
                          (path, len(body) - pos))
    return layers


def write(path, layers):
    out = [MAGIC, struct.pack("<II", VERSION, len(layers))]
    for typ, tensors in layers:
        out.append(struct.pack("<II", typ, len(tensors)))
        for t in tensors:
            t = np.ascontiguousarray(t, dtype="<f4")
            out.append(struct.pack("<I", t.ndim))
            out.append(struct.pack("<%dI" % t.ndim, *t.shape))
            out.append(t.tobytes())
    body = b"".join(out)
    with open(path, "wb") as f:
        f.write(body + struct.pack("<I", zlib.crc32(body) & 0xffffffff))
