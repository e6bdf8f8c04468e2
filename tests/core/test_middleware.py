"""What every answer carries: no copy of customer data kept by a browser or a shared cache."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/accounts/", "/api/v1/accounts/", "/login/"])
def test_pages_and_api_answers_are_private_and_not_stored(csm_client, path):
    response = csm_client.get(path)
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_an_answer_that_chose_its_caching_keeps_it(client):
    response = client.get("/widget/v1.js")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
