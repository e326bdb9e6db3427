"""Human-readable views of the OpenAPI document: the control-plane index, the offline
``/_gridtwin/docs`` page and ``docs/control-plane-reference.md``."""
