"""A stand-in OpenAI chat-completions server (tests and benchmarks only).

Speaks the real wire format of `POST /v1/chat/completions`, `POST /v1/embeddings` and `GET /v1/models`. It
can accept or reject `response_format` the way real servers do, answers with a summary built from the
request's own paper text (or from a pluggable responder; the grounding judge's requests are judged from their
excerpts), and plays scripted faults, one per call, in order:

    standin.fail("rate_limit", retry_after="0.05")   # 429 with Retry-After
    standin.fail("server_error")                      # 500
    standin.fail("slow", delay=1.0)                   # answers after the client gave up
    standin.fail("invalid_json") / ("missing_key") / ("length") / ("refusal") / ("content_filter")
    standin.fail("echo", status=401)                  # an error quoting the request (its API key) back
    standin.fail("echo", status=200, content_type="text/html")   # a proxy's HTML page, with the request

A latency model (base seconds + seconds per output token) makes it usable for benchmarks.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from dailypapers.models import DEFAULT_LABELS
from tests.standins.base import Reply, Request, StandIn, echo_request

FormatSupport = Literal["json_schema", "json_object", "text"]
FaultKind = Literal[
    "rate_limit",
    "server_error",
    "slow",
    "invalid_json",
    "missing_key",
    "length",
    "refusal",
    "content_filter",
    "echo",
]
Responder = Callable[[dict[str, Any], Sequence[str]], str]  # (request body, labels) -> message content

COMPLETIONS = "/v1/chat/completions"
EMBEDDINGS = "/v1/embeddings"
EMBEDDING_DIM = 64
_PAPER = re.compile(r"<paper>(.*?)</paper>", re.DOTALL)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass
class _Fault:
    kind: FaultKind
    retry_after: str | None = None
    delay: float = 0.0
    status: int = 401
    content_type: str = "application/json"


def approx_tokens(text: str) -> int:
    """About four characters a token, as for English with GPT tokenizers; good enough for usage figures."""
    return max(1, len(text) // 4) if text else 0


def hashed_vector(text: str, dim: int = EMBEDDING_DIM) -> list[float]:
    """A stand-in embedding: the text's lower-cased words counted into `dim` buckets by a stable hash."""
    out = [0.0] * dim
    for word in re.findall(r"\w+", text.lower()):
        out[int(hashlib.sha256(word.encode()).hexdigest()[:8], 16) % dim] += 1.0
    return out


def paper_text(body: dict[str, Any]) -> str:
    """The paper inside the delimiters of the first user message that has one."""
    for message in body.get("messages", []):
        content = message.get("content") or ""
        if message.get("role") == "user" and isinstance(content, str) and (m := _PAPER.search(content)):
            return m.group(1)
    return ""


def summary_from_paper(body: dict[str, Any], labels: Sequence[str]) -> str:
    """The default responder: a JSON summary whose sentences are taken from the request's paper text.

    Sentences with digits go to the last section (the results), the rest are dealt out in order, so every
    number in the reply occurs in the paper.
    """
    lines = [ln for ln in paper_text(body).strip().splitlines() if not ln.startswith("Title:")]
    sentences = [s.strip() for s in _SENTENCE.split(" ".join(" ".join(lines).split())) if len(s.strip()) > 30]
    plain = [s for s in sentences if not re.search(r"\d", s)] or sentences
    numeric = [s for s in sentences if re.search(r"\d", s)] or sentences
    out: dict[str, str] = {}
    if _asks_tldr(body):  # as a model does: the paper's first plain sentence, cut to one line
        out["tldr"] = (plain or ["The paper gives no text to summarize."])[0][:280]
    for i, label in enumerate(labels):
        results = i == len(labels) - 1 and len(labels) > 1
        pool = numeric if results else plain
        start = 0 if results else (2 * i) % max(len(pool), 1)
        chosen = pool[start : start + 2] or ["The paper gives no text to summarize."]
        out[label] = " ".join(chosen)[:1000]
    return json.dumps(out, ensure_ascii=False)


