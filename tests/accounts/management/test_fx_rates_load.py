from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from accounts.models import FxRate
from tests.accounts.currency.test_files import ECB

pytestmark = pytest.mark.django_db


def test_loads_the_ecb_file(tmp_path, capsys):
    path = tmp_path / "eurofxref-hist.csv"
    path.write_text(ECB)
    call_command("fx_rates_load", str(path))
    assert FxRate.objects.get(currency="EUR", month=date(2026, 1, 1)).rate == Decimal("1.11")
    assert FxRate.objects.get(currency="JPY", month=date(2026, 2, 1)).source == "ecb"
    assert not FxRate.objects.filter(currency="USD").exists()
    assert "Stored 6 monthly rates to USD (2026-01 .. 2026-02)" in capsys.readouterr().out


def test_a_bad_row_stores_nothing(tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text("currency,month,rate\nEUR,2026-01,1.08\nGBP,2026-01,abc\n")
    with pytest.raises(CommandError, match="item 1: rate"):
        call_command("fx_rates_load", str(path))
    assert not FxRate.objects.exists()
