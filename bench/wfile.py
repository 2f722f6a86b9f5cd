"""wfile.py - read and write lrf-train's weights files (lib/wfile.h).

    layers = read("model.lrfw")     # [(type, [numpy float32 arrays])]
    write("model.lrfw", layers)

Format version 1, little-endian: "LRFW", u32 version, u32 nlayers; per
layer u32 type (1 dense, 2 conv2d, 3 batchnorm), u32 ntensor; per tensor
u32 ndim, u32 dim[ndim], float32 data; then the CRC-32 (zlib) of every
byte before it.  Nothing may follow.
"""
import struct
import zlib

import numpy as np

MAGIC = b"LRFW"
VERSION = 1
DENSE, CONV2D, BATCHNORM = 1, 2, 3


class FormatError(Exception):
    pass


def read(path):
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
