"""The ray engine on a local Ray (`ray.init(num_cpus=2)`, once per test session): the same archive and
Markdown as the local engine; the run's caps hold through the meter actor; a killed worker's papers are done
again. The multi-node cluster is tests/test_engines_ray_cluster.py."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import ray

from dailypapers.api import arun, run, work_parts
from dailypapers.engines.ray_engine import RayEngine
from dailypapers.events import Event, Events, StageDone
from tests.rayhelp import EDITION, FIRST, OBJECT_STORE, add_papers, archive, markdown, ray_token, settings, weekdays
from tests.standins.hf_arxiv import HfArxivStandIn
from tests.standins.openai_server import OpenAIStandIn

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def local_ray() -> Iterator[None]:
    if not ray.is_initialized():
        ray_token()
        ray.init(num_cpus=2, object_store_memory=2 * OBJECT_STORE, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_the_ray_engine_writes_what_the_local_engine_writes(
    local_ray: None, tmp_path: Path, hf_arxiv: HfArxivStandIn, openai_standin: OpenAIStandIn
) -> None:
    days = weekdays(FIRST, 3)
    add_papers(hf_arxiv, days, 3)
    made = {}
    for engine in ("local", "ray"):
        s = settings(tmp_path, engine, hf_arxiv, openai_standin, concurrency=3)
        health = run(s, days=days, editions=[EDITION], deliver=False, command="backfill", engine=engine)
        assert health.exit_code == 0, health.text()
        made[engine] = (markdown(tmp_path / engine), archive(s.db, days))
    assert len(made["ray"][0]) == 3 and all(made["ray"][1].values())
    assert made["ray"] == made["local"]
    assert openai_standin.calls == 2 * 9  # each engine paid once for each paper


def test_the_caps_hold_through_the_meter_actor(
    local_ray: None, tmp_path: Path, hf_arxiv: HfArxivStandIn, openai_standin: OpenAIStandIn
) -> None:
    days = weekdays(FIRST, 2)
    add_papers(hf_arxiv, days, 2)
    prices = {"standin-model": (1000.0, 1000.0)}
    outcomes = {}
    for engine in ("local", "ray"):
        s = settings(tmp_path, engine, hf_arxiv, openai_standin, concurrency=1, max_cost=5.0, prices=prices)
        health = run(s, days=days, editions=[EDITION], deliver=False, command="backfill", engine=engine)
        outcomes[engine] = [(e.day, e.summarized, e.skipped, e.skipped_reason) for e in health.editions]
    assert outcomes["ray"] == outcomes["local"]
    assert openai_standin.calls == 2  # one call fits under each run's cap; the other papers: skipped: budget
    assert [o[1:3] for o in outcomes["ray"]] == [(1, 1), (0, 2)]


async def test_a_killed_worker_s_papers_are_done_again(
    local_ray: None, tmp_path: Path, hf_arxiv: HfArxivStandIn, openai_standin: OpenAIStandIn
) -> None:
    days = weekdays(FIRST, 1)
    titles = add_papers(hf_arxiv, days, 6)
    openai_standin.latency_base = 1.0  # calls in flight when the worker dies
    s = settings(tmp_path, "ray", hf_arxiv, openai_standin, concurrency=6)
    async with RayEngine().session(s, work_parts) as session:
        pids = ray.get([a.pid.remote() for a in session.actors])
        killed: list[int] = []

        def kill_on_first_fetch(event: Event) -> None:
            if isinstance(event, StageDone) and event.stage == "fetch" and not killed:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])

        health = await arun(s, days=days, editions=[EDITION], deliver=False, command="backfill",
                            events=Events(kill_on_first_fetch), session=session)
        after = ray.get([a.pid.remote() for a in session.actors])
    assert killed and after[0] != pids[0]  # the worker was restarted
    [edition] = health.editions
    assert edition.summarized == len(titles), health.text()
    assert set(archive(s.db, days)[days[0].isoformat()][1]) == set(titles)
