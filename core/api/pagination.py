from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Stable pages over millions of rows: keyset on the primary key, not OFFSET."""

    ordering = "-id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
