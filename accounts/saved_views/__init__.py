"""Saved views of the portfolio, a list builder (issue 17, item 5).

- `registry`: the view filter registry (`register_view_filter`, `register_view_filter_source`);
  accounts registers its own filters (`filters`), health, surveys and playbooks theirs.
- `query`: a definition checked and turned into one Q (`saved_view_q`), the accounts of a view,
  its (cached) count, the views a user sees.
- `services`: create / update / delete with the permission rules.
"""

from .models import SavedView
from .query import (
    saved_view_accounts,
    saved_view_count,
    saved_view_definition_clean,
    saved_view_get,
    saved_view_q,
    saved_views_visible,
)
from .registry import ViewFilter, register_view_filter, register_view_filter_source, view_filter_get, view_filters
from .services import saved_view_can_edit, saved_view_create, saved_view_delete, saved_view_update

__all__ = [
    "SavedView",
    "ViewFilter",
    "register_view_filter",
    "register_view_filter_source",
    "saved_view_accounts",
    "saved_view_can_edit",
    "saved_view_count",
    "saved_view_create",
    "saved_view_definition_clean",
    "saved_view_delete",
    "saved_view_get",
    "saved_view_q",
    "saved_view_update",
    "saved_views_visible",
    "view_filter_get",
    "view_filters",
]
