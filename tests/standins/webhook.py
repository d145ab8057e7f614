"""A generic JSON webhook receiver (what apprise's `json://` form posts to): records each payload; faults via
`StandIn.fault` (e.g. a 500)."""

from __future__ import annotations

from typing import Any

from tests.standins.base import Reply, Request, StandIn


class WebhookStandIn(StandIn):
    def __init__(self) -> None:
        super().__init__()
        self.route("POST", "/hook", self._hook)

    def apprise_url(self, path: str = "hook") -> str:
        host, port = self.server.server_address[:2]
        return f"json://{host}:{port}/{path}"

    def payloads(self, path: str = "/hook") -> list[dict[str, Any]]:
        return [r.json() for r in self.requests_to(path) if r.method == "POST"]

    def _hook(self, req: Request) -> Reply:
        return Reply.json({"ok": True})
