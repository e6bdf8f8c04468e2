"""Vendors and targets added from outside the framework: a vendor package's own target with its
own fields and label works on the mapping service and the connection page."""

import pytest
from django.urls import reverse

from connectors.fields import LocalField
from connectors.registry import VENDORS, ObjectSpec, Vendor, vendor_get
from connectors.services import connection_create, mappings_set
from connectors.targets.base import TARGETS, Target, target_fields, target_label

pytestmark = pytest.mark.django_db


@pytest.fixture
def thing_vendor(monkeypatch):
    target = Target(
        key="thing",
        write=lambda ctx, records: ctx.count(unchanged=len(records)),
        fields=lambda: {"colour": LocalField("colour", "Colour")},
        label="Things of ours",
    )
    monkeypatch.setitem(TARGETS, "thing", target)
    vendor = Vendor(
        kind="thingvendor",
        label="Thing Vendor",
        objects=(
            ObjectSpec(key="things", label="Things", target="thing", default_mappings=(("hue", "colour", "pull"),)),
        ),
        client_factory=lambda connection: None,
        default_base_url="https://things.example",
    )
    monkeypatch.setitem(VENDORS, "thingvendor", vendor)
    return vendor


def test_a_registered_target_brings_its_fields_and_label(thing_vendor, admin_client):
    assert vendor_get("thingvendor") is thing_vendor
    assert set(target_fields("thing")) == {"colour"} and target_label("thing") == "Things of ours"
    assert target_label("account") == "Accounts"
    connection = connection_create(kind="thingvendor", name="Things", token="t")
    assert connection.base_url == "https://things.example"
    mappings_set(connection=connection, object_key="things", rows=[("shade", "colour", "pull")])
    assert list(connection.mappings.values_list("remote_field", "local_field")) == [("shade", "colour")]
    page = admin_client.get(reverse("connectors:detail", args=[connection.pk])).content.decode()
    assert "Things of ours" in page


def test_unknown_vendor_kinds_are_named():
    with pytest.raises(KeyError, match="unknown connector kind 'nope'"):
        vendor_get("nope")
