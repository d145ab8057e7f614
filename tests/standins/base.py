"""A loopback HTTP server for stand-ins of real services (tests only, never shipped in the package).

A stand-in registers routes (method, path prefix) -> handler(Request) -> Reply and can be told to misbehave:
`fault(path_prefix, Reply(...))` queues a fault that the next matching request gets instead of the real reply
(`Reply(status=500, echo=...)`: an error that quotes the request back, the key in its headers included).
Every request is logged (method, path, query, headers, body) so tests can assert on what the client sent. A
handler that raises fails the test when the stand-in stops (`StandInBug`), instead of passing as a 500.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    truncate_to: int | None = None  # send a Content-Length for the whole body but only this many bytes
    trickle: float = 0.0  # seconds between 16-byte pieces of the body: a server that never quite finishes
    hang_up: bool = False  # close the connection without answering (the client sees RemoteDisconnected)
    # a server that quotes the request back in its error (a debugging proxy, a careless API): the body is
    # made from the request by this function (`echo_request` gives what was sent, headers included)
    echo: Callable[[Request], bytes] | None = None

    @classmethod
    def json(cls, data: Any, status: int = 200, **kw: Any) -> Reply:
        return cls(status=status, body=json.dumps(data).encode(), content_type="application/json", **kw)


Handler = Callable[[Request], Reply]
STAND_IN_BUG = 418  # what a client gets from a handler that raised: a 4xx, which no client retries


class StandInBug(AssertionError):
    """A stand-in's handler raised: the test fails, whatever the client made of the answer."""


def echo_request(req: Request) -> str:
    """What a server that echoes its request shows: the request line, every header (its credentials first,
    so a message cut short still holds them), and the body."""
    query = "&".join(f"{k}={v}" for k, v in req.query.items())
    ordered = sorted(req.headers.items(), key=lambda kv: kv[0] != "authorization")
    headers = "\n".join(f"{k}: {v}" for k, v in ordered)
    return f"{req.method} {req.path}{'?' + query if query else ''}\n{headers}\n\n{req.body.decode(errors='replace')}"


class StandIn:
    def __init__(self) -> None:
        self.routes: list[tuple[str, str, Handler]] = []
        self.faults: list[tuple[str, Reply]] = []
        self.requests: list[Request] = []
        self.bugs: list[str] = []  # tracebacks of handlers that raised (`stop` raises them)
        self._lock = threading.Lock()
        outer = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def _serve(self) -> None:
                outer._handle(self)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        class _Server(ThreadingHTTPServer):
            request_queue_size = 128  # many concurrent clients must not lose connection attempts

            def handle_error(self, request: Any, client_address: Any) -> None:
                # a client that hangs up on a kept-alive connection is normal, not worth a traceback
                if not isinstance(sys.exc_info()[1], ConnectionError):
                    super().handle_error(request, client_address)

        self.server = _Server(("127.0.0.1", 0), _H)
        self.server.daemon_threads = True
        # a short poll interval: shutdown() waits for it, and tests start and stop many servers
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> StandIn:
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; a handler that raised fails the test here (`StandInBug`), with its traceback."""
        self.server.shutdown()
        self.server.server_close()
        if self.bugs:
            bugs, self.bugs = self.bugs, []
            raise StandInBug(f"the stand-in failed on {len(bugs)} request(s):\n" + "\n".join(bugs))

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def route(self, method: str, prefix: str, handler: Handler) -> None:
        self.routes.append((method.upper(), prefix, handler))

    def fault(self, prefix: str, reply: Reply, times: int = 1) -> None:
        """The next `times` requests whose path starts with `prefix` get `reply` instead of the real answer."""
        with self._lock:
            self.faults.extend((prefix, reply) for _ in range(times))

    def requests_to(self, prefix: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path.startswith(prefix)]

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        req = Request(
            method=h.command,
            path=parts.path,
            query={k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
            headers={k.lower(): v for k, v in h.headers.items()},
            body=body,
            at=time.monotonic(),
        )
        with self._lock:
            self.requests.append(req)
            reply = None
            for i, (prefix, _) in enumerate(self.faults):
                if req.path.startswith(prefix):
                    reply = self.faults.pop(i)[1]
                    break
        if reply is None:
            reply = self._dispatch(req)
        if reply.echo is not None:
            reply = replace(reply, body=reply.echo(req), echo=None)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.hang_up:
            h.close_connection = True
            return
        try:
            h.send_response(reply.status)
            h.send_header("Content-Type", reply.content_type)
            h.send_header("Content-Length", str(len(reply.body)))
            for k, v in reply.headers.items():
                h.send_header(k, v)
            if reply.truncate_to is not None:
                h.send_header("Connection", "close")
            h.end_headers()
            body = reply.body if reply.truncate_to is None else reply.body[: reply.truncate_to]
            if reply.trickle:
                for i in range(0, len(body), 16):
                    h.wfile.write(body[i : i + 16])
                    h.wfile.flush()
                    time.sleep(reply.trickle)
            else:
                h.wfile.write(body)
            h.wfile.flush()
            if reply.truncate_to is not None:
                h.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _dispatch(self, req: Request) -> Reply:
        for method, prefix, handler in self.routes:
            if method == req.method and req.path.startswith(prefix):
                try:
                    return handler(req)
                except Exception:
                    # A bug in a stand-in (or in a test's responder) is the test's failure, not a server error
                    # for the client to retry: it is kept and raised when the stand-in stops, and the client
                    # gets an answer no client retries.
                    with self._lock:
                        self.bugs.append(f"{req.method} {req.path}:\n{traceback.format_exc()}")
                    return Reply.json({"error": "stand-in bug (the test fails)"}, status=STAND_IN_BUG)
        return Reply.json({"error": "not found"}, status=404)
