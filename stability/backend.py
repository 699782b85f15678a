"""Block algebra shared by the numeric and the symbolic update maps.

Every update map is written once against a game *oracle* and one of these namespaces, so
the step the iteration engine runs (numpy, batched: rows are points) and the step sympy
differentiates for the symbolic Jacobian (sympy, one row) are the same code.
"""

import numpy as np
import sympy as sp


class NumpyBlocks:
    """Batched numpy: vectors are ``(..., k)``, matrices ``(..., k, l)``."""

    name = "numpy"

    @staticmethod
    def mv(M, v):
        return np.einsum("...ij,...j->...i", M, v)

    @staticmethod
    def solve(M, v):
        return np.linalg.solve(M, v[..., None])[..., 0]

    @staticmethod
    def eye(k):
        return np.eye(k)

    @staticmethod
    def mT(M):
        return np.swapaxes(M, -1, -2)

    @staticmethod
    def hstack(blocks):
        return np.concatenate(blocks, axis=-1)


class SympyBlocks:
    """sympy: vectors are ``1 × k`` row matrices, matrices are ``Matrix``."""

    name = "sympy"

    @staticmethod
    def mv(M, v):
        return (M * v.T).T

    @staticmethod
    def solve(M, v):
        return M.LUsolve(v.T).T

    @staticmethod
    def eye(k):
        return sp.eye(k)

    @staticmethod
    def mT(M):
        return M.T

    @staticmethod
    def hstack(blocks):
        return sp.Matrix.hstack(*blocks)


NUMPY = NumpyBlocks()
SYMPY = SympyBlocks()
