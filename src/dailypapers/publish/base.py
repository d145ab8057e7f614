"""The publisher and notifier contracts: what happens to a digest once it is stored.

A publisher writes an output (the Markdown file, later a site or a README) and returns what it wrote; a
notifier delivers the digest to people (Slack, email, webhooks). Both are registered as plug-ins and chosen
by settings (`publishers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from dailypapers.config import Settings
from dailypapers.models import Digest, RunReport


@dataclass(frozen=True)
class PublishContext:
    settings: Settings
    out: Path | None = None  # an explicit path for the main output (`digest --out`)
    main_edition: bool = True  # the configured source and language: its outputs go to the top level


@runtime_checkable
class Publisher(Protocol):
    name: str
    description: str

    def publish(self, digest: Digest, ctx: PublishContext) -> list[str]:
        """Write the outputs of this digest; return what was written (paths or URLs). Raises PublishError."""
        ...


@runtime_checkable
class Notifier(Protocol):
    name: str
    description: str

    async def notify(self, digest: Digest, report: RunReport, ctx: PublishContext) -> None:
        """Deliver the digest. Raises DailyPapersError on failure."""
        ...
