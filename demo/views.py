"""A pretend customer product that embeds the widget, to see it as a customer meets it. Served
by the same server but opened on another origin (http://localhost:8000 while the app is
http://127.0.0.1:8000), so the widget's calls are real cross-origin calls. It plays the host's
server too: it signs the user id with the demo workspace's secret, as a real host would.

A development page: it answers only with DEBUG on (404 otherwise, whatever the database
holds), and it signs only the external id of a contact the database holds, never an id the
query string makes up (a signed id is a valid widget identity for that user).
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from accounts.models import Contact
from surveys.choices import LANGUAGES
from surveys.models import SurveyWorkspace

DEMO_WORKSPACE = "Acme Analytics (demo host)"


@login_not_required
def demo_host(request):
    if not settings.DEBUG:
        raise Http404
    workspace = SurveyWorkspace.objects.filter(name=DEMO_WORKSPACE).first()
    if workspace is None:
        raise Http404("Run seed_demo first: it creates the demo workspace and survey.")
    contacts = Contact.objects.filter(account__isnull=False).exclude(external_id="").order_by("id")
    wanted = request.GET.get("user")
    contact = (contacts.filter(external_id=wanted) if wanted else contacts).select_related("account").first()
    if wanted and contact is None:
        raise Http404("No contact has that external id: the demo host signs only its contacts' ids.")
    user_id = contact.external_id if contact else ""
    language = request.GET.get("lang") or (contact.language if contact else "en")
    app_url = settings.SITE_URL
    return render(
        request,
        "demo/demo_host.html",
        {
            "workspace": workspace,
            "contact": contact,
            "user_id": user_id,
            "user_hash": workspace.user_hash(user_id) if user_id else "",
            "language": language if language in LANGUAGES else "en",
            "widget_src": app_url + reverse("widget:script"),
            "app_url": app_url,
            "others": contacts.select_related("account")[:8],
        },
    )
