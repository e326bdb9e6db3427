"""Every runnable block in README.md and docs/*.md runs against a real in-process gridtwin.

One server per document (the demo preset, frozen clock at 2025-07-15 12:00 in Los Angeles),
the blocks of a document in order, so a block may rely on what an earlier one did. See
tests/docs/snippets.py for the marker and the variables a block sees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.docs.snippets import (
    ROOT,
    Block,
    BlockEnv,
    Expect,
    blocks_in,
    expectations,
    expected_statuses,
    run_block,
)

pytestmark = [pytest.mark.server, pytest.mark.timeout(300)]

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCKS = [b for path in DOCS for b in blocks_in(path)]


@pytest.fixture(scope="module")
def server_for() -> Iterator[Callable[[Path], object]]:
    from gridtwin.testing import running_gridtwin

    servers: dict[Path, object] = {}
    with ExitStack() as stack:
        def get(path: Path) -> object:
            if path not in servers:
                servers[path] = stack.enter_context(running_gridtwin())
            return servers[path]
        yield get


def _values(gt: object) -> BlockEnv:
    from gridtwin.testing import ADMIN_TOKEN, RunningGridtwin

    assert isinstance(gt, RunningGridtwin)
    sites = gt.control.sites()
    site = str(sites[0].energy_site_id) if sites else ""
    owner = (sites[0].owner if sites else None) or "demo"
    return BlockEnv(gt.base_url, gt.control.token(owner), ADMIN_TOKEN, site)


@pytest.mark.parametrize("block", BLOCKS, ids=[b.name for b in BLOCKS])
def test_runnable_block(block: Block, server_for: Callable[[Path], object], tmp_path: Path) -> None:
    gt = server_for(block.path)
    run_block(block, _values(gt), tmp_path)


@pytest.mark.parametrize(("doc", "minimum"), [
    ("README.md", 3), ("docs/control-plane.md", 15), ("docs/recipes.md", 3),
    ("docs/scenarios.md", 1), ("docs/presets.md", 1),
])
def test_documents_keep_their_runnable_blocks(doc: str, minimum: int) -> None:
    assert len(blocks_in(ROOT / doc)) >= minimum


def test_status_annotations_are_read():
    code = ('curl -s "$GRIDTWIN_URL/a"\n'
            'X=$(curl -s "$GRIDTWIN_URL/b" | python3 -c "print(1)")\n'
            'curl -s -X POST "$GRIDTWIN_URL/c" \\\n  -d \'{}\'   # → 400\n'
            'curl -s -X PUT "$GRIDTWIN_URL/d" -d \'{\n  "a": "x # not a comment"}\'  # -> 409\n')
    assert expected_statuses(code) == ["2xx", "2xx", "400", "409"]
    shown = expectations('curl -s "$GRIDTWIN_URL/e"  # → 404, shows \'"error":"not_found"\' shows "x"\n')
    assert shown == [Expect("404", ('"error":"not_found"', "x"))]
    with pytest.raises(ValueError, match="not runnable"):
        expected_statuses("rm -rf /tmp/x\n")


def test_runner_fails_on_a_wrong_status_and_refuses_other_hosts(
        server_for: Callable[[Path], object], tmp_path: Path) -> None:
    values = _values(server_for(ROOT / "tests" / "docs"))
    unknown = Block(ROOT / "README.md", 1, "sh", 'curl "$GRIDTWIN_URL/api/1/nothing_here"\n')
    with pytest.raises(AssertionError, match="answered 404, documented 2xx"):
        run_block(unknown, values, tmp_path)
    documented = Block(ROOT / "README.md", 1, "sh",
                       'curl "$GRIDTWIN_URL/api/1/nothing_here"  # → 404\n')
    run_block(documented, values, tmp_path)
    health = f'curl "$GRIDTWIN_URL/_gridtwin/health"  # shows "{values.site}"\n'
    with pytest.raises(AssertionError, match="reply lacks"):
        run_block(Block(ROOT / "README.md", 1, "sh", health), values, tmp_path)
    run_block(Block(ROOT / "README.md", 1, "sh", health.replace(values.site, "clock_mode")),
              values, tmp_path)
    away = Block(ROOT / "README.md", 1, "sh", "curl https://example.com/\n")
    with pytest.raises(AssertionError, match="exit 97"):
        run_block(away, values, tmp_path)
    failing = Block(ROOT / "README.md", 1, "python", "raise SystemExit(3)\n")
    with pytest.raises(AssertionError, match="exited 3"):
        run_block(failing, values, tmp_path)
