"""The renewals and risk pages in Arabic: no English left in their content but the data the test
wrote, the admin's reason codes and the pipeline's stage names (tests/english_left.py)."""

import pytest
from django.urls import reverse

from renewals.models import PipelineStage, ReasonCode
from tests.english_left import english_left, get_in
from tests.factories import AccountFactory


@pytest.fixture
def data(admin_user):
    account = AccountFactory(name="Initech", owner=admin_user)
    return {
        "account": account,
        "data": [
            account.name,
            str(admin_user),
            "SMB",
            "USD",
            *ReasonCode.objects.values_list("label", flat=True),
            *PipelineStage.objects.values_list("name", flat=True),
        ],
    }


PAGES = [
    ("renewals:board", lambda d: []),
    ("renewals:list", lambda d: []),
    ("renewals:create", lambda d: []),
    ("renewals:pipeline", lambda d: []),
    ("renewals:forecast", lambda d: []),
    ("renewals:risk_list", lambda d: []),
    ("renewals:risk_report", lambda d: []),
    ("renewals:lost_report", lambda d: []),
    ("renewals:risk_create", lambda d: [d["account"].pk]),
    ("renewals:reason_codes", lambda d: []),
    ("renewals:reason_code_create", lambda d: []),
]


@pytest.mark.parametrize("name, args", PAGES, ids=[p[0] for p in PAGES])
def test_page_in_arabic_has_no_english_chrome(admin_client, data, name, args):
    url = reverse(name, args=args(data))
    response = get_in(admin_client, url, "ar")
    assert response.status_code == 200
    assert english_left(response.content.decode(), data["data"]) == []
