"""The ray engine's actors and its session (imported only when the engine is used: it imports Ray)."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import ray
from ray.exceptions import RayError
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from dailypapers.config import Settings
from dailypapers.engines.base import WorkParts
from dailypapers.errors import ConfigError
from dailypapers.http import ENDPOINTS, Pace, pacing
from dailypapers.models import Document, Outcome, Paper, Usage
from dailypapers.pipeline import Caps, FetchDocument, RunMeter, SlotMeter, fetch_stage
from dailypapers.summarize.base import Summarizer
from dailypapers.text import clip
from dailypapers.work import CapReached, OnStage, WorkResult, WorkSpec, summarize_paper

LOCAL_OBJECT_STORE = 200 * 2**20  # bytes: a Ray started here holds documents in flight, not a data set
ASYNC_CALLS = 1000  # calls an actor's event loop may hold at once (they wait on the network, or on a turn)


@contextlib.contextmanager
def connected(address: str | None) -> Iterator[None]:
    """Ray connected for the block: the cluster at `address` (`auto`, `ray://host:port`, `host:port`), the one
    this process already joined, or a local one started here (and stopped after)."""
    if ray.is_initialized():
        yield
        return
    try:
        if address is None:
            ray.init(include_dashboard=False, log_to_driver=False, object_store_memory=LOCAL_OBJECT_STORE)
        else:
            ray.init(address=address, log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ConfigError(f"cannot join the Ray cluster at {address or 'a local start'}: {exc}") from None
    try:
        yield
    finally:
        ray.shutdown()


@ray.remote(num_cpus=0, max_concurrency=ASYNC_CALLS)
class PaceActor:
    """One polite endpoint's pace (`http.Pace`) for the whole cluster: every worker's HTTP client waits here for
    its turn, so arXiv sees one client's spacing however many nodes fetch."""

    def __init__(self, kw: dict[str, Any]) -> None:
        self.pace = Pace(clock=time.monotonic, sleep=asyncio.sleep, **kw)

    async def turn(self, priority: int) -> None:
        await self.pace.turn(priority, lambda seconds: None)

    async def ended(self) -> None:
        self.pace.ended()


class RemotePace:
    """`http.Pacing` through a `PaceActor` (in a worker's HTTP client)."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor

    async def turn(self, priority: int, on_wait: Callable[[float], None]) -> None:
        await self.actor.turn.remote(priority)

    def ended(self) -> None:
        self.actor.ended.remote()


@ray.remote(num_cpus=0, max_concurrency=ASYNC_CALLS)
class MeterActor:
    """The run's summarizer slots and caps (`pipeline.SlotMeter`) for the whole cluster."""

    def __init__(self, caps: Caps, slots: int) -> None:
        self.meter = SlotMeter(caps, slots)

    async def acquire(self, estimate: Usage) -> bool:
        try:
            await self.meter.acquire(estimate)
        except CapReached:
            return False
        return True

    async def release(self, estimate: Usage, usage: Usage) -> None:
        self.meter.release(estimate, usage)

    async def used(self) -> Usage:
        return self.meter.used


