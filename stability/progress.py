"""Progress of long sweeps and optimisations, drawn by tqdm (a terminal bar on stderr, a widget
in Jupyter where ipywidgets is installed, via ``tqdm.auto``). Off with
``config.defaults["progress.enabled"] = False`` or ``STABILITY_PROGRESS=0``, and whenever
stderr is not a terminal and no notebook is running (a batch job's log gets no bar)."""

import os
import sys

from .config import defaults

DELAY, MININTERVAL = 1.0, 0.5
"""Seconds before a bar appears (shorter work shows none) and between redraws."""


def _interactive():
    """A terminal on stderr, or a Jupyter kernel."""
    if getattr(sys.stderr, "isatty", lambda: False)():
        return True
    return "ipykernel" in sys.modules


class Progress:
    """``with Progress("sweep fr", total) as p: p.update(i)`` — a tqdm bar that appears only
    for work that takes more than a second (``delay``) and redraws at most twice a second;
    ``update`` takes the number done so far."""

    def __init__(self, label, total):
        self.label, self.total, self.done, self.bar = label, total, 0, None
        self.enabled = (defaults["progress.enabled"] and os.environ.get("STABILITY_PROGRESS", "1") != "0"
                        and _interactive())

    def __enter__(self):
        if self.enabled:
            from tqdm.auto import tqdm
            self.bar = tqdm(total=self.total, desc=self.label, delay=DELAY, mininterval=MININTERVAL, leave=False,
                            file=sys.stderr, dynamic_ncols=True)
        return self

    def update(self, done):
        if self.bar is not None and done > self.done:
            self.bar.update(done - self.done)
        self.done = max(self.done, done)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
        return False
