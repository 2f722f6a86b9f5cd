#!/usr/bin/python3
"""Make the safetensors fixtures of tests/unit/st.c with PyTorch.

    /usr/bin/python3 tests/data/st-gen.py     (from the top of the tree)

CI has no torch: the files it writes are committed.  They are written by
save_safetensors of examples/torch/export_safetensors.py (json, struct and
the tensors' own bytes, as a PyTorch user's export would be).

st-torch.safetensors   the format: F32 values the test computes itself,
                       F16 and BF16 edge values (subnormals, the largest,
                       inf, NaNs with payloads, signalling ones) next to
                       torch's .float() of them, an I64 scalar, an empty
                       tensor, an F32 scalar, __metadata__.
st-cnn.safetensors     the state_dict of a torch CNN whose modules carry
                       lrf's layer names (conv1, batchnorm1, dense1), its
                       running statistics moved by 3 training batches.
st-cnn-io.safetensors  an input batch "x" (4, 1, 6, 6) and the CNN's
                       logits (4, 3) in evaluation mode.
"""

import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "examples", "torch"))
from export_safetensors import save_safetensors  # noqa: E402

OUT = os.path.dirname(os.path.abspath(__file__))


def bits16(values, dtype):
    """16-bit patterns as a tensor of dtype (float16 or bfloat16)."""
    return torch.tensor([v - 65536 if v > 32767 else v for v in values],
                        dtype=torch.int16).view(dtype)


def format_fixture():
    f16 = torch.cat([
        torch.tensor([0.0, -0.0, 1.0, -1.0, 2.0 ** -24, -(2.0 ** -24),
                      2.0 ** -14 - 2.0 ** -24, 2.0 ** -14, 65504.0, -65504.0,
                      1 / 3, 0.1, 1e-7, 3 * 2.0 ** -24, 1e5,
                      float("inf"), float("-inf"), float("nan")]).half(),
        # NaNs: quiet with a payload, negative, signalling (0x7c01)
        bits16([0x7e01, 0xfe00, 0x7c01, 0xfd55], torch.float16)])
    bf16 = torch.cat([
        torch.tensor([0.0, -0.0, 1.0, -1.0, 2.0 ** -133,
                      2.0 ** -126 - 2.0 ** -133, 2.0 ** -126,
                      3.3895313892515355e38, 1 / 3, 3.14159265,
                      float("inf"), float("-inf")]).bfloat16(),
        bits16([0x7fc0, 0x7fc1, 0xffc0, 0x7f81, 0x0001, 0x8001],
               torch.bfloat16)])
    t = {
        "lin.weight": torch.arange(15, dtype=torch.float32).reshape(3, 5)
        / 7 - 1,
        "lin.bias": torch.arange(3, dtype=torch.float32) / -3,
        "half.values": f16,
        "half.float": f16.float(),
        "bf16.values": bf16,
        "bf16.float": bf16.float(),
        "bn.num_batches_tracked": torch.tensor(7),
        "empty": torch.zeros(0, 3),
        "scalar": torch.tensor(2.5),
    }
    save_safetensors(t, os.path.join(OUT, "st-torch.safetensors"),
                     {"format": "pt", "made_by": "tests/data/st-gen.py"})


class CNN(nn.Module):
    """lrf: conv2d 3 3x3 padding 1 relu, batchnorm, maxpool2d 2, flatten,
    dense 3; the modules named as lrf names the layers."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 3, 3, padding=1)
        self.batchnorm1 = nn.BatchNorm2d(3)
        self.dense1 = nn.Linear(27, 3)

    def forward(self, x):
        x = self.batchnorm1(torch.relu(self.conv1(x)))
        return self.dense1(torch.flatten(nn.functional.max_pool2d(x, 2), 1))


def cnn_fixture():
    torch.manual_seed(14)
    m = CNN()
    with torch.no_grad():
        m.train()
        for _ in range(3):
            m(torch.randn(8, 1, 6, 6))
        m.eval()
        x = torch.randn(4, 1, 6, 6)
        y = m(x)
    save_safetensors(m.state_dict(), os.path.join(OUT, "st-cnn.safetensors"))
    save_safetensors({"x": x, "logits": y},
                     os.path.join(OUT, "st-cnn-io.safetensors"))


if __name__ == "__main__":
    format_fixture()
    cnn_fixture()
