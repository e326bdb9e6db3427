"""Site physics and control. Pure kernels; only runner.py touches the store."""

__all__: list[str] = []
