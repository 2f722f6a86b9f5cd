#!/usr/bin/python3
"""A trainer of your own in pure Python, through lrf's module (lrf.py).

Full-batch gradient descent of a line y = a x + b on 64 noisy points
made from the seed: the loss falls as the rate grows, then diverges past
lr 1 (the curvature is about 2/3 and 2).  Standard library only:

    lrf-find --trainer 'python3 examples/python/line.py' --set finder.num_iter=0

lrf-find puts lrf.py on PYTHONPATH; in a pipeline, set it yourself:

    PYTHONPATH=lib/python lrf-schedule | python3 examples/python/line.py |
        lrf-smooth | lrf-suggest
"""
import random

import lrf


class Line:
    """The model: y = a x + b, with a state as torch's modules have."""

    def __init__(self):
        self.a = self.b = 0.0

    def state_dict(self):
        return {"a": self.a, "b": self.b}

    def load_state_dict(self, s):
        self.a, self.b = s["a"], s["b"]


rng = random.Random(lrf.seed())
xs = [rng.uniform(-1, 1) for _ in range(64)]
ys = [3 * x - 1 + rng.gauss(0, 0.1) for x in xs]
model = Line()
with lrf.restoring(model):
    for lr in lrf.rates():
        errs = [model.a * x + model.b - y for x, y in zip(xs, ys)]
        loss = sum(e * e for e in errs) / len(errs)
        model.a -= lr * sum(2 * e * x for e, x in zip(errs, xs)) / len(xs)
        model.b -= lr * sum(2 * e for e in errs) / len(errs)
        lrf.report(loss)
