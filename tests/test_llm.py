"""The LLM summarizer against the stand-in OpenAI server: structured output, fallbacks, faults, usage."""

from __future__ import annotations

import json
import time

import pytest

from dailypapers.config import load_settings
from dailypapers.errors import ConfigError, SummarizeError
from dailypapers.models import DEFAULT_LABELS, Paper, Usage
from dailypapers.plugins import Registry, plugin_manager
from dailypapers.summarize.cost import cost_of, price_for
from dailypapers.summarize.extractive import ExtractiveSummarizer
from dailypapers.summarize.llm import LLMSummarizer, from_settings
from tests.papergen import make_paper
from tests.standins.base import Reply
from tests.standins.openai_server import COMPLETIONS, OpenAIStandIn

LABELS = DEFAULT_LABELS
SYNTH = make_paper("2501.04242", pages=2, seed=7)
PAPER = Paper(id=SYNTH.arxiv_id, version=1, title=SYNTH.title, abstract=SYNTH.abstract)
TEXT = SYNTH.text()


def llm(server: OpenAIStandIn, **kw: object) -> LLMSummarizer:
    opts: dict[str, object] = {
        "model": "gpt-4o-mini",
        "base_url": server.base_url,
        "timeout": 5,
        "max_retries": 0,
    }
    opts.update(kw)
    return LLMSummarizer(**opts)  # type: ignore[arg-type]


async def test_json_schema_is_requested_and_honoured(openai_standin: OpenAIStandIn) -> None:
    summarizer = llm(openai_standin)
    result = await summarizer.summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    body = openai_standin.bodies()[0]
    rf = body["response_format"]
    assert rf["type"] == "json_schema" and rf["json_schema"]["strict"] is True
    assert rf["json_schema"]["schema"]["required"] == [*LABELS, "tldr"]
    assert body["model"] == "gpt-4o-mini" and body["max_tokens"] == 1500
    s = result.summary
    assert [sec.label for sec in s.sections] == list(LABELS)
    assert all(sec.text and sec.emphasis == "bold_italic" for sec in s.sections)
    assert SYNTH.facts["accuracy"] in s.sections[2].text  # the stand-in quotes the paper's numeric sentences
    assert (s.paper_id, s.lang, s.model, s.prompt_version) == (PAPER.id, "ko", "gpt-4o-mini", "p2")
    assert s.created_at is not None and s.created_at.utcoffset() is not None and not s.created_at.utcoffset()
    assert result.usage.calls == 1 and result.usage.input_tokens > 0 and result.usage.output_tokens > 0


@pytest.mark.parametrize(("supports", "expected"), [("json_object", "json_object"), ("text", "text")])
async def test_rejected_response_format_falls_back_and_is_remembered(
    openai_standin: OpenAIStandIn, supports: str, expected: str
) -> None:
    openai_standin.supports = supports  # type: ignore[assignment]
    summarizer = llm(openai_standin)
    first = await summarizer.summarize(PAPER, TEXT, lang="en", labels=LABELS)
    assert summarizer.mode == expected
    kinds = [(b.get("response_format") or {}).get("type") for b in openai_standin.bodies()]
    assert kinds == (
        ["json_schema", "json_object"] if expected == "json_object" else ["json_schema", "json_object", None]
    )
    assert first.usage.calls == 1  # rejected requests produced no completion
    before = openai_standin.calls
    await summarizer.summarize(PAPER, TEXT, lang="en", labels=LABELS)
    assert openai_standin.calls == before + 1  # the second paper goes straight to the working mode


async def test_lenient_mode_reads_fenced_json_with_chatter(openai_standin: OpenAIStandIn) -> None:
    openai_standin.supports = "text"

    def chatty(body: dict, labels: object) -> str:
        data = {label: f"Section about {label} with enough words to count." for label in LABELS}
        return (
            "<think>plan the answer</think>Here you go:\n```json\n"
            + json.dumps(data)
            + "\n```\nHope it helps."
        )

    openai_standin.responder = chatty
    result = await llm(openai_standin).summarize(PAPER, TEXT, lang="en", labels=LABELS)
    assert result.summary.sections[1].text == "Section about Technical Details with enough words to count."


