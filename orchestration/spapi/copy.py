"""Stream a polars frame into a PostgreSQL table with COPY, exactly and without per-row Python."""

from __future__ import annotations

import polars as pl
from psycopg import Cursor, sql

# Small chunks: the server parses one while polars writes the next (a day's 7,000 traffic rows in one chunk
# would leave the two taking turns).
DEFAULT_CHUNK_ROWS = 2_000

# Unambiguous NULL vs empty-string scheme (PostgreSQL CSV format, NULL ''):
#   * polars writes a null as nothing at all: `a,,c` -> the middle field is an unquoted empty
#     string, which COPY ... (FORMAT csv, NULL '') reads as NULL;
#   * quote_style="non_numeric" wraps every non-null string (and date, timestamp, boolean) in
#     double quotes, so an empty string is written `""`, which COPY reads as '' (quoted values
#     never match the NULL marker). Quoting every text value also protects a value that is
#     exactly `\.` (the CSV end-of-data marker) and carries tabs, newlines, quotes and commas
#     verbatim (quotes doubled).
#   * numbers stay unquoted: Decimal columns are printed from their exact integer
#     representation (12.50 stays 12.50), so money never passes through float.
# Timestamps with a zone are converted to UTC first; polars then writes ISO 8601 with an
# explicit +0000 (naive ones without an offset), which timestamptz/timestamp read exactly.

_SUPPORTED = (
    pl.String, pl.Boolean, pl.Date, pl.Time, pl.Decimal, pl.Null,
    pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64,
    pl.Float32, pl.Float64, pl.Datetime, pl.Categorical, pl.Enum,
)


def _table_identifier(table: str) -> sql.Composable:
    """'schema.table' or 'table' -> a quoted identifier; names are never pasted into SQL."""
    parts = table.split(".")
    if not 1 <= len(parts) <= 2 or not all(parts):
        raise ValueError(f"table must be 'table' or 'schema.table', got {table!r}")
    return sql.Identifier(*parts)


def _prepare(frame: pl.DataFrame) -> pl.DataFrame:
    exprs = []
    for name, dtype in frame.schema.items():
        if not isinstance(dtype, _SUPPORTED):
            raise TypeError(f"column {name!r} has type {dtype}, which copy_frame cannot send; cast it first")
        col = pl.col(name)
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
            col = col.dt.convert_time_zone("UTC")
        elif isinstance(dtype, (pl.Categorical, pl.Enum)):
            col = col.cast(pl.String)
        exprs.append(col)
    return frame.select(exprs)


def copy_frame(
    cursor: Cursor,
    table: str,
    frame: pl.DataFrame,
    columns: list[str] | None = None,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> int:
    """COPY `frame` (or its `columns`, which must match the table's column names) into `table`.

    Runs inside the cursor's current transaction; the caller commits. Returns rows sent.
    """
    columns = list(frame.columns if columns is None else columns)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"columns not in frame: {missing}")
    if not columns:
        raise ValueError("copy_frame needs at least one column")
    data = _prepare(frame.select(columns))
    statement = sql.SQL("COPY {table} ({columns}) FROM STDIN (FORMAT csv, NULL '', ENCODING 'UTF8')").format(
        table=_table_identifier(table),
        columns=sql.SQL(", ").join(sql.Identifier(c) for c in columns),
    )
    with cursor.copy(statement) as copy:
        for offset in range(0, data.height, chunk_rows):
            chunk = data.slice(offset, chunk_rows)
            text = chunk.write_csv(
                include_header=False,
                quote_style="non_numeric",
                null_value="",
                line_terminator="\n",
            )
            copy.write(text.encode("utf-8"))
    return data.height
