"""`acro` for Analyserom rooms: ACRO 1.0.1's names, every check made by the control plane.

Installed so that an unmodified ACRO script (`from acro import ACRO`, `import acro;
acro.ACRO()`) runs in a room; the implementation is analyserom_acro.
"""

from analyserom_acro import ACRO, ACRO_VERSION, AirlockError, add_constant, add_to_acro

__version__ = ACRO_VERSION
__all__ = ["ACRO", "AirlockError", "add_constant", "add_to_acro"]
