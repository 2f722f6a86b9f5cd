"""lrf: a trainer of your own in an lrf range test (lrf(7), lrf-find(1)).

One file, standard library only.  It makes a training loop speak lrf's
record protocol: it reads the learning rates on stdin (the header read for
the lr column, "#@" lines passed through), writes "# step<TAB>lr<TAB>loss"
and one record per step, each flushed before the next rate is read, and
ends quietly (exit status 0, no traceback) when its reader goes away, as
lrf-smooth does when the loss diverges:

    import lrf

    with lrf.restoring(model, opt):     # state put back afterwards
        for lr in lrf.rates():
            for g in opt.param_groups:
                g["lr"] = lr
            loss = step(next(batches))
            lrf.report(loss)

Run it as lrf-find --trainer 'python3 train.py', or in a pipeline:
lrf-schedule | python3 train.py | lrf-smooth | lrf-suggest.  lrf-find
puts this module's directory on PYTHONPATH; elsewhere set PYTHONPATH to
where make install put it ($PREFIX/share/lrf/python).

Bad input (a rate that is not a number) ends the program with
"prog: stdin:LINE: what is wrong" and exit status 1.
"""

import contextlib
import copy
import math
import os
import sys

__all__ = ["Stream", "rates", "report", "seed", "restoring"]


def _prog():
    return os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else \
        "lrf"


class Stream:
    """The records of one range test: rates in, losses out.

    columns names what report() writes after step and lr ("loss", and
    say "val_loss").  infile and outfile default to stdin and stdout.
    """

    def __init__(self, columns=("loss",), infile=None, outfile=None):
        self.columns = tuple(columns)
        self.infile = infile if infile is not None else sys.stdin
        self.outfile = outfile if outfile is not None else sys.stdout
        self.step = 0
        self.lr = None
        self.line = 0
        self._header = False

    def _write(self, text):
        """Write and flush text; end quietly when the reader has gone."""
        try:
            self.outfile.write(text)
            self.outfile.flush()
        except BrokenPipeError:
            self.gone()

    def gone(self):
        """The reader went away: the normal end of a range test.  Exit 0
        without a word (stdout pointed at /dev/null first, so that the
        flush at exit cannot fail again)."""
        try:
            fd = os.open(os.devnull, os.O_WRONLY)
            os.dup2(fd, self.outfile.fileno())
            os.close(fd)
        except (OSError, ValueError, AttributeError):
            pass
        raise SystemExit(0)

    def _bad(self, what):
        raise SystemExit(f"{_prog()}: stdin:{self.line}: {what}")

    def header(self):
        """Write the header line, once (rates() does it first)."""
        if not self._header:
            self._header = True
            self._write("# " + "\t".join(("step", "lr") + self.columns) +
                        "\n")

    def rates(self):
        """The learning rates, one per step, read a line at a time (no
        read-ahead, so that a stop stops the loop within a step).  The
        lr column is the header's "lr" ("# step<TAB>lr", as lrf-schedule
        writes), else the last field; other "#" lines are copied out."""
        self.header()
        col = -1
        first = True
        while True:
            text = self.infile.readline()
            if not text:
                return
            self.line += 1
            if text.startswith("#"):
                if first and text.startswith(("# ", "#\t")):
                    names = text[1:].split()    # the header: replaced
                    col = names.index("lr") if "lr" in names else -1
                else:                           # "#@" lines go on
                    self._write(text if text.endswith("\n") else
                                text + "\n")
                first = False
                continue
            first = False
            fields = text.split()
            if not fields:
                continue
            if col >= len(fields):
                self._bad(f"{len(fields)} fields, no lr column "
                          f"(field {col + 1})")
            try:
                lr = float(fields[col])
            except ValueError:
                self._bad(f"'{fields[col][:40]}' is not a number")
            if not (math.isfinite(lr) and lr > 0):
                self._bad(f"'{fields[col][:40]}' is not a positive rate")
            self.lr = lr
            yield lr

    def report(self, *values):
        """Write the step's record: step, its lr, then values (one per
        column: floats, or anything float() takes, as a 0-d tensor),
        flushed.  Before any rate: a ValueError."""
        if self.lr is None:
            raise ValueError("lrf.report before a rate was read")
        if len(values) != len(self.columns):
            raise ValueError(f"lrf.report: {len(values)} values for "
                             f"columns {', '.join(self.columns)}")
        out = [str(self.step), f"{self.lr:.9g}"]
        out += [f"{float(v):.9g}" for v in values]
        self._write("\t".join(out) + "\n")
        self.step += 1


_default = None


def _stream():
    global _default
    if _default is None:
        _default = Stream()
    return _default


def rates():
    """The rates of the default stream (stdin to stdout): see Stream."""
    return _stream().rates()


def report(*values):
    """The record of the step at the last rate: see Stream.report."""
    _stream().report(*values)


def seed(default=42):
    """The seed lrf-find gives the run (LRF_SEED: train.seed, one more
    for each of --repeat's runs), else default."""
    try:
        return int(os.environ.get("LRF_SEED", default))
    except ValueError:
        return default


@contextlib.contextmanager
def restoring(*objs):
    """Put each object's state back when the block ends, however it ends
    (the fastai habit: the range test leaves the model and optimizer as
    they were).  Each object has state_dict() and load_state_dict() (a
    torch module or optimizer); their states are deep copies, so torch
    itself is not imported here."""
    saved = [(o, copy.deepcopy(o.state_dict())) for o in objs]
    try:
        yield
    finally:
        for o, s in saved:
            o.load_state_dict(s)
