"""The success plan board (htmx filters, stuck plans, bounded queries) and the TTFV page."""

from django.urls import reverse

from onboarding import services
from tests.factories import AccountFactory, ContactFactory, SubscriptionFactory


def _plans(published_map, n):
    for i in range(n):
        account = AccountFactory(tier="key" if i % 2 else "standard", segment="Mid-market" if i % 3 else "SMB")
        SubscriptionFactory(account=account)
        ContactFactory(account=account)
        services.success_plan_start(account=account, success_map=published_map)


def test_board_filters_and_query_count(
    csm_client, csm_user, published_map, htmx_headers, django_assert_max_num_queries
):
    # given
    _plans(published_map, 4)
    url = reverse("onboarding:board")
    with django_assert_max_num_queries(14):
        page = csm_client.get(url)
    _plans(published_map, 8)
    with django_assert_max_num_queries(14):
        page = csm_client.get(url)
    assert page.status_code == 200 and page.content.decode().count('class="plan-card') == 12
    # when: filtered by tier (htmx: the columns only)
    partial = csm_client.get(url, {"map": published_map.pk, "tier": "key"}, **htmx_headers)
    # then
    html = partial.content.decode()
    assert "<html" not in html and html.count('class="plan-card') == 6
    by_segment = csm_client.get(url, {"segment": "SMB"}, **htmx_headers).content.decode()
    assert by_segment.count('class="plan-card') == 5  # i % 3 == 0: 2 + 3
    by_owner = csm_client.get(url, {"owner": csm_user.pk}, **htmx_headers).content.decode()
    assert by_owner.count('class="plan-card') == 0


def test_board_highlights_stuck_plans(csm_client, published_map, account):
    from datetime import timedelta

    from django.utils import timezone

    from onboarding.models import SuccessPlan

    plan = services.success_plan_start(account=account, success_map=published_map)
    html = csm_client.get(reverse("onboarding:board")).content.decode()
    assert "plan-card stuck" not in html
    SuccessPlan.objects.filter(pk=plan.pk).update(stage_changed_at=timezone.now() - timedelta(days=45))
    html = csm_client.get(reverse("onboarding:board")).content.decode()
    assert "plan-card stuck" in html and "1 stuck" in html


def test_ttfv_page(csm_client, account):
    from onboarding.metrics import ttfv

    assert ttfv().overall.accounts == 1
    page = csm_client.get(reverse("onboarding:ttfv"))
    assert page.status_code == 200 and "Median TTFV" in page.content.decode()
