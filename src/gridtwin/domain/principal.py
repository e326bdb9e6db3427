"""Who is calling: the identity a verified access token carries."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Principal"]


@dataclass(frozen=True)
class Principal:
    """user_id: the token's ``sub``; scopes: its ``scp``; region: ``ou_code``; jti: token id."""

    user_id: str
    scopes: frozenset[str]
    region: str
    jti: str
