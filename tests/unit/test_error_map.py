"""One map from application errors to HTTP (api/errors.py): every error class of
core/errors.py has its status there, and core carries no HTTP status of its own."""

from __future__ import annotations

import inspect

from gridtwin.api.errors import error_response, status_of
from gridtwin.core import errors as e

EXPECTED = {
    e.InvalidRequest: 400, e.PayloadTooLarge: 413, e.InvalidField: 400, e.TariffInvalid: 400,
    e.Unauthenticated: 401, e.TokenExpired: 401, e.MissingScope: 403, e.NotFound: 404,
    e.MethodNotAllowed: 405, e.Gone: 410, e.RateLimited: 429, e.OAuthError: 400,
    e.OAuthClientUnknown: 401, e.Internal: 500, e.GridtwinError: 500,
}


def _instance(cls: type[e.GridtwinError]) -> e.GridtwinError:
    args = {e.InvalidField: ("m",), e.TariffInvalid: ("m", {}), e.MissingScope: ("energy_cmds",),
            e.RateLimited: (3,), e.OAuthError: ("invalid_grant", "m"),
            e.OAuthClientUnknown: ("m",), e.PayloadTooLarge: (10,)}
    return cls(*args.get(cls, ()))


def test_every_error_class_is_mapped():
    classes = {c for _, c in inspect.getmembers(e, inspect.isclass) if issubclass(c, e.GridtwinError)}
    assert classes == set(EXPECTED)
    for cls, status in EXPECTED.items():
        error = _instance(cls)
        assert status_of(error) == status, cls
        assert error_response(error).status_code == status, cls
        assert not hasattr(error, "status"), cls


def test_413_body_names_the_limit():
    r = error_response(e.PayloadTooLarge(1024))
    assert r.status_code == 413
    assert b'"error":"invalid_request"' in r.body and b"exceeds 1024 bytes" in r.body
