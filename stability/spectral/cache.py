"""Spectra of many algorithm instances at one point, sharing structured precomputations."""

import numpy as np

from .. import backend
from ..algorithms import JacobianContext
from ..errors import InputError


class SpectrumCache:
    """Spectra of many algorithm instances at one point, reusing structured precomputations.

    An algorithm's :meth:`~stability.algorithms.Algorithm.spectral_data` depends only on its
    :meth:`~stability.algorithms.Algorithm.spectral_key` (e.g. the ratio ηy/ηx for the
    DV-family, nothing for FR), so it is computed once per key; algorithms without a shortcut
    use the dense eigensolver. With ``xp`` (an array namespace such as ``cupy`` or
    ``array_api_strict``) the structured spectra are computed in it, and ρ leaves it as one
    scalar; algorithms without a shortcut then raise NotSupportedError. The cache only holds the context and the memo: the spectrum
    itself comes from the algorithm's public protocol
    (:meth:`~stability.algorithms.Algorithm.context_spectrum`), the same route as
    ``alg.spectrum(game, point)``.
    """

    def __init__(self, game, point, allow_noncritical=False, xp=None):
        self.ctx = JacobianContext(game, point, xp=xp, allow_noncritical=allow_noncritical)
        self._memo = {}

    def spectrum(self, alg):
        """The eigenvalues of ``alg``'s Jacobian at the point, as a complex numpy array (with an
        array namespace ``xp``, computed there and copied to the host: a sweep keeps them)."""
        return np.asarray(backend.to_numpy(alg.context_spectrum(self.ctx, self._memo)), dtype=complex)

    def radius(self, alg):
        """ρ of ``alg``'s Jacobian at the point (see
        :meth:`~stability.algorithms.Algorithm.context_radius`)."""
        return alg.context_radius(self.ctx, self._memo)


def check_executor(executor):
    """``executor`` unless it is neither None nor a ``concurrent.futures.Executor``."""
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise InputError(f"executor must be a concurrent.futures.Executor (with submit), got {executor!r}")
    return executor
