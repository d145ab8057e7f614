"""The per-paper tables the commands end with (`digest`, `verify`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.table import Table


def report_table(*columns: str, title: str | None = None) -> Table:
    """A table whose first column is the paper id, never cut, and whose text columns wrap whole words: a title
    is shown in full over as many lines as it needs, never both wrapped and cut."""
    from rich.table import Table
    table = Table(title=title)
    table.add_column("paper", no_wrap=True)
    for name in columns:
        table.add_column(name, overflow="fold")
    return table