_ITEM = re.compile(r'<item id="([^"]+)">\s*<sentence>(.*?)</sentence>(.*?)</item>', re.DOTALL)
_EXCERPT = re.compile(r"<excerpt[^>]*>(.*?)</excerpt>", re.DOTALL)


def is_judge_request(body: dict[str, Any]) -> bool:
    """A request of the grounding judge (dailypapers.verify.judge): items to judge, not a paper to summarize."""
    rf = body.get("response_format") or {}
    if rf.get("type") == "json_schema" and (rf.get("json_schema") or {}).get("name") == "grounding_verdicts":
        return True
    return any("<items>" in str(m.get("content") or "") for m in body.get("messages", []) if m.get("role") == "user")


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w%.]+", " ", text.lower()).split()).rstrip(".")


def judge_from_excerpts(body: dict[str, Any], labels: Sequence[str] = ()) -> str:
    """A judge as a careful reader would answer: a sentence is entailed when one of its excerpts says it (its
    words, in order), and the quote is that excerpt; otherwise not entailed, with no quote."""
    user = next((str(m.get("content") or "") for m in body.get("messages", []) if m.get("role") == "user"), "")
    verdicts = []
    for item_id, sentence, rest in _ITEM.findall(user):
        said = next((e for e in _EXCERPT.findall(rest) if _words(sentence) and _words(sentence) in _words(e)), None)
        verdicts.append({"id": item_id, "entailed": said is not None, "quote": (said or "")[:300]})
    return json.dumps({"verdicts": verdicts}, ensure_ascii=False)


def respond(body: dict[str, Any], labels: Sequence[str]) -> str:
    """The default responder: judge requests are judged (`judge_from_excerpts`), summary requests summarized
    from the paper's own sentences (`summary_from_paper`)."""
    return judge_from_excerpts(body) if is_judge_request(body) else summary_from_paper(body, labels)


def on_summaries(change: Callable[[dict[str, str], Sequence[str]], None]) -> Responder:
    """A responder that summarizes as `respond` does and lets `change` edit each summary (its JSON object, in
    place): judge requests are still judged, so a test that plants a claim sees the judge's real path."""

    def responder(body: dict[str, Any], labels: Sequence[str]) -> str:
        if is_judge_request(body):
            return judge_from_excerpts(body)
        data = json.loads(summary_from_paper(body, labels))
        change(data, labels)
        return json.dumps(data, ensure_ascii=False)

    return responder


