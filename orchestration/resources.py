"""Resources shared by every domain: the warehouse connection."""


from contextlib import contextmanager

import dagster as dg
import psycopg

from orchestration.db import connection


class WarehouseResource(dg.ConfigurableResource):
    """The seller's PostgreSQL/TimescaleDB (LISTING_HELPER_DATABASE_URL, bound as an EnvVar)."""

    database_url: str

    @contextmanager
    def connect(self, autocommit: bool = False):
        conn: psycopg.Connection = connection.connect(self.database_url, autocommit=autocommit)
        try:
            yield conn
            if not autocommit:
                conn.commit()
        except BaseException:
            if not autocommit:
                conn.rollback()
            raise
        finally:
            conn.close()
