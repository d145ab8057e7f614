"""How `--help` shows the commands: flags without a type (`--force`, not `--force <bool>`), and arguments in the
usual notation on the usage line (`DAY`, `[DAY]`, `FILES...`), not Typer's (`{DAY}`, `{files}...`).

Typer chooses these in its command classes; `Typer` below makes every command of the app with ours."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

# Typer carries its own copy of click: its parameters are not `click.Parameter`s, its contexts not `click.Context`s.
Params = list[Any]


def _plain_flags(params: Params) -> Params:
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""  # the help's type column shows the metavar: a flag takes no value
    return params


def _usage(param: TyperArgument) -> str:
    name = param.metavar or (param.name or "").upper()
    if param.nargs != 1:
        name += "..."
    return name if param.required else f"[{name}]"


class Command(TyperCommand):
    def get_params(self, ctx: Any) -> Params:
        return _plain_flags(super().get_params(ctx))

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        return pieces + [_usage(p) for p in self.get_params(ctx) if isinstance(p, TyperArgument)]


class Group(TyperGroup):
    def get_params(self, ctx: Any) -> Params:
        return _plain_flags(super().get_params(ctx))


class Typer(typer.Typer):
    """A Typer app whose groups and commands use `Group` and `Command`."""

    def __init__(self, **kwargs: Any) -> None:
        # no markup: a docstring's lines are joined into paragraphs ("rich" keeps every line break), and text such
        # as `<id>.txt` is shown as written ("markdown" takes it for a tag)
        super().__init__(cls=Group, rich_markup_mode=None, **kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", Command)
        return super().command(*args, **kwargs)
