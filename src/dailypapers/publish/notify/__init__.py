"""Delivery: notifiers (Slack, email, apprise URLs) as plug-ins, the delivery ledger's driver, and the health
report of a daily run. The built-ins register here like any third-party notifier; the SDKs they use are
imported only when a channel first sends, so `dailypapers` starts fast.
"""

from __future__ import annotations

from collections.abc import Callable

from dailypapers.hookspecs import hookimpl


@hookimpl
def register_notifiers(register: Callable[[object], None]) -> None:
    from dailypapers.publish.notify.apprise import AppriseNotifier
    from dailypapers.publish.notify.email import EmailNotifier
    from dailypapers.publish.notify.slack import SlackNotifier

    register(SlackNotifier())
    register(EmailNotifier())
    register(AppriseNotifier())
