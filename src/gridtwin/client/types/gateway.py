"""Replies of the gateway ``command`` endpoint and of the ``users`` reads."""

from __future__ import annotations

from typing import Any

from gridtwin.client.types._model import WireModel

__all__ = ["GatewayReply", "UserMe"]


class GatewayReply(WireModel):
    """``{"message": {"Payload": {Category: {"Message": {NameResponse: body}}}}}``."""

    message: dict[str, Any]

    @property
    def name(self) -> str:
        """The reply's message name, e.g. ``GetSystemInfoResponse``."""
        return self._inner()[0]

    @property
    def body(self) -> dict[str, Any]:
        """The reply's message body, e.g. ``{"din": ..., "firmware_version": ...}``."""
        return self._inner()[1]

    def _inner(self) -> tuple[str, dict[str, Any]]:
        category = next(iter(self.message["Payload"].values()))
        name, body = next(iter(category["Message"].items()))
        return str(name), dict(body)


class UserMe(WireModel):
    email: str
    full_name: str
    profile_image_url: str
    vault_uuid: str
