"""ACRO 1.0.1's Python API for Analyserom rooms: every output checked by the control plane.

    from analyserom_acro import ACRO     # also: from acro import ACRO / from analyserom_airlock import ACRO

See session.py for what differs from ACRO and why.
"""

from analyserom_airlock import AirlockError

from .records import ACRO_VERSION
from .session import ACRO, add_to_acro


def add_constant(data, prepend=True, has_constant="skip"):
    """statsmodels' add_constant (ACRO re-exports it): a `const` column of ones."""
    import statsmodels.api as sm

    return sm.add_constant(data, prepend=prepend, has_constant=has_constant)


__all__ = ["ACRO", "ACRO_VERSION", "AirlockError", "add_constant", "add_to_acro"]
