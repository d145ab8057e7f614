"""HTML pages from view models: one Jinja2 environment (autoescaped, strict) for the static site, the live app
and the feeds' entry content. Data is never marked safe: every title, author, summary, snippet and URL is
escaped by the template, and only `views.page_url` URLs reach an href or src."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import jinja2

from dailypapers.publish.views import EXTRACTIVE_NOTE, SITE_TITLE, root_of

# The static site says its policy in a meta tag (a static host sets no headers); Pagefind's search runs
# WebAssembly. No inline script or style anywhere, so neither is allowed.
STATIC_CSP = (
    "default-src 'self'; img-src 'self' https: data:; media-src 'self' https:; style-src 'self'; "
    "script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'"
)
# The app sends its policy as a header, where frame-ancestors works too; it has no WebAssembly.
APP_CSP = (
    "default-src 'self'; img-src 'self' https: data:; media-src 'self' https:; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


@dataclass(frozen=True)
class FeedLink:
    title: str
    path: str


@dataclass(frozen=True)
class Chrome:
    """What every page's frame needs: static site or live app, and where the site lives."""

    live: bool = False
    base_url: str | None = None  # https://example.org/papers (no trailing slash): canonical links, feeds

    def absolute(self, path: str) -> str | None:
        return f"{self.base_url}/{path}" if self.base_url else None


def counted(n: int, noun: str) -> str:
    """`1 paper`, `3 papers` (English nouns that take an s)."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between processes (Jinja's own cache: a folder of the user's own, 0700, in the
    temporary directory; an entry is used only for the same template source and Python): compiling the site's
    templates costs a command 0.3-0.5 s. None where that folder cannot be made."""
    try:
        return jinja2.FileSystemBytecodeCache()
    except (OSError, RuntimeError):
        return None


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dailypapers", "templates"),
        bytecode_cache=_bytecode_cache(),
        # the templates are the package's own files: read once a process, not looked at again (a check of each
        # template's file time on every render cost the site's first build 5,888 x 6 stats)
        auto_reload=False,
        autoescape=True,  # every template, whatever its name: pages and feed content are HTML
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["counted"] = counted
    env.globals["extractive_note"] = EXTRACTIVE_NOTE
    return env


def render(template: str, path: str, chrome: Chrome, *, feeds: tuple[FeedLink, ...] = (), query: str = "",
           **context: Any) -> str:
    """The page at `path` (relative to the site root) from `template` and its view context."""
    return environment().get_template(template).render(
        root=root_of(path),
        site_title=SITE_TITLE,
        live=chrome.live,
        csp=None if chrome.live else STATIC_CSP,
        canonical=chrome.absolute(path),
        feeds=feeds,
        query=query,
        **context,
    )


def render_fragment(template: str, root: str, **context: Any) -> str:
    """HTML that lives inside something else (a feed entry's content): links lead from `root`."""
    return environment().get_template(template).render(root=root, **context)
