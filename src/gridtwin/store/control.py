"""Control-plane state every worker shares: the control version, fault rules, rate-limit
buckets and the request journal (see docs/decisions.md, "Several workers are one server").

The ``control`` meta value changes (to a fresh random value) on every control-plane write
that workers cache (secret, seed, admin token hash, fault rules, rate-limit configuration,
tokens revoked or the world replaced); a worker compares it to the one it loaded.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from gridtwin.store import schema as s
from gridtwin.store.repository import Tx

__all__ = [
    "SharedCheck",
    "append_fault",
    "bump_control",
    "clear_buckets",
    "delete_fault",
    "fault_rows",
    "journal_add",
    "journal_clear",
    "journal_rows",
    "read_meta",
    "replace_faults",
    "shared_check",
    "spend_token",
    "use_fault",
]

SharedCheck = tuple[str | None, str | None, int | None, str | None]
"""(saved clock, control version, site version, site owner); the site parts are None when
no site was asked for or it does not exist."""


def read_meta(tx: Tx, keys: tuple[str, ...]) -> dict[str, str]:
    m = s.meta
    rows = tx.conn.execute(select(m.c.key, m.c.value).where(m.c.key.in_(keys)))
    return {str(k): str(v) for k, v in rows}


def bump_control(tx: Tx) -> None:
    tx.set_meta("control", secrets.token_hex(8))


def shared_check(tx: Tx, site_id: int | None) -> SharedCheck:
    """Clock, control version and (optionally) a site's version and owner: one round trip."""
    m, t = s.meta, s.sites

    def meta_value(key: str) -> Any:
        return select(m.c.value).where(m.c.key == key).scalar_subquery()

    columns: list[Any] = [meta_value("clock"), meta_value("control")]
    if site_id is not None:
        columns += [select(t.c.version).where(t.c.energy_site_id == site_id).scalar_subquery(),
                    select(t.c.user_id).where(t.c.energy_site_id == site_id).scalar_subquery()]
    row = tx.conn.execute(select(*columns)).one()
    if site_id is None:
        return row[0], row[1], None, None
    return row[0], row[1], None if row[2] is None else int(row[2]), row[3]


# fault rules ----------------------------------------------------------------
def fault_rows(tx: Tx) -> list[tuple[str, str, int | None]]:
    """(id, rule JSON, uses left) in rule order."""
    f = s.fault_rules
    q = select(f.c.id, f.c.rule_json, f.c.uses_left).order_by(f.c.position)
    return [(str(a), str(b), None if c is None else int(c)) for a, b, c in tx.conn.execute(q)]


def replace_faults(tx: Tx, rows: list[tuple[str, str, int | None]]) -> None:
    tx.conn.execute(delete(s.fault_rules))
    if rows:
        tx.conn.execute(insert(s.fault_rules), [
            {"id": rid, "position": i, "rule_json": text, "uses_left": uses}
            for i, (rid, text, uses) in enumerate(rows)])
    bump_control(tx)


def append_fault(tx: Tx, rule_id: str, rule_json: str, uses_left: int | None) -> None:
    f = s.fault_rules
    top = tx.conn.execute(select(func.max(f.c.position))).scalar()
    tx.conn.execute(delete(f).where(f.c.id == rule_id))  # a re-posted id moves to the end
    tx.conn.execute(insert(f).values(id=rule_id, position=0 if top is None else int(top) + 1,
                                     rule_json=rule_json, uses_left=uses_left))
    bump_control(tx)


def delete_fault(tx: Tx, rule_id: str) -> bool:
    res = tx.conn.execute(delete(s.fault_rules).where(s.fault_rules.c.id == rule_id))
    if res.rowcount:
        bump_control(tx)
    return bool(res.rowcount)


def use_fault(tx: Tx, rule_id: str) -> bool:
    """Spend one use of a counted rule, atomically across workers; False when none is left.
    The rule is deleted when its last use is spent."""
    f = s.fault_rules
    left = tx.conn.execute(
        update(f).where(f.c.id == rule_id, f.c.uses_left > 0)
        .values(uses_left=f.c.uses_left - 1).returning(f.c.uses_left)).scalar()
    if left is None:
        return False
    if int(left) <= 0:
        tx.conn.execute(delete(f).where(f.c.id == rule_id))
        bump_control(tx)
    return True


# rate-limit buckets ---------------------------------------------------------
def spend_token(tx: Tx, rule: str, bucket: str, limit: int, rate_per_s: float,
                now_s: float) -> tuple[float, bool]:
    """Refill the bucket to ``now_s`` and take one token if there is one, in one atomic
    statement; returns (tokens left, allowed)."""
    b = s.rate_buckets
    pg = tx.conn.dialect.name == "postgresql"
    least, greatest = (func.least, func.greatest) if pg else (func.min, func.max)
    refill = least(float(limit), b.c.tokens + greatest(0.0, now_s - b.c.seen_s) * rate_per_s)
    first = (postgresql.insert(b) if pg else sqlite.insert(b)).values(
        rule=rule, bucket=bucket, tokens=float(limit) - 1.0, seen_s=now_s, allowed=True)
    stmt = first.on_conflict_do_update(
        index_elements=[b.c.rule, b.c.bucket],
        set_={"tokens": case((refill >= 1, refill - 1), else_=refill), "seen_s": now_s,
              "allowed": refill >= 1},
    ).returning(b.c.tokens, b.c.allowed)
    tokens, allowed = tx.conn.execute(stmt).one()
    return float(tokens), bool(allowed)


def clear_buckets(tx: Tx) -> None:
    tx.conn.execute(delete(s.rate_buckets))


# journal --------------------------------------------------------------------
def journal_add(tx: Tx, entry_json: str, keep: int) -> int:
    """Append an entry and drop the oldest beyond ``keep``; returns its sequence number."""
    j = s.journal
    seq = int(tx.conn.execute(insert(j).values(entry_json=entry_json).returning(j.c.seq)).scalar_one())
    if seq % 64 == 0:
        tx.conn.execute(delete(j).where(j.c.seq <= seq - keep))
    return seq


def journal_rows(tx: Tx, since_seq: int, keep: int) -> list[tuple[int, str]]:
    """The newest ``keep`` entries after ``since_seq``, oldest first."""
    j = s.journal
    newest = select(j.c.seq, j.c.entry_json).where(j.c.seq > since_seq) \
        .order_by(j.c.seq.desc()).limit(keep)
    return sorted((int(a), str(b)) for a, b in tx.conn.execute(newest))


def journal_clear(tx: Tx) -> None:
    tx.conn.execute(delete(s.journal))
