"""REST API for the accounts floor (docs/api.md): one ViewSet per model.

POST to a collection takes one object or a list of up to 10,000, all or nothing; an object whose
external id already exists is updated (the upsert rule). Writes go through accounts.records. Usage events
are usage.api (one floor up)."""

from django.conf import settings
from django.core.exceptions import ObjectNotUpdated
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.exceptions import APIException, NotFound
from rest_framework.response import Response

from core.api.permissions import ScopedPermission
from core.api.throttling import KeyRateThrottle
from core.choices import Role
from core.db import lookup_by
from core.models import User

from .. import records
from ..access import (
    AccountWritePermission,
    account_reads_restricted,
    account_writes_all,
    accounts_readable,
    accounts_writable,
)
from ..models import Account, Activity, Contact, CostEntry, Subscription, SupportTicket
from ..services import activity_create
from . import filters, serializers

MAX_ITEMS = serializers.ExternalIdListSerializer.MAX_ITEMS


class BodyError(APIException):
    """A body we cannot read: 400 (or 413 when too large) with {"code", "message"}."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, code: str = "bad_request", status_code: int = 400):
        super().__init__({"code": code, "message": message})
        self.status_code = status_code


class ItemsInvalid(APIException):
    """400 {"code": "invalid", "message", "errors": [{"index", "field", "reason"}]}; nothing written."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, errors: list[dict], total: int | None = None, message: str | None = None):
        total = total if total is not None else len({e.get("index", e.get("row")) for e in errors})
        super().__init__("invalid")
        # Set after __init__: APIException would turn the row numbers into strings.
        self.detail = {
            "code": "invalid",
            "message": message or f"{total} item(s) are invalid; nothing was written.",
            "errors": errors,
        }


class ItemsForbidden(APIException):
    """403 {"code": "permission_denied", "message", "errors": [{"index", "field", "reason"}]}:
    items on accounts outside the caller's book (accounts.access); nothing written."""

    status_code = status.HTTP_403_FORBIDDEN

    def __init__(self, errors: list[dict], message: str):
        super().__init__("permission_denied")
        self.detail = {"code": "permission_denied", "message": message, "errors": errors}


def _author(request):
    """The user a write is logged as (None for a machine key)."""
    return request.user if isinstance(request.user, User) else None


def items_write_check(user, accounts: list, *, field: str = "account") -> None:
    """The API's bulk form of accounts.access: 403 naming each item whose account (`accounts`,
    one per item, None for a new one) `user` may not write; one query for the whole list."""
    if account_writes_all(user):
        return
    by_index = {index: a.pk for index, a in enumerate(accounts) if isinstance(a, Account)}
    if not by_index:
        return
    writable = accounts_writable(user, Account.objects.filter(pk__in=set(by_index.values())))
    allowed = set(writable.values_list("pk", flat=True))
    denied = [index for index, pk in by_index.items() if pk not in allowed]
    if denied:
        raise ItemsForbidden(
            [{"index": i, "field": field, "reason": _("not in your book")} for i in denied],
            _("%(count)d item(s) are on accounts outside your book; nothing was written.") % {"count": len(denied)},
        )


def _flatten(errors, prefix: str | None = None) -> list[tuple[str | None, str]]:
    """DRF's nested error structure -> [(field path, reason)]."""
    if isinstance(errors, dict):
        out = []
        for name, value in errors.items():
            name = None if name == "non_field_errors" else name
            path = ".".join(p for p in (prefix, name) if p) or None
            out += _flatten(value, path)
        return out
    if isinstance(errors, list):
        if all(not isinstance(e, dict | list) for e in errors):
            return [(prefix, str(e)) for e in errors]
        out = []
        for i, value in enumerate(errors):
            out += _flatten(value, f"{prefix}.{i}" if prefix else str(i))
        return out
    return [(prefix, str(errors))]


