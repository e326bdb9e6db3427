"""``users/me``, ``users/feature_config`` and ``users/orders`` for the token's user.

Values are derived from the user id, so they are stable across restarts and consistent
between calls; gridtwin stores no name or e-mail address.
"""

from __future__ import annotations

import uuid
from typing import Any

from gridtwin.services.auth import Principal
from gridtwin.services.world import World

__all__ = ["EMAIL_DOMAIN", "feature_config", "me", "orders"]

EMAIL_DOMAIN = "users.gridtwin.invalid"
"""A reserved top-level domain (RFC 2606): the addresses can never reach anyone."""


def me(_world: World, principal: Principal) -> dict[str, Any]:
    """The account summary: e-mail, full name, profile image URL and vault UUID."""
    user_id = principal.user_id
    local = "".join(c if c.isalnum() or c in "._-" else "-" for c in user_id.lower()) or "user"
    image = uuid.uuid5(uuid.NAMESPACE_URL, f"gridtwin-profile:{user_id}")
    return {
        "email": f"{local}@{EMAIL_DOMAIN}",
        "full_name": user_id,
        "profile_image_url": f"https://{EMAIL_DOMAIN}/profile/{image}.png",
        "vault_uuid": str(uuid.uuid5(uuid.NAMESPACE_OID, f"gridtwin-vault:{user_id}")),
    }


def feature_config(_world: World, _principal: Principal) -> dict[str, Any]:
    """Vehicle streaming signaling is off: gridtwin simulates energy sites only."""
    return {"signaling": {"enabled": False, "subscribe_connectivity": False, "use_auth_token": False}}


def orders(_world: World, _principal: Principal) -> list[dict[str, Any]]:
    """Active vehicle orders: none, gridtwin simulates no vehicle purchases."""
    return []
