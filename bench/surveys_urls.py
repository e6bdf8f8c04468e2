"""The product's URLs plus the baseline of bench_surveys: a minimal view that does one INSERT,
served by the same gunicorn as the product endpoint (lives here, not in the product)."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from csplatform.urls import urlpatterns as product_urlpatterns

BASELINE_TABLE = "bench_surveys_baseline"


@csrf_exempt
@login_not_required
def insert_one(request):
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {BASELINE_TABLE} (body, created_at) VALUES (%s, now())",
            [request.body[:500].decode(errors="replace")],
        )
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/insert/", insert_one), *product_urlpatterns]