def items_errors(errors, many: bool) -> list[dict]:
    """Serializer errors -> [{"index", "field", "reason"}] (index only for lists)."""
    if many and isinstance(errors, list):
        pairs = list(enumerate(errors))
    elif many and isinstance(errors, dict) and errors and all(isinstance(k, int) for k in errors):
        pairs = sorted(errors.items())
    else:
        return [{"field": field, "reason": reason} for field, reason in _flatten(errors)]
    return [
        {"index": index, "field": field, "reason": reason}
        for index, item in pairs
        if item
        for field, reason in _flatten(item)
    ]


def duplicate_errors(items: list, key: str | None) -> list[dict]:
    """The same external id twice in one list: the later ones are refused."""
    if not key:
        return []
    seen: dict = {}
    errors = []
    for index, item in enumerate(items):
        value = item.get(key) if isinstance(item, dict) else None
        if isinstance(value, str) and value:
            if value in seen:
                errors.append(
                    {
                        "index": index,
                        "field": key,
                        "reason": _("Same %(field)s as item %(index)s in this list.")
                        % {"field": key, "index": seen[value]},
                    }
                )
            seen.setdefault(value, index)
    return errors


WRITE_ATTEMPTS = 3


def conflict_error(exc: IntegrityError) -> ItemsInvalid:
    """A constraint refused the write: a 400 naming the constraint, never the database's text."""
    constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
    reason = _("conflicts with a database constraint")
    if constraint:
        reason = f"{reason} ({constraint})"
    return ItemsInvalid([{"field": None, "reason": reason}], message=_("Refused: %(reason)s.") % {"reason": reason})


ITEMS_DESCRIPTION = (
    "One object, or a JSON array of up to 10,000. All or nothing: if any item is invalid the "
    "answer is 400 listing each bad item's index, field and reason, and nothing is written. "
    "An object whose external id already exists updates that record (upsert)."
)
ERROR_RESPONSE = OpenApiResponse(serializers.ErrorSerializer, description="Invalid items; nothing written.")


