"""The success board's cards written in Python (onboarding.board_cards) read as the template loop
they replaced: the same markup, text and escaping, in each language of the site."""

from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from accounts.choices import Tier
from onboarding.board_cards import board_cards
from tests.factories import AccountFactory, UserFactory
from tests.html_tokens import html_tokens as _tokens

# The template loop as it was before onboarding.board_cards (the reference).
TEMPLATE = """{% load i18n %}{% for plan in plans %}
<a class="plan-card{% if plan.is_stuck %} stuck{% endif %}" href="{% url 'accounts:detail' plan.account_id %}" data-account="{{ plan.account.name }}">
  <div class="name" dir="auto">{{ plan.account.name }}</div>
  <div class="meta">
    <span class="badge">{{ plan.account.get_tier_display }}</span>
    {% if plan.target_stage %}<span title="{% translate 'Target stage' %}"><span class="dir-flip">→</span> <span dir="auto" translate="no">{{ plan.target_stage.name }}</span></span>{% endif %}
  </div>
  {% translate "No CSM" as no_csm %}
  <div class="meta"><span>{{ plan.account.owner|default:no_csm }}</span><span>·</span><span>{% blocktranslate count n=plan.days_in_stage %}{{ n }} d in stage{% plural %}{{ n }} d in stage{% endblocktranslate %}</span>{% if plan.is_stuck %}<span class="badge yellow">{% translate "stuck" %}</span>{% endif %}</div>
  <div class="progress" title="{% blocktranslate with done=plan.goals_done total=plan.goals_total %}{{ done }} of {{ total }} goals{% endblocktranslate %}"><span style="width:{% widthratio plan.goals_done plan.goals_total|default:1 100 %}%"></span></div>
</a>{% endfor %}"""  # noqa: E501 - the template as it was


def _plans() -> list:
    owner = UserFactory.build(pk=7, first_name="Ana", last_name='O"Neil & Co')
    plain = UserFactory.build(pk=8, first_name="", last_name="", username="csm8")
    accounts = [
        AccountFactory.build(pk=11, name='Tom & "Jerry" <Co>', tier=Tier.STRATEGIC, owner=owner),
        AccountFactory.build(pk=12, name="Plain", tier=Tier.TECH_TOUCH, owner=None),
        AccountFactory.build(pk=13, name="Third", tier=Tier.KEY, owner=plain),
    ]
    stage = SimpleNamespace(name="Adopt <& go>")
    return [
        SimpleNamespace(
            account=accounts[0],
            account_id=11,
            target_stage=stage,
            days_in_stage=1,
            goals_done=5,
            goals_total=7,
            is_stuck=True,
        ),
        SimpleNamespace(
            account=accounts[1],
            account_id=12,
            target_stage=None,
            days_in_stage=0,
            goals_done=0,
            goals_total=0,
            is_stuck=False,
        ),
        SimpleNamespace(
            account=accounts[2],
            account_id=13,
            target_stage=stage,
            days_in_stage=38,
            goals_done=1,
            goals_total=8,
            is_stuck=False,
        ),
        SimpleNamespace(
            account=accounts[0],
            account_id=11,
            target_stage=None,
            days_in_stage=38,
            goals_done=1,
            goals_total=6,
            is_stuck=True,
        ),
    ]


@pytest.mark.parametrize("language", ["en", "ar", "fa", "zh-hans"])
def test_cards_read_as_the_template_did(language):
    # given plans covering each branch of a card (stuck, no owner, no target, no goals, markup in names)
    plans = _plans()
    with translation.override(language):
        # when the cards are written by the template loop and by board_cards
        expected = Template(TEMPLATE).render(Context({"plans": plans}))
        written = board_cards(plans)
    # then the reader gets the same tags, attributes and text, the data escaped
    assert _tokens(written) == _tokens(expected)
    assert "&lt;Co&gt;" in written and "<Co>" not in written
