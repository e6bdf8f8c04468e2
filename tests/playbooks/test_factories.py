"""The playbooks factories (tests/factories/playbooks.py) build rows the models accept."""

import pytest

from tests.factories import (
    EmailMessageFactory,
    EmailTemplateFactory,
    EnrolmentFactory,
    OutboundPostFactory,
    PlaybookFactory,
    PlaybookRunFactory,
    TaskFactory,
    TaskTemplateFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "factory",
    [
        EmailMessageFactory,
        EmailTemplateFactory,
        EnrolmentFactory,
        OutboundPostFactory,
        PlaybookFactory,
        PlaybookRunFactory,
        TaskFactory,
        TaskTemplateFactory,
    ],
)
def test_factory_builds_a_valid_row(factory):
    obj = factory()
    obj.full_clean()
    assert obj.pk is not None
