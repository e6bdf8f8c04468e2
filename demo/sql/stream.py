"""The seed's PostgreSQL COPYs on a writer thread (core.db.Pipeline)."""

from django.db import connection

from core.db import Pipeline

__all__ = ["CopyStream"]


class CopyStream:
    """The seed's PostgreSQL COPYs, run one after another by a writer thread on the seed's own
    connection (so inside its transaction), fed through a bounded queue: the database stores
    chunk k while Python builds chunk k+1, one core each. The main thread must not use the
    connection until `close()`; `waited` is how long it was blocked on a full queue (Python
    ahead of the database)."""

    def __init__(self, depth: int = 24):
        connection.ensure_connection()
        self._raw = connection.connection
        self._cursor = None  # opened by the writer thread on its first COPY
        self._pipeline = Pipeline("seed_demo-copy", depth=depth)

    @property
    def waited(self) -> float:
        return self._pipeline.waited

    @property
    def error(self) -> BaseException | None:
        return self._pipeline.error

    def _copy(self, sql: str, parts: list) -> None:
        if self._cursor is None:
            self._cursor = self._raw.cursor()
        with self._cursor.copy(sql) as copy:
            for part in parts:
                copy.write(part)

    def put(self, sql: str, parts: list) -> None:
        self._pipeline.submit(self._copy, sql, parts)

    def close(self) -> None:
        try:
            self._pipeline.close()
        finally:
            if self._cursor is not None:
                cursor, self._cursor = self._cursor, None
                cursor.close()
