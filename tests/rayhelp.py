"""Shared by the ray engine's tests: a stand-in range of days, settings for it, and what two archives hold."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Any

from dailypapers.config import EditionSetting, Settings
from dailypapers.models import Edition
from dailypapers.store import Store
from tests.papergen import make_paper
from tests.standins.hf_arxiv import HfArxivStandIn
from tests.standins.openai_server import OpenAIStandIn

FIRST = dt.date(2026, 6, 1)  # a Monday
EDITION = EditionSetting(source="hf", lang="en")
OBJECT_STORE = 100 * 2**20  # bytes per node: the machine is shared


def ray_token() -> dict[str, str]:
    """The test session's Ray token (Ray's token authentication, on by default), in this process's environment
    before any Ray starts, so that every cluster of the session, and a driver in a subprocess, share it."""
    os.environ.setdefault("RAY_AUTH_TOKEN", secrets.token_hex(32))  # the mode: set by Ray when it starts one
    return {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": os.environ["RAY_AUTH_TOKEN"]}


def weekdays(first: dt.date, count: int) -> list[dt.date]:
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def add_papers(hf: HfArxivStandIn, days: list[dt.date], per_day: int, *, first_id: int = 40000) -> dict[str, str]:
    """Papers on each day; arXiv id -> title."""
    titles = {}
    for d, day in enumerate(days):
        for i in range(per_day):
            synth = make_paper(f"2606.{first_id + 100 * d + i}", pages=2)
            hf.add_paper(synth, day=day, upvotes=per_day - i)
            titles[synth.arxiv_id] = synth.title
    return titles


def settings(tmp: Path, name: str, hf: HfArxivStandIn, llm: OpenAIStandIn, **kw: Any) -> Settings:
    return Settings(db=tmp / f"{name}.db", out_dir=tmp / name, publishers=["markdown"], llm_base_url=llm.base_url,
                    llm_model="standin-model", embedder="off", **{**hf.settings_kwargs(), **kw})


def markdown(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.md"))}


def _timeless(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _timeless(v) for k, v in data.items() if k != "created_at"}
    if isinstance(data, list | tuple):
        return [_timeless(v) for v in data]
    return data


def archive(db: Path, days: list[dt.date]) -> dict[str, Any]:
    """Each day's stored digest and the summaries its entries show, as data (without when a summary was made:
    the one field two runs cannot share)."""
    held: dict[str, Any] = {}
    with Store(db) as store:
        for day in days:
            edition = Edition(day=day, source="hf", lang="en")
            digest = store.get_digest(edition)
            keys = store.digest_summary_keys(edition)
            held[day.isoformat()] = (
                digest.model_dump(mode="json") if digest else None,
                {pid: store.get_summary(k).model_dump(mode="json") if k else None for pid, k in sorted(keys.items())},
            )
    return _timeless(held)
