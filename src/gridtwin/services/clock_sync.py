"""The simulated clock, persisted so that restarts and other workers continue from it."""

from __future__ import annotations

from dataclasses import dataclass

from gridtwin.core import jsonio
from gridtwin.core.clock import SimClock
from gridtwin.store.repository import Store

__all__ = ["ClockSync"]


@dataclass
class ClockSync:
    """``clock`` and the saved text it was last set from. ``shared``: several workers, so
    every read of the time first adopts what another worker saved."""

    store: Store
    clock: SimClock
    shared: bool
    saved_text: str | None = None

    def now_s(self) -> int:
        if self.shared:
            self.sync()
        return self.clock.now_s()

    def save(self) -> None:
        """Persist the clock."""
        text = jsonio.dumps(self.clock.snapshot())
        with self.store.tx() as tx:
            tx.set_meta("clock", text)
        self.saved_text = text

    def sync(self) -> None:
        """Adopt a clock change another worker saved."""
        with self.store.peek() as tx:
            text = tx.get_meta("clock")
        self.adopt(text)

    def adopt(self, text: str | None) -> None:
        """Adopt the saved clock ``text`` if it differs from the one in use."""
        if text is not None and text != self.saved_text:
            self.clock.restore(jsonio.loads(text, decimals=False))
            self.saved_text = text
