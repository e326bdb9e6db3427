"""Runnable documentation blocks: find them, and run them against a live gridtwin.

A fenced block runs as a test when the line before its opening fence is
``<!-- runnable -->`` (optionally ``<!-- runnable env: NAME=value ... -->`` to set extra
environment variables for that block). Blocks see these variables, as a reader does after
copying them from ``gridtwin serve``'s banner:

- ``GRIDTWIN_URL``: the server's base URL (``http://127.0.0.1:<port>``),
- ``GRIDTWIN_TOKEN``: an access token for the owner of the first site,
- ``GRIDTWIN_ADMIN_TOKEN``: the control-plane token,
- ``SITE``: the id of the first site.

``python`` blocks run as a script (``python FILE``) and must exit 0. ``sh``/``bash``
blocks may contain only comments, variable assignments and ``curl`` commands; every
``curl`` must address a loopback URL and must answer 2xx, unless its line ends with a
comment ``# → NNN`` (or ``# -> NNN``) naming the status it is meant to get; ``shows "text"``
(or ``shows 'text'``) in that comment requires the reply to contain the text.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

__all__ = ["Block", "BlockEnv", "Expect", "blocks_in", "expectations", "run_block"]

ROOT = Path(__file__).resolve().parents[2]

_BLOCK = re.compile(
    r"^<!-- runnable(?P<opts>[^>]*?)-->[ \t]*\n```(?P<lang>[a-z]+)[ \t]*\n(?P<code>.*?)^```[ \t]*$",
    re.M | re.S,
)
_EXPECT = re.compile(r"(?:→|->)\s*(\d{3})\b")
_SHOWS = re.compile(r"""\bshows (?:"([^"]*)"|'([^']*)')""")
_ASSIGN = re.compile(r"^(export\s+)?[A-Za-z_][A-Za-z0-9_]*=")
SHELLS = ("sh", "bash", "shell")
RUN_TIMEOUT_S = 120

# curl wrapped so that every call reports its status on stderr and only loopback is reached.
_CURL_GUARD = r"""
curl() {
  local a ok=0
  for a in "$@"; do
    case "$a" in
      http://127.0.0.1:*|http://localhost:*|127.0.0.1:*|localhost:*) ok=1 ;;
      *://*) echo "docs-runner: refused non-loopback URL $a" >&2; return 97 ;;
    esac
  done
  if [ "$ok" != 1 ]; then echo "docs-runner: curl without a loopback URL" >&2; return 97; fi
  local body="$DOCS_RUNNER_DIR/reply.$(date +%s%N).$RANDOM"
  command curl --silent --show-error --max-time 60 \
    --write-out "%{stderr}docs-runner-status %{http_code} $body\n" "$@" | tee "$body"
  return "${PIPESTATUS[0]}"
}
"""


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    lang: str
    code: str
    env: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


@dataclass(frozen=True)
class BlockEnv:
    url: str
    token: str
    admin_token: str
    site: str

    def variables(self) -> dict[str, str]:
        return {"GRIDTWIN_URL": self.url, "GRIDTWIN_TOKEN": self.token,
                "GRIDTWIN_ADMIN_TOKEN": self.admin_token, "SITE": self.site}


def blocks_in(path: Path) -> list[Block]:
    text = path.read_text()
    out = []
    for m in _BLOCK.finditer(text):
        opts = m.group("opts").strip()
        env: dict[str, str] = {}
        if opts:
            if not opts.startswith("env:"):
                raise ValueError(f"{path}: unknown runnable option {opts!r}")
            for pair in opts[4:].split():
                key, _, value = pair.partition("=")
                env[key] = value
        line = text.count("\n", 0, m.start()) + 2  # the opening fence
        out.append(Block(path, line, m.group("lang"), m.group("code"), env))
    return out


def _scan(text: str, quote: str | None) -> tuple[str | None, int | None]:
    """Shell quoting, roughly: the quote still open at the end of ``text`` (given ``quote``
    open at its start) and where an unquoted comment starts."""
    i = 0
    while i < len(text):
        c = text[i]
        if quote is None:
            if c == "\\":
                i += 1
            elif c in "'\"":
                quote = c
            elif c == "#" and (i == 0 or text[i - 1].isspace()):
                return None, i
        elif c == quote:
            quote = None
        elif c == "\\" and quote == '"':
            i += 1
        i += 1
    return quote, None


