"""Ids the seed gives its rows itself (read once from the sequences, moved past at the end)."""

from django.db import connection

from core.db import is_postgresql

__all__ = ["IdBlock"]


class IdBlock:
    """The seed gives its rows their ids itself, the ones the table's sequence would have given
    (the same values, in the same order), so it never reads ids back and can hand every COPY to
    the writer thread: the tables are locked against other writers for the transaction (the
    fresh-table path holds stronger locks anyway), the next id of each is read once, and the
    sequence is moved past the last id given at the end."""

    def __init__(self, models: list):
        self.next: dict = {}
        self.first: dict = {}
        with connection.cursor() as cursor:
            if is_postgresql():
                tables = ", ".join(m._meta.db_table for m in models)
                cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
                for model in models:
                    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [model._meta.db_table])
                    self.next[model] = cursor.fetchone()[0]
            else:  # AUTOINCREMENT: an explicit id moves sqlite_sequence itself
                for model in models:
                    table = model._meta.db_table
                    cursor.execute(
                        "SELECT max(n) FROM (SELECT seq AS n FROM sqlite_sequence WHERE name = %s "
                        f"UNION ALL SELECT max(id) FROM {table})",
                        [table],
                    )
                    self.next[model] = (cursor.fetchone()[0] or 0) + 1
        self.first = dict(self.next)

    def take(self, model, count: int) -> int:
        """The first of `count` consecutive ids for `model`'s next rows."""
        first = self.next[model]
        self.next[model] = first + count
        return first

    def release(self) -> None:
        if not is_postgresql():
            return
        with connection.cursor() as cursor:
            for model, value in self.next.items():
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", [model._meta.db_table, value]
                )
