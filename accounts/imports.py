"""CSV import of accounts, contacts and subscriptions (the /import/ pages).

1. `import_job_create` stores the upload (UTF-8, BOM tolerated) and guesses the column mapping
   from the header (field names and common aliases, any case).
2. `import_job_validate` checks every row with the REST API's own serializers (same rules, same
   messages) and records the report: how many rows would be created, updated or left unchanged,
   and each bad row's line, field and reason. Nothing is written.
   Two modes (`ImportJob.mode`): all or nothing (the default: one bad row and nothing is
   imported) or "import the valid rows, report the rest" (bad rows are skipped, listed and
   downloadable; accounts.import_rows reads labels, owners and writes the errors).
3. `import_job_run` (Celery: `import_job_run_task`) writes the rows in chunks of CHUNK through
   accounts.records, the same upserts as the API, and counts progress for the progress bar.
   Upserts by external id (subscriptions without one: account + plan + start date) make a
   re-import of the same file change nothing, and make a re-run after a crash safe.
"""

import csv
import hashlib
import io
from collections.abc import Iterator

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import chunked

from . import records
from .api.serializers import AccountSerializer, ContactSerializer, SubscriptionSerializer
from .custom_fields.definitions import custom_field_definitions
from .import_rows import book_errors, duplicate_errors, error_make, items_normalise, parent_errors, reason_plain
from .models import Account, Contact, ImportJob, Subscription

__all__ = [
    "CHUNK",
    "IMPORT_KINDS",
    "ImportFileError",
    "import_job_content",
    "import_job_create",
    "import_job_map",
    "import_job_previous_done",
    "import_job_preview",
    "import_job_queue",
    "import_job_run",
    "import_fields",
    "import_job_validate",
    "import_jobs_recent",
]

CHUNK = 500
MAX_BYTES = 10 * 1024 * 1024
PREVIEW_ROWS = 8
MAX_ERRORS = 500  # shown on the page
MAX_STORED_ERRORS = 20000  # kept on the job (the rejected-rows download)


class ImportFileError(ValueError):
    pass


class Kind:
    def __init__(self, serializer, upsert, model, fields, required, aliases):
        self.serializer = serializer
        self.upsert = upsert
        self.model = model
        self.fields = fields
        self.required = required
        self.aliases = aliases


IMPORT_KINDS: dict[str, Kind] = {
    ImportJob.Kind.ACCOUNTS: Kind(
        AccountSerializer,
        records.accounts_upsert,
        Account,
        [
            "external_id",
            "name",
            "domain",
            "industry",
            "tier",
            "segment",
            "lifecycle_stage",
            "parent",
            "owner",
            "currency",
            "stripe_customer_id",
            "created_at",
        ],
        ["external_id", "name"],
        {
            "external_id": ["id", "account_id", "account id", "company id"],
            "name": ["company", "account", "account name"],
            "domain": ["website", "url"],
            "parent": ["parent_id", "parent account"],
            "owner": ["csm", "owner username"],
        },
    ),
    ImportJob.Kind.CONTACTS: Kind(
        ContactSerializer,
        records.contacts_upsert,
        Contact,
        ["external_id", "account", "email", "name", "title", "language", "timezone", "last_seen_at", "created_at"],
        ["external_id", "account"],
        {
            "external_id": ["id", "user_id", "user id", "contact id"],
            "account": ["account_id", "account id", "company id"],
            "email": ["e-mail", "email address"],
            "name": ["full name", "full_name"],
        },
    ),
    ImportJob.Kind.SUBSCRIPTIONS: Kind(
        SubscriptionSerializer,
        records.subscriptions_upsert,
        Subscription,
        [
            "external_id",
            "account",
            "plan",
            "mrr",
            "currency",
            "seats",
            "start_date",
            "end_date",
            "is_trial",
            "canceled_at",
        ],
        ["account", "plan", "mrr", "start_date"],
        {
            "external_id": ["id", "subscription_id", "subscription id"],
            "account": ["account_id", "account id"],
            "start_date": ["start", "starts", "start date"],
            "end_date": ["end", "ends", "end date"],
            "is_trial": ["trial"],
            "mrr": ["monthly revenue", "amount"],
        },
    ),
}


