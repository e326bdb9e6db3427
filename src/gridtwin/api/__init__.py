"""HTTP: the emulated Fleet API (routes), its wire shapes (wire), errors and auth."""

__all__: list[str] = []
