"""Settings: defaults < TOML files < environment (`DAILYPAPERS_*`) < command-line flags.

The TOML files, lowest priority first (`config_files`): the user's (`<user config dir>/dailypapers/config.toml`),
the working directory's `dailypapers.toml` (what `dailypapers init` writes, so a command run in that folder
follows it), and the file named by `--config` or `DAILYPAPERS_CONFIG`. Each is read when present (a named one
must exist); a setting in a later file replaces the same setting of an earlier one.
Every network base URL is a setting, so users behind mirrors (and the tests) can point them elsewhere;
the hosts of the configured base URLs are added to the HTTP allow-list automatically.
"""

from __future__ import annotations

import os
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import platformdirs
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from dailypapers.loading import deferred, import_without

# pydantic-settings imports asyncio (and with it ssl, sockets, subprocesses) for its own command-line apps
# only: the settings of `days`, `render` and `search` do not wait for it (a run imports it anyway)
import_without("pydantic_settings", {"asyncio": deferred("asyncio")})

from pydantic_settings import (  # noqa: E402
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from dailypapers.errors import ConfigError  # noqa: E402
from dailypapers.models import DEFAULT_LABELS, DEFAULT_LANG, DEFAULT_SOURCE  # noqa: E402
from dailypapers.redaction import Redactor, token_url_parts, url_credentials  # noqa: E402

APP_NAME = "dailypapers"
LOCAL_CONFIG = "dailypapers.toml"  # the working directory's settings file (`dailypapers init` writes one)
# The TOML files of the settings being built; a source of Settings, so they ride in a context var.
_config_files: ContextVar[tuple[Path, ...]] = ContextVar("dailypapers_config_files", default=())


def user_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def named_config_path(config_file: Path | None = None) -> Path | None:
    """The file named by `--config` (`config_file`), else by DAILYPAPERS_CONFIG (an empty variable is unset)."""
    env = os.environ.get("DAILYPAPERS_CONFIG")
    return config_file or (Path(env) if env else None)


def config_files(config_file: Path | None = None) -> list[Path]:
    """The TOML files the settings are read from, lowest priority first, each once: the user's config, the
    working directory's dailypapers.toml, and the named file (`named_config_path`), those that exist."""
    named = named_config_path(config_file)
    found: list[Path] = []
    seen: set[Path] = set()
    for path in (user_config_path(), Path(LOCAL_CONFIG), named):
        if path is None or not path.is_file():
            continue
        key = path.resolve()
        if key not in seen:  # DAILYPAPERS_CONFIG=dailypapers.toml (the workflow's) is read once
            seen.add(key)
            found.append(path)
    return found


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "dailypapers.db"


Rank = Literal["source", "interest"]


class EditionSetting(BaseModel):
    """One edition of the daily run: `{source = "hf", lang = "en"}` in the TOML file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = DEFAULT_SOURCE
    lang: str = DEFAULT_LANG
    # the order of the day's papers (None: the `rank` setting) and how many are summarized (None: all, or
    # `top` when ranked by interest); keyword filters (None: the `include`/`exclude` settings)
    rank: Rank | None = None
    top: int | None = Field(default=None, ge=1, le=500)
    include: list[str] | None = None
    exclude: list[str] | None = None


def _redact_url(url: str) -> str:
    scheme, sep, _ = url.partition("://")
    return f"{scheme}://***" if sep else "***"


class Settings(BaseSettings):
    # env_ignore_empty: an empty variable is unset (a GitHub Actions secret that was never set is "")
    model_config = SettingsConfigDict(env_prefix="DAILYPAPERS_", extra="forbid", validate_default=True,
                                      env_ignore_empty=True)

    # storage
    db: Path = Field(default_factory=default_db_path)

    # what a run does: where papers come from, who summarizes them, what is written
    source: str = DEFAULT_SOURCE  # hf, arxiv:CATEGORY[:N], or a path (a folder of PDFs / a list of arXiv ids)
    summarizer: str = "auto"  # auto (llm when a model or server is configured, else extractive), or a name
    publishers: list[str] = Field(default_factory=lambda: ["markdown"])
    out_dir: Path = Path("digests")  # the markdown publisher writes out_dir/YYYY/MM/DD.md
    # weekly and monthly editions (`digest --week/--month`, and `run` on these days): their top N papers;
    # `weekly` a weekday (mon ... sun) on which `run` makes the week before, `monthly` a day of the month
    # (1-28) on which it makes the month before (UTC days, as every edition's)
    top: int = Field(default=20, ge=1, le=500)
    weekly: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] | None = None
    monthly: int | None = Field(default=None, ge=1, le=28)

    # sources (base URLs)
    hf_api_url: str = "https://huggingface.co/api"
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    # full texts from arXiv's export service, which its bulk-access guidance points programs to
    arxiv_pdf_url: str = "https://export.arxiv.org/pdf"
    arxiv_html_url: str = "https://export.arxiv.org/html"
    use_arxiv_html: bool = True
    local_metadata: bool = True  # local PDFs with an arXiv id take arXiv's title/authors/abstract
    # more origins to allow: "host" (ports 443 and 80), "host:port", or "scheme://host:port"
    extra_allowed_hosts: list[str] = Field(default_factory=list)

    # HTTP behaviour
    user_agent: str = "dailypapers/0.1 (+https://github.com/dailypapers/dailypapers; research digest bot)"
    http_timeout: float = 30.0
    http_retries: int = 5
    download_deadline: float = 180.0  # seconds for a whole request (a trickling server fails the paper)
    hf_min_interval: float = 0.2  # seconds between requests to the HF API
    arxiv_min_interval: float = 3.0  # arXiv's API terms of use: one request per 3 s, one connection
    fulltext_burst: int = 4  # arXiv bulk guidance for full texts: bursts of 4 requests per second...
    fulltext_period: float = 2.0  # ...then a 1 s pause: at most `fulltext_burst` starts per this many seconds
    max_pdf_bytes: int = 50 * 1024 * 1024
    max_json_bytes: int = 20 * 1024 * 1024
    max_pages: int = 300

    # reading papers (documents.limits.ReadLimits, the same defaults): a document's text is capped, and each
    # PDF is read in a worker process with a memory and a CPU-time limit, so a bomb fails alone and fast
    max_page_chars: int = 100_000
    max_document_chars: int = 3_000_000
    max_pdf_memory: int = 1024 * 1024 * 1024  # bytes of address space per PDF worker process
    max_pdf_cpu_seconds: int = 20
    pdf_workers: int = Field(default_factory=lambda: min(4, os.cpu_count() or 1))  # PDFs read at once

    # summaries
    lang: str = DEFAULT_LANG
    llm_base_url: str | None = None
    llm_model: str | None = None
    # OPENAI_API_KEY too, as every OpenAI tool reads it; DAILYPAPERS_LLM_API_KEY wins when both are set
    llm_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("llm_api_key", "DAILYPAPERS_LLM_API_KEY", "OPENAI_API_KEY")
    )
    llm_timeout: float = 120.0  # seconds per read of a reply
    llm_deadline: float = 300.0  # seconds for a whole call, the SDK's retries included
    max_reply_bytes: int = 1024 * 1024  # a summary is a few KB; a server sending more is cut off
    judge: bool = True  # with an LLM: ask it about claims the checker cannot decide (verify.judge); costs calls
    # with an LLM: an edition's synthesis (its themes, `dailypapers.synthesis`) by one more call per edition,
    # cached by the edition's content; off, pages show the offline TF-IDF themes
    synthesis: bool = False
    section_labels: list[str] = Field(default_factory=lambda: list(DEFAULT_LABELS))
    # new versions (issue 20): `run` asks arXiv, in one batched query, for the current version of the papers in
    # the editions of the last `refresh_days` days, and summarizes a newer one again (`dailypapers refresh`
    # does it by hand); 0 turns it off
    refresh_days: int = Field(default=14, ge=0)

    # meaning (issue 18): every paper in an edition gets an embedding, for `search --mode meaning|hybrid` and
    # related papers. `bundled`: a model shipped in a package, offline; `openai`: any OpenAI-compatible
    # /v1/embeddings server (embed_base_url, embed_model; the key is embed_api_key, else llm_api_key); `off`: none
    embedder: str = "bundled"
    embed_base_url: str | None = None
    embed_model: str = "text-embedding-3-small"
    embed_api_key: SecretStr | None = None
    embed_timeout: float = 60.0  # seconds for one batch
    # a personal ranking: `rank = "interest"` orders a day's papers by the reader's profile before summarizing,
    # and keeps the `top` N ("source": the source's order, votes for HF). The profile: `profile` files (a .txt
    # list of arXiv ids, a .bib, .ris or Zotero .csv export), `profile_keywords` ("-word" is a negative one), and
    # the 👍/👎 given in the web app. `include`/`exclude`: keywords a paper's title or abstract must / must not
    # mention, on any edition
    rank: Rank = "source"
    profile: list[Path] = Field(default_factory=list)
    profile_keywords: list[str] = Field(default_factory=list)
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    # what the LLM reads of each paper: title+abstract first, then results, method, intro, conclusion (documents.budget)
    max_input_tokens: int = 3_000
    max_output_tokens: int = 1_500
    concurrency: int = 4
    max_cost: float | None = None  # USD per run
    max_tokens: int | None = None  # tokens per run
    # USD per million tokens, (input, output), by model name: these win over the maintained table
    # (genai-prices); a model neither knows costs 0 in the totals, and --max-cost refuses it.
    prices: dict[str, tuple[float, float]] = Field(default_factory=dict)

    # publishing
    show_flags: bool = True  # mark unsupported claims in the Markdown
    site_dir: Path = Path("site")  # the site publisher and `dailypapers site` write the static site here
    site_search: bool = True  # build the Pagefind search index with the site

    # the web app (`dailypapers serve`)
    serve_host: str = "127.0.0.1"
    serve_port: int = 8000
    # Host names `serve` answers besides the address it binds (and loopback names): the names clients use to
    # reach it behind a proxy or on the network; "*" answers any (then DNS rebinding can reach it)
    allowed_hosts: list[str] = Field(default_factory=list)

    # -- the daily run and delivery (issue 13) -------------------------------------------------------------
    # what `dailypapers run` makes: one edition per (source, lang); empty means the one `source` and `lang`
    editions: list[EditionSetting] = Field(default_factory=list)
    # where the site is served (https://me.github.io/papers): feeds, canonical links, and messages' links
    site_url: str | None = None
    readme_path: Path = Path("README.md")  # the readme publisher keeps the latest main edition in it
    notifiers: list[str] = Field(default_factory=lambda: ["slack", "email", "apprise"])  # used when configured
    delivery_max_attempts: int = 5  # a message that failed this often is given up (and reported)
    # Slack (a bot token with chat:write; channels:history lets a crashed run find what it already posted)
    slack_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("slack_token", "DAILYPAPERS_SLACK_TOKEN", "SLACK_BOT_TOKEN")
    )
    slack_channel: str | None = None  # a channel id (C0123...) or name (#papers)
    slack_base_url: str = "https://slack.com/api/"
    slack_max_retry_wait: float = 120.0  # a longer Retry-After ends this run's Slack delivery; the next resumes
    # email (SMTP)
    smtp_host: str | None = None
    smtp_port: int | None = None  # default: 465 with ssl, 587 with starttls, 25 with none
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_ca_file: Path | None = None  # trust this CA too (a private mail relay)
    smtp_timeout: float = 30.0
    email_from: str | None = None
    email_to: list[str] = Field(default_factory=list)
    # other channels: apprise URLs (discord://, tgram://, msteams://, ntfy://, json://, ...); they hold secrets
    apprise_urls: list[SecretStr] = Field(default_factory=list)
    # the health report of every run goes here too when set: apprise URLs, and/or a Slack channel
    ops_urls: list[SecretStr] = Field(default_factory=list)
    ops_slack_channel: str | None = None

    @field_validator("concurrency", "delivery_max_attempts", "pdf_workers", "max_pdf_cpu_seconds", "max_page_chars",
                     "max_document_chars")
    @classmethod
    def _positive(cls, v: int) -> int:
        if v < 1:
            raise ValueError("must be at least 1")
        return v

    @field_validator("max_pdf_memory")
    @classmethod
    def _room_for_a_worker(cls, v: int) -> int:
        if v < 128 * 1024 * 1024:  # a worker process with Python and PDFium loaded takes ~100 MB of addresses
            raise ValueError("must be at least 134217728 (128 MiB)")
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
        # flags (init) win over the environment, the environment over the TOML files (the later file winning)
        return (init_settings, env_settings, _TomlFiles(settings_cls, toml_file=list(_config_files.get())))

    def allowed_origins(self) -> frozenset[tuple[str, str, int]]:
        """(scheme, host, port) the HTTP client may reach: the services' own, the configured base URLs', and
        `extra_allowed_hosts`. A redirect to another port of an allowed host is not allowed."""
        out: set[tuple[str, str, int]] = set()
        for host in _SERVICE_HOSTS:
            out.update(_both_schemes(host, None))
        for url in (self.hf_api_url, self.arxiv_api_url, self.arxiv_pdf_url, self.arxiv_html_url):
            out.add(origin(url))
        for entry in self.extra_allowed_hosts:
            entry = entry.strip().lower()
            if "://" in entry:
                out.add(origin(entry))
            else:
                host, _, port = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
                out.update(_both_schemes(host, int(port) if port.isdigit() else None))
        return frozenset(out)

    def redactor(self) -> Redactor:
        """What keeps this configuration's secrets out of error texts: the keys, tokens and password, the
        apprise and ops URLs (each a secret as a whole and in its parts), and the credentials inside any URL
        setting (`https://user:pass@host/v1`, `?api-key=...`)."""
        secrets = [v.get_secret_value() for v in (self.llm_api_key, self.embed_api_key, self.slack_token,
                                                   self.smtp_password) if v]
        for url in (*self.apprise_urls, *self.ops_urls):
            secrets += token_url_parts(url.get_secret_value())
        for url in (self.llm_base_url, self.embed_base_url, self.hf_api_url, self.arxiv_api_url,
                    self.arxiv_pdf_url, self.arxiv_html_url,
                    self.slack_base_url, self.site_url, *self.extra_allowed_hosts):
            secrets += url_credentials(url or "")
        return Redactor.of(secrets)

    def redacted(self) -> dict[str, Any]:
        """The settings to show (`dailypapers config`): every secret masked, in its own field and anywhere else."""
        data = self.model_dump(mode="json")
        if self.llm_api_key is not None:
            key = self.llm_api_key.get_secret_value()
            data["llm_api_key"] = (key[:3] + "…" + key[-2:]) if len(key) > 8 else "***"
        for name in ("slack_token", "smtp_password", "embed_api_key"):
            if getattr(self, name) is not None:
                data[name] = "***"
        # an apprise URL carries its service's token in its path: show the scheme only
        for name in ("apprise_urls", "ops_urls"):
            data[name] = [_redact_url(u.get_secret_value()) for u in getattr(self, name)]
        return self.redactor().data(data)

    def edition_specs(self) -> list[EditionSetting]:
        """The editions `dailypapers run` makes: the `editions` setting, or the one `source` and `lang`."""
        return list(self.editions) or [EditionSetting(source=self.source, lang=self.lang)]


_SERVICE_HOSTS = ("huggingface.co", "export.arxiv.org", "arxiv.org", "cdn-thumbnails.huggingface.co",
                  "cdn-uploads.huggingface.co")


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an URL, with the scheme's default port filled in."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # a port that is not a number
        port = -1
    return scheme, (parts.hostname or "").lower(), port or {"https": 443, "http": 80}.get(scheme, -1)


def _both_schemes(host: str, port: int | None) -> set[tuple[str, str, int]]:
    if port is None:
        return {("https", host, 443), ("http", host, 80)}
    return {("https", host, port), ("http", host, port)}


class _TomlFiles(TomlConfigSettingsSource):
    """The TOML files, in order; a file that cannot be read or parsed is a ConfigError that names it."""

    def _read_file(self, file_path: Any) -> dict[str, Any]:
        try:
            return super()._read_file(file_path)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read config file {file_path}: {exc}") from exc


def load_settings(config_file: Path | None = None, **flags: Any) -> Settings:
    """Build the effective settings. `flags` are command-line values; None means "not given"."""
    given = {k: v for k, v in flags.items() if v is not None}
    named = named_config_path(config_file)
    if named is not None and not named.is_file():
        # a file the user named must exist; the user's and the working directory's may be absent
        raise ConfigError(f"config file {named} does not exist (given by --config or DAILYPAPERS_CONFIG)")
    token = _config_files.set(tuple(config_files(config_file)))
    try:
        return Settings(**given)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}" for e in exc.errors()]
        raise ConfigError(f"invalid settings ({len(problems)}): " + "; ".join(problems)) from exc
    finally:
        _config_files.reset(token)
