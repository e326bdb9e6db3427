"""Bottom layer: units, clock, randomness, errors and settings. Imports nothing else from gridtwin."""

__all__: list[str] = []
