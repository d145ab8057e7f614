"""Email: a multipart (plain text + HTML) digest over SMTP (STARTTLS, SSL or plain; auth from settings).

The message is rendered by pure functions from the edition's view (`render_email`) through Jinja2 templates
(`templates/email.html` autoescaped, `templates/email.txt` not): the text part is the digest Markdown itself
(the seed format, parseable by `digestformat.parse`) followed by a standard signature separator
(`-- `) and a footer; the HTML part shows the same sections and flag markers.

Headers never carry untrusted text raw: the subject is built from the date, the paper count and the top
title flattened to one line and clipped, and the standard library's SMTP policy refuses any header with a
line break. One email per run carries every paper still due; when the edition's first email went out
earlier, the next one is an update with only the new papers.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from dailypapers import digestformat
from dailypapers.config import Settings
from dailypapers.errors import ConfigError
from dailypapers.publish.base import HEADER, ChannelDown, DeliveryLog
from dailypapers.text import clip, strip_controls

if TYPE_CHECKING:  # the message views (and the site's paths under them), and the mail libraries, load when a
    # channel sends: every run registers this notifier
    from email.message import EmailMessage

    from dailypapers.publish.notify.messages import MessageEdition

MAX_SUBJECT = 160
FOOTER = "Sent by dailypapers. Every number and name was checked against the paper; ⚠️ marks what was not found."
SIGNATURE = "\n-- \n"  # what separates the digest Markdown from the footer in the text part


@cache
def _templates() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(loader=PackageLoader("dailypapers.publish.notify", "templates"),
                       autoescape=select_autoescape(["html"], default_for_string=False, default=False),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _papers(n: int, *, more: bool = False) -> str:
    """The count as a heading says it: 3 papers, 1 paper, 1 more paper."""
    return f"{n} {'more ' if more else ''}paper{'s' if n != 1 else ''}"


def subject(view: MessageEdition, items: Sequence[str]) -> str:
    papers = [p for p in view.papers if p.paper_id in items]
    lead = f"{view.title}: " + (_papers(view.count) if HEADER in items else _papers(len(papers), more=True))
    top = f" — {papers[0].title}" if papers else ""
    return clip(strip_controls(lead + top), MAX_SUBJECT)


def render_text(view: MessageEdition, items: Sequence[str], *, show_flags: bool) -> str:
    digest = view.subset(set(items))
    return _templates().get_template("email.txt").render(
        view=view, markdown=digestformat.render(digest, show_flags=show_flags), footer=FOOTER,
        updates=view.updates if HEADER in items else ())  # the notes go with the edition's first email


def render_html(view: MessageEdition, items: Sequence[str]) -> str:
    papers = [p for p in view.papers if p.paper_id in items]
    count = _papers(view.count) if HEADER in items else _papers(len(papers), more=True)
    heading = f"{count} · {view.edition.source} · {view.edition.lang}"
    return _templates().get_template("email.html").render(
        view=view, papers=papers, heading=heading, footer=FOOTER, extractive_line=digestformat.EXTRACTIVE_LINE,
        heading_first=HEADER in items)  # the synthesis goes with the edition's first email, not its updates


def markdown_of(text_part: str) -> str:
    """The digest Markdown inside an email's text part (what `render_text` put before the signature); mail
    travels with CRLF line ends, the Markdown has LF."""
    return text_part.replace("\r\n", "\n").split(SIGNATURE, 1)[0] + "\n"


def render_email(view: MessageEdition, items: Sequence[str], *, sender: str, recipients: Sequence[str],
                 show_flags: bool = True) -> EmailMessage:
    from email.message import EmailMessage
    from email.policy import SMTP
    from email.utils import formatdate, make_msgid

    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = subject(view, items)
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=False)
    domain = sender.rpartition("@")[2].strip("<> ") or "dailypapers.invalid"
    msg["Message-ID"] = make_msgid(idstring=f"dailypapers.{view.edition.day.isoformat()}", domain=domain)
    msg.set_content(render_text(view, items, show_flags=show_flags))
    msg.add_alternative(render_html(view, items), subtype="html")
    return msg


def channel_id(recipients: Sequence[str]) -> str:
    """The ledger key of a list of recipients: a hash of the sorted list, so it is stable and no address
    reaches the ledger, the health reports or the ops channel."""
    return "email:" + hashlib.sha256(",".join(sorted(recipients)).encode()).hexdigest()[:12]


class EmailChannel:
    def __init__(self, settings: Settings) -> None:
        to = sorted(settings.email_to)
        self.id = channel_id(to)
        self.settings = settings
        self.recipients = to

    async def send(self, view: MessageEdition, due: Sequence[str], log: DeliveryLog) -> None:
        s = self.settings
        assert s.email_from is not None
        msg = render_email(view, due, sender=s.email_from, recipients=self.recipients, show_flags=s.show_flags)
        for item in due:
            log.started(item)
        try:
            refused = await asyncio.to_thread(self._smtp_send, msg)
        except ChannelDown as exc:
            if not exc.maybe_sent:
                for item in due:
                    log.failed(item, str(exc))
            raise
        if refused:  # the others got it: a re-send would reach them twice
            log.notice(f"the mail server refused {', '.join(sorted(refused))}")
        for item in due:
            log.delivered(item, str(msg["Message-ID"]).strip())

    def _smtp_send(self, msg: EmailMessage) -> dict[str, Any]:
        """Send; the recipients the server refused (all refused raises). Raises ChannelDown."""
        import smtplib
        import ssl

        s = self.settings
        assert s.smtp_host is not None
        context = ssl.create_default_context(cafile=str(s.smtp_ca_file) if s.smtp_ca_file else None)
        port = s.smtp_port or {"ssl": 465, "starttls": 587, "none": 25}[s.smtp_security]
        sent = False
        refused: dict[str, Any] = {}
        try:
            if s.smtp_security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(s.smtp_host, port, timeout=s.smtp_timeout, context=context)
            else:
                client = smtplib.SMTP(s.smtp_host, port, timeout=s.smtp_timeout)
            with client:
                if s.smtp_security == "starttls":
                    client.starttls(context=context)
                if s.smtp_user:
                    password = s.smtp_password.get_secret_value() if s.smtp_password else ""
                    client.login(s.smtp_user, password)
                refused = client.send_message(msg)
                sent = True
        except smtplib.SMTPServerDisconnected as exc:
            if not sent:
                raise ChannelDown(f"smtp {s.smtp_host}:{port}: disconnected: {exc}", maybe_sent=True) from None
        except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
            if not sent:
                why = "timed out" if isinstance(exc, TimeoutError) else f"{type(exc).__name__}: {exc}"
                raise ChannelDown(f"smtp {s.smtp_host}:{port}: {why}",
                                  maybe_sent=isinstance(exc, TimeoutError)) from None
        return refused


class EmailNotifier:
    name = "email"
    description = "the digest by email, HTML and text (smtp_host, email_from, email_to)"

    def channels(self, settings: Settings) -> list[EmailChannel]:
        if not settings.smtp_host and not settings.email_to:
            return []
        missing = [n for n in ("smtp_host", "email_from", "email_to") if not getattr(settings, n)]
        if missing:
            raise ConfigError(f"email needs {', '.join(missing)} too (or none of smtp_host/email_to)")
        if settings.smtp_user and settings.smtp_security == "none":
            raise ConfigError("smtp_user with smtp_security = \"none\" would send the password in clear: "
                              "use starttls or ssl")
        for address in (settings.email_from or "", *settings.email_to):
            if any(c in address for c in "\r\n") or "@" not in address:
                raise ConfigError(f"not an email address: {address!r}")
        return [EmailChannel(settings)]