async def test_unrelated_bad_request_is_not_a_format_fallback(openai_standin: OpenAIStandIn) -> None:
    summarizer = llm(openai_standin)
    error = {"error": {"message": "context length exceeded: too many tokens", "type": "invalid_request"}}
    openai_standin.http.fault("/v1/chat", Reply.json(error, status=400))
    with pytest.raises(SummarizeError) as err:
        await summarizer.summarize(PAPER, TEXT, lang="en", labels=LABELS)
    assert err.value.reason == "http 400: context length exceeded: too many tokens"
    assert summarizer.mode == "json_schema" and openai_standin.calls == 1


async def test_invalid_json_is_repaired_once(openai_standin: OpenAIStandIn) -> None:
    openai_standin.fail("invalid_json")
    result = await llm(openai_standin).summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    assert openai_standin.calls == 2 and result.usage.calls == 2
    repair = openai_standin.bodies()[1]["messages"]
    assert repair[-2]["role"] == "assistant" and "unterminated" in repair[-2]["content"]
    assert repair[-1]["role"] == "user" and "not a JSON object" in repair[-1]["content"]


async def test_invalid_twice_is_invalid_output(openai_standin: OpenAIStandIn) -> None:
    openai_standin.fail("invalid_json", times=2)
    with pytest.raises(SummarizeError) as err:
        await llm(openai_standin).summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    assert err.value.reason == "invalid output" and openai_standin.calls == 2
    # the two paid calls travel with the error, so run totals and budgets count them
    usage = err.value.usage
    assert usage is not None and usage.calls == 2 and usage.input_tokens > 0 and usage.output_tokens > 0


async def test_refusal_carries_the_usage_of_earlier_calls(openai_standin: OpenAIStandIn) -> None:
    openai_standin.fail("invalid_json")
    openai_standin.fail("refusal")
    with pytest.raises(SummarizeError) as err:
        await llm(openai_standin).summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    assert err.value.reason.startswith("refused")
    assert err.value.usage is not None and err.value.usage.calls == 2  # the invalid reply and the refusal


async def test_missing_key_is_named_in_the_repair(openai_standin: OpenAIStandIn) -> None:
    openai_standin.fail("missing_key")
    result = await llm(openai_standin).summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    assert (
        'the key "Performance Highlights" is missing' in openai_standin.bodies()[1]["messages"][-1]["content"]
    )
    assert result.summary.sections[2].text


async def test_missing_key_twice_fails(openai_standin: OpenAIStandIn) -> None:
    openai_standin.fail("missing_key", times=2)
    with pytest.raises(SummarizeError, match="invalid output"):
        await llm(openai_standin).summarize(PAPER, TEXT, lang="ko", labels=LABELS)


async def test_overlong_and_empty_sections_are_invalid(openai_standin: OpenAIStandIn) -> None:
    replies = iter(
        [
            json.dumps({LABELS[0]: "x" * 5000, LABELS[1]: "  ", LABELS[2]: 42}),
            json.dumps({label: f"fine text for {label}" for label in LABELS}),
        ]
    )
    openai_standin.responder = lambda body, labels: next(replies)
    result = await llm(openai_standin).summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    problem = openai_standin.bodies()[1]["messages"][-1]["content"]
    assert "longer than" in problem and f'"{LABELS[1]}" is empty' in problem and "must be a string" in problem
    assert result.summary.sections[0].text == f"fine text for {LABELS[0]}"


async def test_length_retries_with_a_larger_cap(openai_standin: OpenAIStandIn) -> None:
    openai_standin.fail("length")
    result = await llm(openai_standin, max_output_tokens=700).summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    assert [b["max_tokens"] for b in openai_standin.bodies()] == [700, 1400]
    assert result.usage.calls == 2 and result.usage.output_tokens >= 700


async def test_length_twice_is_output_too_long(openai_standin: OpenAIStandIn) -> None:
    openai_standin.fail("length", times=2)
    with pytest.raises(SummarizeError) as err:
        await llm(openai_standin).summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    assert err.value.reason == "output too long"


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("refusal", "refused: I'm sorry, I can't help with that request."),
        ("content_filter", "refused: content filter"),
    ],
)
async def test_refusal(openai_standin: OpenAIStandIn, kind: str, reason: str) -> None:
    openai_standin.fail(kind)  # type: ignore[arg-type]
    with pytest.raises(SummarizeError) as err:
        await llm(openai_standin).summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    assert err.value.reason == reason and openai_standin.calls == 1


async def test_429_retry_after_is_honoured(openai_standin: OpenAIStandIn) -> None:
    # 0.6 s is longer than the SDK's own first backoff (at most 0.5 s),
    # so a gap this long proves it waited as told
    openai_standin.fail("rate_limit", retry_after="0.6")
    result = await llm(openai_standin, max_retries=2).summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    first, second = openai_standin.requests()
    assert openai_standin.calls == 2 and result.usage.calls == 1
    assert second.at - first.at >= 0.6
    assert second.headers.get("x-stainless-retry-count") == "1"


