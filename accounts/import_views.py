"""CSV import pages (/import/): upload, map columns with a preview, validate, import with a
progress bar. The work is in accounts.imports; CSMs and above."""

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
    import_job_content,
    import_job_create,
    import_job_preview,
    import_job_queue,
    import_job_validate,
)
from .models import ImportJob

RUNNING = (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(choices=ImportJob.Kind.choices, label="The file holds")
    file = forms.FileField(label="CSV file", help_text="UTF-8, first line = column names. Up to 10 MB.")
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
        jobs = ImportJob.objects.select_related("created_by").defer("content")[:30]
        fields = {kind: (spec.fields, spec.required) for kind, spec in IMPORT_KINDS.items()}
        return render(request, self.template_name, {"form": form, "jobs": jobs, "fields": fields}, status=status)

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


class ImportDetailView(RoleRequiredMixin, View):
    """One import: mapping + preview, then the validation report, then the progress bar."""

    view_role = Role.CSM
    edit_role = Role.CSM
    template_name = "accounts/import_detail.html"

    def context(self, job):
        previous = (
            ImportJob.objects.filter(file_sha256=job.file_sha256, kind=job.kind, status=ImportJob.Status.DONE)
            .exclude(pk=job.pk)
            .only("id", "finished_at")
            .first()
        )
        return {
            "job": job,
            "preview": import_job_preview(job=job),
            "previous": previous,
            "running": job.status in RUNNING,
            "modes": ImportJob.Mode.choices,
            "errors_shown": job.errors[:MAX_ERRORS],
        }

    def get(self, request, pk: int):
        job = get_object_or_404(ImportJob, pk=pk)
        if htmx_partial(request):
            return render(
                request, "accounts/partials/import_progress.html", {"job": job, "running": job.status in RUNNING}
            )
        return render(request, self.template_name, self.context(job))

    def post(self, request, pk: int):
        job = get_object_or_404(ImportJob, pk=pk)
        action = request.POST.get("action", "validate")
        if job.status in RUNNING or job.status == ImportJob.Status.DONE:
            messages.warning(request, "This import has already run. Upload the file again to import it again.")
            return redirect("accounts:import_detail", pk=job.pk)
        if action in ("preview", "validate"):
            header = import_job_preview(job=job)["header"]
            spec = IMPORT_KINDS[job.kind]
            job.mapping = {
                name: request.POST[f"map_{name}"] for name in spec.fields if request.POST.get(f"map_{name}") in header
            }
            if request.POST.get("mode") in ImportJob.Mode.values:
                job.mode = request.POST["mode"]
            job.status = ImportJob.Status.UPLOADED
            job.errors = []
            job.save(update_fields=["mapping", "mode", "status", "errors"])
            if action == "preview":
                context = {**self.context(job), "oob_clear": True}
                return render(request, "accounts/partials/import_preview.html", context)
            import_job_validate(job=job)
            return redirect("accounts:import_detail", pk=job.pk)
        if action == "import":
            try:
                import_job_queue(job=job)
            except ValueError as exc:
                messages.error(request, str(exc))
            return redirect("accounts:import_detail", pk=job.pk)
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