class OpenAIStandIn:
    def __init__(
        self,
        *,
        supports: FormatSupport = "json_schema",
        responder: Responder = respond,
        labels: Sequence[str] = DEFAULT_LABELS,
        api_key: str | None = None,
        model: str = "standin-model",
        latency_base: float = 0.0,
        latency_per_token: float = 0.0,
    ) -> None:
        self.supports: FormatSupport = supports  # the strongest response_format the server accepts
        self.responder = responder
        self.labels = tuple(labels)  # used when the request carries no JSON schema
        self.api_key = api_key  # None: any key, or none, is accepted
        self.model = model
        self.latency_base = latency_base
        self.latency_per_token = latency_per_token
        self.reasoning_model = False  # reject max_tokens and temperature, as OpenAI's o-series models do
        self.usage_override: Any = "unset"  # a hostile server's usage field (None: absent), or "unset"
        self.trickle = 0.0  # seconds between 16-byte pieces of every answer
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self._counter = 0
        self.latencies: list[float] = []  # the delay each answered call was given (benchmarks sum these)
        self.http = StandIn()
        self.http.route("POST", COMPLETIONS, self._complete)
        self.http.route("GET", "/v1/models", self._models)
        self.http.route("POST", EMBEDDINGS, self._embeddings)
        self.embeddings_override: Callable[[list[str]], Any] | None = None  # a hostile server's whole answer

    # lifecycle
    def start(self) -> OpenAIStandIn:
        self.http.start()
        return self

    def stop(self) -> None:
        self.http.stop()

    def __enter__(self) -> OpenAIStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"{self.http.url}/v1"

    # scripting and inspection
    def fail(
        self, kind: FaultKind, *, times: int = 1, retry_after: str | None = None, delay: float = 0.0,
        status: int = 401, content_type: str = "application/json",
    ) -> None:
        """The next `times` completion calls get this fault instead of a normal answer (queued in order).
        `status` and `content_type` are an "echo" fault's."""
        with self._lock:
            self._faults.extend(_Fault(kind, retry_after, delay, status, content_type) for _ in range(times))

    @property
    def calls(self) -> int:
        """How many completion requests arrived (rejected and faulted ones included)."""
        return len(self.http.requests_to(COMPLETIONS))

    def requests(self) -> list[Request]:
        return self.http.requests_to(COMPLETIONS)

    def bodies(self) -> list[dict[str, Any]]:
        return [r.json() for r in self.requests()]

    # handlers
    def _models(self, req: Request) -> Reply:
        return Reply.json(
            {"object": "list", "data": [{"id": self.model, "object": "model", "owned_by": "standin"}]}
        )

    def embedding_requests(self) -> list[Request]:
        return self.http.requests_to(EMBEDDINGS)

    def _embeddings(self, req: Request) -> Reply:
        """Embeddings as OpenAI sends them, in a shuffled order (each item says its `index`); a text's vector
        counts its words hashed into EMBEDDING_DIM buckets, so texts sharing words are near."""
        if self.api_key is not None and req.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "Incorrect API key provided.", "invalid_request_error", code="invalid_api_key")
        body = req.json()
        texts = body.get("input")
        if isinstance(texts, str):
            texts = [texts]
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts) or not texts:
            return _error(400, "'input' must be a string or a list of strings", "invalid_request_error",
                          param="input")
        if self.embeddings_override is not None:
            return Reply.json(self.embeddings_override(texts))
        data = [{"object": "embedding", "index": i, "embedding": hashed_vector(t)} for i, t in enumerate(texts)]
        return Reply.json({"object": "list", "data": data[::-1], "model": body.get("model", self.model),
                           "usage": {"prompt_tokens": sum(map(approx_tokens, texts)),
                                     "total_tokens": sum(map(approx_tokens, texts))}})

    def _complete(self, req: Request) -> Reply:
        if self.api_key is not None and req.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "Incorrect API key provided.", "invalid_request_error", code="invalid_api_key")
        body = req.json()
        if not isinstance(body.get("messages"), list) or not body["messages"]:
            return _error(400, "'messages' is a required property", "invalid_request_error", param="messages")
        if self.reasoning_model and "max_tokens" in body:
            return _error(
                400,
                "Unsupported parameter: 'max_tokens' is not supported with this model. "
                "Use 'max_completion_tokens' instead.",
                "invalid_request_error",
                param="max_tokens",
                code="unsupported_parameter",
            )
        if self.reasoning_model and body.get("temperature", 1) != 1:
            return _error(
                400,
                "Unsupported value: 'temperature' does not support 0.2 with this model. "
                "Only the default (1) value is supported.",
                "invalid_request_error",
                param="temperature",
                code="unsupported_value",
            )
        rejection = self._rejects(body.get("response_format"))
        if rejection:
            return rejection
        with self._lock:
            fault = self._faults.pop(0) if self._faults else None
        if fault and fault.kind == "echo":
            return _echo(req, fault)
        if fault and fault.kind == "rate_limit":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            return _error(
                429,
                "Rate limit reached for requests.",
                "requests",
                code="rate_limit_exceeded",
                headers=headers,
            )
        if fault and fault.kind == "server_error":
            # retry-after-ms keeps the SDK's backoff short in tests; the real API sends it too
            return _error(
                500,
                "The server had an error while processing your request.",
                "server_error",
                headers={"retry-after-ms": fault.retry_after or "1"},
            )
        labels = _schema_labels(body) or self.labels
        content: str | None = self.responder(body, labels)
        finish, refusal = "stop", None
        if fault is not None:
            content, finish, refusal = _content_fault(fault.kind, content or "", labels)
        prompt_tokens = sum(approx_tokens(str(m.get("content") or "")) + 4 for m in body["messages"])
        completion_tokens = approx_tokens(content or refusal or "")
        cap = body.get("max_tokens") or body.get("max_completion_tokens")
        if finish == "length" and cap:
            completion_tokens = int(cap)
        with self._lock:
            self._counter += 1
            n = self._counter
        data = {
            "id": f"chatcmpl-standin{n:06d}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", self.model),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": refusal},
                    "logprobs": None,
                    "finish_reason": finish,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
        if self.usage_override != "unset":
            data["usage"] = self.usage_override
        delay = self.latency_base + self.latency_per_token * completion_tokens
        if fault and fault.kind == "slow":
            delay += fault.delay
        with self._lock:
            self.latencies.append(delay)
        return Reply.json(data, delay=delay, trickle=self.trickle)

    def _rejects(self, response_format: Any) -> Reply | None:
        if not response_format:
            return None
        kind = response_format.get("type") if isinstance(response_format, dict) else None
        if self.supports == "text" or (self.supports == "json_object" and kind == "json_schema"):
            # the shape vLLM, llama.cpp and older OpenAI models give
            return _error(
                400,
                f"Invalid parameter: 'response_format' of type '{kind}' is not supported with this model.",
                "invalid_request_error",
                param="response_format",
            )
        if self.supports == "json_schema" and kind == "json_schema":
            schema = (response_format.get("json_schema") or {}).get("schema")
            if not isinstance(schema, dict):
                return _error(
                    400,
                    "Missing required parameter: 'response_format.json_schema.schema'.",
                    "invalid_request_error",
                    param="response_format",
                )
        return None


