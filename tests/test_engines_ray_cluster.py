"""The ray engine on a 3-node Ray cluster on this machine (`ray.cluster_utils.Cluster`): a stand-in month
backfilled with the same archive and Markdown as the local engine, the work spread over the nodes, arXiv's
pacing kept across them (the stand-in's request log shows it), and a killed driver resumed by the same
command with no paper paid for twice."""

from __future__ import annotations

import contextlib
import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import ray
from ray.cluster_utils import Cluster

from dailypapers.api import arun, work_parts
from dailypapers.engines.ray_engine import RayEngine
from tests.rayhelp import (
    EDITION,
    FIRST,
    OBJECT_STORE,
    add_papers,
    archive,
    markdown,
    ray_token,
    settings,
    weekdays,
)
from tests.standins.hf_arxiv import HfArxivStandIn
from tests.standins.openai_server import OpenAIStandIn

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
PERIOD = 0.3  # seconds: one full-text request per period, across the cluster
JITTER = 0.2  # seconds: at most this between a turn granted by the pacing actor and the request at the server


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    if ray.is_initialized():  # the local Ray of tests/test_engines_ray.py: one Ray per process
        ray.shutdown()
    ray_token()
    nodes = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "object_store_memory": OBJECT_STORE,
                                                          "include_dashboard": False})
    for _ in range(2):
        nodes.add_node(num_cpus=1, object_store_memory=OBJECT_STORE)
    nodes.wait_for_nodes()
    ray.init(address=nodes.address, log_to_driver=False)
    yield nodes
    ray.shutdown()
    nodes.shutdown()


async def test_a_month_on_three_nodes_is_the_local_engine_s_month_paced_across_nodes(
    cluster: Cluster, tmp_path: Path, hf_arxiv: HfArxivStandIn, openai_standin: OpenAIStandIn
) -> None:
    days = weekdays(FIRST, 22)  # June 2026's weekdays
    add_papers(hf_arxiv, days, 1)
    paced = {"fulltext_burst": 1, "fulltext_period": PERIOD, "concurrency": 3}
    local = settings(tmp_path, "local", hf_arxiv, openai_standin, **paced)
    health = await arun(local, days=days, editions=[EDITION], deliver=False, command="backfill", engine="local")
    assert health.exit_code == 0, health.text()
    before = len(hf_arxiv.requests)

    on_ray = settings(tmp_path, "ray", hf_arxiv, openai_standin, **paced)
    async with RayEngine().session(on_ray, work_parts) as session:
        assert len(session.actors) == 3
        health = await arun(on_ray, days=days, editions=[EDITION], deliver=False, command="backfill",
                            session=session)
    assert health.exit_code == 0, health.text()
    assert markdown(tmp_path / "ray") == markdown(tmp_path / "local") and len(markdown(tmp_path / "ray")) == 22
    assert archive(on_ray.db, days) == archive(local.db, days)

    assert len(session.worked) == 3 and sum(session.worked.values()) == 22  # every node did some of the work
    assert len(session.fetched) == 3
    texts = [r.at for r in hf_arxiv.requests[before:] if r.path.startswith(("/pdf/", "/html/"))]
    assert len(texts) >= 22
    # one full-text request per PERIOD for the whole cluster: any k+1 requests in a row span k periods, less the
    # jitter between the pacing actor's grant and the request's arrival (three workers pacing alone would make
    # three requests per period: 6 in a row within 0.6 s, not 1.5 - JITTER)
    for k in range(1, 6):
        spans = [b - a for a, b in zip(texts, texts[k:], strict=False)]
        assert min(spans) >= k * PERIOD - JITTER, (k, sorted(spans)[:3])


def test_a_killed_driver_resumes_and_pays_for_nothing_twice(
    cluster: Cluster, tmp_path: Path, hf_arxiv: HfArxivStandIn, openai_standin: OpenAIStandIn
) -> None:
    days = weekdays(FIRST, 3)
    titles = add_papers(hf_arxiv, days, 3, first_id=41000)
    assert len(set(titles.values())) == len(titles)  # a call names its paper by its title
    openai_standin.latency_base = 0.5
    s = settings(tmp_path, "killed", hf_arxiv, openai_standin, concurrency=2)
    env = {**hf_arxiv.env(), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DAILYPAPERS_DB": str(s.db),
           "DAILYPAPERS_OUT_DIR": str(tmp_path / "killed"), "DAILYPAPERS_PUBLISHERS": '["markdown"]',
           "DAILYPAPERS_LLM_BASE_URL": openai_standin.base_url, "DAILYPAPERS_LLM_MODEL": "standin-model",
           "DAILYPAPERS_EMBEDDER": "off", "DAILYPAPERS_CONCURRENCY": "2", "PYTHONPATH": str(ROOT / "src"),
           **ray_token()}
    command = [sys.executable, "-m", "dailypapers", "backfill", "--from", days[0].isoformat(), "--to",
               days[-1].isoformat(), "--source", "hf", "--lang", "en", "--engine", "ray", "--address",
               cluster.address]

    driver = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 180
    while stored_summaries(s.db) < 3 and driver.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    driver.send_signal(signal.SIGKILL)
    _, err = driver.communicate()
    assert driver.returncode == -signal.SIGKILL, err.decode()[-2000:]
    done = set(papers_with_summaries(s.db))
    assert 3 <= len(done) < len(titles)
    calls_before = openai_standin.calls

    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    assert set(papers_with_summaries(s.db)) == set(titles)
    resumed = [json.dumps(b) for b in openai_standin.bodies()[calls_before:]]
    for paper in done:  # what the killed driver had stored, the resumed one did not pay for again
        assert not any(titles[paper] in body for body in resumed), paper
    for paper in set(titles) - done:
        assert any(titles[paper] in body for body in resumed), paper


def stored_summaries(db: Path) -> int:
    try:
        return len(papers_with_summaries(db))
    except sqlite3.OperationalError:  # not made yet, or its tables not yet
        return 0


def papers_with_summaries(db: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return [row[0] for row in conn.execute("select distinct paper_id from summaries")]
