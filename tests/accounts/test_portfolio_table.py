"""The portfolio rows written in Python (accounts.portfolio_table) read as the template loop they
replaced: the same markup, text and escaping, in English and in Arabic with Arabic digits."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from accounts.choices import HealthBand, LifecycleStage, Tier
from accounts.portfolio_table import health_pill, portfolio_rows
from accounts.selectors import touch_status
from core.i18n import DisplayPrefs, display_override
from tests.factories import AccountFactory, UserFactory
from tests.html_tokens import html_tokens as _tokens

# The template loop as it was before accounts.portfolio_table (the reference).
TEMPLATE = """{% load account_tags i18n locale_format %}{% for a in object_list %}
<tr>
  {% if can_reassign %}<td class="check"><input type="checkbox" name="account_ids" value="{{ a.pk }}" form="reassign-form" aria-label="{% blocktranslate with name=a.name %}Select {{ name }}{% endblocktranslate %}"></td>{% endif %}
  <td class="account-cell"><a class="strong" href="{% url 'accounts:detail' a.pk %}">{{ a.name }}</a>
    <div class="sub">{{ a.domain|default:a.external_id }}{% if a.industry %} · {{ a.industry }}{% endif %}</div></td>
  <td class="owner-cell">{% if a.owner %}<span class="avatar xs">{{ a.owner.initials }}</span> {{ a.owner.get_full_name|default:a.owner.username }}{% else %}<span class="muted">{% translate "Unassigned" %}</span>{% endif %}</td>
  <td><span class="badge {{ a.tier|tier_colour }}">{{ a.get_tier_display }}</span></td>
  <td class="muted">{{ a.segment|default:"—" }}</td>
  <td><span class="badge {{ a.lifecycle_stage|stage_colour }}">{{ a.get_lifecycle_stage_display }}</span></td>
  <td class="num strong">{% if rolled_up %}{{ a.rollup_arr_base|money:base_currency }}{% if a.children_n %}<div class="sub muted">{% blocktranslate count n=a.children_n %}with {{ n }} subsidiary{% plural %}with {{ n }} subsidiaries{% endblocktranslate %}</div>{% endif %}{% elif a.mrr and a.mrr_base is None %}<span class="text-red" title="{% translate 'No exchange rate this month' %}">—</span><div class="sub muted">{{ a.arr|money:a.currency }}</div>{% elif a.mrr %}{{ a.arr_base|money:base_currency }}{% if a.currency != base_currency %}<div class="sub muted">{{ a.arr|money:a.currency }}</div>{% endif %}{% else %}<span class="muted">—</span>{% endif %}</td>
  <td class="nowrap">{% if a.renewal_date %}{% with d=a.days_to_renewal %}{{ a.renewal_date|fmt_date }} <span class="{% if d < 30 %}text-red{% elif d < 90 %}text-yellow{% else %}muted{% endif %}">{{ d|relative_days }}</span>{% endwith %}{% else %}<span class="muted">—</span>{% endif %}</td>
  <td>{% if a.health_score is not None %}<span class="health" title="{% blocktranslate with score=a.health_score band=a.get_health_band_display %}Health {{ score }} ({{ band }}){% endblocktranslate %}{% if a.health_change_7d is not None %}{% blocktranslate with change=a.health_change_7d|stringformat:'+d' %}, {{ change }} over 7 days{% endblocktranslate %}{% endif %}"><span class="pill {{ a.health_band|default:'none' }}">{{ a.health_score }}</span>{% if a.health_change_7d %}{% if a.health_change_7d > 0 %}<span class="trend-up">▲{{ a.health_change_7d }}</span>{% else %}<span class="trend-down">▼{{ a.health_change_7d|abs_value }}</span>{% endif %}{% elif a.health_change_7d == 0 %}<span class="trend-flat">–</span>{% endif %}</span>{% else %}<span class="health"><span class="pill none">—</span></span>{% endif %}</td>
  <td class="nowrap">
    {% if a.touch.state == "overdue" %}<span class="badge red">{% blocktranslate count n=a.touch.overdue_days %}{{ n }}d overdue{% plural %}{{ n }}d overdue{% endblocktranslate %}</span>
    {% elif a.touch.state == "never" %}<span class="badge red">{% translate "never touched" %}</span>
    {% elif a.touch.state == "soon" %}<span class="badge yellow">{% blocktranslate with when=a.touch.days|relative_days %}due {{ when }}{% endblocktranslate %}</span>
    {% elif a.touch.state == "ok" %}<span class="muted">{{ a.touch.days|relative_days }}</span>
    {% else %}<span class="muted">—</span>{% endif %}
  </td>
