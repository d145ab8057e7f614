"""A loopback SMTP server (aiosmtpd) for the email tests: plain, STARTTLS or implicit TLS, optional AUTH,
keeping every message it accepts. The TLS certificates come from a throwaway CA (trustme)."""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "papers@example.org", "s3cret-smtp"


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]


@dataclass
class Mailbox:
    messages: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients answered 550

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


def _echoing_authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    """A server that refuses every login and quotes it back (what some misconfigured relays do)."""
    login = auth_data.login.decode() if isinstance(auth_data, LoginPassword) else ""
    password = auth_data.password.decode() if isinstance(auth_data, LoginPassword) else ""
    return AuthResult(success=False, handled=False, message=f"535 5.7.8 no user {login} with password {password}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpStandIn:
    """`mode`: none (no TLS, no AUTH), starttls (STARTTLS required, then AUTH required), ssl (TLS from the
    first byte, AUTH required). `echo_auth`: every login is refused with a reply that quotes it."""

    def __init__(self, mode: str, tmp: Path, *, echo_auth: bool = False) -> None:
        self.mode = mode
        self.mailbox = Mailbox()
        self.port = free_port()
        self.ca_file: Path | None = None
        kwargs: dict[str, Any] = {}
        if mode != "none":
            import trustme

            ca = trustme.CA()
            server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_ctx)
            self.ca_file = tmp / "smtp-ca.pem"
            ca.cert_pem.write_to_path(str(self.ca_file))
            kwargs.update(authenticator=_echoing_authenticator if echo_auth else _authenticator, auth_require_tls=True,
                          auth_required=True)
            if mode == "starttls":
                kwargs.update(tls_context=server_ctx, require_starttls=True)
            else:
                # aiosmtpd counts only STARTTLS as TLS for auth_require_tls; here TLS is there from the first byte
                kwargs.update(ssl_context=server_ctx, server_hostname="127.0.0.1", auth_require_tls=False)
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port, **kwargs)

    def settings_kwargs(self) -> dict[str, Any]:
        out: dict[str, Any] = {"smtp_host": "127.0.0.1", "smtp_port": self.port, "smtp_security": self.mode,
                               "email_from": USER, "email_to": ["team@example.org", "lead@example.org"],
                               "smtp_timeout": 5.0}
        if self.mode != "none":
            out.update(smtp_user=USER, smtp_password=PASSWORD, smtp_ca_file=self.ca_file)
        return out

    def __enter__(self) -> SmtpStandIn:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
