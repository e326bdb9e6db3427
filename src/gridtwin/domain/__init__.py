"""Frozen dataclasses and enums describing sites, their settings and events."""

__all__: list[str] = []
