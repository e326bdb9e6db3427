"""Wire shapes: the vendor's exact field names, units and envelopes."""

__all__: list[str] = []