# Section: custom fields (a column may feed `custom_fields.<key>`)

CUSTOM_PREFIX = "custom_fields."
CUSTOM_ENTITY = {ImportJob.Kind.ACCOUNTS: "account", ImportJob.Kind.CONTACTS: "contact"}


def _custom_definitions(kind_name: str) -> list:
    entity = CUSTOM_ENTITY.get(kind_name)
    return custom_field_definitions(entity=entity) if entity else []


def import_fields(kind_name: str) -> list[str]:
    """The fields a column may be mapped to: the kind's own, then `custom_fields.<key>` for each
    live custom field of accounts or contacts."""
    return IMPORT_KINDS[kind_name].fields + [f"{CUSTOM_PREFIX}{d.key}" for d in _custom_definitions(kind_name)]


def _cell(item: dict, name: str):
    if name.startswith(CUSTOM_PREFIX):
        return item.get("custom_fields", {}).get(name[len(CUSTOM_PREFIX) :], "")
    return item.get(name, "")


# Section: reading the file


def _decode(content: bytes) -> str:
    if len(content) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("The file is not UTF-8 text. Export it as “CSV UTF-8”.")) from exc


def _reader(text: str) -> Iterator[list[str]]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.reader(io.StringIO(text), dialect)


def _header_and_rows(job: ImportJob) -> tuple[list[str], list[list[str]]]:
    rows = [r for r in _reader(job.content) if any(cell.strip() for cell in r)]
    if not rows:
        return [], []
    return [h.strip() for h in rows[0]], rows[1:]


def import_job_content(*, job: ImportJob) -> tuple[list[str], list[list[str]]]:
    """The file's header and rows (blank lines left out), as the rows are numbered in errors."""
    return _header_and_rows(job)


def _guess_mapping(kind_name: str, header: list[str]) -> dict[str, str]:
    kind = IMPORT_KINDS[kind_name]
    lowered = {h.lower().strip(): h for h in header}
    mapping = {}
    aliases = dict(kind.aliases)
    for definition in _custom_definitions(kind_name):
        aliases[f"{CUSTOM_PREFIX}{definition.key}"] = [definition.key, *definition.labels.values()]
    for name in import_fields(kind_name):
        plain = name.removeprefix(CUSTOM_PREFIX)
        for candidate in [name, plain.replace("_", " "), *aliases.get(name, [])]:
            if candidate.lower() in lowered:
                mapping[name] = lowered[candidate.lower()]
                break
    return mapping


@transaction.atomic
def import_job_create(
    *, kind: str, file_name: str, content: bytes, created_by=None, mode: str = ImportJob.Mode.ALL_OR_NOTHING
) -> ImportJob:
    if kind not in IMPORT_KINDS:
        raise ImportFileError(_("Choose what the file holds: %(kinds)s.") % {"kinds": ", ".join(IMPORT_KINDS)})
    text = _decode(content)
    job = ImportJob(
        kind=kind,
        file_name=file_name[:255],
        file_sha256=hashlib.sha256(content).hexdigest(),
        content=text,
        created_by=created_by,
        mode=mode if mode in ImportJob.Mode.values else ImportJob.Mode.ALL_OR_NOTHING,
    )
    header, rows = _header_and_rows(job)
    if not header:
        raise ImportFileError(_("The file is empty."))
    if not rows:
        raise ImportFileError(_("The file has a header but no rows."))
    if len(set(header)) != len(header):
        raise ImportFileError(_("Two columns have the same name in the header."))
    job.total_rows = len(rows)
    job.mapping = _guess_mapping(kind, header)
    job.save()
    return job


# Section: mapping and validation


