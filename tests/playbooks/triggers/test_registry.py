"""The trigger registry (playbooks/triggers/registry.py): every trigger type registered once, in
the order the builder lists them, and the events that re-evaluate each."""

import pytest

from playbooks.choices import TriggerType
from playbooks.triggers import (
    EVENT_BAND_CHANGED,
    EVENT_PAYMENT_CHANGED,
    EVENT_RESPONSE_RECORDED,
    EVENT_SUBSCRIPTION_CHANGED,
    TRIGGERS,
    Trigger,
    get_trigger,
    triggers_for_event,
)


def test_every_trigger_type_is_registered_in_the_builders_order():
    # the order the family modules register in (the package imports them in this order)
    assert list(TRIGGERS) == [
        TriggerType.HEALTH_BAND_CHANGE,
        TriggerType.HEALTH_DROP,
        TriggerType.USAGE_DROP,
        TriggerType.FEATURE_GROWTH,
        TriggerType.ENTITLEMENT_USAGE,
        TriggerType.SURVEY_ANSWER,
        TriggerType.RENEWAL_DUE,
        TriggerType.SUBSCRIPTION_CHANGE,
        TriggerType.PAYMENT_FAILED,
        TriggerType.CONTRACT_ANNIVERSARY,
        TriggerType.CONTACT_BIRTHDAY,
        TriggerType.ONBOARDING_OVERDUE,
        TriggerType.ONBOARDING_STALLED,
        TriggerType.NO_TOUCH,
        TriggerType.SEGMENT_ENTERED,
    ]
    assert set(TRIGGERS) == set(TriggerType.values)
    assert all(isinstance(t, Trigger) and get_trigger(key) is t for key, t in TRIGGERS.items())


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (EVENT_BAND_CHANGED, {"health_band_change", "health_drop", "segment_entered"}),
        (EVENT_RESPONSE_RECORDED, {"survey_answer"}),
        (EVENT_PAYMENT_CHANGED, {"payment_failed"}),
        (
            EVENT_SUBSCRIPTION_CHANGED,
            {"renewal_due", "subscription_change", "entitlement_usage", "segment_entered"},
        ),
    ],
)
def test_events_re_evaluate_the_triggers_that_listen_to_them(event, expected):
    assert set(triggers_for_event(event)) == expected


def test_params_are_validated_and_cleaned_with_their_defaults():
    trigger = get_trigger(TriggerType.HEALTH_DROP)
    assert trigger.validate({"points": "x", "nope": 1}) == {
        "nope": "unknown parameter",
        "points": "must be a whole number",
    }
    assert trigger.clean({"points": "20"}) == {"points": 20, "days": 7, "on_overrides": "ignore"}
