"""Progress on stderr for long sweeps and optimisations (``config.defaults["progress.enabled"]``;
the environment variable ``STABILITY_PROGRESS=0`` switches it off)."""

import os
import sys
import time

from .config import defaults


class Progress:
    """``with Progress("sweep fr", total) as p: p.update(i)`` — a one-line counter, redrawn at
    most twice a second, shown only for work that takes longer than a second."""

    def __init__(self, label, total):
        self.label, self.total = label, total
        self.enabled = defaults["progress.enabled"] and os.environ.get("STABILITY_PROGRESS", "1") != "0"
        self.start = self.last = time.monotonic()
        self.shown = False

    def __enter__(self):
        return self

    def update(self, done):
        now = time.monotonic()
        if self.enabled and now - self.start > 1.0 and now - self.last > 0.5:
            sys.stderr.write(f"\r{self.label}: {done}/{self.total}")
            sys.stderr.flush()
            self.last, self.shown = now, True

    def __exit__(self, *exc):
        if self.shown:
            sys.stderr.write("\n")
        return False
