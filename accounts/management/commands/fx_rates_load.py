"""manage.py fx_rates_load FILE: load monthly exchange rates from a CSV (the ECB's
eurofxref-hist.csv, or currency,month,rate rows): accounts.currency.files, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.currency import RatesInvalid, base_currency, fx_rates_upsert
from accounts.currency.files import RateFileInvalid, rates_from_csv


class Command(BaseCommand):
    help = "Load monthly exchange rates (ECB eurofxref-hist.csv or currency,month,rate) into the rate table."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the CSV file.")
        parser.add_argument("--since", default="", help="Only months from this one on (YYYY-MM).")

    def handle(self, *args, file: str, since: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            rates = rates_from_csv(path.read_text(encoding="utf-8-sig"))
        except (RateFileInvalid, UnicodeDecodeError) as error:
            raise CommandError(str(error)) from error
        if since:
            rates = [r for r in rates if str(r.get("month", "")) >= since]
        rates = [r for r in rates if str(r.get("currency", "")).upper() != base_currency()]
        try:
            stored = fx_rates_upsert(rates=rates, source="ecb" if "eurofxref" in path.name else "upload")
        except RatesInvalid as error:
            raise CommandError(f"Nothing stored: {error}") from error
        months = sorted({str(r["month"]) for r in rates})
        span = f" ({months[0]} .. {months[-1]})" if months else ""
        self.stdout.write(f"Stored {stored} monthly rates to {base_currency()}{span}.")
