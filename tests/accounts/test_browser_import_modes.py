"""Browser: a CSM imports a spreadsheet with labels, owners by e-mail and two bad rows, choosing
"import the valid rows, report the rest", on a desktop and on a phone (390 x 844)."""

import pytest

from accounts.models import Account, ImportJob
from core.choices import Role
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHEET = (
    "Account ID,Company,Tier,Lifecycle stage,Owner\n"
    "acme,Acme Corp,Key,Onboarding,ivy@cs.example\n"
    "globex,Globex,Platinum,Adoption,Ivy Importer\n"
    "initech,Initech,Tech touch,At risk,importer\n"
    "umbrella,Umbrella,Standard,Mature,Nobody Known\n"
)


@pytest.mark.parametrize(("device", "viewport"), [("desktop", (1440, 900)), ("phone", (390, 844))])
def test_import_valid_rows_and_report_the_rest(page, login, screenshot, tmp_path, device, viewport):
    # given
    ivy = UserFactory(
        username="importer", email="ivy@cs.example", role=Role.CSM, first_name="Ivy", last_name="Importer"
    )
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    login(ivy)
    sheet = tmp_path / "book.csv"
    sheet.write_text(SHEET)
    # when: upload, choosing to import the valid rows
    page.goto("/import/")
    page.select_option("#id_kind", "accounts")
    page.set_input_files("#id_file", str(sheet))
    page.check("input[name=mode][value=valid_rows]")
    screenshot(f"import-modes-upload-{device}")
    assert _fits(page), "the upload page scrolls sideways"
    page.click("text=Upload and map columns")
    page.wait_for_selector("text=Column mapping")
    page.wait_for_load_state("load")
    assert page.locator("input[name=mode][value=valid_rows]").is_checked()
    page.click("text=Check all rows")
    # then: two rows will be skipped, each said plainly
    page.wait_for_selector("text=Ready to import the valid rows")
    report = page.locator("#import-report").inner_text()
    assert "'Platinum' is not one of Strategic, Key, Standard, Tech-touch." in report
    assert "No active team member has the username, e-mail or name 'Nobody Known'." in report
    assert "Rows with problems (CSV)" in report
    screenshot(f"import-modes-report-{device}")
    assert _fits(page), "the report scrolls sideways"
    assert not Account.objects.exists()
    page.click("text=Import the valid rows, skip 2")
    page.wait_for_selector("#import-progress >> text=Done")
    progress = page.locator("#import-progress").inner_text()
    assert "2 skipped" in progress and "100%" in progress
    screenshot(f"import-modes-done-{device}")
    assert sorted(Account.objects.values_list("external_id", "tier", "lifecycle_stage", "owner__username")) == [
        ("acme", "key", "onboarding", "importer"),
        ("initech", "tech_touch", "at_risk", "importer"),
    ]
    assert ImportJob.objects.get().skipped_count == 2
    assert _fits(page), "the progress page scrolls sideways"


def _fits(page) -> bool:
    """No sideways scrolling: wide tables scroll inside their card."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
