"""CSV import pages (/import/): upload, map columns with a preview, validate, import with a
progress bar. The work is in accounts.imports; CSMs and above."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from core.choices import Role
from core.permissions import RoleRequiredMixin
from core.views import htmx_partial

from .imports import (
    IMPORT_KINDS,
    ImportFileError,
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
            job.status = ImportJob.Status.UPLOADED
            job.errors = []
            job.save(update_fields=["mapping", "status", "errors"])
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
