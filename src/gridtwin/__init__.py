"""gridtwin: the Tesla Fleet API energy endpoints over a simulated home-energy site."""

__version__ = "0.1.0"

__all__ = ["__version__"]