def _items(job: ImportJob, rows: list[list[str]], header: list[str]) -> list[dict]:
    """Rows as API-shaped dicts: mapped columns only, empty cells left out (not provided)."""
    index = {name: i for i, name in enumerate(header)}
    items = []
    for line, row in enumerate(rows, start=2):
        item = {"_line": line}
        for field_name, column in job.mapping.items():
            position = index.get(column)
            if position is None or position >= len(row):
                continue
            value = row[position].strip()
            if value == "":
                continue
            if field_name.startswith(CUSTOM_PREFIX):
                item.setdefault("custom_fields", {})[field_name[len(CUSTOM_PREFIX) :]] = value
                item.setdefault("_raw", {})[field_name] = value
            else:
                item[field_name] = value
        items.append(item)
    return items


def import_job_preview(*, job: ImportJob) -> dict:
    """What the mapping page shows: the header, each field with its column, and the first rows
    as they would be read (a table aligned with `fields`)."""
    header, rows = _header_and_rows(job)
    kind = IMPORT_KINDS[job.kind]
    items = _items(job, rows[:PREVIEW_ROWS], header)
    fields = import_fields(job.kind)
    mapped = [f for f in fields if f in job.mapping]
    return {
        "header": header,
        "fields": [(f, f in kind.required, job.mapping.get(f, "")) for f in fields],
        "mapped": mapped,
        "rows": [[(item["_line"], "")] + [(_cell(item, f), f) for f in mapped] for item in items],
        "missing_required": [f for f in kind.required if f not in job.mapping],
    }


def _refs(items: list[dict]) -> dict:
    refs: dict = {}
    for name, model in (("account", Account), ("parent", Account), ("contact", Contact)):
        values = sorted({i[name] for i in items if isinstance(i.get(name), str)})
        found = refs.setdefault(model, {})
        for start in range(0, len(values), 900):
            found.update({o.external_id: o for o in model.objects.filter(external_id__in=values[start : start + 900])})
    return refs


def _validate(
    kind: Kind, items: list[dict], known_parents: set[str], mapping: dict, *, partial: bool = False, user=None
) -> tuple[list, list[dict]]:
    """Validated values and errors [{"row": CSV line, "field", "column", "value", "reason"}].

    All or nothing (default): values only when no row has an error. `partial`: the values of
    the rows without errors (and without a parent on a row in error), and the others' errors."""
    from .api.views import items_errors

    items = [dict(item) for item in items]  # normalising writes codes and usernames into them
    errors = items_normalise(model=kind.model, fields=kind.fields, items=items, mapping=mapping)
    serializer = kind.serializer(data=items, many=True, context={"refs": _refs(items)})
    if not serializer.is_valid():
        for e in items_errors(serializer.errors, True):
            item = items[e["index"]]
            value = item.get("_raw", {}).get(e["field"], item.get(e["field"], ""))
            value = value if isinstance(value, str) else ""
            reason = reason_plain(field=e["field"], reason=e["reason"], value=value)
            errors.append(
                {
                    "index": e["index"],
                    **error_make(row=None, field=e["field"], reason=reason, mapping=mapping, item=item),
                }
            )
    errors += duplicate_errors(items, mapping)
    errors += book_errors(model=kind.model, items=items, mapping=mapping, user=user)  # accounts.access
    if kind.model is Account:
        errors += parent_errors(items, known_parents, mapping, bad={e["index"] for e in errors} if partial else None)
    for e in errors:
        e["row"] = items[e.pop("index", 0)]["_line"]
    if not errors:
        return serializer.validated_data, []
    if not partial:
        return [], errors
    bad_lines = {e["row"] for e in errors}
    good = [item for item in items if item["_line"] not in bad_lines]
    if not good:
        return [], errors
    serializer = kind.serializer(data=good, many=True, context={"refs": _refs(good)})
    serializer.is_valid(raise_exception=True)  # the rows left passed once already
    return serializer.validated_data, errors


