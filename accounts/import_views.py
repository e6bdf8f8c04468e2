"""CSV import pages (/import/): upload, map columns with a preview, validate, import with a
progress bar. The work is in accounts.imports; CSMs and above. One action per URL: the mapping
step posts to `preview/` (htmx, as a column changes) or `validate/`, the report to `run/`."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.choices import Role
from core.csv_export import csv_response
from core.permissions import RoleRequiredMixin
from core.views import htmx_partial

from .import_rows import rejected_rows
from .imports import (
    IMPORT_KINDS,
    MAX_ERRORS,
    ImportFileError,
    import_fields,
    import_job_content,
    import_job_create,
    import_job_map,
    import_job_preview,
    import_job_previous_done,
    import_job_queue,
    import_job_validate,
    import_jobs_recent,
)
from .models import ImportJob

RUNNING = (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(choices=ImportJob.Kind.choices, label=gettext_lazy("The file holds"))
    file = forms.FileField(
        label=gettext_lazy("CSV file"), help_text=gettext_lazy("UTF-8, first line = column names. Up to 10 MB.")
    )
    mode = forms.ChoiceField(
        choices=ImportJob.Mode.choices,
        initial=ImportJob.Mode.ALL_OR_NOTHING,
        required=False,  # left out: all or nothing
        widget=forms.RadioSelect(attrs={"class": "choice-list"}),
        label=gettext_lazy("Rows with errors"),
        help_text=gettext_lazy("You can change this after the check, before anything is imported."),
    )


class ImportListView(RoleRequiredMixin, View):
    view_role = Role.CSM
    edit_role = Role.CSM
    template_name = "accounts/import_list.html"

    def render_page(self, request, form, status=200):
        fields = {ImportJob.Kind(kind).label: (spec.fields, spec.required) for kind, spec in IMPORT_KINDS.items()}
        context = {"form": form, "jobs": import_jobs_recent(limit=30), "fields": fields}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_page(request, UploadForm())

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = import_job_create(
                    kind=form.cleaned_data["kind"],
                    file_name=upload.name,
                    content=upload.read(),
                    created_by=request.user,
                    mode=form.cleaned_data["mode"] or ImportJob.Mode.ALL_OR_NOTHING,
                )
            except ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                return redirect("accounts:import_detail", pk=job.pk)
        return self.render_page(request, form, status=400)


def import_context(job: ImportJob) -> dict:
    """What the import page and its fragments show of a job."""
    return {
        "job": job,
        "preview": import_job_preview(job=job),
        "previous": import_job_previous_done(job=job),
        "running": job.status in RUNNING,
        "modes": ImportJob.Mode.choices,
        "errors_shown": job.errors[:MAX_ERRORS],
    }


class ImportDetailView(RoleRequiredMixin, View):
    """One import: mapping + preview, then the validation report, then the progress bar (its
    htmx poll gets the progress fragment only)."""

    view_role = Role.CSM
    template_name = "accounts/import_detail.html"

    def get(self, request, pk: int):
        job = get_object_or_404(ImportJob, pk=pk)
        if htmx_partial(request):
            return render(
                request, "accounts/partials/import_progress.html", {"job": job, "running": job.status in RUNNING}
            )
        return render(request, self.template_name, import_context(job))


class ImportStepView(RoleRequiredMixin, View):
    """A POST on one import's mapping step (subclasses: `step(request, job)`). A job that has
    run is left alone: the page says so."""

    http_method_names = ["post"]
    view_role = Role.CSM
    edit_role = Role.CSM

    def post(self, request, pk: int):
        job = get_object_or_404(ImportJob, pk=pk)
        if job.status in RUNNING or job.status == ImportJob.Status.DONE:
            messages.warning(request, _("This import has already run. Upload the file again to import it again."))
            return redirect("accounts:import_detail", pk=job.pk)
        return self.step(request, job)

    def step(self, request, job: ImportJob):
        raise NotImplementedError

    def map_columns(self, request, job: ImportJob) -> ImportJob:
        columns = {name: request.POST.get(f"map_{name}", "") for name in import_fields(job.kind)}
        return import_job_map(job=job, columns=columns, mode=request.POST.get("mode"))


class ImportPreviewView(ImportStepView):
    """A column was mapped (htmx): the preview with the new mapping; the old report goes."""

    def step(self, request, job: ImportJob):
        job = self.map_columns(request, job)
        return render(request, "accounts/partials/import_preview.html", {**import_context(job), "oob_clear": True})


class ImportValidateView(ImportStepView):
    """ "Check all rows": save the mapping, validate every row, show the report."""

    def step(self, request, job: ImportJob):
        import_job_validate(job=self.map_columns(request, job))
        return redirect("accounts:import_detail", pk=job.pk)


class ImportRunView(ImportStepView):
    """ "Import": queue the validated job; the page then shows its progress."""

    def step(self, request, job: ImportJob):
        try:
            import_job_queue(job=job)
        except ValueError as exc:
            messages.error(request, str(exc))
        return redirect("accounts:import_detail", pk=job.pk)


class ImportRejectedView(RoleRequiredMixin, View):
    """The rows an import left out (or would leave out), as in the file, with an "error" column:
    fix them in a spreadsheet and upload that file."""

    view_role = Role.CSM

    def get(self, request, pk: int):
        job = get_object_or_404(ImportJob, pk=pk)
        header, rows = import_job_content(job=job)
        headers, rejected = rejected_rows(header=header, rows=rows, errors=job.errors)
        stem = job.file_name.rsplit(".", 1)[0] or "import"
        return csv_response(filename=_("%(name)s-rejected.csv") % {"name": stem}, headers=headers, rows=rejected)
