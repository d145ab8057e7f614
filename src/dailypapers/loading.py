"""Loading a library without the optional parts it imports for features we never use (sqlite-utils' numpy
types and click hook, httpx's command line): those modules are hidden, or stood in for, while it loads, and
load for real whenever something else imports them. Start-up is paid by every command."""

from __future__ import annotations

import sys
import types


def import_without(module: str, hidden: dict[str, types.ModuleType | None]) -> None:
    """Import `module`, unless loaded already, with each of `hidden` (by name) absent (None: its import fails,
    as when it is not installed) or replaced by the stand-in given, unless that one is loaded already."""
    if module in sys.modules:
        return
    hide = {name: stand_in for name, stand_in in hidden.items() if name not in sys.modules}
    sys.modules.update(hide)  # type: ignore[arg-type]
    try:
        __import__(module)  # the import statement's own path (`-X importtime` reports it; import_module not)
    finally:
        for name in hide:
            del sys.modules[name]
