"""CSV for spreadsheets: cells that a spreadsheet would run as a formula are written as text.

defusedcsv prefixes "'" to cells starting with = + - @ | %, but not to those starting with a tab
or a carriage return, which OWASP's CSV-injection list names too (a spreadsheet may drop the
whitespace and then read the formula behind it). This adds those two; use it for every CSV the
admin or the command line writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

from defusedcsv import csv  # type: ignore[import-untyped]

FORMULA_START = ("@", "+", "-", "=", "|", "%", "\t", "\r")
"""The first characters that make a cell a formula: defusedcsv's, and tab and CR."""


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("\t", "\r"):
        return "'" + value
    return value


class _Writer:
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._inner.writerow([_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class _DictWriter:
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def writeheader(self) -> Any:
        return self._inner.writeheader()

    def writerow(self, row: Mapping[str, Any]) -> Any:
        return self._inner.writerow({key: _cell(value) for key, value in row.items()})


LINE_END = "\r\n"
"""RFC 4180's line end. With "\n" Python's writer leaves a cell holding a bare "\r" unquoted,
and every reader then breaks the row there."""


def writer(out: IO[str]) -> _Writer:
    return _Writer(csv.writer(out, lineterminator=LINE_END))


def dict_writer(out: IO[str], fieldnames: Sequence[str]) -> _DictWriter:
    return _DictWriter(csv.DictWriter(out, fieldnames=fieldnames, lineterminator=LINE_END))
