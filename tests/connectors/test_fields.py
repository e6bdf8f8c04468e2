"""Our side of a mapping: a vendor's value converted to ours, or a reason people read."""

from datetime import date
from decimal import Decimal

import pytest

from connectors.fields import field_convert, local_fields

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        ("domain", "https://www.Acme.com/about", "acme.com"),
        ("domain", "acme.io", "acme.io"),
        ("domain", None, ""),
        ("tier", "Tech Touch", "tech_touch"),
        ("name", "  Acme  ", "Acme"),
    ],
)
def test_account_fields(field, raw, expected):
    assert field_convert(local_fields("account")[field], raw) == expected


def test_opportunity_fields():
    fields = local_fields("opportunity")
    assert field_convert(fields["amount"], "1200.5") == Decimal("1200.50")
    assert field_convert(fields["close_date"], "2027-03-01T00:00:00Z") == date(2027, 3, 1)
    assert field_convert(fields["close_date"], "1798761600000") == date(2027, 1, 1)  # HubSpot epoch ms
    assert field_convert(fields["kind"], "Renewal") == "renewal"
    assert field_convert(fields["kind"], "newbusiness") == "expansion"
    assert field_convert(fields["kind"], "Downgrade") == "downsell"


@pytest.mark.parametrize(
    ("target", "field", "raw", "reason"),
    [
        ("account", "tier", "gold", "is not one of"),
        ("contact", "email", "nope", "is not an e-mail address"),
        ("opportunity", "amount", "lots", "is not a number"),
        ("opportunity", "close_date", "soon", "is not a date"),
    ],
)
def test_bad_values_say_why(target, field, raw, reason):
    with pytest.raises(ValueError, match=reason):
        field_convert(local_fields(target)[field], raw)