class BodyLimitMixin:
    """DRF parsers read the stream, not request.body, so Django's upload limit does not apply:
    refuse a declared body over DATA_UPLOAD_MAX_MEMORY_SIZE before reading it (413)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit and length > limit:
            raise BodyError(
                _("Request body is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}, "too_large", 413
            )


class ImportViewSet(BodyLimitMixin, viewsets.ModelViewSet):
    """Shared behaviour: list with filters and cursor pages, and POST of one object or a list.

    Which accounts the caller reads and writes is accounts.access's answer: lists and single
    records are narrowed to the readable accounts; a write to a record on an account outside the
    caller's book is 403 (`account_field` names the record's account: "" for the account itself,
    None for records on no account)."""

    throttle_classes = [KeyRateThrottle]
    permission_classes = [ScopedPermission, AccountWritePermission]
    upsert = None  # records.<entity>_upsert
    ref_models = {"account": Account, "parent": Account, "contact": Contact}
    account_field: str | None = "account"

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.account_field is None or not account_reads_restricted(self.request.user):
            return queryset
        if self.account_field == "":
            return accounts_readable(self.request.user, queryset)
        readable = accounts_readable(self.request.user, Account.objects.all())
        return queryset.filter(**{f"{self.account_field}__in": readable.values("pk")})

    def _check_writable(self, items: list[dict]) -> None:
        if self.account_field is None or account_writes_all(self.request.user):
            return
        if self.account_field == "":
            accounts = [self._refs_existing.get(item.get("external_id")) for item in items]
        else:
            accounts = [item.get(self.account_field) for item in items]
        items_write_check(self.request.user, accounts, field=self.account_field or "external_id")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["refs"] = getattr(self, "_refs", None) or {}
        return context

    def _load_refs(self, items: list) -> None:
        """Every account / contact the items name, in one query per model (no N+1)."""
        fields = self.get_serializer_class()().fields
        wanted: dict = {}
        for name, model in self.ref_models.items():
            if name in fields and not fields[name].read_only:
                values = {i.get(name) for i in items if isinstance(i, dict) and isinstance(i.get(name), str)}
                wanted.setdefault(model, set()).update(values)
        refs: dict = {}
        for model, values in wanted.items():
            refs[model] = lookup_by(model.objects.all(), "external_id", sorted(values))
        self._refs = refs

    def _write(self, items: list[dict]):
        if self.account_field == "" or self.queryset.model is Contact:  # changes logged with the caller
            return self.upsert(items=items, author=_author(self.request), source="api")
        return self.upsert(items=items)

    def create(self, request, *args, **kwargs):
        data = request.data
        many = isinstance(data, list)
        if many and len(data) > MAX_ITEMS:
            raise ItemsInvalid(
                [],
                message=_("At most %(max)s items per request (%(sent)s sent).") % {"max": MAX_ITEMS, "sent": len(data)},
            )
        if many and not data:
            raise ItemsInvalid([], message=_("The list is empty."))
        self._load_refs(data if many else [data])
        serializer = self.get_serializer(data=data, many=many)
        valid = serializer.is_valid()
        errors = [] if valid else items_errors(serializer.errors, many)
        if many:
            errors += duplicate_errors(data, getattr(serializer.child.Meta.list_serializer_class, "unique_key", None))
        if errors:
            errors.sort(key=lambda e: e.get("index", 0))
            raise ItemsInvalid(errors)
        items = serializer.validated_data if many else [serializer.validated_data]
        self._refs_existing = {}
        if self.account_field == "" and not account_writes_all(request.user):
            wanted_ids = [i.get("external_id") for i in items if i.get("external_id")]
            self._refs_existing = lookup_by(Account.objects.all(), "external_id", wanted_ids)
        self._check_writable(list(items))
        result = self._write_retrying(list(items))
        output = self.get_serializer(result.objects, many=True).data
        if many:
            return Response({**result.as_dict(), "results": output}, status=status.HTTP_200_OK)
        return Response(output[0], status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        if not isinstance(request.data, dict):
            raise ItemsInvalid([{"field": None, "reason": _("Send one JSON object.")}])
        self._load_refs([request.data])
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        if not serializer.is_valid():
            raise ItemsInvalid(items_errors(serializer.errors, False))
        values = dict(serializer.validated_data)
        self._check_unique(instance, values)
        try:
            with transaction.atomic():
                if isinstance(values.get("parent"), str):
                    values["parent"] = Account.objects.filter(external_id=values["parent"]).first()
                    if values["parent"] is None:
                        raise ValueError("parent: unknown account")
                instance = records.record_update(
                    instance=instance, values=values, author=_author(request), source="api"
                )
        except ValueError as exc:
            raise ItemsInvalid(
                [{"field": None, "reason": str(exc)}], message=_("Refused: %(reason)s.") % {"reason": exc}
            ) from exc
        except IntegrityError as exc:
            raise conflict_error(exc) from exc
        except ObjectNotUpdated as exc:  # another request deleted it between our read and our write
            raise NotFound(_("No such record: it was deleted meanwhile.")) from exc
        return Response(self.get_serializer(instance).data)

    def _write_retrying(self, items: list[dict]):
        """Write in a savepoint; when another request created one of the same external ids
        between our read and our INSERT (a unique-key IntegrityError), read again and retry:
        those items now update the record the other request made (docs/api.md "Concurrent
        writes"). A constraint that still refuses after the retries is a 400 naming it."""
        for attempt in range(WRITE_ATTEMPTS):
            try:
                with transaction.atomic():
                    return self._write(items)
            except ValueError as exc:
                raise ItemsInvalid(
                    [{"field": None, "reason": str(exc)}], message=_("Refused: %(reason)s.") % {"reason": exc}
                ) from exc
            except IntegrityError as exc:
                if attempt == WRITE_ATTEMPTS - 1:
                    raise conflict_error(exc) from exc
        raise AssertionError("unreachable")

    def _check_unique(self, instance, values: dict) -> None:
        ext = values.get("external_id")
        if ext and ext != getattr(instance, "external_id", None):
            if type(instance).objects.filter(external_id=ext).exclude(pk=instance.pk).exists():
                raise ItemsInvalid(
                    [{"field": "external_id", "reason": _("'%(value)s' is used by another record.") % {"value": ext}}]
                )


def _import_schema(serializer_class, name: str):
    return extend_schema_view(
        list=extend_schema(summary=f"List {name}"),
        retrieve=extend_schema(summary=f"Get one of the {name}"),
        create=extend_schema(
            summary=f"Create or update {name} (one or a list)",
            description=ITEMS_DESCRIPTION,
            request={"application/json": serializer_class},
            responses={
                200: OpenApiResponse(
                    PolymorphicProxySerializer(
                        component_name=f"{serializer_class.Meta.model.__name__}BulkOrUpdate",
                        serializers=[serializers.BulkResultSerializer, serializer_class],
                        resource_type_field_name=None,
                    ),
                    description="A list was posted (counts and results), or one object updated an existing record.",
                ),
                201: serializer_class,
                400: ERROR_RESPONSE,
            },
        ),
        update=extend_schema(responses={200: serializer_class, 400: ERROR_RESPONSE}),
        partial_update=extend_schema(responses={200: serializer_class, 400: ERROR_RESPONSE}),
    )


# Section: accounts and contacts


@_import_schema(serializers.AccountSerializer, "accounts")
class AccountViewSet(ImportViewSet):
    queryset = Account.objects.select_related("parent", "owner").order_by("-id")
    serializer_class = serializers.AccountSerializer
    filterset_class = filters.AccountFilter
    lookup_field = "external_id"
    lookup_value_regex = "[^/]+"
    upsert = staticmethod(records.accounts_upsert)
    account_field = ""

    def perform_destroy(self, instance):
        records.account_delete(account=instance)


@_import_schema(serializers.ContactSerializer, "contacts")
class ContactViewSet(ImportViewSet):
    queryset = Contact.objects.select_related("account").order_by("-id")
    serializer_class = serializers.ContactSerializer
    filterset_class = filters.ContactFilter
    lookup_field = "external_id"
    lookup_value_regex = "[^/]+"
    upsert = staticmethod(records.contacts_upsert)

    def perform_destroy(self, instance):
        records.contact_delete(contact=instance)


# Section: revenue, support, costs


@_import_schema(serializers.SubscriptionSerializer, "subscriptions")
class SubscriptionViewSet(ImportViewSet):
    queryset = Subscription.objects.select_related("account").order_by("-id")
    serializer_class = serializers.SubscriptionSerializer
    filterset_class = filters.SubscriptionFilter
    upsert = staticmethod(records.subscriptions_upsert)

    def perform_destroy(self, instance):
        records.subscription_delete(subscription=instance)


@_import_schema(serializers.TicketSerializer, "support tickets")
class TicketViewSet(ImportViewSet):
    queryset = SupportTicket.objects.select_related("account", "contact").order_by("-id")
    serializer_class = serializers.TicketSerializer
    filterset_class = filters.TicketFilter
    lookup_field = "external_id"
    lookup_value_regex = "[^/]+"
    upsert = staticmethod(records.tickets_upsert)

    def perform_destroy(self, instance):
        records.ticket_delete(ticket=instance)


@_import_schema(serializers.CostEntrySerializer, "cost entries")
class CostEntryViewSet(ImportViewSet):
    """Cost entries (CRC, CS ROI): managers and write keys."""

    queryset = CostEntry.objects.order_by("-id")
    serializer_class = serializers.CostEntrySerializer
    filterset_class = filters.CostEntryFilter
    write_role = Role.MANAGER
    upsert = staticmethod(records.costs_upsert)
    account_field = None


@_import_schema(serializers.ActivitySerializer, "timeline activities")
class ActivityViewSet(ImportViewSet):
    """The timeline. Each posted activity goes through accounts.services.activity_create (which
    also moves the account's last touch); activities have no external id, so no upsert."""

    queryset = Activity.objects.select_related("account", "contact", "author").order_by("-id")
    serializer_class = serializers.ActivitySerializer
    filterset_class = filters.ActivityFilter

    def _write(self, items):
        author = self.request.user if getattr(self.request.user, "pk", None) else None
        created = [activity_create(author=author, **item) for item in items]
        return records.UpsertResult(objects=created, created=len(created), new=created)


__all__ = [
    "AccountViewSet",
    "ActivityViewSet",
    "ContactViewSet",
    "CostEntryViewSet",
    "SubscriptionViewSet",
    "TicketViewSet",
]
