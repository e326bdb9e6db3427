"""The emulator's control plane use cases (spec/emulator.md): clock, sites, events, faults,
rate limits, tokens, journal, reset and state export/import."""

__all__: list[str] = []
