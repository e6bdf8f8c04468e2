"""SCIM `filter` query parameters (RFC 7644 §3.4.2.2) to Django Q objects, through
scim2-filter-parser's Django transpiler. Only the attributes in each map can be filtered on; any
other attribute, or a filter that does not parse, is an `invalidFilter` error (the transpiler on
its own would silently drop an unknown attribute and widen the answer)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Q
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser, SCIMParserError
from scim2_filter_parser.transpilers.django_q_object import Transpiler
from scim2_models import InvalidFilterException

__all__ = ["USER_FILTER_ATTRIBUTES", "GROUP_FILTER_ATTRIBUTES", "filter_q"]

# On ExternalIdentity (provider "scim"): its subject is the SCIM id.
USER_FILTER_ATTRIBUTES: Mapping[tuple[str, str | None, str | None], str] = {
    ("id", None, None): "subject",
    ("externalId", None, None): "external_id",
    ("userName", None, None): "user__username",
    ("active", None, None): "user__is_active",
    ("emails", None, None): "user__email",
    ("emails", "value", None): "user__email",
    ("name", "givenName", None): "user__first_name",
    ("name", "familyName", None): "user__last_name",
}
GROUP_FILTER_ATTRIBUTES: Mapping[tuple[str, str | None, str | None], str] = {
    ("id", None, None): "id",
    ("externalId", None, None): "external_id",
    ("displayName", None, None): "display_name",
    ("members", None, None): "members__external_identities__subject",
    ("members", "value", None): "members__external_identities__subject",
}


class _StrictTranspiler(Transpiler):
    def visit_AttrPath(self, node):
        column = super().visit_AttrPath(node)
        if column is None:
            path = node.attr_name + (f".{node.sub_attr.value}" if node.sub_attr else "")
            raise InvalidFilterException(detail=f"Filtering on '{path}' is not supported.")
        return column


def filter_q(expression: str, attributes: Mapping[tuple[str, str | None, str | None], str]) -> Q:
    """The Q object for a SCIM filter expression; raises InvalidFilterException."""
    try:
        tree = SCIMParser().parse(SCIMLexer().tokenize(expression))
        query = _StrictTranspiler(attributes).transpile(tree)
    except InvalidFilterException:
        raise
    except (SCIMParserError, ValueError, TypeError, AttributeError, IndexError) as error:
        raise InvalidFilterException(detail=f"The filter does not parse: {error}") from error
    if not isinstance(query, Q):
        raise InvalidFilterException(detail="The filter does not parse.")
    return query
