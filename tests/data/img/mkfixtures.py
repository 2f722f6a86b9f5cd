#!/usr/bin/python3
# tests/data/img/mkfixtures.py - the image fixtures and golden pixels of
# tests/unit/img.c and tests/unit/imgdir.c, made by independent tools.
#
#	/usr/bin/python3 tests/data/img/mkfixtures.py
#
# Writes, in this directory (and deterministically: the same Pillow, numpy
# and torchvision give the same bytes):
#
#   src/NAME            small PNG and JPEG files of every kind lrf must
#                       read: RGB, RGBA, LA, palette (with tRNS), 1-bit,
#                       2-bit and 8-bit gray, 16-bit gray, RGB and RGBA,
#                       Adam7-interlaced; baseline 4:4:4, 4:2:0 and 4:2:2,
#                       gray, CMYK and progressive JPEGs.  The 16-bit PNGs
#                       are written by png16() below (Pillow cannot write
#                       16-bit colour), everything else by Pillow.
#   golden/CASE.raw     what the case must decode to: uint8, (C, H, W).
#   cases.tsv           one case a line: source, channels, Resize, CenterCrop,
#                       decode mode, golden file, tolerance (its header says
#                       where each golden and each tolerance come from).
#   geom.tsv            torchvision's Resize + CenterCrop geometry for
#                       awkward sizes (the output size and crop offsets).
#   norm.tsv            torchvision's ToTensor + Normalize of every byte
#                       value with ImageNet's mean and std, as float bits.
#   tree.txt            a class-folder tree, and tree-order.txt the order
#                       in which torchvision's ImageFolder lists its files.
#
# The goldens come from Pillow (which decodes PNG with zlib and its own
# unfiltering, and JPEG through libjpeg's own API) and torchvision's
# transforms, or from numpy on the source arrays where Pillow is known to
# do something else (16-bit gray: Pillow's 'I' mode clips to 255 on
# convert('RGB'); lrf keeps the high byte, as Pillow does for 16-bit RGB).
import os
import struct
import zlib

import numpy as np
from PIL import Image
import torch
import torchvision.transforms as T
import torchvision.transforms.functional as F
from torchvision.datasets.folder import find_classes, make_dataset

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "src")
GOLD = os.path.join(HERE, "golden")
rng = np.random.default_rng(20240613)


def png16(path, a, color):
    """A 16-bit PNG of a (H, W, C) uint16 array, color type 0, 2 or 6."""
    h, w = a.shape[:2]
    raw = b"".join(b"\0" + a[y].astype(">u2").tobytes() for y in range(h))

    def chunk(t, d):
        return (struct.pack(">I", len(d)) + t + d +
                struct.pack(">I", zlib.crc32(t + d) & 0xffffffff))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, color,
                                           0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def smooth(h, w, c, noise=12):
    """A smooth colour pattern with some noise: photo-like, small as PNG."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    ch = [128 + 100 * np.sin(x / 5.0 + k) * np.cos(y / 7.0 - k)
          for k in range(c)]
    a = np.stack(ch, -1) + rng.normal(0, noise, (h, w, c))
    return np.clip(np.rint(a), 0, 255).astype(np.uint8)


def chw(im, channels):
    """Pillow image -> (C, H, W) bytes as lrf returns them."""
    a = np.asarray(im)
    if a.ndim == 2:
        a = a[:, :, None]
    assert a.shape[2] == channels, (a.shape, channels)
    return np.ascontiguousarray(a.transpose(2, 0, 1)).tobytes()


def as_channels(im, channels):
    """torchvision's loader (convert('RGB')), then Grayscale for 1."""
    im = im.convert("RGB")
    return im.convert("L") if channels == 1 else im


cases = []


def case(src, channels, resize, crop, mode, name, data, tol):
    with open(os.path.join(GOLD, name + ".raw"), "wb") as f:
        f.write(data)
    rh, rw = (resize[0], 0) if len(resize) == 1 else resize
    if len(crop) == 1:
        crop = [crop[0], crop[0]]
    cases.append("%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%d" % (
        src, channels, rh, rw, crop[0], crop[1], mode, name + ".raw", tol))


