"""Reading a transaction file record by record, in bounded memory, keeping each record's raw text.

Plain `.csv` and gzip-compressed files are both accepted (recognised by their first bytes).
Bytes that are not UTF-8 are kept as surrogate escapes, so one bad line is rejected on its
own instead of stopping the import.
"""

import csv
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

COLUMNS = ("InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country")
GZIP_MAGIC = b"\x1f\x8b"


class ImportFormatError(ValueError):
    """The file cannot be imported at all: not readable, not compressed properly, wrong header."""


@dataclass(frozen=True, slots=True)
class Record:
    """One CSV record: the line it starts on (the header is line 1), its fields and its raw text."""

    line: int
    fields: list[str]
    raw: str
    # Set when the csv module could not split the record (e.g. a stray quote).
    error: str | None = None


class TransactionFile:
    """A transaction file opened for streaming: `with TransactionFile(path) as source: ...`."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.size = 0
        self.columns: dict[str, int] = {}
        self._binary: io.BufferedReader | None = None
        self._text: io.TextIOWrapper | None = None
        self._records: Iterator[Record] | None = None

    def __enter__(self) -> "TransactionFile":
        try:
            self._binary = open(self.path, "rb")
        except OSError as error:
            raise ImportFormatError(f"{self.path}: cannot open the file ({error.strerror})") from error
        try:
            self.size = self.path.stat().st_size
            stream: io.BufferedIOBase = self._binary
            if self._binary.peek(2)[:2] == GZIP_MAGIC:
                stream = gzip.GzipFile(fileobj=self._binary, mode="rb")
            # newline="" lets the csv module see quoted line breaks; utf-8-sig drops a byte order mark.
            self._text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
            self._records = self._read_records()
            self.columns = self._read_header()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._text is not None:
            self._text.close()
        if self._binary is not None:
            self._binary.close()

    @property
    def bytes_read(self) -> int:
        """How far into the file (compressed bytes for .gz) reading has got."""
        return self._binary.tell() if self._binary is not None and not self._binary.closed else self.size

    def records(self) -> Iterator[Record]:
        """The data records after the header, in file order."""
        if self._records is None:
            raise RuntimeError("open the file with `with TransactionFile(path) as source:` first")
        return self._records

    def _read_header(self) -> dict[str, int]:
        header = next(self._records, None)
        if header is None:
            raise ImportFormatError(f"{self.path}: the file is empty (no header line)")
        names = [name.strip() for name in header.fields]
        missing = [name for name in COLUMNS if name not in names]
        repeated = sorted({name for name in names if name and names.count(name) > 1})
        if missing or repeated:
            problem = f"missing {', '.join(missing)}" if missing else f"repeated {', '.join(repeated)}"
            found = ", ".join(names)[:200].encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise ImportFormatError(
                f"{self.path}: the header must name the columns {', '.join(COLUMNS)} ({problem}; found: {found})"
            )
        return {name: names.index(name) for name in COLUMNS} | {"*": len(names)}

    def _read_records(self) -> Iterator[Record]:
        pending: list[str] = []

        def lines() -> Iterator[str]:
            for text_line in self._text:
                pending.append(text_line)
                yield text_line

        reader = csv.reader(lines())
        next_line = 1
        while True:
            error = None
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as csv_error:
                fields, error = [], str(csv_error)
            except (OSError, EOFError) as read_error:  # e.g. a truncated or corrupt gzip stream
                raise ImportFormatError(
                    f"{self.path}: cannot read past line {next_line} ({read_error})"
                ) from read_error
            raw = pending[0] if len(pending) == 1 else "".join(pending)
            yield Record(line=next_line, fields=fields, raw=raw, error=error)
            next_line += len(pending)
            pending.clear()
