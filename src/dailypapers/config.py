"""Settings: defaults < TOML file < environment (`DAILYPAPERS_*`) < command-line flags.

The TOML file lives at `<user config dir>/dailypapers/config.toml` unless `DAILYPAPERS_CONFIG` names another.
Every network base URL is a setting, so users behind mirrors (and the tests) can point them elsewhere;
the hosts of the configured base URLs are added to the HTTP allow-list automatically.
"""

from __future__ import annotations

import os
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from dailypapers.errors import ConfigError
from dailypapers.models import DEFAULT_LABELS

APP_NAME = "dailypapers"
# The TOML file of the settings being built (`--config`); a source of Settings, so it rides in a context var.
_config_file: ContextVar[Path | None] = ContextVar("dailypapers_config_file", default=None)


def default_config_path() -> Path:
    env = os.environ.get("DAILYPAPERS_CONFIG")
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "dailypapers.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DAILYPAPERS_", extra="forbid", validate_default=True)

    # storage
    db: Path = Field(default_factory=default_db_path)

    # what a run does: where papers come from, who summarizes them, what is written
    source: str = "hf"  # hf, arxiv:CATEGORY[:N], or a path (a folder of PDFs / a list of arXiv ids)
    summarizer: str = "auto"  # auto (llm when a model or server is configured, else extractive), or a name
    publishers: list[str] = Field(default_factory=lambda: ["markdown"])
    out_dir: Path = Path("digests")  # the markdown publisher writes out_dir/YYYY/MM/DD.md

    # sources (base URLs)
    hf_api_url: str = "https://huggingface.co/api"
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    arxiv_pdf_url: str = "https://arxiv.org/pdf"
    arxiv_html_url: str = "https://arxiv.org/html"
    use_arxiv_html: bool = True
    local_metadata: bool = True  # local PDFs with an arXiv id take arXiv's title/authors/abstract
    extra_allowed_hosts: list[str] = Field(default_factory=list)

    # HTTP behaviour
    user_agent: str = "dailypapers/0.1 (+https://github.com/dailypapers/dailypapers; research digest bot)"
    http_timeout: float = 30.0
    http_retries: int = 5
    hf_min_interval: float = 0.2  # seconds between requests to the HF API
    arxiv_min_interval: float = 3.0  # arXiv terms of use: one request per 3 s, one connection
    max_pdf_bytes: int = 50 * 1024 * 1024
    max_json_bytes: int = 20 * 1024 * 1024
    max_pages: int = 300

    # summaries
    lang: str = "ko"
    llm_base_url: str | None = None
    llm_model: str | None = None
    # OPENAI_API_KEY too, as every OpenAI tool reads it; DAILYPAPERS_LLM_API_KEY wins when both are set
    llm_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("llm_api_key", "DAILYPAPERS_LLM_API_KEY", "OPENAI_API_KEY")
    )
    llm_timeout: float = 120.0
    judge: bool = True  # with an LLM: ask it about claims the checker cannot decide (verify.judge); costs calls
    section_labels: list[str] = Field(default_factory=lambda: list(DEFAULT_LABELS))
    # what the LLM reads of each paper: title+abstract first, then results, method, intro, conclusion (documents.budget)
    max_input_tokens: int = 3_000
    max_output_tokens: int = 1_500
    concurrency: int = 4
    max_cost: float | None = None  # USD per run
    max_tokens: int | None = None  # tokens per run
    # USD per million tokens, (input, output), by model name; unknown models cost 0 and say so.
    prices: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: {
            "gpt-4o": (2.5, 10.0),
            "gpt-4o-mini": (0.15, 0.6),
            "gpt-4.1": (2.0, 8.0),
            "gpt-4.1-mini": (0.4, 1.6),
            "deepseek-chat": (0.27, 1.1),
        }
    )

    # publishing
    show_flags: bool = True  # mark unsupported claims in the Markdown

    @field_validator("concurrency")
    @classmethod
    def _positive(cls, v: int) -> int:
        if v < 1:
            raise ValueError("must be at least 1")
        return v

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # flags (init) win over the environment, the environment over the TOML file
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_config_file.get() or default_config_path())
        return (init_settings, env_settings, toml)

    def allowed_hosts(self) -> frozenset[str]:
        hosts = {
            "huggingface.co",
            "export.arxiv.org",
            "arxiv.org",
            "cdn-thumbnails.huggingface.co",
            "cdn-uploads.huggingface.co",
        }
        for url in (self.hf_api_url, self.arxiv_api_url, self.arxiv_pdf_url, self.arxiv_html_url):
            host = urlsplit(url).hostname
            if host:
                hosts.add(host)
        hosts.update(h.lower() for h in self.extra_allowed_hosts)
        return frozenset(hosts)

    def redacted(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        if self.llm_api_key is not None:
            key = self.llm_api_key.get_secret_value()
            data["llm_api_key"] = (key[:3] + "…" + key[-2:]) if len(key) > 8 else "***"
        return data


def load_settings(config_file: Path | None = None, **flags: Any) -> Settings:
    """Build the effective settings. `flags` are command-line values; None means "not given"."""
    given = {k: v for k, v in flags.items() if v is not None}
    token = _config_file.set(config_file)
    try:
        return Settings(**given)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config file {config_file or default_config_path()}: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        raise ConfigError(f"invalid setting {where}: {first['msg']}") from exc
    finally:
        _config_file.reset(token)
