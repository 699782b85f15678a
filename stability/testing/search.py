"""Counterexample search: a property over a Hypothesis strategy, the minimal example where it
fails, or None."""

from ..errors import InputError


def find_counterexample(statement, strategy, max_examples=200, seed=0):
    """The minimal example drawn from ``strategy`` for which ``statement(example)`` is false
    (returns False or raises ``AssertionError``), after Hypothesis's shrinking; None when
    ``max_examples`` examples all satisfy it. Deterministic for a given ``seed`` (the search
    draws from ``random.Random(seed)``, with no example database)::

        from stability.testing import find_counterexample, strategies as st
        bad = find_counterexample(lambda case: stability.classify(*case).strict_local_minimax,
                                  st.quadratic_games("minimax"))
        assert bad is None

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
        return find(strategy, fails, settings=config, random=random.Random(seed))
    except NoSuchExample:
        return None