def comment_of(line: str) -> str:
    start = _scan(line, None)[1]
    return "" if start is None else line[start:]


def logical_lines(code: str) -> list[str]:
    """Shell commands: backslash continuations and multi-line quoted strings joined."""
    out: list[str] = []
    pending = ""
    quote: str | None = None
    for raw in code.splitlines():
        quote = _scan(raw, quote)[0]
        if quote is not None:
            pending += raw + "\n"
        elif raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
        else:
            out.append(pending + raw)
            pending = ""
    if pending:
        out.append(pending)
    return out


@dataclass(frozen=True)
class Expect:
    status: str  # an exact status, or "2xx"
    shows: tuple[str, ...] = ()


def expectations(code: str) -> list[Expect]:
    """One entry per curl call, in order, from the line's trailing comment:
    ``# → NNN`` (else 2xx) and ``shows "text"`` (the reply must contain it)."""
    wanted = []
    for line in logical_lines(code):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not (stripped.startswith("curl ") or _ASSIGN.match(stripped)):
            raise ValueError(f"not runnable in a docs shell block: {stripped!r}")
        calls = len(re.findall(r"(?:^|\$\(|;|&&|\|)\s*curl\s", stripped))
        comment = comment_of(stripped)
        m = _EXPECT.search(comment)
        shows = tuple(a or b for a, b in _SHOWS.findall(comment))
        wanted += [Expect(m.group(1) if m else "2xx", shows)] * calls
    return wanted


def expected_statuses(code: str) -> list[str]:
    return [e.status for e in expectations(code)]


def _env(block: Block, values: BlockEnv, home: Path) -> dict[str, str]:
    # python3 in a block is this interpreter, whatever the caller's PATH.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "/usr/bin:/bin")])
    return {"PATH": path, "HOME": str(home),
            "LANG": "C.UTF-8", "DOCS_RUNNER_DIR": str(home), **values.variables(), **block.env}


def run_block(block: Block, values: BlockEnv, workdir: Path) -> str:
    """Run one block in ``workdir`` (where ``examples/`` is the repository's); raise
    AssertionError with its output when it does not do as documented."""
    if not (workdir / "examples").exists():
        (workdir / "examples").symlink_to(ROOT / "examples")
    if block.lang == "python":
        script = workdir / "snippet.py"
        script.write_text(block.code)
        proc = subprocess.run([sys.executable, str(script)], cwd=workdir, capture_output=True,
                              text=True, timeout=RUN_TIMEOUT_S, env=_env(block, values, workdir),
                              check=False)
        assert proc.returncode == 0, f"{block.name} exited {proc.returncode}:\n{proc.stderr[-4000:]}"
        return proc.stdout
    if block.lang not in SHELLS:
        raise ValueError(f"{block.name}: cannot run a {block.lang!r} block")
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed: the docs' shell blocks cannot run")
    wanted = expectations(block.code)
    assert wanted, f"{block.name}: a runnable shell block without curl"
    proc = subprocess.run(["bash", "-c", "set -eu\n" + _CURL_GUARD + block.code], cwd=workdir,
                          capture_output=True, text=True, timeout=RUN_TIMEOUT_S,
                          env=_env(block, values, workdir), check=False)
    got = re.findall(r"docs-runner-status (\d{3}) (\S+)", proc.stderr)
    detail = f"{block.name}\nstdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
    assert proc.returncode == 0, f"exit {proc.returncode}: {detail}"
    assert len(got) == len(wanted), f"ran {len(got)} curl calls, expected {len(wanted)}: {detail}"
    for i, ((status, body), want) in enumerate(zip(got, wanted, strict=True)):
        ok = status.startswith("2") if want.status == "2xx" else status == want.status
        assert ok, f"curl #{i + 1} answered {status}, documented {want.status}: {detail}"
        reply = Path(body).read_text(errors="replace")
        for text in want.shows:
            assert text in reply, f"curl #{i + 1} reply lacks {text!r}: {reply[:2000]}"
    return proc.stdout
