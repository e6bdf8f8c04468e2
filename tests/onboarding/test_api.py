"""/api/v1/success/...: maps, plans and checklists (start through the services), TTFV."""

from datetime import UTC, datetime, timedelta

from onboarding.models import AccountChecklist, SuccessPlan
from tests.factories import UsageEventFactory


def test_start_plan_and_checklist_through_the_api(api_write, api_read, published_map, account, tech_template):
    # when
    plan = api_write.post(
        "/api/v1/success/plans/", {"account": account.external_id, "success_map": published_map.pk}, format="json"
    )
    again = api_write.post(
        "/api/v1/success/plans/", {"account": account.external_id, "success_map": published_map.pk}, format="json"
    )
    checklist = api_write.post("/api/v1/success/checklists/", {"account": account.external_id}, format="json")
    # then
    assert plan.status_code == 201, plan.content
    assert plan.json()["current_stage"] == "Set up" and len(plan.json()["goals"]) == 4
    assert again.json()["id"] == plan.json()["id"]
    assert SuccessPlan.objects.count() == 1
    assert checklist.status_code == 201 and len(checklist.json()["items"]) == 3
    listed = api_read.get("/api/v1/success/plans/", {"account": account.external_id}).json()
    assert [p["id"] for p in listed["results"]] == [plan.json()["id"]]
    assert api_read.get("/api/v1/success/checklists/", {"status": "active"}).json()["results"][0]["account"] == (
        account.external_id
    )
    maps = api_read.get("/api/v1/success/maps/").json()["results"]
    assert maps[0]["versions"][0]["stages"][0]["milestones"][0]["event_name"] == "integration_connected"


def test_api_errors_and_scopes(api_write, api_read, published_map, account):
    # unknown account: 400 naming the field
    bad = api_write.post("/api/v1/success/plans/", {"account": "nope", "success_map": published_map.pk}, format="json")
    assert bad.status_code == 400 and "account" in bad.json()
    # no template fits: 400 with the reason, nothing written
    none = api_write.post("/api/v1/success/checklists/", {"account": account.external_id}, format="json")
    assert none.status_code == 400 and "template" in str(none.json()).lower()
    assert AccountChecklist.objects.count() == 0
    # a read key cannot start anything
    denied = api_read.post(
        "/api/v1/success/plans/", {"account": account.external_id, "success_map": published_map.pk}, format="json"
    )
    assert denied.status_code == 403


def test_ttfv_endpoint(api_read, account):
    start = account.subscriptions.get().start_date
    UsageEventFactory(
        account=account,
        event="report_created",
        occurred_at=datetime.combine(start + timedelta(days=4), datetime.min.time(), tzinfo=UTC),
    )
    body = api_read.get("/api/v1/success/ttfv/", {"start": start.isoformat()}).json()
    assert body["overall"] == {"accounts": 1, "reached": 1, "pending": 0, "median_days": 4.0}
    assert body["by_tier"]["standard"]["median_days"] == 4.0
    assert body["accounts"][0]["days"] == 4
    assert api_read.get("/api/v1/success/ttfv/", {"start": "not-a-date"}).status_code == 400