class RayMeter:
    """A `MeterActor` as a `work.Meter` (in a worker) and a `pipeline.RunMeter` (in the driver)."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self._released: list[Any] = []

    async def acquire(self, estimate: Usage) -> None:
        if not await self.actor.acquire.remote(estimate):
            raise CapReached

    def release(self, estimate: Usage, usage: Usage) -> None:
        self._released.append(self.actor.release.remote(estimate, usage))

    async def settled(self) -> None:
        """Every release booked (before a worker returns, so the driver's `used` counts it)."""
        await asyncio.gather(*self._released)

    @property
    def used(self) -> Usage:
        return ray.get(self.actor.used.remote())

    def close(self) -> None:
        ray.kill(self.actor)


@ray.remote(num_cpus=0, max_concurrency=ASYNC_CALLS, max_restarts=-1, max_task_retries=-1)
class WorkerActor:
    """A worker: the fetch stage and the work step for the papers the driver hands it, with its own summarizer
    and HTTP client (made from the run's settings by `parts`, its endpoints paced by the pacing actors)."""

    def __init__(self, settings: Settings, parts: WorkParts, paces: dict[str, Any]) -> None:
        self.settings, self.parts, self.paces = settings, parts, paces
        self.made: tuple[Summarizer, FetchDocument] | None = None
        self.stack = contextlib.AsyncExitStack()
        self.lock = asyncio.Lock()

    async def _made(self) -> tuple[Summarizer, FetchDocument]:
        async with self.lock:
            if self.made is None:
                paces = {name: RemotePace(actor) for name, actor in self.paces.items()}
                self.made = await self.stack.enter_async_context(self.parts(self.settings, paces))
            return self.made

    async def fetch(self, paper: Paper) -> tuple[str, Document | Outcome]:
        _, fetch = await self._made()
        return self.node(), await fetch_stage(paper, fetch)

    async def work(self, paper: Paper, document: Document, spec: WorkSpec, meter: Any) -> tuple[str, WorkResult]:
        summarizer, _ = await self._made()
        metered = RayMeter(meter)
        result = await summarize_paper(paper, document, spec, summarizer, meter=metered)
        await metered.settled()
        return self.node(), result

    def node(self) -> str:
        return ray.get_runtime_context().get_node_id()

    def pid(self) -> int:
        return os.getpid()

    async def close(self) -> None:
        await self.stack.aclose()


class RaySession:
    """Workers spread over the cluster's nodes (one per CPU, the calls handed out in turn) and the pacing actors,
    for one command."""

    def __init__(self, settings: Settings, parts: WorkParts) -> None:
        self.paces = {name: PaceActor.remote(pacing(settings)[name]) for name in ENDPOINTS}
        self.actors = [WorkerActor.options(scheduling_strategy=NodeAffinitySchedulingStrategy(node, soft=False))
                       .remote(settings, parts, self.paces) for node in _cpus()]
        self._next = itertools.cycle(self.actors)
        # papers fetched and papers worked on, by node id
        self.fetched: collections.Counter[str] = collections.Counter()
        self.worked: collections.Counter[str] = collections.Counter()

    def workers(self, summarizer: Summarizer, fetch: FetchDocument) -> RayWorkers:
        return RayWorkers(self)

    def actor(self) -> Any:
        return next(self._next)

    async def close(self) -> None:
        with contextlib.suppress(RayError, TimeoutError):
            await asyncio.wait_for(asyncio.gather(*(a.close.remote() for a in self.actors)), 10)
        for actor in [*self.actors, *self.paces.values()]:
            with contextlib.suppress(RayError):
                ray.kill(actor)


def _cpus() -> list[str]:
    """A node id for each CPU of the cluster's live nodes, the nodes taken in turn: a worker for each, pinned
    there (Ray's soft affinity and SPREAD both put two workers on one node of three in tests). A worker whose
    process dies is restarted on its node; one whose node is gone waits for it."""
    nodes = [(n["NodeID"], int(n.get("Resources", {}).get("CPU", 0))) for n in ray.nodes() if n.get("Alive")]
    per_node = [[node] * max(cpus, 0) for node, cpus in nodes]
    spread = [node for turn in itertools.zip_longest(*per_node) for node in turn if node is not None]
    return spread or [ray.get_runtime_context().get_node_id()]


class RayWorkers:
    """`pipeline.Workers` on the cluster: each call goes to the next worker; what comes back goes to the driver."""

    def __init__(self, session: RaySession) -> None:
        self.session = session

    def meter(self, caps: Caps, slots: int) -> RunMeter:
        return RayMeter(MeterActor.remote(caps, slots))

    async def fetch(self, paper: Paper) -> Document | Outcome:
        try:
            node, found = await self.session.actor().fetch.remote(paper)
        except RayError as exc:
            return _lost(paper, exc, "fetch")
        self.session.fetched[node] += 1
        return found

    async def work(self, paper: Paper, document: Document, spec: WorkSpec, meter: RunMeter,
                   on_stage: OnStage) -> WorkResult:
        assert isinstance(meter, RayMeter)
        try:
            node, result = await self.session.actor().work.remote(paper, document, spec, meter.actor)
        except RayError as exc:
            outcome = _lost(paper, exc, "summarize")
            result = WorkResult(paper.id, outcome)
        else:
            self.session.worked[node] += 1
        on_stage("summarize")
        on_stage("verify")
        return result


def _lost(paper: Paper, exc: RayError, stage: Any) -> Outcome:
    return Outcome(paper_id=paper.id, status="failed", stage=stage,
                   reason=clip(f"the worker was lost ({type(exc).__name__}): run again to redo it", 300))
