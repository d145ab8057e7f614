"""Loading a library without the optional parts it imports for features we never use (sqlite-utils' numpy
types and click hook, httpx's command line, pydantic-settings' event loop): those modules are hidden, stood in
for, or deferred while it loads, and load for real whenever something else imports them. Start-up is paid by
every command."""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any


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


class _Deferred(types.ModuleType):
    """A stand-in for a module that a library imports at its top but uses only in code we never run: the real
    module is imported at the first use of any of its names, which are then read from it (nothing runs
    twice: the real module is the one in `sys.modules`)."""

    def __getattr__(self, attr: str) -> Any:
        if sys.modules.get(self.__name__) is self:  # read while the library loads: not deferrable after all
            raise AttributeError(f"{self.__name__}.{attr} was read while it was deferred")
        return getattr(importlib.import_module(self.__name__), attr)


def deferred(module: str) -> types.ModuleType:
    """A stand-in for `module` for `import_without`: imported for real when the library first uses it."""
    return _Deferred(module, f"{module}, imported when first used (dailypapers.loading)")
