"""copy_frame against the real PostgreSQL: NULL vs '', awkward text, exact money, timestamps."""

import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import polars as pl
import psycopg
import pytest
from psycopg import sql

from orchestration.spapi.copy import copy_frame



@pytest.fixture(scope="module")
def dsn(scratch):
    """A scratch database on the test server (configured, or embedded on a fresh machine)."""
    return scratch.create()

AWKWARD_TEXT = [
    None,
    "",
    "plain",
    "tab\there",
    "new\nline and \r\n windows",
    'quote " inside and "" doubled',
    "comma, here",
    "£12.99 café é",
    "\\.",  # the CSV end-of-data marker, as data
    "back\\slash \\N",
    "NULL",
    " ",
]


@pytest.fixture
def scratch_schema(dsn):
    """A connection with a uniquely named scratch schema, dropped afterwards."""
    schema = f"spapi_copy_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        try:
            yield conn, schema
        finally:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def make_frame() -> pl.DataFrame:
    n = len(AWKWARD_TEXT)
    prices = [Decimal("12.50"), None, Decimal("-0.01"), Decimal("9999999999999999.99"), Decimal("0.10"),
              Decimal("0.00"), Decimal("1.05"), Decimal("100"), Decimal("3.33"), Decimal("7.77"), None, Decimal("0.01")]
    base = datetime(2024, 3, 31, 0, 59, 59, 123456, tzinfo=timezone.utc)
    return pl.DataFrame(
        {
            "id": list(range(1, n + 1)),
            "title": AWKWARD_TEXT,
            "price": prices,
            "quantity": [None if i % 5 == 0 else i * 1000 for i in range(n)],
            "seen_at": [None if i == 1 else base + timedelta(hours=i) for i in range(n)],
            "open_day": [date(2024, 1, 1) + timedelta(days=i) if i != 2 else None for i in range(n)],
            "is_fba": [None if i == 3 else i % 2 == 0 for i in range(n)],
            "buy_box_pct": [None if i == 4 else i * 8.33 for i in range(n)],
        },
        schema={
            "id": pl.Int64, "title": pl.String, "price": pl.Decimal(18, 2), "quantity": pl.Int64,
            "seen_at": pl.Datetime("us", "UTC"), "open_day": pl.Date, "is_fba": pl.Boolean, "buy_box_pct": pl.Float64,
        },
    )


def create_table(conn, schema: str, name: str) -> None:
    conn.execute(sql.SQL(
        "CREATE TABLE {} (id bigint PRIMARY KEY, title text, price numeric(18,2), quantity bigint,"
        " seen_at timestamptz, open_day date, is_fba boolean, buy_box_pct double precision)"
    ).format(sql.Identifier(schema, name)))


def fetch(conn, schema: str, name: str, columns: str = "*"):
    return conn.execute(sql.SQL("SELECT " + columns + " FROM {} ORDER BY id").format(sql.Identifier(schema, name))).fetchall()


@pytest.mark.parametrize("chunk_rows", [50_000, 5, 1])
def test_round_trip_is_exact(scratch_schema, chunk_rows):
    conn, schema = scratch_schema
    table = 'Listings "raw" 2024'  # a name that only survives proper identifier quoting
    create_table(conn, schema, table)
    frame = make_frame()
    with conn.cursor() as cur:
        sent = copy_frame(cur, f"{schema}.{table}", frame, chunk_rows=chunk_rows)
    assert sent == frame.height
    got = fetch(conn, schema, table)
    assert got == [tuple(r) for r in frame.rows()]
    # NULL and '' are different things and both survive.
    titles = [r[1] for r in got]
    assert titles[0] is None and titles[1] == "" and titles[10] == "NULL" and titles[8] == "\\."
    assert got[3][2] == Decimal("9999999999999999.99")
    assert type(got[0][2]) is Decimal and str(got[0][2]) == "12.50"
    assert got[0][4] == datetime(2024, 3, 31, 0, 59, 59, 123456, tzinfo=timezone.utc)


def test_money_text_matches_in_sql(scratch_schema):
    conn, schema = scratch_schema
    create_table(conn, schema, "prices")
    with conn.cursor() as cur:
        copy_frame(cur, f"{schema}.prices", make_frame())
    total = conn.execute(sql.SQL("SELECT sum(price)::text FROM {}").format(sql.Identifier(schema, "prices"))).fetchone()[0]
    expected = sum(p for p in make_frame()["price"].to_list() if p is not None)
    assert Decimal(total) == expected


def test_column_subset_and_order(scratch_schema):
    conn, schema = scratch_schema
    create_table(conn, schema, "subset")
    frame = make_frame()
    with conn.cursor() as cur:
        copy_frame(cur, f"{schema}.subset", frame, columns=["title", "id"])
    got = fetch(conn, schema, "subset", "id, title, price")
    assert got == [(i, t, None) for i, t in zip(frame["id"], frame["title"])]


def test_other_time_zones_and_categoricals_arrive_as_the_same_instant(scratch_schema):
    conn, schema = scratch_schema
    conn.execute(sql.SQL("CREATE TABLE {} (id bigint, channel text, at timestamptz)").format(sql.Identifier(schema, "tz")))
    london = datetime(2024, 7, 1, 12, 0, tzinfo=timezone.utc)
    frame = pl.DataFrame({"id": [1], "channel": ["AMAZON_EU"], "at": [london]}).with_columns(
        pl.col("at").dt.convert_time_zone("Europe/London"), pl.col("channel").cast(pl.Categorical)
    )
    with conn.cursor() as cur:
        copy_frame(cur, f"{schema}.tz", frame)
    assert fetch(conn, schema, "tz") == [(1, "AMAZON_EU", london)]


def test_temp_table_and_empty_frame(dsn):
    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TEMP TABLE copy_probe (id bigint, title text)")
        with conn.cursor() as cur:
            assert copy_frame(cur, "copy_probe", pl.DataFrame(schema={"id": pl.Int64, "title": pl.String})) == 0
            assert copy_frame(cur, "copy_probe", pl.DataFrame({"id": [1], "title": ["£"]})) == 1
        assert conn.execute("SELECT id, title FROM copy_probe").fetchall() == [(1, "£")]
        conn.rollback()


def test_unsupported_types_and_bad_names_are_refused(dsn):
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        with pytest.raises(TypeError, match="'tags' has type"):
            copy_frame(cur, "whatever", pl.DataFrame({"tags": [["a", "b"]]}))
        with pytest.raises(KeyError, match="nope"):
            copy_frame(cur, "whatever", pl.DataFrame({"id": [1]}), columns=["nope"])
        with pytest.raises(ValueError, match="schema.table"):
            copy_frame(cur, "a.b.c", pl.DataFrame({"id": [1]}))


def test_end_of_data_marker_as_the_only_column_does_not_end_the_copy(dsn):
    # With minimal CSV quoting a lone \. line ends COPY and every later row is silently lost.
    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TEMP TABLE copy_marker (title text)")
        with conn.cursor() as cur:
            copy_frame(cur, "copy_marker", pl.DataFrame({"title": ["\\.", "after", None, ""]}))
        assert conn.execute("SELECT title FROM copy_marker").fetchall() == [("\\.",), ("after",), (None,), ("",)]
        conn.rollback()