async def test_429_after_retries_is_an_http_error(openai_standin: OpenAIStandIn) -> None:
    openai_standin.fail("rate_limit", times=3, retry_after="0.01")
    with pytest.raises(SummarizeError) as err:
        await llm(openai_standin, max_retries=2).summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    assert err.value.reason == "http 429: Rate limit reached for requests."
    assert openai_standin.calls == 3


async def test_500_then_ok(openai_standin: OpenAIStandIn) -> None:
    openai_standin.fail("server_error", times=2)
    result = await llm(openai_standin, max_retries=2).summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    assert openai_standin.calls == 3 and result.summary.sections


async def test_timeout(openai_standin: OpenAIStandIn) -> None:
    openai_standin.fail("slow", delay=1.0)
    started = time.monotonic()
    with pytest.raises(SummarizeError) as err:
        await llm(openai_standin, timeout=0.2).summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    assert err.value.reason == "timeout" and time.monotonic() - started < 0.9


async def test_wrong_key_is_http_401(openai_standin: OpenAIStandIn) -> None:
    openai_standin.api_key = "sk-right"
    with pytest.raises(SummarizeError) as err:
        await llm(openai_standin, api_key="sk-wrong").summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    assert err.value.reason == "http 401: Incorrect API key provided."
    ok = await llm(openai_standin, api_key="sk-right").summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    assert ok.summary.sections