def _known_parents(items: list[dict]) -> set[str]:
    parents = {i["parent"] for i in items if i.get("parent")}
    in_file = {i.get("external_id") for i in items}
    known = parents & in_file
    for part in chunked(sorted(parents - known)):
        known.update(Account.objects.filter(external_id__in=list(part)).values_list("external_id", flat=True))
    return known


def import_jobs_recent(*, limit: int = 30):
    """The import list: the latest jobs with who started them (without their file)."""
    return ImportJob.objects.select_related("created_by").defer("content")[:limit]


def import_job_previous_done(*, job: ImportJob) -> ImportJob | None:
    """An earlier import of the same file and kind that ran (the page warns of a re-import)."""
    return (
        ImportJob.objects.filter(file_sha256=job.file_sha256, kind=job.kind, status=ImportJob.Status.DONE)
        .exclude(pk=job.pk)
        .only("id", "finished_at")
        .first()
    )


def import_job_map(*, job: ImportJob, columns: dict[str, str], mode: str | None = None) -> ImportJob:
    """Set which CSV column feeds each field (`columns`: field -> column; a field missing, or
    a column not in the file, is not imported) and the mode, from the mapping step. The job goes
    back to UPLOADED: its earlier report no longer holds. Refuses a job that has run."""
    if job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING, ImportJob.Status.DONE):
        raise ValueError(_("This import has already run. Upload the file again to import it again."))
    header = import_job_preview(job=job)["header"]
    job.mapping = {name: columns[name] for name in import_fields(job.kind) if columns.get(name) in header}
    if mode in ImportJob.Mode.values:
        job.mode = mode
    job.status = ImportJob.Status.UPLOADED
    job.errors = []
    job.save(update_fields=["mapping", "mode", "status", "errors"])
    return job


def import_job_validate(*, job: ImportJob) -> ImportJob:
    """Check every row; record the report. Writes nothing but the job itself.

    All or nothing: VALIDATED only when every row is valid. Valid-rows mode: VALIDATED when
    at least one row is, with the others' errors kept on the job (they will be skipped)."""
    kind = IMPORT_KINDS[job.kind]
    header, rows = _header_and_rows(job)
    items = _items(job, rows, header)
    missing = [f for f in kind.required if f not in job.mapping]
    errors: list[dict] = [
        {"row": None, "field": f, "column": "", "value": "", "reason": _("No column is mapped to it.")} for f in missing
    ]
    partial = job.mode == ImportJob.Mode.VALID_ROWS
    created = updated = unchanged = skipped = 0
    values: list = []
    if not missing:
        known = _known_parents(items) if kind.model is Account else set()
        values, errors = _validate(kind, items, known, job.mapping, partial=partial, user=job.created_by)
        if values:
            counts = _dry_run(kind, values)
            created, updated, unchanged = counts["created"], counts["updated"], counts["unchanged"]
        skipped = len({e["row"] for e in errors if e["row"]})
    errors.sort(key=lambda e: e["row"] or 0)
    job.errors = errors[:MAX_STORED_ERRORS]
    job.status = ImportJob.Status.VALIDATED if values else ImportJob.Status.INVALID
    job.created_count, job.updated_count, job.unchanged_count = created, updated, unchanged
    job.skipped_count = skipped
    job.total_rows = len(rows)
    job.save(
        update_fields=[
            "errors",
            "status",
            "created_count",
            "updated_count",
            "unchanged_count",
            "skipped_count",
            "total_rows",
        ]
    )
    return job


def _dry_run(kind: Kind, values: list) -> dict[str, int]:
    """Run the upsert inside a transaction that is always rolled back: exact counts, no writes,
    no signals or webhooks leaking out (on_commit callbacks are dropped with the rollback)."""

    class Rollback(Exception):
        pass

    counts: dict[str, int] = {}
    try:
        with transaction.atomic():
            counts = kind.upsert(items=values).as_dict()
            raise Rollback
    except Rollback:
        pass
    return counts


