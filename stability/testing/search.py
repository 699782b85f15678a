"""Counterexample search: a property over a Hypothesis strategy, the minimal example where it
fails (with its numbers), or None."""

from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..games import Game


@dataclass(frozen=True)
class Counterexample:
    """The minimal example where a statement fails, as :func:`find_counterexample` returns it.

    Attributes
    ----------
    example : object
        The example exactly as the strategy drew it (e.g. a ``(game, point)`` pair).
    outcome : str
        What the statement did on it: ``"returned False"`` (or the falsy value it returned) or
        the message of the ``AssertionError`` it raised.

    ``str()`` prints the example's numbers (the blocks of a quadratic game, the formula of a
    formula game, arrays), rounded for reading; :attr:`numbers` holds them exactly.
    """

    example: object
    outcome: str

    @property
    def numbers(self):
        """The example's numbers, exactly: a list with one entry per component of a tuple
        example (a dict of dense blocks for a quadratic game, the formula for a formula game,
        the array for an array)."""
        parts = self.example if isinstance(self.example, tuple) else (self.example,)
        return [_numbers(part) for part in parts]

    def __str__(self):
        lines = [f"counterexample ({self.outcome}):"]
        with np.printoptions(precision=6, suppress=False, linewidth=100):
            for entry in self.numbers:
                if isinstance(entry, dict):
                    lines.append(f"  {entry['game']}")
                    lines += [f"    {key} = " + np.array2string(value, prefix=" " * (7 + len(key)))
                              for key, value in entry.items() if key != "game"]
                else:
                    lines.append(f"  {entry if not isinstance(entry, np.ndarray) else np.array2string(entry)}")
        return "\n".join(lines)


def _numbers(part):
    if isinstance(part, Game):
        if not part.is_quadratic:
            return repr(part)       # a formula or callable game: its own description
        Hxx, Hxy, Hyy = part.dense_blocks()
        return {"game": repr(part), "Hxx": np.asarray(Hxx), "Hxy": np.asarray(Hxy), "Hyy": np.asarray(Hyy)}
    if isinstance(part, np.ndarray):
        return part.copy()
    return part


def find_counterexample(statement, strategy, max_examples=200, seed=0):
    """The minimal example drawn from ``strategy`` for which ``statement(example)`` is false
    (returns a falsy value or raises ``AssertionError``), after Hypothesis's shrinking, as a
    :class:`Counterexample` (``.example``, ``.outcome``, ``.numbers``; ``print`` shows the
    numbers); None when ``max_examples`` examples all satisfy it. Deterministic for a given
    ``seed`` (the search draws from ``random.Random(seed)``, with no example database)::

        from stability.testing import find_counterexample, strategies as st
        bad = find_counterexample(lambda case: stability.classify(*case).strict_local_nash,
                                  st.quadratic_games("minimax"))
        print(bad)                 # the game's blocks: a minimax that is not Nash
        game, point = bad.example

    Other exceptions raised by ``statement`` propagate: a bug in the statement is not a
    counterexample to it.
    """
    import random

    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis.errors import NoSuchExample

    if not callable(statement):
        raise InputError(f"statement must be a callable taking one example, got {statement!r}")
    if isinstance(max_examples, bool) or not isinstance(max_examples, int) or max_examples < 1:
        raise InputError(f"max_examples must be a positive integer, got {max_examples!r}")

    def fails(example):
        try:
            return not statement(example)
        except AssertionError:
            return True
    config = settings(max_examples=max_examples, database=None, deadline=None,
                      phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
    try:
        example = find(strategy, fails, settings=config, random=random.Random(seed))
    except NoSuchExample:
        return None
    try:
        outcome = f"returned {statement(example)!r}"
    except AssertionError as error:
        outcome = f"AssertionError: {error}" if str(error) else "AssertionError"
    return Counterexample(example, outcome)
