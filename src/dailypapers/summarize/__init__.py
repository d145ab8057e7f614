"""Summarizers: any OpenAI-compatible LLM, or the offline extractive default."""

from __future__ import annotations

from dailypapers.config import Settings
from dailypapers.errors import ConfigError
from dailypapers.summarize.base import Summarizer, SummaryResult, cache_key
from dailypapers.summarize.extractive import ExtractiveSummarizer


def from_settings(settings: Settings) -> Summarizer:
    """The LLM summarizer when a model or a server is configured, else the extractive one."""
    if not (settings.llm_model or settings.llm_base_url):
        return ExtractiveSummarizer()
    if not settings.llm_model:
        raise ConfigError(
            "llm_base_url is set but llm_model is not: "
            "set DAILYPAPERS_LLM_MODEL to a model your server serves"
        )
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    if key is None and not settings.llm_base_url:
        raise ConfigError(
            "no API key for OpenAI: set DAILYPAPERS_LLM_API_KEY or OPENAI_API_KEY, "
            "or set DAILYPAPERS_LLM_BASE_URL to a local server"
        )
    from dailypapers.summarize.llm import LLMSummarizer  # imported when used: it loads the openai SDK

    return LLMSummarizer(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=key,
        timeout=settings.llm_timeout,
        max_output_tokens=settings.max_output_tokens,
        prices=settings.prices,
    )


def __getattr__(name: str) -> object:
    if name == "LLMSummarizer":
        from dailypapers.summarize.llm import LLMSummarizer

        return LLMSummarizer
    raise AttributeError(name)


__all__ = [
    "ExtractiveSummarizer",
    "LLMSummarizer",
    "Summarizer",
    "SummaryResult",
    "cache_key",
    "from_settings",
]
