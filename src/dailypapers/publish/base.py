"""The publisher and notifier contracts: what happens to a digest once it is stored.

A publisher writes an output (the Markdown file, later a site or a README) and returns what it wrote; a
notifier delivers the digest to people (Slack, email, webhooks). Both are registered as plug-ins and chosen
by settings (`publishers`, `notifiers`).

A notifier turns settings into channels (one Slack channel, one list of email recipients, one apprise URL);
a channel sends what the delivery ledger says is still due and records each message as it goes
(`DeliveryLog`), so the driver (`publish.notify.deliver`) can make every (edition, channel, paper) go out
exactly once, resume a thread after a crash and retry a failed channel on the next run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from dailypapers.config import Settings
from dailypapers.errors import DailyPapersError, PublishError, reason
from dailypapers.events import Events, Published
from dailypapers.models import Digest, Edition
from dailypapers.text import clip

if TYPE_CHECKING:
    from dailypapers.publish.notify.messages import MessageEdition


class FileLedger(Protocol):
    """What the archive knows of the files the publishers wrote: which edition each holds (the Store)."""

    def written_for(self, path: Path) -> Edition | None: ...

    def record_written(self, path: Path, edition: Edition) -> None: ...


@dataclass(frozen=True)
class PublishContext:
    settings: Settings
    out: Path | None = None  # an explicit path for the main output (`digest --out`)
    main_edition: bool = True  # the configured source and language: its outputs go to the top level
    # the run's archive: a file it wrote for another edition is never replaced (None: no record is kept)
    files: FileLedger | None = None
    # the model whose stored vectors give pages their related papers (`Embedder.model`; None: no such section)
    embedding_model: str | None = None


@runtime_checkable
class Publisher(Protocol):
    name: str
    description: str

    def publish(self, digest: Digest, ctx: PublishContext) -> list[str]:
        """Write the outputs of this digest; return what was written (paths or URLs). Raises PublishError."""
        ...


@runtime_checkable
class WholeArchive(Protocol):
    """A publisher whose output is made from the whole archive, not from the digest it is given (the site):
    a run of many editions publishes it once, after the last."""

    whole_archive: bool


def is_whole_archive(publisher: Publisher) -> bool:
    """Whether the publisher's output is made from the whole archive (see `WholeArchive`)."""
    return isinstance(publisher, WholeArchive) and publisher.whole_archive is True


def publish_all(
    digest: Digest, publishers: Sequence[Publisher], ctx: PublishContext, events: Events
) -> tuple[list[str], list[str]]:
    """Run every publisher; returns what they wrote and their problems: one that fails is reported and does
    not stop the others."""
    outputs: list[str] = []
    problems: list[str] = []
    for publisher in publishers:
        try:
            written = publisher.publish(digest, ctx)
        except DailyPapersError as exc:
            problems.append(f"{publisher.name}: {reason(exc)}")
            continue
        except Exception as exc:  # a plug-in's bug: the digest is stored, the other outputs still get written
            problems.append(f"{publisher.name}: unexpected error: {type(exc).__name__}: {clip(str(exc), 160)}")
            continue
        for target in written:
            outputs.append(target)
            events.emit(Published(publisher.name, target))
    return outputs, problems


@runtime_checkable
class Notifier(Protocol):
    name: str  # "slack", "email", "apprise": what the `notifiers` setting names
    description: str

    def channels(self, settings: Settings) -> Sequence[Channel]:
        """The channels the settings configure for this notifier (none when it is not configured). Raises
        ConfigError for settings that cannot work (a token without a channel)."""
        ...


# The item of a ledger row: HEADER for the edition's own message, else a paper id.
HEADER = ""


@dataclass(frozen=True)
class LedgerRow:
    """A ledger row as a channel sees it."""

    item: str
    status: str  # pending (an attempt started and did not finish), delivered, failed, abandoned
    external_id: str | None = None  # the channel's id of the message (a Slack "channel:ts", a Message-ID)
    thread_id: str | None = None  # the external id of the message it replied to
    attempts: int = 0
    updated_at: str | None = None  # ISO time of the last write (for a pending row: when the attempt began)


class DeliveryLog(Protocol):
    """What a channel knows and records of one edition's deliveries; every call commits at once."""

    def get(self, item: str) -> LedgerRow | None: ...

    def started(self, item: str) -> None:
        """Before a message goes out: a crash after this leaves the item `pending`."""
        ...

    def delivered(self, item: str, external_id: str | None = None, thread_id: str | None = None) -> None: ...

    def failed(self, item: str, error: str) -> None:
        """This item could not go out (the others may); it is tried again on the next run."""
        ...

    def notice(self, message: str) -> None: ...


class ChannelDown(PublishError):
    """The channel cannot take messages now (auth, network, rate limit past the wait cap): this run stops
    sending to it, the other channels go on, and the next run resumes where it stopped. `maybe_sent`: the
    message in flight may have gone out (a timeout, a dropped connection), as opposed to a refusal."""

    def __init__(self, message: str, *, maybe_sent: bool = False) -> None:
        super().__init__(message)
        self.maybe_sent = maybe_sent


@runtime_checkable
class Channel(Protocol):
    id: str  # the ledger key: stable, secret-free ("slack:C0123", "email:9f86d081", "apprise:json:1a2b3c4d")

    async def send(self, view: MessageEdition, due: Sequence[str], log: DeliveryLog) -> None:
        """Send the due items (HEADER first when due, then paper ids in rank order), recording each through
        `log`. Raises ChannelDown to stop; an item's own problem is `log.failed` and the rest go on."""
        ...
