"""Every CSV file the platform writes goes through these writers (one rule, one place).

Spreadsheet programs (Excel, WPS) run a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return as a formula, so text typed by anyone (a company name, a problem title, an
audit message) could run when an auditor opens the file. As OWASP "CSV Injection" recommends,
such a text cell is written with a leading single quote, which the spreadsheet shows as text.
Numbers (int, Decimal, float) are written as they are: ``-5`` stays a number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet will read it as data, never as a formula."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class SafeWriter:
    """``csv.writer`` whose rows are neutralised cell by cell."""

    def __init__(self, out: TextIO, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter:
    """``csv.DictWriter`` whose values are neutralised cell by cell (the header is ours)."""

    def __init__(self, out: TextIO, fieldnames: Sequence[str], **kwargs: Any) -> None:
        self._writer = csv.DictWriter(out, fieldnames=fieldnames, **kwargs)

    def writeheader(self) -> Any:
        return self._writer.writeheader()

    def writerow(self, row: Mapping[str, Any]) -> Any:
        return self._writer.writerow({k: safe_cell(v) for k, v in row.items()})

    def writerows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self.writerow(row)
