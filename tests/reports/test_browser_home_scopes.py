"""Playwright (issue 15, item 10): a manager's home shows the team with a row per member, switches
to everyone's book, and every account name leads to its page; desktop and phone sizes."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.choices import Role
from tests.factories import AccountFactory, TaskFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_home_as_a_manager(page, login, screenshot, manager_user, csm_user, size):
    # given: the manager's report owns two accounts; someone outside the team owns one
    page.set_viewport_size(VIEWPORTS[size])
    today = timezone.now().date()
    acme = AccountFactory(name="Acme Analytics", owner=csm_user, mrr=Decimal(4200), health_score=31, health_band="red")
    AccountFactory(name="Globex Retail", owner=csm_user, mrr=Decimal(900), renewal_date=today + timedelta(days=20))
    TaskFactory(account=acme, assignee=csm_user, title="Call Acme about usage", due_date=today - timedelta(days=1))
    outsider = UserFactory(role=Role.CSM, first_name="Olga", last_name="Ortiz")
    AccountFactory(name="Zeta Corp", owner=outsider, mrr=Decimal(50), health_band="red", health_score=12)
    # when
    login(manager_user)
    page.goto("/")
    # then: the team, a row per member, not the outsider's account
    expect(page.locator("[data-testid=home-book]")).to_contain_text("My team: 2 paying of 2 accounts")
    breakdown = page.locator("#home-breakdown")
    expect(breakdown).to_contain_text("Carl Success")
    expect(breakdown).to_contain_text("Mia Manager")
    expect(page.locator("#home-at-risk")).not_to_contain_text("Zeta Corp")
    expect(page.locator("#home-tasks")).to_contain_text("Call Acme about usage")
    screenshot(f"home_manager_team_{size}")
    # when: everyone
    page.click(".scope-switch a[data-scope=everyone]")
    expect(page.locator("#home-at-risk")).to_contain_text("Zeta Corp")
    expect(page.locator("#home-breakdown")).to_contain_text("Olga Ortiz")
    screenshot(f"home_manager_everyone_{size}")
    # when: an account's name
    page.locator("#home-at-risk a", has_text="Acme Analytics").click()
    expect(page).to_have_url(re.compile(rf"/accounts/{acme.pk}/$"))
    expect(page.locator("h1")).to_contain_text("Acme Analytics")
