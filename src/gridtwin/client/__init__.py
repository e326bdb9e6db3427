"""Typed clients over httpx. ``ControlClient`` drives the emulator's control plane."""

from gridtwin.client.control import ControlClient, ControlError

__all__ = ["ControlClient", "ControlError"]
