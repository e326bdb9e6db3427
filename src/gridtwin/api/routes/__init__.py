"""One module per endpoint family: parse → service → render. Modules do not import each other."""

__all__: list[str] = []
