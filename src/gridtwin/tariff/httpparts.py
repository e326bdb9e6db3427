"""The 400 ``invalid_field`` parts of a failed report (spec tariff.md §6)."""

from __future__ import annotations

from gridtwin.tariff.model import Problem, Report

__all__ = ["full_path", "http_error_parts"]

DEFAULT_PREFIX = "tou_settings.tariff_content_v2"


def full_path(problem: Problem, prefix: str = DEFAULT_PREFIX) -> str:
    """The body-level path of ``problem``: E01 and E02 on ``tariff_content`` keep theirs."""
    if problem.code in ("E01", "E02") and problem.path.startswith("tou_settings."):
        return problem.path
    if not problem.path:
        return prefix
    if problem.path.startswith("["):
        return prefix + problem.path
    return f"{prefix}.{problem.path}"


def http_error_parts(
    report: Report, prefix: str = DEFAULT_PREFIX
) -> tuple[str, dict[str, list[str]]]:
    """(error_description, messages) of a report with errors.

    error_description: the first error's text. messages: one key per distinct full
    path in order of first appearance, each listing ``<ID>: <text>`` of its errors.
    Raises ValueError when the report has no error.
    """
    errors = report.errors
    if not errors:
        raise ValueError("the report has no error")
    messages: dict[str, list[str]] = {}
    for problem in errors:
        messages.setdefault(full_path(problem, prefix), []).append(
            f"{problem.code}: {problem.text}"
        )
    return errors[0].text, messages