def main():
    os.makedirs(SRC, exist_ok=True)
    os.makedirs(GOLD, exist_ok=True)
    for d in (SRC, GOLD):
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))
    H, W = 11, 17			# odd sizes: every edge case of
    # chroma upsampling and of filters
    rgb = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
    alpha = rng.integers(0, 256, (H, W), dtype=np.uint8)
    gray = rng.integers(0, 256, (H, W), dtype=np.uint8)
    pic = smooth(H, W, 3)

    made = {}
    Image.fromarray(rgb, "RGB").save(os.path.join(SRC, "rgb.png"))
    Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(
        os.path.join(SRC, "rgba.png"))
    Image.fromarray(np.dstack([gray, alpha]), "LA").save(
        os.path.join(SRC, "la.png"))
    Image.fromarray(gray, "L").save(os.path.join(SRC, "gray.png"))
    Image.fromarray(rgb, "RGB").save(os.path.join(SRC, "interlaced.png"),
                                     interlace=1)
    # palette of 16 colours, colour 3 transparent (tRNS)
    pal = rng.integers(0, 256, (16, 3), dtype=np.uint8)
    pim = Image.fromarray(rng.integers(0, 16, (H, W), dtype=np.uint8), "P")
    pim.putpalette(pal.tobytes())
    pim.save(os.path.join(SRC, "palette.png"), transparency=3)
    # 1-bit and 2-bit gray (Pillow writes mode '1' as 1-bit; 2-bit via a
    # 4-entry gray palette is palette, so 2-bit gray is written by hand)
    Image.fromarray(rng.integers(0, 2, (H, W), dtype=np.uint8) * 255,
                    "L").convert("1").save(os.path.join(SRC, "gray1.png"))
    g2 = rng.integers(0, 4, (H, W), dtype=np.uint8)
    raw = b"".join(b"\0" + np.packbits(
        np.unpackbits(g2[y][:, None], axis=1)[:, 6:].reshape(-1)).tobytes()
        for y in range(H))
    with open(os.path.join(SRC, "gray2.png"), "wb") as f:
        def chunk(t, d):
            return (struct.pack(">I", len(d)) + t + d +
                    struct.pack(">I", zlib.crc32(t + d) & 0xffffffff))
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 2, 0, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))
    g16 = rng.integers(0, 65536, (H, W, 1), dtype=np.uint16)
    c16 = rng.integers(0, 65536, (H, W, 3), dtype=np.uint16)
    a16 = rng.integers(0, 65536, (H, W, 4), dtype=np.uint16)
    png16(os.path.join(SRC, "gray16.png"), g16, 0)
    png16(os.path.join(SRC, "rgb16.png"), c16, 2)
    png16(os.path.join(SRC, "rgba16.png"), a16, 6)
    png16(os.path.join(SRC, "la16.png"), a16[:, :, :2], 4)

    q = dict(quality=90)
    Image.fromarray(pic, "RGB").save(os.path.join(SRC, "rgb444.jpg"),
                                     subsampling=0, **q)
    Image.fromarray(pic, "RGB").save(os.path.join(SRC, "rgb420.jpg"),
                                     subsampling=2, **q)
    Image.fromarray(pic, "RGB").save(os.path.join(SRC, "rgb422.jpg"),
                                     subsampling=1, **q)
    Image.fromarray(pic[:, :, 0], "L").save(os.path.join(SRC, "gray.jpg"),
                                            **q)
    Image.fromarray(pic, "RGB").save(os.path.join(SRC, "progressive.jpg"),
                                     progressive=True, **q)
    cmyk = np.dstack([pic, smooth(H, W, 1)])
    Image.fromarray(cmyk, "CMYK").save(os.path.join(SRC, "cmyk.jpg"), **q)

    # A PNG named .jpg (content decides, as in Pillow).
    Image.fromarray(rgb, "RGB").save(os.path.join(SRC, "png-named.jpg"),
                                     format="PNG")

    # Every fixture at its own size, 1 and 3 channels.
    for f in sorted(os.listdir(SRC)):
        p = os.path.join(SRC, f)
        im = Image.open(p)
        im.load()
        w, h = im.size
        for c in (1, 3):
            name = "%s.c%d" % (f.replace(".", "-"), c)
            if f in ("gray16.png", "la16.png"):
                # numpy: the high byte (Pillow's 'I' mode would clip).
                src = g16 if f == "gray16.png" else a16
                data = (src[:, :, 0] >> 8).astype(np.uint8)
                if c == 3:
                    data = np.stack([data] * 3)
                data = np.ascontiguousarray(data).tobytes()
            elif f in ("rgb16.png", "rgba16.png"):
                src = c16 if f == "rgb16.png" else a16[:, :, :3]
                hi = (src >> 8).astype(np.uint8)
                # Pillow reads 16-bit colour as the high byte too: the
                # two independent answers must agree.
                assert (np.asarray(im.convert("RGB")) == hi).all(), f
                pim3 = Image.fromarray(hi, "RGB")
                data = chw(as_channels(pim3, c), c)
            else:
                data = chw(as_channels(im, c), c)
            # JPEG: the IDCT of a conforming decoder may differ from
            # another's by one level (ITU-T T.83 / IEEE 1180 accuracy);
            # lossless PNG: exact.
            tol = 1 if f.endswith(".jpg") and f != "png-named.jpg" else 0
            case(f, c, [h, w], [h, w], "full", name, data, tol)

    # Resize + CenterCrop of a photo-like picture against torchvision.
    BH, BW = 47, 61
    big = smooth(BH, BW, 3)
    Image.fromarray(big, "RGB").save(os.path.join(SRC, "big.png"))
    Image.fromarray(big, "RGB").save(os.path.join(SRC, "big.jpg"),
                                     quality=92)
    geoms = [
        ([17], [17]),		# shrink, shorter side, crop the width
        ([13, 29], [13, 29]),	# exact size, aspect changed
        ([60], [30, 40]),	# enlarge
        ([47], [21, 33]),	# height unchanged: only the crop
        ([20], [24, 10]),	# crop taller than the image: zero padding
        ([5], [5]),		# strong shrink (support 9.4 pixels)
        ([30, 61], [30, 24]),	# only the vertical pass
        ([47, 20], [47, 20]),	# only the horizontal pass
    ]
    for resize, crop in geoms:
        tf = T.Compose([T.Resize(resize), T.CenterCrop(crop)])
        for c in (1, 3):
            im = as_channels(Image.open(os.path.join(SRC, "big.png")), c)
            out = tf(im)
            name = "big-png-r%s-c%s.c%d" % ("x".join(map(str, resize)),
                                            "x".join(map(str, crop)), c)
            # Same arithmetic as Pillow's resample (22-bit fixed-point
            # coefficients from the same IEEE double expressions, two
            # passes each rounded to 8 bits): exact.
            case("big.png", c, resize, crop, "full", name, chw(out, c), 0)

    # JPEG at full size through torchvision, and with DCT scaling as
    # Pillow's draft() does it (the largest of 1/2, 1/4, 1/8 that keeps
    # the Resize target inside the scaled image), then the same
    # Resize to torchvision's output size and CenterCrop.
    for resize, crop in [([17], [17]), ([5], [5]), ([23], [23]),
                         ([13, 29], [13, 29]), ([60], [30, 40])]:
        for c in (1, 3):
            tail = "r%s-c%s.c%d" % ("x".join(map(str, resize)),
                                     "x".join(map(str, crop)), c)
            im = Image.open(os.path.join(SRC, "big.jpg"))
            out = T.Compose([T.Resize(resize), T.CenterCrop(crop)])(
                as_channels(im, c))
            case("big.jpg", c, resize, crop, "full", "big-jpg-full-" + tail,
                 chw(out, c), 1)
            im = Image.open(os.path.join(SRC, "big.jpg"))
            size = F._compute_resized_output_size((BH, BW), resize)
            im.draft("RGB", (size[1], size[0]))
            im = as_channels(im, c)
            out = F.center_crop(im.resize((size[1], size[0]),
                                          Image.BILINEAR), crop)
            case("big.jpg", c, resize, crop, "dct", "big-jpg-dct-" + tail,
                 chw(out, c), 1)
    # The progressive and CMYK JPEGs through DCT scaling too.
    for f in ("rgb420.jpg", "progressive.jpg", "cmyk.jpg", "gray.jpg"):
        for c in (1, 3):
            im = Image.open(os.path.join(SRC, f))
            w, h = im.size
            size = F._compute_resized_output_size((h, w), [5])
            im.draft(im.mode, (size[1], size[0]))
            assert im.size[0] < w, f
            im = as_channels(im, c)
            out = F.center_crop(im.resize((size[1], size[0]),
                                          Image.BILINEAR), [5, 5])
            case(f, c, [5], [5], "dct", "%s-dct-r5.c%d" % (
                f.replace(".", "-"), c), chw(out, c), 1)

    with open(os.path.join(HERE, "cases.tsv"), "w") as f:
        f.write(
            "# The cases of tests/unit/img.c, written by mkfixtures.py.\n"
            "# source\tchannels\tresize_h\tresize_w (0: Resize(resize_h),"
            " the shorter side)\tcrop_h\tcrop_w\tmode (full: no DCT "
            "scaling; dct: the default)\tgolden\ttolerance\n"
            "# Goldens: Pillow's decode + convert('RGB') (+ convert('L')"
            " for 1 channel) and torchvision's Resize + CenterCrop; 16-bit\n"
            "# gray: numpy's high byte.  Tolerance 0 for PNG sources: the"
            " same integer arithmetic as Pillow's.  Tolerance 1 for JPEG:\n"
            "# a conforming IDCT may differ by one level (ITU-T T.83 /"
            " IEEE 1180), and the resize of values that differ by at most\n"
            "# one (weights that sum to one, rounded once per pass) "
            "differs by at most one.\n")
        for line in cases:
            f.write(line + "\n")

    # Geometry: torchvision's output size and crop offsets.
    with open(os.path.join(HERE, "geom.tsv"), "w") as f:
        f.write("# h\tw\tresize_h\tresize_w (0: shorter side)\tcrop_h\t"
                "crop_w\t-> resized_h\tresized_w\ttop\tleft (negative: "
                "zero padding), from torchvision (mkfixtures.py)\n")
        sizes = [(375, 500, [224], [224]), (500, 375, [224], [224]),
                 (333, 500, [224], [224]), (480, 640, [64], [64]),
                 (7, 1000, [3], [3]), (1000, 7, [3], [3]),
                 (49, 71, [32], [32]), (50, 71, [33], [30, 31]),
                 (28, 28, [28], [28]), (29, 28, [28], [28]),
                 (31, 28, [28], [28]), (33, 28, [28], [28]),
                 (35, 28, [28], [28]), (28, 37, [28], [28]),
                 (10, 10, [16, 12], [16, 12]), (10, 10, [16, 12], [9, 13]),
                 (10, 10, [16, 12], [19, 16]),
                 (3, 1, [5], [7]), (1, 1, [1], [1]),
                 (4000, 3000, [299], [299]), (3000, 4001, [227], [227])]
        for h, w, resize, crop in sizes:
            if len(crop) == 1:
                crop = [crop[0], crop[0]]
            size = F._compute_resized_output_size((h, w), resize)
            im = Image.new("L", (w, h))
            im = F.resize(im, resize)
            assert list(im.size[::-1]) == size
            # the crop offsets, from a marked image: where pixel (0, 0)
            # of the resized image lands after CenterCrop
            rh, rw = size
            idx = torch.arange(1, rh * rw + 1).reshape(1, rh, rw)
            out = F.center_crop(idx, crop)[0]
            # top/left: out[i, j] == idx[i + top, j + left] where inside
            nz = (out > 0).nonzero()
            i, j = nz[0].tolist()
            v = out[i, j].item() - 1
            top, left = v // rw - i, v % rw - j
            f.write("%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n" % (
                h, w, resize[0], resize[1] if len(resize) > 1 else 0,
                crop[0], crop[1], rh, rw, top, left))

    # ToTensor + Normalize (ImageNet) of every byte value, per channel.
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    v = torch.arange(256, dtype=torch.uint8).repeat(3, 1)[:, None, :]
    x = T.Normalize(mean, std)(T.ToTensor()(
        v.permute(1, 2, 0).numpy()))
    with open(os.path.join(HERE, "norm.tsv"), "w") as f:
        f.write("# channel\tbyte\tfloat32 bits (hex) of torchvision's "
                "Normalize(ImageNet)(ToTensor()(byte)) (mkfixtures.py)\n")
        for c in range(3):
            for b in range(256):
                bits = struct.unpack("<I", struct.pack(
                    "<f", x[c, 0, b].item()))[0]
                f.write("%d\t%d\t%08x\n" % (c, b, bits))

    # A class-folder tree and torchvision's order of its files (hidden
    # files and folders left out, which ImageFolder would not do).
    tree = [
        "b/x.jpg", "a/2.png", "a/10.png", "a/1.PNG", "a/sub/0.jpg",
        "a/sub.d/0.jpg", "a/sub/deeper/z.jpeg", "a/z.jpg", "a b/q.JPG",
        "a b/r.JpEg", "B/k.jpg", "_/u.png", "\xe9t\xe9/e.jpg",
        "a/.hidden.jpg", "a/notes.txt", "a/x.gif", "a/.sub/y.jpg",
        ".git/c.jpg", "top.jpg", "b/x.jpg.bak", "b/y.bmp", "a/jpg",
        "b/.jpg",
    ]
    with open(os.path.join(HERE, "tree.txt"), "w", encoding="utf-8") as f:
        f.write("# files of a class-folder tree (tests/unit/imgdir.c "
                "creates them, empty)\n")
        for p in tree:
            f.write(p + "\n")
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        for p in tree:
            os.makedirs(os.path.join(d, os.path.dirname(p)), exist_ok=True)
            open(os.path.join(d, p), "w").close()
        classes, idx = find_classes(d)
        classes = [c for c in classes if not c.startswith(".")]
        idx = {c: i for i, c in enumerate(classes)}

        def valid(p):
            rel = os.path.relpath(p, d)
            return (not any(s.startswith(".") for s in rel.split("/")) and
                    p.lower().endswith((".jpg", ".jpeg", ".png")))
        items = make_dataset(d, idx, None, valid)
        with open(os.path.join(HERE, "tree-order.txt"), "w",
                  encoding="utf-8") as f:
            f.write("# torchvision's ImageFolder order of tree.txt "
                    "(path, class index), hidden entries left out\n")
            for p, c in items:
                f.write("%s\t%d\n" % (os.path.relpath(p, d), c))


if __name__ == "__main__":
    main()
