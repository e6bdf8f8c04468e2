"""The /scim/v2/ endpoints (RFC 7644): discovery (ServiceProviderConfig, ResourceTypes, Schemas),
Users and Groups. Thin: parse with scim2-models, call .services, answer with .mapping's resources.
Only an API key with the "scim" scope gets in; every answer is `application/scim+json` and every
failure a SCIM Error. Outside the OpenAPI schema: the SCIM RFCs are these endpoints' contract."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from rest_framework.permissions import BasePermission
from rest_framework.views import APIView
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    EnterpriseUser,
    ETag,
    Filter,
    Group,
    InvalidValueException,
    ListResponse,
    NotFoundException,
    NotImplementedException,
    Patch,
    PatchOp,
    ResourceType,
    ResponseParameters,
    Schema,
    ServiceProviderConfig,
    Sort,
)

from core.api.authentication import APIKeyAuthentication
from core.choices import APIKeyScope
from core.identity.models import ExternalIdentity

from . import services
from .filters import GROUP_FILTER_ATTRIBUTES, USER_FILTER_ATTRIBUTES, filter_q
from .mapping import PROVIDER, ScimUser, group_resource, user_resource
from .models import ScimGroup
from .responses import exception_response, request_payload, scim_response

__all__ = [
    "ServiceProviderConfigView",
    "ResourceTypeListView",
    "ResourceTypeDetailView",
    "SchemaListView",
    "SchemaDetailView",
    "UserListView",
    "UserDetailView",
    "GroupListView",
    "GroupDetailView",
    "NotFoundView",
]

MAX_RESULTS = 200


class ScimKeyPermission(BasePermission):
    """A machine key with the "scim" scope, nothing else (no session, no personal token)."""

    def has_permission(self, request, view) -> bool:
        key = request.auth
        return key is not None and getattr(key, "user_id", 1) is None and getattr(key, "scope", "") == APIKeyScope.SCIM


class ScimView(APIView):
    authentication_classes = [APIKeyAuthentication]
    permission_classes = [ScimKeyPermission]
    scim_allowed = True
    schema = None  # not in the OpenAPI schema

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # PostgreSQL stores no NUL character: refuse it in an id or a filter before a query does.
        if "\x00" in request.path or "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.get_full_path():
            raise InvalidValueException(detail="A NUL character is not allowed in the path or the query.")

    def handle_exception(self, exc):
        response = exception_response(exc)
        if response is None:
            raise exc
        return response

    def base_url(self) -> str:
        return self.request.build_absolute_uri(reverse("scim:user_list")).removesuffix("/Users")

    def response_parameters(self, model) -> ResponseParameters:
        query = self.request.query_params
        return ResponseParameters[model].model_validate(
            {key: query.get(key) for key in ("attributes", "excludedAttributes") if query.get(key) not in (None, "")}
        )

    def answer(self, resource, *, status: int = 200, ctx: Context = Context.RESOURCE_QUERY_RESPONSE, location=""):
        params = self.response_parameters(type(resource)) if status == 200 else None
        body = resource.model_dump(scim_ctx=ctx, response_parameters=params)
        return scim_response(body, status=status, location=location)


def _int_param(query, name: str, default: int) -> int:
    raw = query.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidValueException(detail=f"{name} must be an integer.") from None


class _ListMixin:
    """GET on a collection: filter, startIndex (1-based) and count (RFC 7644 §3.4.2.4)."""

    model: Any
    filter_attributes: Any

    def queryset(self) -> QuerySet:
        raise NotImplementedError

    def resource(self, obj):
        raise NotImplementedError

    def get(self, request):
        query = request.query_params
        rows = self.queryset()
        if query.get("filter"):
            rows = rows.filter(filter_q(query["filter"], self.filter_attributes)).distinct()
        start = max(_int_param(query, "startIndex", 1), 1)
        count = min(max(_int_param(query, "count", MAX_RESULTS), 0), MAX_RESULTS)
        total = rows.count()
        page = list(rows[start - 1 : start - 1 + count]) if count else []
        resources = [self.resource(obj) for obj in page]
        listing = ListResponse[self.model](
            total_results=total, start_index=start, items_per_page=len(resources), resources=resources
        )
        params = self.response_parameters(self.model)
        return scim_response(listing.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=params))


# Section: users


def _user_link(scim_id: str) -> ExternalIdentity:
    link = ExternalIdentity.objects.select_related("user").filter(provider=PROVIDER, subject=scim_id).first()
    if link is None:
        raise NotFoundException(detail=f"No user with id '{scim_id}'.")
    return link


class UserListView(_ListMixin, ScimView):
    model = ScimUser
    filter_attributes = USER_FILTER_ATTRIBUTES

    def queryset(self):
        return (
            ExternalIdentity.objects.filter(provider=PROVIDER)
            .select_related("user")
            .prefetch_related("user__scim_groups")
            .order_by("user__date_joined", "pk")
        )

    def resource(self, obj):
        return user_resource(obj, base_url=self.base_url())

    def post(self, request):
        resource = ScimUser.model_validate(request_payload(request.body), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
        link = services.scim_user_create(resource=resource)
        link = _user_link(link.subject)
        out = user_resource(link, base_url=self.base_url())
        return self.answer(out, status=201, ctx=Context.RESOURCE_CREATION_RESPONSE, location=out.meta.location)


class UserDetailView(ScimView):
    def get(self, request, scim_id: str):
        return self.answer(user_resource(_user_link(scim_id), base_url=self.base_url()))

    def put(self, request, scim_id: str):
        link = _user_link(scim_id)
        resource = ScimUser.model_validate(request_payload(request.body), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
        services.scim_user_replace(link=link, resource=resource)
        return self.answer(user_resource(_user_link(scim_id), base_url=self.base_url()))

    def patch(self, request, scim_id: str):
        link = _user_link(scim_id)
        operations = PatchOp[ScimUser].model_validate(
            request_payload(request.body), scim_ctx=Context.RESOURCE_PATCH_REQUEST
        )
        resource = user_resource(link, base_url=self.base_url())
        if operations.patch(resource):
            services.scim_user_replace(link=link, resource=resource)
        return self.answer(user_resource(_user_link(scim_id), base_url=self.base_url()))

    def delete(self, request, scim_id: str):
        services.scim_user_delete(link=_user_link(scim_id))
        return scim_response(None, status=204)


# Section: groups


def _group(scim_id: str) -> ScimGroup:
    try:
        return get_object_or_404(ScimGroup, pk=scim_id)
    except Exception:  # Http404, or an id that is no UUID (ValidationError)
        raise NotFoundException(detail=f"No group with id '{scim_id}'.") from None


class GroupListView(_ListMixin, ScimView):
    model = Group
    filter_attributes = GROUP_FILTER_ATTRIBUTES

    def queryset(self):
        return ScimGroup.objects.order_by("created_at", "pk")

    def resource(self, obj):
        return group_resource(obj, base_url=self.base_url())

    def post(self, request):
        resource = Group.model_validate(request_payload(request.body), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
        group = services.scim_group_create(resource=resource)
        out = group_resource(group, base_url=self.base_url())
        return self.answer(out, status=201, ctx=Context.RESOURCE_CREATION_RESPONSE, location=out.meta.location)


class GroupDetailView(ScimView):
    def get(self, request, scim_id: str):
        return self.answer(group_resource(_group(scim_id), base_url=self.base_url()))

    def put(self, request, scim_id: str):
        group = _group(scim_id)
        resource = Group.model_validate(request_payload(request.body), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
        group = services.scim_group_replace(group=group, resource=resource)
        return self.answer(group_resource(group, base_url=self.base_url()))

    def patch(self, request, scim_id: str):
        group = _group(scim_id)
        operations = PatchOp[Group].model_validate(
            request_payload(request.body), scim_ctx=Context.RESOURCE_PATCH_REQUEST
        )
        resource = group_resource(group, base_url=self.base_url())
        if operations.patch(resource):
            group = services.scim_group_replace(group=group, resource=resource)
        return self.answer(group_resource(group, base_url=self.base_url()))

    def delete(self, request, scim_id: str):
        services.scim_group_delete(group=_group(scim_id))
        return scim_response(None, status=204)


class NotFoundView(ScimView):
    """Anything else under /scim/v2/: a SCIM 404 (and POST /.search, searching several resource
    types at once, is not implemented: 501)."""

    def _answer(self, request, *args, **kwargs):
        if request.path.rstrip("/").endswith("/.search") and request.method == "POST":
            raise NotImplementedException(detail="Search one resource type at a time: GET /Users or /Groups.")
        raise NotFoundException(detail="No such SCIM endpoint.")

    get = post = put = patch = delete = _answer


# Section: discovery (RFC 7644 §4)


def _resource_types(base_url: str) -> list[ResourceType]:
    types = [ResourceType.from_resource(ScimUser), ResourceType.from_resource(Group)]
    for rt in types:
        rt.meta = {"resourceType": "ResourceType", "location": f"{base_url}/ResourceTypes/{rt.id}"}
    return types


def _schemas(base_url: str) -> list[Schema]:
    schemas = [ScimUser.to_schema(), EnterpriseUser.to_schema(), Group.to_schema()]
    for schema in schemas:
        schema.meta = {"resourceType": "Schema", "location": f"{base_url}/Schemas/{schema.id}"}
    return schemas


class ServiceProviderConfigView(ScimView):
    def get(self, request):
        config = ServiceProviderConfig(
            documentation_uri=None,
            patch=Patch(supported=True),
            bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
            filter=Filter(supported=True, max_results=MAX_RESULTS),
            change_password=ChangePassword(supported=False),
            sort=Sort(supported=False),
            etag=ETag(supported=False),
            authentication_schemes=[
                AuthenticationScheme(
                    type=AuthenticationScheme.Type.oauthbearertoken,
                    name="Bearer token",
                    description="An API key with the SCIM scope, created by an admin on the API keys page.",
                    primary=True,
                )
            ],
            meta={"resourceType": "ServiceProviderConfig", "location": f"{self.base_url()}/ServiceProviderConfig"},
        )
        return scim_response(config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


class _DiscoveryList(ScimView):
    def items(self) -> list:
        raise NotImplementedError

    def get(self, request):
        items = self.items()
        listing = {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": len(items),
            "startIndex": 1,
            "itemsPerPage": len(items),
            "Resources": [item.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE) for item in items],
        }
        return scim_response(listing)


class ResourceTypeListView(_DiscoveryList):
    def items(self):
        return _resource_types(self.base_url())


class ResourceTypeDetailView(ScimView):
    def get(self, request, item_id: str):
        for item in _resource_types(self.base_url()):
            if item.id == item_id:
                return scim_response(item.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
        raise NotFoundException(detail=f"No resource type '{item_id}'.")


class SchemaListView(_DiscoveryList):
    def items(self):
        return _schemas(self.base_url())


class SchemaDetailView(ScimView):
    def get(self, request, item_id: str):
        for item in _schemas(self.base_url()):
            if item.id == item_id:
                return scim_response(item.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
        raise NotFoundException(detail=f"No schema '{item_id}'.")
