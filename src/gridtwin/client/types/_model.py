"""The base of every response model: extra keys kept, absent kept apart from null."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, PlainSerializer

__all__ = ["WireModel", "WireTime"]

WireTime = Annotated[AwareDatetime, PlainSerializer(datetime.isoformat, return_type=str)]
"""A wire timestamp ``YYYY-MM-DDTHH:MM:SS±HH:MM``, parsed to an aware datetime; written
back in the same form (``+00:00``, never ``Z``)."""


class WireModel(BaseModel):
    """A reply object. Unknown keys are kept (``model_extra``); a key the server left out
    is not in ``model_fields_set`` even when its attribute has a default, so
    :meth:`present` and :meth:`to_wire` tell "absent" from ``null``.

    Item access by wire name (``model["now"]``) is supported for dict-style callers.
    """

    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)

    def present(self, name: str) -> bool:
        """True when the server sent ``name`` (possibly as null)."""
        return name in self.model_fields_set or name in (self.model_extra or {})

    def to_wire(self) -> dict[str, Any]:
        """The object as the server sent it: absent keys stay absent, nulls stay null."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)

    def __getitem__(self, name: str) -> Any:
        if name in type(self).model_fields:
            return getattr(self, name)
        extra = self.model_extra or {}
        if name in extra:
            return extra[name]
        raise KeyError(name)

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self[name]
        except KeyError:
            return default