async def test_the_client_is_made_once_in_a_thread_and_calls_wait_for_it(
        openai_standin: OpenAIStandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK's client (its import, which takes most of a second) is made by the warm-up's thread, once, however
    many ask: a call that comes first waits for it without blocking the event loop on the SDK's import lock."""
    import asyncio
    import threading

    import openai

    made: list[threading.Thread] = []
    real = openai.AsyncOpenAI

    def counted(*args: object, **kw: object) -> openai.AsyncOpenAI:
        made.append(threading.current_thread())
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(openai, "AsyncOpenAI", counted)
    summarizer = llm(openai_standin)
    first, _, second = await asyncio.gather(summarizer.summarize(PAPER, TEXT, lang="ko", labels=LABELS),
                                            summarizer.warm_up(), summarizer.summarize(PAPER, TEXT, lang="en",
                                                                                       labels=LABELS))
    assert first.summary.lang == "ko" and second.summary.lang == "en" and openai_standin.calls == 2
    assert len(made) == 1 and made[0] is not threading.main_thread()
    await summarizer.aclose()


async def test_no_key_sends_a_placeholder(openai_standin: OpenAIStandIn) -> None:
    await llm(openai_standin).summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    assert openai_standin.requests()[0].headers["authorization"] == "Bearer not-needed"


@pytest.mark.slow  # a stand-in server
async def test_a_refused_connection_is_one_line_naming_the_setting_and_is_not_retried() -> None:
    server = OpenAIStandIn().start()
    url = server.base_url
    server.stop()
    # the SDK would retry four times with backoff (~8 s per paper): a closed port is not retried
    summarizer = LLMSummarizer(model="m", base_url=url, timeout=2, max_retries=4)
    await summarizer.warm_up()  # the SDK's import is not what is timed
    started = time.monotonic()
    for _ in range(5):  # three in a row mark the server down; the later calls do not even try
        with pytest.raises(SummarizeError) as err:
            await summarizer.summarize(PAPER, TEXT, lang="ko", labels=LABELS)
        assert err.value.reason == (f"cannot reach the LLM server at {url} (connection refused): check that it is "
                                    "running and the llm_base_url setting")
        assert (err.value.usage or Usage()).calls == 0  # no server saw it: no call to count
    # the SDK's own retries would have slept 0.5 + 1 + 2 + 4 s before giving up on the first call alone
    assert time.monotonic() - started < 5
    await summarizer.aclose()


@pytest.mark.parametrize(("body", "content_type", "kind"), [
    (b"<!doctype html><html><body><h1>Sign in</h1></body></html>", "text/html", "HTML"),
    (b"Service Unavailable", "text/plain", "text"),
])
async def test_a_page_that_is_not_json_says_so(openai_standin: OpenAIStandIn, body: bytes, content_type: str,
                                               kind: str) -> None:
    """A proxy's login page or a wrong base URL answered 200: the reason names the setting, not a Python error."""
    openai_standin.http.fault(COMPLETIONS, Reply(body=body, content_type=content_type))
    with pytest.raises(SummarizeError) as err:
        await llm(openai_standin).summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    assert err.value.reason.startswith(f"the server at llm_base_url answered {kind}, not JSON")
    assert err.value.usage is not None and err.value.usage.calls == 1


async def test_a_reply_cut_off_mid_body_is_a_call_that_counts(openai_standin: OpenAIStandIn) -> None:
    """The server answered (and may bill): the call counts, at its reservation, toward totals and caps."""
    whole = json.dumps({"id": "x", "object": "chat.completion", "choices": [{"index": 0, "message": {
        "role": "assistant", "content": "{}"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 9}}).encode()
    openai_standin.http.fault(COMPLETIONS, Reply(body=whole, truncate_to=60))
    summarizer = llm(openai_standin, prices={"gpt-4o-mini": (0.15, 0.6)})
    with pytest.raises(SummarizeError, match="connection failed") as err:
        await summarizer.summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    usage = err.value.usage
    assert usage is not None and usage.calls == 1 and usage.output_tokens == summarizer.max_output_tokens
    assert usage == summarizer.estimate(PAPER, TEXT, lang="ko", labels=LABELS)


async def test_usage_and_cost_are_summed_across_retries(openai_standin: OpenAIStandIn) -> None:
    openai_standin.fail("invalid_json")
    openai_standin.fail("length")
    prices = {"gpt-4o-mini": (0.15, 0.6)}
    result = await llm(openai_standin, prices=prices).summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    bodies = openai_standin.bodies()
    assert result.usage.calls == 3 == len(bodies)
    # the stand-in's counts are deterministic: recompute them from what it received and returned
    assert result.usage.input_tokens > 3 * len(TEXT) // 4
    assert result.usage.cost == pytest.approx(
        cost_of((0.15, 0.6), result.usage.input_tokens, result.usage.output_tokens)
    )
    assert result.usage.cost > 0


def test_prices_come_from_the_settings_then_the_maintained_table() -> None:
    assert price_for("my-local-model", {"my-local-model": (0.0, 0.0)}) == (0.0, 0.0)
    assert price_for("gpt-4o-mini", {"gpt-4o-mini": (9.0, 9.0)}) == (9.0, 9.0)  # the settings win
    maintained = price_for("gpt-4o-mini", {})
    assert maintained is not None and 0 < maintained[0] < maintained[1]  # from genai-prices
    assert price_for("openai/gpt-4o-mini", {}) == maintained  # a router's name for it
    assert price_for("gpt-4o-mini-2024-07-18", {"gpt-4o-mini": (1.0, 2.0)}) == (1.0, 2.0)
    assert price_for("qwen2.5:7b", {}) is None
    assert cost_of(None, 10**6, 10**6) == 0.0


def test_max_cost_is_refused_for_a_model_without_a_price(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAILYPAPERS_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("DAILYPAPERS_LLM_MODEL", "qwen2.5:7b")
    with pytest.raises(ConfigError, match=r"price is unknown \(qwen2.5:7b\).*prices = "):
        from_settings(load_settings(max_cost=1.0))
    assert from_settings(load_settings()).price is None  # without a cap it runs, counted as free
    priced = from_settings(load_settings(max_cost=1.0, prices={"qwen2.5:7b": (0.0, 0.0)}))
    assert priced.price == (0.0, 0.0)


@pytest.mark.parametrize("usage", [None, {"prompt_tokens": -5, "completion_tokens": -1},
                                   {"prompt_tokens": "many", "completion_tokens": 2.5}])
async def test_missing_or_impossible_usage_is_estimated(openai_standin: OpenAIStandIn, usage) -> None:
    openai_standin.usage_override = usage
    result = await llm(openai_standin).summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    assert result.usage.input_tokens > len(TEXT) // 8  # an estimate of the prompt, never 0 or negative
    assert result.usage.output_tokens > 10


async def test_a_reply_over_the_size_cap_fails_the_paper(openai_standin: OpenAIStandIn) -> None:
    openai_standin.responder = lambda body, labels: "x" * 300_000
    summarizer = LLMSummarizer(model="m", base_url=openai_standin.base_url, max_retries=0, max_reply_bytes=50_000)
    with pytest.raises(SummarizeError, match=r"reply too large \(over max_reply_bytes=50,000\)") as err:
        await summarizer.summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    assert err.value.usage is not None and err.value.usage.calls == 1  # the server made (and may bill) it


async def test_a_trickling_reply_fails_at_the_call_deadline(openai_standin: OpenAIStandIn) -> None:
    openai_standin.trickle = 0.05  # 16 bytes every 50 ms: each read is quick, the whole never ends in time
    summarizer = LLMSummarizer(model="m", base_url=openai_standin.base_url, max_retries=0, timeout=5,
                               deadline=0.5)
    started = time.monotonic()
    with pytest.raises(SummarizeError, match=r"timeout \(no reply within llm_deadline=0.5 s\)"):
        await summarizer.summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    assert time.monotonic() - started < 5


def test_an_estimate_covers_the_prompt_and_the_whole_output_allowance() -> None:
    summarizer = LLMSummarizer(model="gpt-4o-mini", base_url="http://127.0.0.1:9/v1", max_output_tokens=700)
    estimate = summarizer.estimate(PAPER, TEXT, lang="ko", labels=LABELS)
    assert estimate.output_tokens == 700 and estimate.input_tokens > len(TEXT) // 4
    assert estimate.cost > 0


async def test_feedback_reaches_the_prompt(openai_standin: OpenAIStandIn) -> None:
    feedback = ["98.7% on MadeUpBench", "ImaginaryNet-9"]
    await llm(openai_standin).summarize(PAPER, TEXT, lang="ko", labels=LABELS, feedback=feedback)
    user = openai_standin.bodies()[0]["messages"][-1]["content"]
    assert "98.7% on MadeUpBench" in user and "ImaginaryNet-9" in user and "NOT in the paper" in user


async def test_custom_labels_and_language(openai_standin: OpenAIStandIn) -> None:
    labels = ("Idea", "Method", "Results", "Limitations")
    result = await llm(openai_standin).summarize(PAPER, TEXT, lang="ja", labels=labels)
    assert [s.label for s in result.summary.sections] == list(labels)
    assert result.summary.lang == "ja"
    assert "Write in Japanese" in openai_standin.bodies()[0]["messages"][0]["content"]


def test_the_summarizer_setting_picks_the_summarizer(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = Registry.load(plugin_manager(entry_points=False))
    assert isinstance(registry.summarizer(load_settings()), ExtractiveSummarizer)
    monkeypatch.setenv("DAILYPAPERS_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    with pytest.raises(ConfigError, match="DAILYPAPERS_LLM_MODEL"):
        registry.summarizer(load_settings())
    monkeypatch.setenv("DAILYPAPERS_LLM_MODEL", "qwen2.5:7b")
    local = registry.summarizer(load_settings())
    assert isinstance(local, LLMSummarizer) and local.name == "qwen2.5:7b"
    # the summarizer setting overrides "auto"
    assert isinstance(registry.summarizer(load_settings(summarizer="extractive")), ExtractiveSummarizer)
    with pytest.raises(ConfigError, match=r"unknown summarizer 'gpt'.*auto, llm, extractive"):
        registry.summarizer(load_settings(summarizer="gpt"))
    monkeypatch.delenv("DAILYPAPERS_LLM_BASE_URL")
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        from_settings(load_settings())
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("DAILYPAPERS_LLM_MODEL", "gpt-4o-mini")
    hosted = from_settings(load_settings())
    assert isinstance(hosted, LLMSummarizer) and hosted.price is not None
    # auto: a model without a key (nor a server of one's own) is extractive until the key is set, as a starter
    # config names a model for the day a key is added
    assert isinstance(registry.summarizer(load_settings()), LLMSummarizer)
    monkeypatch.delenv("OPENAI_API_KEY")
    assert isinstance(registry.summarizer(load_settings()), ExtractiveSummarizer)
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):  # asked for by name, it says what is missing
        registry.summarizer(load_settings(summarizer="llm"))


async def test_reasoning_model_parameters_are_adapted_once(openai_standin: OpenAIStandIn) -> None:
    openai_standin.reasoning_model = True
    summarizer = llm(openai_standin, model="o3-mini")
    await summarizer.summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    first = openai_standin.calls
    assert first == 3  # max_tokens rejected, temperature rejected, then the summary
    last = openai_standin.bodies()[-1]
    assert last["max_completion_tokens"] == 1500 and "max_tokens" not in last and "temperature" not in last
    await summarizer.summarize(PAPER, TEXT, lang="ko", labels=LABELS)
    assert openai_standin.calls == first + 1