</tr>{% endfor %}"""  # noqa: E501 - the template as it was


@pytest.fixture
def accounts(db):
    """One account per branch of every cell."""
    today = timezone.now().date()
    now = timezone.now()
    owner = UserFactory(first_name="Ana", last_name="Lopes")
    rows = [
        AccountFactory(
            name='Tom & "Jerry" <Co>',
            owner=owner,
            tier=Tier.STRATEGIC,
            industry="Retail & more",
            mrr=Decimal("1234.50"),
            renewal_date=today + timedelta(days=12),
            health_score=84,
            health_band=HealthBand.GREEN,
            health_change_7d=3,
            last_touch_at=now - timedelta(days=40),
        ),
        AccountFactory(
            owner=None,
            tier=Tier.KEY,
            segment="",
            currency="EUR",
            mrr=Decimal("900"),
            renewal_date=today + timedelta(days=60),
            health_score=31,
            health_band=HealthBand.RED,
            health_change_7d=-7,
            last_touch_at=None,
        ),
        AccountFactory(
            currency="GBP",
            mrr=Decimal("80000"),
            mrr_base=Decimal("100000"),
            renewal_date=today + timedelta(days=400),
            health_score=60,
            health_band=HealthBand.YELLOW,
            health_change_7d=0,
            last_touch_at=now - timedelta(days=28),
            lifecycle_stage=LifecycleStage.AT_RISK,
        ),
        AccountFactory(
            domain="",
            renewal_date=today - timedelta(days=3),
            health_score=None,
            last_touch_at=now - timedelta(days=2),
        ),
        AccountFactory(
            mrr=Decimal("10"), health_score=50, health_change_7d=None, lifecycle_stage=LifecycleStage.CHURNED
        ),
    ]
    cadence = {"strategic": 30, "key": 30, "standard": 30, "tech_touch": 90}
    for n, account in enumerate(rows):
        account.refresh_from_db()
        account.touch = touch_status(account, cadence, now=now)
        account.rollup_arr_base = Decimal(1000 * n)
        account.children_n = n % 3
    return rows


@pytest.mark.parametrize("language, digits", [("en", "western"), ("ar", "native"), ("fa", "western"), ("zh-hans", "")])
@pytest.mark.parametrize("can_reassign, rolled_up", [(True, False), (False, False), (True, True)])
def test_rows_read_as_the_template_did(accounts, language, digits, can_reassign, rolled_up):
    # given accounts covering each cell's branches, in a language (Arabic with its own digits)
    context = {"object_list": accounts, "can_reassign": can_reassign, "rolled_up": rolled_up, "base_currency": "USD"}
    with translation.override(language), display_override(DisplayPrefs(digits=digits or "western")):
        # when the rows are written by the template loop and by portfolio_rows
        expected = Template(TEMPLATE).render(Context(context))
        written = portfolio_rows(accounts, can_reassign=can_reassign, rolled_up=rolled_up, base_currency="USD")
    # then the reader gets the same tags, attributes and text
    assert _tokens(written) == _tokens(expected)
    assert "&amp;" in written and "<Co>" not in written  # the data is escaped


def test_health_pill_without_a_score(accounts):
    assert str(health_pill(accounts[3])) == '<span class="health"><span class="pill none">—</span></span>'


def test_kept_cells_follow_the_language_and_the_digits(accounts):
    """The cells' texts are kept between requests (portfolio_table._KEPT), per language and
    display choices: a page after another language's or other digits' reads as a fresh one."""
    from accounts import portfolio_table

    def write(language, digits):
        with translation.override(language), display_override(DisplayPrefs(digits=digits)):
            return portfolio_rows(accounts, can_reassign=False, rolled_up=False, base_currency="USD")

    # given each reader's rows written with nothing kept
    readers = [("ar", "native"), ("en", "western"), ("ar", "western"), ("fa", "native")]
    fresh = {}
    for reader in readers:
        portfolio_table._KEPT.clear()
        fresh[reader] = write(*reader)
    # when they are written one after another, keeping what each wrote (twice round)
    for reader in readers * 2:
        # then each reads as its fresh copy
        assert write(*reader) == fresh[reader]
    assert fresh["ar", "native"] != fresh["ar", "western"]
