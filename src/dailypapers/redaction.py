"""Secrets kept out of error texts. A server may echo what it was sent (a 401 body quoting the API key, a
mail server quoting the password, an exception naming an URL with its credentials); every such text passes
through a `Redactor` made from the settings (`Settings.redactor()`) before it is stored, logged, printed,
delivered or served. Pure: the redactor holds the secrets and replaces each with `MASK`.

A secret is found as written, URL-encoded, JSON- or repr-escaped, and as the Base64 of `user:password` (an
echoed Basic authorization header). A text cut short with an ellipsis (`clip`) may end in the first part of
a secret: that part is masked too. Secrets shorter than `MIN_SECRET` characters are not looked for (masking
every "ab" in a message would hide the message, and such a secret guards nothing).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote, unquote, urlsplit

MASK = "***"
MIN_SECRET = 4
MIN_PART = 8  # a part of an URL (a path segment, a query value) shorter than this is a name, not a token
_ELLIPSIS = "…"  # what `text.clip` ends a cut text with
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
T = TypeVar("T")


@dataclass(frozen=True)
class Redactor:
    """Replaces every known secret in a text by `MASK`. Make one with `Redactor.of(values)`."""

    forms: tuple[str, ...] = ()  # every way a secret may be written, longest first
    _pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, secrets: Iterable[str]) -> Redactor:
        forms: set[str] = set()
        for secret in secrets:
            if len(secret) < MIN_SECRET:
                continue
            forms.update(_written_forms(secret))
        ordered = tuple(sorted((f for f in forms if len(f) >= MIN_SECRET), key=lambda f: (-len(f), f)))
        pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        return cls(ordered, pattern)

    def __call__(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        text = self._pattern.sub(MASK, text)
        return _mask_cut_tails(text, self.forms) if _ELLIPSIS in text else text

    def data(self, value: T) -> T:
        """`value` with every string inside it redacted: dicts (keys kept), lists, tuples, pydantic models."""
        if self._pattern is None:
            return value
        return self._walk(value)

    def _walk(self, value: Any) -> Any:
        from pydantic import BaseModel  # loaded with the settings that made a pattern: free here

        if isinstance(value, str):
            return self(value)
        if isinstance(value, Mapping):
            return {k: self._walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._walk(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self._walk(v) for v in value)
        if isinstance(value, BaseModel):  # field by field
            changed = {name: self._walk(getattr(value, name)) for name in type(value).model_fields}
            return value.model_copy(update=changed)
        return value


NO_REDACTION = Redactor()


def _written_forms(secret: str) -> set[str]:
    return {secret, quote(secret, safe=""), quote(secret), unquote(secret), json.dumps(secret)[1:-1],
            json.dumps(secret, ensure_ascii=False)[1:-1], repr(secret)[1:-1]}


def _mask_cut_tails(text: str, forms: tuple[str, ...]) -> str:
    """Mask the start of a secret that a cut (an ellipsis) left right before the ellipsis."""
    out, pos = [], 0
    for m in re.finditer(_ELLIPSIS, text):
        before = text[pos : m.start()]
        for form in forms:
            cut = next((k for k in range(len(form) - 1, MIN_SECRET - 1, -1) if before.endswith(form[:k])), 0)
            if cut:
                before = before[:-cut] + MASK
                break
        out.append(before + _ELLIPSIS)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def url_credentials(url: str) -> list[str]:
    """The secrets an URL carries in its own syntax: the password (also as the Base64 of `user:password`, an
    HTTP Basic header) and the values of its query string that look like tokens (8 characters or
    more: `?api-key=...`, `?sig=...`)."""
    if not _URL.match(url or ""):
        return []
    parts = urlsplit(url)
    out: list[str] = []
    if parts.password:
        user, password = unquote(parts.username or ""), unquote(parts.password)
        out += [password, base64.b64encode(f"{user}:{password}".encode()).decode()]
    elif parts.username and len(parts.username) >= MIN_PART:  # a token given as the user name (`https://TOKEN@host`)
        out.append(unquote(parts.username))
    out += [v for _, v in parse_qsl(parts.query) if len(v) >= MIN_PART]
    return out


def token_url_parts(url: str) -> list[str]:
    """An URL that is a secret as a whole (an apprise URL: `discord://ID/TOKEN`, `tgram://BOTTOKEN/CHAT`,
    `ntfy://TOPIC`): the URL, and each part of it that may be a token (a host without a dot, every path
    segment, query values, user name and password, each of `MIN_PART` characters or more)."""
    if not _URL.match(url or ""):
        return [url]
    parts = urlsplit(url)
    pieces = [unquote(parts.username or ""), *(unquote(s) for s in parts.path.split("/")),
              *(v for _, v in parse_qsl(parts.query))]
    host = parts.hostname or ""
    if "." not in host and host != "localhost":
        pieces.append(host)
    return [url, url.split("://", 1)[1], *url_credentials(url), *(p for p in pieces if len(p) >= MIN_PART)]