# Section: running


def _parents_first(items: list[dict]) -> list[dict]:
    """Order accounts so that a parent from the file is written in an earlier (or the same)
    chunk than its children: by depth in the file's own hierarchy."""
    parent_of = {i.get("external_id"): i.get("parent") for i in items}
    depth: dict = {}

    def depth_of(ext, seen=()):
        if ext in depth:
            return depth[ext]
        parent = parent_of.get(ext)
        value = 0 if parent not in parent_of or parent in seen else depth_of(parent, (*seen, ext)) + 1
        depth[ext] = value
        return value

    return sorted(items, key=lambda i: depth_of(i.get("external_id")))


def import_job_queue(*, job: ImportJob) -> ImportJob:
    """Start the import of a validated job (after commit; inline in the embedded mode)."""
    from .tasks import import_job_run_task

    if job.status != ImportJob.Status.VALIDATED:
        raise ValueError(_("Only a checked import without errors can start."))
    job.status = ImportJob.Status.QUEUED
    job.processed_rows = job.created_count = job.updated_count = job.unchanged_count = job.skipped_count = 0
    job.save(
        update_fields=["status", "processed_rows", "created_count", "updated_count", "unchanged_count", "skipped_count"]
    )
    transaction.on_commit(lambda: import_job_run_task.delay(job.pk))
    return job


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Write the rows chunk by chunk. Safe to call twice: a done job is left alone, and every
    chunk is an upsert."""
    claimed = ImportJob.objects.filter(
        pk=job_id, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
    ).update(status=ImportJob.Status.RUNNING)
    if not claimed:
        return None
    job = ImportJob.objects.get(pk=job_id)
    kind = IMPORT_KINDS[job.kind]
    header, rows = _header_and_rows(job)
    items = _items(job, rows, header)
    known_parents = set()
    if kind.model is Account:
        known_parents = _known_parents(items)
        items = _parents_first(items)
    partial = job.mode == ImportJob.Mode.VALID_ROWS
    skipped_errors: list[dict] = []
    if partial:
        # The same rows as the check skipped (and any the data changed since): left out first,
        # so a parent on a skipped row never leaves a child half-linked.
        _values, skipped_errors = _validate(kind, items, known_parents, job.mapping, partial=True, user=job.created_by)
        bad_lines = {e["row"] for e in skipped_errors}
        items = [item for item in items if item["_line"] not in bad_lines]
    skipped = len({e["row"] for e in skipped_errors if e["row"]})
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        values, errors = _validate(kind, chunk, known_parents, job.mapping, partial=partial, user=job.created_by)
        if errors and not partial:
            job.status = ImportJob.Status.FAILED
            job.errors = errors[:MAX_STORED_ERRORS]
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "errors", "finished_at"])
            return job
        if errors:  # rows that went bad since the first pass (e.g. a referenced account deleted)
            skipped_errors += errors
            skipped += len({e["row"] for e in errors if e["row"]})
        if values:
            with transaction.atomic():
                if kind.model in (Account, Contact):  # their changes go on the timeline (accounts.changelog)
                    result = kind.upsert(items=values, author=job.created_by, source="import")
                else:
                    result = kind.upsert(items=values)
            for name, value in result.as_dict().items():
                counts[name] += value
        ImportJob.objects.filter(pk=job.pk).update(
            processed_rows=min(skipped + start + CHUNK, job.total_rows),
            created_count=counts["created"],
            updated_count=counts["updated"],
            unchanged_count=counts["unchanged"],
            skipped_count=skipped,
        )
    if partial:
        skipped_errors.sort(key=lambda e: e["row"] or 0)
        ImportJob.objects.filter(pk=job.pk).update(
            errors=skipped_errors[:MAX_STORED_ERRORS], skipped_count=skipped, processed_rows=job.total_rows
        )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE, finished_at=timezone.now())
    job.refresh_from_db()
    return job