def _schema(body: dict[str, Any]) -> dict[str, Any]:
    rf = body.get("response_format") or {}
    schema = (rf.get("json_schema") or {}).get("schema") if rf.get("type") == "json_schema" else None
    return schema if isinstance(schema, dict) else {}


def _schema_labels(body: dict[str, Any]) -> tuple[str, ...]:
    """The section labels the schema asks for (the `tldr` is answered beside them, not as a section)."""
    return tuple(k for k in _schema(body).get("required", ()) if k != "tldr")


def _asks_tldr(body: dict[str, Any]) -> bool:
    """The schema asks for a TL;DR, or (no schema) the system prompt names the key."""
    if _schema(body):
        return "tldr" in _schema(body).get("required", ())
    system = next((str(m.get("content") or "") for m in body.get("messages", []) if m.get("role") == "system"), "")
    return '"tldr"' in system


def _content_fault(
    kind: FaultKind, content: str, labels: Sequence[str]
) -> tuple[str | None, str, str | None]:
    if kind == "invalid_json":
        return 'Sure, here is the summary: {"What\'s New": "unterminated', "stop", None
    if kind == "missing_key":
        data = json.loads(content)
        data.pop(labels[-1], None)
        return json.dumps(data, ensure_ascii=False), "stop", None
    if kind == "length":
        return content[: len(content) // 2], "length", None
    if kind == "refusal":
        return None, "stop", "I'm sorry, I can't help with that request."
    if kind == "content_filter":
        return None, "content_filter", None
    return content, "stop", None  # "slow": a normal answer, late


def _echo(req: Request, fault: _Fault) -> Reply:
    """An answer that quotes the request back: JSON with the key in OpenAI's error message (as its 401 did
    before it masked keys), or a page or text with the whole request; a 5xx says retry after 1 ms."""
    headers = {"retry-after-ms": "1"} if fault.status >= 500 else {}
    if fault.content_type == "application/json":
        quoted = f"Incorrect API key provided: {req.headers.get('authorization', '')}. You sent: {echo_request(req)}"
        return _error(fault.status, quoted, "invalid_request_error", code="invalid_api_key", headers=headers)
    text = echo_request(req)
    if fault.content_type == "text/html":
        text = f"<html><body><h1>Proxy error</h1><pre>{text}</pre></body></html>"
    return Reply(status=fault.status, body=text.encode(), content_type=fault.content_type, headers=headers)


def _error(
    status: int,
    message: str,
    type_: str,
    *,
    param: str | None = None,
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    body = {"error": {"message": message, "type": type_, "param": param, "code": code}}
    return Reply.json(body, status=status, headers=headers or {})
