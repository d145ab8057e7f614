"""Summaries from any OpenAI-compatible chat-completions server, through the official `openai` SDK.

The SDK does the transport: per-read timeouts, and backoff on 408/409/429/5xx that honours Retry-After. This
module does what the SDK cannot know: asking for structured output and stepping down when a server does not
support it, validating the reply, one repair round, one longer retry on truncation, and summing usage and cost.
It also bounds what a server can do to a run: a whole call (its retries included) has a deadline
(`llm_deadline`), a reply has a size cap (`max_reply_bytes`, enforced while it streams in), and usage counts
that are missing or impossible are replaced by estimates, so budgets cannot be bypassed.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import importlib
import json
import re
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, StringConstraints, ValidationError, create_model

from dailypapers.documents import count_tokens
from dailypapers.errors import ConfigError, SummarizeError
from dailypapers.hookspecs import hookimpl
from dailypapers.http import BREAKER_THRESHOLD, connection_failure
from dailypapers.models import Paper, Section, Summary, Usage
from dailypapers.summarize import prompts
from dailypapers.summarize.base import Question, SummarizerPlugin, SummaryResult, T
from dailypapers.summarize.cost import Price, cost_of, price_for
from dailypapers.text import clip, one_line

# Structured-output modes, strongest first. A server that rejects one is asked with the next.
Mode = Literal["json_schema", "json_object", "text"]
_MODES: tuple[Mode, ...] = ("json_schema", "json_object", "text")
_FORMAT_WORDS = ("response_format", "json_schema", "json_object", "structured", "response format", "schema")
_THINK_TAG = re.compile(r"<(/?)think>", re.IGNORECASE)
if TYPE_CHECKING:
    import openai

    from dailypapers.config import Settings

_OBJECT_START = re.compile(r'\{\s*["}]')  # where a JSON object may start (not a LaTeX brace in chatter)
MAX_JSON_STARTS = 32  # objects tried in a reply with chatter around its JSON: each try may scan the whole reply
_MAX_ECHO = 4000  # how much of an invalid reply is sent back in the repair round
NO_KEY = "not-needed"  # local servers take any key; the SDK insists on one
MESSAGE_OVERHEAD = 4  # tokens a chat format adds per message, for estimates


class ReplyTooLargeError(Exception):
    """A reply passed `max_reply_bytes` while it streamed in."""


@dataclass
class _Reach:
    """Whether the server can be reached, as the HTTP client's breaker does it for the sources: a refused
    connection or a name that does not resolve is not retried (the call fails at once, naming llm_base_url),
    and after BREAKER_THRESHOLD such failures in a row (or one name lookup) every later call of the run fails
    without trying."""

    where: str  # the server's URL, for the message
    failures: int = 0
    down: str = ""  # the message every later call fails with


@functools.cache
def _unreachable_error() -> type[Exception]:
    """An APIConnectionError the SDK passes on as it is: an OpenAIError raised by the transport is not retried
    (openai's client re-raises those; its own backoff would spend ~8 s on a server that is not there)."""
    import openai

    class LLMUnreachable(openai.APIConnectionError):
        pass

    return LLMUnreachable


def _capped_transport(cap: int, reach: _Reach) -> Any:
    """The SDK's own transport, with every response body counted as it arrives and cut off past `cap`, and
    connections refused or unresolvable counted in `reach`.

    Built from the HTTP library the installed SDK uses (httpx, or httpx2 in newer releases)."""
    import openai

    http = importlib.import_module(openai.DefaultAsyncHttpxClient.__mro__[1].__module__.split(".")[0])
    unreachable = _unreachable_error()

    class CappedStream(http.AsyncByteStream):  # type: ignore[name-defined,misc]
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        async def __aiter__(self) -> AsyncIterator[bytes]:
            size = 0
            async for chunk in self.inner:
                size += len(chunk)
                if size > cap:
                    raise ReplyTooLargeError(f"the reply passed {cap:,} bytes")
                yield chunk

        async def aclose(self) -> None:
            await self.inner.aclose()

    class CappedTransport(http.AsyncBaseTransport):  # type: ignore[name-defined,misc]
        def __init__(self) -> None:
            self.inner = http.AsyncHTTPTransport()

        async def handle_async_request(self, request: Any) -> Any:
            if reach.down:
                raise unreachable(message=reach.down, request=request)
            try:
                response = await self.inner.handle_async_request(request)
            except http.ConnectError as exc:
                kind = connection_failure(exc)
                if kind is None:
                    raise  # another connection problem: the SDK's retries may see it through
                reach.failures += 1
                why = "connection refused" if kind == "refused" else "the name does not resolve"
                message = (f"cannot reach the LLM server at {reach.where} ({why}): check that it is running and "
                           "the llm_base_url setting")
                if kind == "dns" or reach.failures >= BREAKER_THRESHOLD:
                    reach.down = message
                raise unreachable(message=message, request=request) from None
            reach.failures = 0
            return http.Response(status_code=response.status_code, headers=response.headers,
                                 stream=CappedStream(response.stream), extensions=response.extensions)

        async def aclose(self) -> None:
            await self.inner.aclose()

    return CappedTransport()


class LLMSummarizer:
    """One OpenAI-compatible model. Safe to share between concurrent summaries of different papers."""

    def __init__(
        self,
        *,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 120,
        max_output_tokens: int = 1500,
        max_retries: int = 4,
        prices: Mapping[str, tuple[float, float]] = {},
        deadline: float = 300.0,
        max_reply_bytes: int = 1024 * 1024,
        judge: bool = True,
    ) -> None:
        self.name = model
        self.prompt_version = prompts.PROMPT_VERSION
        # the work step asks this model about the claims its checker cannot decide; part of the cache key
        self.judging = judge
        self.max_output_tokens = max_output_tokens
        self._prices = prices
        self.deadline = deadline
        self.max_reply_bytes = max_reply_bytes
        self.mode: Mode = "json_schema"  # lowered for good the first time the server rejects it
        # OpenAI's reasoning models reject `max_tokens` and any temperature but the default
        self.token_param = "max_tokens"
        self.temperature: float | None = 0.2
        self._client_args = {"api_key": api_key or NO_KEY, "base_url": base_url, "timeout": timeout,
                             "max_retries": max_retries}
        self._client_obj: openai.AsyncOpenAI | None = None
        self._warming: asyncio.Future[None] | None = None  # `warm_up`'s thread, shared by every caller
        self._reach = _Reach(where=(base_url or "https://api.openai.com/v1").rstrip("/"))

    @functools.cached_property
    def price(self) -> Price | None:
        """USD per million tokens, None when unknown (its calls count as free). Looked up at the first
        estimate: the maintained table takes a while to load, and a re-run of a finished day makes no call."""
        return price_for(self.name, self._prices)

    @property
    def _client(self) -> openai.AsyncOpenAI:
        # The SDK takes ~0.3 s to import: only pay that when a summary is really requested, so a re-run of a
        # cached day (and every other command) starts fast; `warm_up` does it off the critical path.
        if self._client_obj is None:
            import openai

            transport = _capped_transport(self.max_reply_bytes, self._reach)
            http_client = openai.DefaultAsyncHttpxClient(transport=transport)
            self._client_obj = openai.AsyncOpenAI(**self._client_args, http_client=http_client)
        return self._client_obj

    async def warm_up(self) -> None:
        """Load the SDK, build the client (its chat resource too) and look up the price (its table takes a while
        to load) in a thread, while the run lists and fetches papers: the first call's estimate then finds them
        ready. Done once, whoever asks first; every call waits for it here, so the event loop never blocks on
        the SDK's import while the thread holds it."""
        if self._warming is None:
            self._warming = asyncio.ensure_future(asyncio.to_thread(self._ready))
        await asyncio.shield(self._warming)

    def _ready(self) -> None:
        _ = self._client.chat.completions  # the SDK loads its resources on first use
        _ = self.price

    def estimate(self, paper: Paper, text: str, *, lang: str, labels: Sequence[str],
                 feedback: Sequence[str] = ()) -> Usage:
        """What a call will cost at most: the prompt's tokens and the whole output allowance."""
        messages = prompts.build_messages(paper, text, lang=lang, labels=tuple(labels), feedback=feedback)
        input_tokens = sum(count_tokens(m["content"]) + MESSAGE_OVERHEAD for m in messages)
        output_tokens = self.max_output_tokens
        return Usage(calls=1, input_tokens=input_tokens, output_tokens=output_tokens,
                     cost=cost_of(self.price, input_tokens, output_tokens))

    async def aclose(self) -> None:
        if self._warming is not None:  # a client being built is closed too
            with contextlib.suppress(Exception):
                await self._warming
        if self._client_obj is not None:
            await self._client_obj.close()

    async def summarize(
        self,
        paper: Paper,
        text: str,
        *,
        lang: str,
        labels: Sequence[str],
        feedback: Sequence[str] = (),
    ) -> SummaryResult:
        labels = tuple(labels)
        messages: list[dict[str, str]] = prompts.build_messages(
            paper, text, lang=lang, labels=labels, feedback=feedback
        )
        validator = _validator(labels)
        max_tokens = self.max_output_tokens
        (sections, tldr), usage = await self._attempts(messages, labels, validator, max_tokens)
        summary = Summary(
            paper_id=paper.id,
            lang=lang,
            sections=tuple(Section(label=lb, text=sections[lb], emphasis="bold_italic") for lb in labels),
            model=self.name,
            prompt_version=self.prompt_version,
            created_at=dt.datetime.now(dt.UTC),
            tldr=tldr,
        )
        return SummaryResult(summary=summary, usage=usage)

    async def _attempts(
        self,
        messages: list[dict[str, str]],
        labels: tuple[str, ...],
        validator: Any,
        max_tokens: int,
    ) -> tuple[tuple[dict[str, str], str], Usage]:
        """Call until the reply is valid: one retry with a larger cap on truncation, one repair round.

        A failure carries the usage of the calls made so far: failed attempts still cost money."""
        usage = Usage()
        enlarged = repaired = False
        while True:
            try:
                response = ("paper_summary", prompts.json_schema(labels))
                content, finish, call_usage = await self._complete(messages, response, max_tokens)
            except SummarizeError as exc:
                exc.usage = usage + (exc.usage or Usage())  # earlier calls + the failing one, if it was paid
                raise
            usage = usage + call_usage
            if finish == "length":
                if enlarged:
                    raise SummarizeError("output too long", usage=usage)
                enlarged = True
                max_tokens *= 2
                continue
            try:
                sections = _parse(content, labels, validator)
            except _Invalid as bad:
                if repaired:
                    raise SummarizeError("invalid output", usage=usage) from None
                repaired = True
                messages = [
                    *messages,
                    {"role": "assistant", "content": (content or "")[:_MAX_ECHO]},
                    prompts.repair_message(bad.problem, labels),
                ]
                continue
            return sections, usage

    def judge_estimate(self, question: Question[Any]) -> Usage:
        """What asking `question` may cost at most, reserved before it starts (as `estimate` for a summary)."""
        input_tokens = sum(count_tokens(m["content"]) + MESSAGE_OVERHEAD for m in question.messages)
        output_tokens = question.max_output_tokens
        return Usage(calls=1, input_tokens=input_tokens, output_tokens=output_tokens,
                     cost=cost_of(self.price, input_tokens, output_tokens))

    async def judge(self, question: Question[T]) -> tuple[T, Usage]:
        """The answer to `question` (the grounding judge's, `verify.judge`), in one call with the same
        structured-output fallbacks as a summary; SummarizeError (with what was paid) when the reply holds no
        answer."""
        response = (question.name, dict(question.schema))
        messages = [dict(m) for m in question.messages]
        content, _, usage = await self._complete(messages, response, question.max_output_tokens)
        try:
            return _extract_json(content or "", question.read), usage
        except _Invalid:
            raise SummarizeError("invalid judge output", usage=usage) from None

    def ask_estimate(self, question: Question[Any]) -> Usage:
        return self.judge_estimate(question)

    async def ask(self, question: Question[T]) -> tuple[T, Usage]:
        """The answer to any structured `question` (an edition's synthesis), as `judge` asks its own."""
        response = (question.name, dict(question.schema))
        content, _, usage = await self._complete([dict(m) for m in question.messages], response,
                                                 question.max_output_tokens)
        try:
            return _extract_json(content or "", question.read), usage
        except _Invalid:
            raise SummarizeError(f"invalid {question.name} output", usage=usage) from None

    async def _complete(
        self, messages: list[dict[str, str]], response: tuple[str, dict[str, Any]], max_tokens: int
    ) -> tuple[str | None, str | None, Usage]:
        """One completion, stepping down the structured-output mode while the server rejects it. `response`
        names the JSON schema the reply should follow."""
        await self.warm_up()  # the SDK and the client, made in a thread (once)
        import openai  # already loaded by `warm_up`; a local name for the exception classes

        while True:
            mode = self.mode
            try:
                async with asyncio.timeout(self.deadline):  # the SDK's timeout is per read, not per call
                    response = await self._client.chat.completions.create(
                        model=self.name,
                        messages=messages,  # type: ignore[arg-type]
                        **{self.token_param: max_tokens},  # type: ignore[arg-type]
                        **({} if self.temperature is None else {"temperature": self.temperature}),
                        **_format_args(mode, response),
                    )
            except TimeoutError:
                raise SummarizeError(f"timeout (no reply within llm_deadline={self.deadline:g} s)") from None
            except ReplyTooLargeError:  # raised while the SDK reads the body (some SDK versions wrap it: below)
                raise SummarizeError(f"reply too large (over max_reply_bytes={self.max_reply_bytes:,})",
                                     usage=self._unread(messages, max_tokens)) from None
            except openai.BadRequestError as exc:
                if self._adapt(exc):
                    continue
                if mode != "text" and _rejects_format(exc):
                    self._step_down(mode)
                    continue
                raise SummarizeError(_http_reason(exc)) from None
            except openai.APITimeoutError:
                raise SummarizeError("timeout") from None
            except openai.APIConnectionError as exc:
                if isinstance(exc, _unreachable_error()):
                    raise SummarizeError(exc.message) from None
                if isinstance(exc.__cause__, ReplyTooLargeError):
                    raise SummarizeError(f"reply too large (over max_reply_bytes={self.max_reply_bytes:,})",
                                         usage=self._unread(messages, max_tokens)) from None
                # a reply cut off mid-body was a call the server made (and may bill); a refused connection not
                answered = not isinstance(exc.__cause__, _connect_errors())
                raise SummarizeError(f"connection failed: {_short(str(exc.__cause__ or exc))}",
                                     usage=self._unread(messages, max_tokens) if answered else None) from None
            except openai.APIStatusError as exc:
                if exc.status_code == 422 and mode != "text" and _rejects_format(exc):
                    self._step_down(mode)
                    continue
                raise SummarizeError(_http_reason(exc)) from None
            except openai.OpenAIError as exc:  # a body the SDK cannot read, or similar
                raise SummarizeError(f"bad response: {_short(str(exc))}") from None
            break
        if not hasattr(response, "choices"):  # the SDK hands over a body that is not JSON as it is
            kind = "HTML" if str(response).lstrip()[:1] == "<" else "text"
            raise SummarizeError(f"the server at llm_base_url answered {kind}, not JSON: is llm_base_url the "
                                 "API's URL (ending in /v1)?", usage=self._usage(messages, None))
        call_usage = self._usage(messages, response)
        if not response.choices:
            raise SummarizeError("invalid output", usage=call_usage)
        choice = response.choices[0]
        refusal = getattr(choice.message, "refusal", None)
        if refusal:
            raise SummarizeError(f"refused: {_short(refusal)}", usage=call_usage)
        if choice.finish_reason == "content_filter":
            raise SummarizeError("refused: content filter", usage=call_usage)
        return choice.message.content, choice.finish_reason, call_usage

    def _unread(self, messages: list[dict[str, str]], max_tokens: int) -> Usage:
        """A call whose reply could not be read whole: counted, at what it may have cost (the prompt and the
        whole output allowance, as its reservation), so a server that cuts replies cannot bypass the caps."""
        prompt = sum(count_tokens(str(m.get("content") or "")) + MESSAGE_OVERHEAD for m in messages)
        return Usage(calls=1, input_tokens=prompt, output_tokens=max_tokens,
                     cost=cost_of(self.price, prompt, max_tokens))

    def _usage(self, messages: list[dict[str, str]], response: Any) -> Usage:
        """The call's usage as the server reports it; a count that is missing, negative or not an integer is
        replaced by an estimate (a server must not be able to bypass a token or cost cap)."""
        reported = getattr(response, "usage", None)
        prompt = getattr(reported, "prompt_tokens", None)
        completion = getattr(reported, "completion_tokens", None)
        if not _count(prompt):
            prompt = sum(count_tokens(str(m.get("content") or "")) + MESSAGE_OVERHEAD for m in messages)
        if not _count(completion):
            choices = getattr(response, "choices", None) or []
            message = choices[0].message if choices else None
            completion = count_tokens(str(getattr(message, "content", None) or getattr(message, "refusal", None)
                                          or ""))
        return Usage(calls=1, input_tokens=prompt, output_tokens=completion,
                     cost=cost_of(self.price, prompt, completion), unpriced_calls=int(self.price is None))

    def _adapt(self, exc: openai.APIStatusError) -> bool:
        """Drop a parameter the model does not take; each adaptation happens at most once per instance."""
        text = f"{exc.message} {exc.body!r}"
        if self.token_param == "max_tokens" and "max_completion_tokens" in text:
            self.token_param = "max_completion_tokens"
            return True
        if self.temperature is not None and "temperature" in text:
            self.temperature = None
            return True
        return False

    def _step_down(self, failed: Mode) -> None:
        # concurrent summaries may all hit the rejection: never step back up, never skip a mode
        nxt = _MODES[_MODES.index(failed) + 1]
        if _MODES.index(nxt) > _MODES.index(self.mode):
            self.mode = nxt


def _connect_errors() -> tuple[type[BaseException], ...]:
    """The transport's errors raised before a request reached the server (no call was made)."""
    import openai

    http = importlib.import_module(openai.DefaultAsyncHttpxClient.__mro__[1].__module__.split(".")[0])
    return (http.ConnectError, http.ConnectTimeout)


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**9


def _format_args(mode: Mode, response: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    if mode == "json_schema":
        name, schema = response
        return {
            "response_format": {"type": "json_schema", "json_schema": {"name": name, "strict": True, "schema": schema}}
        }
    if mode == "json_object":
        return {"response_format": {"type": "json_object"}}
    return {}


def _rejects_format(exc: openai.APIStatusError) -> bool:
    words = f"{exc.message} {exc.body!r}".lower()
    return any(w in words for w in _FORMAT_WORDS)


def _short(text: str, limit: int = 160) -> str:
    return clip(str(text), limit)


def _http_reason(exc: openai.APIStatusError) -> str:
    message = exc.message
    if isinstance(exc.body, dict):
        inner = exc.body.get("error", exc.body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            message = inner["message"]
        elif isinstance(exc.body.get("message"), str):
            message = exc.body["message"]
    return f"http {exc.status_code}: {_short(message)}"


class _Invalid(ValueError):
    """A reply that is not what was asked for; `problem` says why, for the repair round."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


SectionText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=prompts.MAX_SECTION_CHARS)
]


@functools.cache  # one model per label set, not one per paper
def _validator(labels: tuple[str, ...]) -> type:
    fields: dict[str, Any] = {f"s{i}": (SectionText, Field(alias=label)) for i, label in enumerate(labels)}
    return create_model("SummaryReply", **fields)


def _extract_json(content: str, accept: Callable[[dict[str, Any]], Any] | None = None) -> Any:
    """The JSON object in a reply, tolerating reasoning blocks, Markdown fences and chatter around it: the reply
    (or its first fenced block) when it is one, else the first object in it that `accept` takes (its ValueError
    means: not this one); `accept(object)` is returned. _Invalid when there is none, also for JSON nested too
    deep to decode. At most `MAX_JSON_STARTS` objects are tried, so a crafted reply costs a few scans of it."""
    text = _fenced(_without_thinking(content)).strip()
    for value in _json_objects(text):
        if accept is None:
            return value
        try:
            return accept(value)
        except ValueError:
            continue
    raise _Invalid("it was not a JSON object")


def _json_objects(text: str) -> Iterator[dict[str, Any]]:
    """The JSON objects `_extract_json` tries: the whole text, then objects starting inside it."""
    decoder = json.JSONDecoder()
    try:
        whole = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        whole = None
    if isinstance(whole, dict):
        yield whole
    for n, m in enumerate(_OBJECT_START.finditer(text)):
        if n >= MAX_JSON_STARTS:
            return
        try:
            value, _ = decoder.raw_decode(text, m.start())
        except (json.JSONDecodeError, RecursionError):
            continue
        if isinstance(value, dict):
            yield value


def _without_thinking(text: str) -> str:
    """The reply without its `<think>...</think>` blocks (an unclosed one stays). Linear: a regex with a lazy
    `.*?` rescans the rest of the reply from every opening tag."""
    parts: list[str] = []
    pos, opened = 0, -1
    for m in _THINK_TAG.finditer(text):
        if not m.group(1):
            opened = m.start() if opened < 0 else opened
        elif opened >= 0:
            parts.append(text[pos:opened])
            pos, opened = m.end(), -1
    parts.append(text[pos:])
    return "".join(parts)


def _fenced(text: str) -> str:
    """The body of the first Markdown code fence (```json ... ```), or the text when it has none."""
    start = text.find("```")
    end = text.find("```", start + 3) if start >= 0 else -1
    if end < 0:
        return text
    body = text[start + 3 : end]
    return body[4:] if body.startswith(("json", "JSON")) else body


def _parse(content: str | None, labels: tuple[str, ...], validator: type) -> tuple[dict[str, str], str]:
    """The sections by label, and the TL;DR ("" when the reply has none: a server that ignores the schema is not
    asked again for it; one too long is clipped)."""
    if not content or not content.strip():
        raise _Invalid("it was empty")
    data = _extract_json(content)
    if not isinstance(data, dict):
        raise _Invalid("it was not a JSON object")
    # match keys loosely ("whats new", curly apostrophes); the labels themselves are what we output
    by_key = {prompts.reply_key(str(k)): v for k, v in data.items()}
    aligned = {label: by_key[prompts.reply_key(label)] for label in labels if prompts.reply_key(label) in by_key}
    try:
        model = validator.model_validate(aligned)  # type: ignore[attr-defined]
    except ValidationError as exc:
        raise _Invalid(_describe(exc, labels)) from None
    sections = {label: one_line(getattr(model, f"s{i}")) for i, label in enumerate(labels)}
    tldr = by_key.get(prompts.TLDR_KEY) if prompts.asks_tldr(labels) else None
    return sections, clip(tldr, prompts.MAX_TLDR_CHARS) if isinstance(tldr, str) else ""


def _describe(exc: ValidationError, labels: tuple[str, ...]) -> str:
    problems = []
    for err in exc.errors()[:5]:
        label = str(err["loc"][0]) if err["loc"] else "?"
        if err["type"] == "missing":
            problems.append(f'the key "{label}" is missing')
        elif err["type"] == "string_too_long":
            problems.append(f'"{label}" is longer than {prompts.MAX_SECTION_CHARS} characters')
        elif err["type"] == "string_too_short":
            problems.append(f'"{label}" is empty')
        else:
            problems.append(f'"{label}" must be a string')
    return "; ".join(problems)


def from_settings(settings: Settings) -> LLMSummarizer:
    """The summarizer of the configured OpenAI-compatible server; ConfigError when it cannot be reached as
    configured (checked before any network traffic)."""
    if not settings.llm_model:
        raise ConfigError(
            "llm_base_url is set but llm_model is not: "
            "set DAILYPAPERS_LLM_MODEL to a model your server serves"
            if settings.llm_base_url
            else "no LLM model configured: set DAILYPAPERS_LLM_MODEL (e.g. gpt-4o-mini)"
        )
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    if key is None and not settings.llm_base_url:
        raise ConfigError(
            "no API key for OpenAI: set DAILYPAPERS_LLM_API_KEY or OPENAI_API_KEY, "
            "or set DAILYPAPERS_LLM_BASE_URL to a local server"
        )
    summarizer = LLMSummarizer(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=key,
        timeout=settings.llm_timeout,
        max_output_tokens=settings.max_output_tokens,
        prices=settings.prices,
        deadline=settings.llm_deadline,
        max_reply_bytes=settings.max_reply_bytes,
        judge=settings.judge,
    )
    if settings.max_cost is not None and summarizer.price is None:
        raise ConfigError(
            f"--max-cost cannot cap a model whose price is unknown ({settings.llm_model}): give its price in the "
            f'config file, e.g. prices = {{ "{settings.llm_model}" = [0.15, 0.6] }} (USD per million input and '
            "output tokens; [0, 0] for a local server)"
        )
    return summarizer


@hookimpl
def register_summarizers(register: Callable[[SummarizerPlugin], None]) -> None:
    register(SummarizerPlugin(
        name="llm",
        description="any OpenAI-compatible chat-completions server (llm_base_url, llm_model, llm_api_key)",
        create=from_settings,
    ))
