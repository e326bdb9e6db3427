"""Use cases, one module per vendor family. HTTP-free: routes call these."""

__all__: list[str] = []
