"""The customers' survey forms through a client that enforces CSRF as a browser meets it
(tests/conftest.py BrowserLikeClient): public link, personal link, e-mail comment page; the
anonymous form's nonce, the cross-site refusal, the rate limit on anonymous answers, and the
e-mail's one-click links against mail scanners."""

import re
import time
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache

from surveys.models import SurveyResponse
from surveys.services import survey_link_for_contact, survey_send
from tests.factories import AccountFactory, ContactFactory
from tests.factories.surveys import SurveyFactory

pytestmark = pytest.mark.django_db

FOLLOW_UPS = [{"id": "area", "type": "single", "label": "Which area?", "options": ["Reports", "Billing"]}]


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()  # the counters are keyed by survey id, and ids are reused between tests
    yield
    cache.clear()


@pytest.fixture
def survey():
    return SurveyFactory(kind="nps", workspace=None, follow_ups=FOLLOW_UPS)


def nonce_of(response) -> str:
    return re.search(rb'name="nonce" value="([^"]+)"', response.content).group(1).decode()


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def email_links(survey, contact) -> list[str]:
    survey_send(survey=survey, contact_ids=[contact.id])
    return [path_of(u) for u in re.findall(r"http://\S+/s/e/\S+/\d+/", mail.outbox[-1].body)]


# Section: CSRF: a browser with no cookie can answer


def test_public_page_sets_no_cookie_and_a_cookieless_browser_answers(client, survey):
    # given a fresh browser on the public page (the client sends the token of the page, if any)
    page = client.get(f"/s/{survey.public_slug}/")
    assert page.status_code == 200 and not page.cookies  # no CSRF (or other) cookie needed
    # when it sends the form
    client.cookies.clear()  # a browser that blocks cookies
    done = client.post(
        f"/s/{survey.public_slug}/", {"nonce": nonce_of(page), "score": "8", "comment": "Fine", "f_area": "Reports"}
    )
    # then the answer is recorded and thanked
    assert done.status_code == 200 and b"Thank you" in done.content
    answer = SurveyResponse.objects.get()
    assert (answer.score, answer.comment, answer.answers, answer.contact_id) == (8, "Fine", {"area": "Reports"}, None)


def test_personal_link_answers_against_the_contact(client, survey):
    contact = ContactFactory(account=AccountFactory())
    path = path_of(survey_link_for_contact(survey=survey, contact=contact))
    assert client.get(path).status_code == 200
    done = client.post(path, {"score": "10", "comment": "Great"})
    assert done.status_code == 200
    answer = SurveyResponse.objects.get()
    assert (answer.score, answer.contact_id, answer.account_id, answer.channel) == (
        10,
        contact.id,
        contact.account_id,
        "link",
    )


def test_email_comment_page_posts_the_comment(client, survey):
    contact = ContactFactory(account=AccountFactory(), email="a@x.io")
    links = email_links(survey, contact)
    opened = client.get(links[4], follow=True)
    assert opened.status_code == 200 and b"is recorded" in opened.content
    done = client.post(opened.redirect_chain[-1][0].split("?")[0], {"score": "4", "comment": "Slow reports"})
    assert done.status_code == 200
    assert SurveyResponse.objects.get().comment == "Slow reports"


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example"}, {"Origin": "null", "Sec-Fetch-Site": "cross-site"}],
    ids=["other-origin", "sandboxed-frame"],
)
def test_a_post_from_another_site_plants_nothing(client, survey, headers):
    """A page elsewhere that makes its visitors' browsers post the form (with a nonce or a token
    it got somehow) is refused by the browser's own Origin / Sec-Fetch-Site headers."""
    contact = ContactFactory(account=AccountFactory(), email="a@x.io")
    personal = path_of(survey_link_for_contact(survey=survey, contact=contact))
    comment_page = email_links(survey, contact)[0].rsplit("/", 2)[0] + "/"
    nonce = nonce_of(client.get(f"/s/{survey.public_slug}/"))
    for path, data in [
        (f"/s/{survey.public_slug}/", {"nonce": nonce, "score": "0"}),
        (personal, {"score": "0"}),
        (comment_page, {"score": "0"}),
    ]:
        refused = client.post(path, data, headers=headers)
        assert refused.status_code == 403, path
        assert b"another website" in refused.content
    assert SurveyResponse.objects.count() == 0
    # the same origin is welcome
    ok = client.post(
        f"/s/{survey.public_slug}/", {"nonce": nonce, "score": "9"}, headers={"Origin": "http://testserver"}
    )
    assert ok.status_code == 200 and SurveyResponse.objects.count() == 1


# Section: the anonymous form's nonce


def test_nonce_of_another_survey_is_refused(client, survey):
    other = SurveyFactory(kind="nps", workspace=None)
    nonce = nonce_of(client.get(f"/s/{other.public_slug}/"))
    refused = client.post(f"/s/{survey.public_slug}/", {"nonce": nonce, "score": "0"})
    assert refused.status_code == 400 and b"does not belong to this survey" in refused.content
    assert SurveyResponse.objects.count() == 0


def test_expired_nonce_keeps_the_answer_on_the_page_with_a_fresh_nonce(client, survey, settings):
    settings.SURVEYS_FORM_NONCE_HOURS = 2
    page = client.get(f"/s/{survey.public_slug}/")
    later = time.time() + 3 * 3600
    with mock.patch("django.core.signing.time.time", return_value=later):
        again = client.post(
            f"/s/{survey.public_slug}/", {"nonce": nonce_of(page), "score": "3", "comment": "Typed a lot"}
        )
    assert again.status_code == 400 and b"open for a long time" in again.content
    assert b'value="3" required checked' in again.content and b"Typed a lot" in again.content
    assert nonce_of(again) != nonce_of(page)
    assert SurveyResponse.objects.count() == 0
    done = client.post(f"/s/{survey.public_slug}/", {"nonce": nonce_of(again), "score": "3", "comment": "Typed a lot"})
    assert done.status_code == 200 and SurveyResponse.objects.get().comment == "Typed a lot"


# Section: rate limit on anonymous answers


def answer_anonymously(client, survey, score: str = "0", **extra):
    page = client.get(f"/s/{survey.public_slug}/", **extra)
    return client.post(f"/s/{survey.public_slug}/", {"nonce": nonce_of(page), "score": score}, **extra)


def test_31st_anonymous_answer_from_one_address_is_refused_but_a_personal_link_still_works(client, survey, settings):
    settings.SURVEYS_PUBLIC_ANSWERS_PER_HOUR = 30
    # given 30 anonymous answers from one address (the script of the issue)
    for _ in range(30):
        assert answer_anonymously(client, survey).status_code == 200
    # when it sends a 31st
    page = client.get(f"/s/{survey.public_slug}/")
    typed = {"nonce": nonce_of(page), "score": "7", "comment": "Keep this", "f_area": "Billing"}
    refused = client.post(f"/s/{survey.public_slug}/", typed)
    # then it is refused with a friendly page that keeps what was typed, and nothing is stored
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3602
    assert b"came from your network" in refused.content
    assert b'value="7" required checked' in refused.content and b"Keep this" in refused.content
    assert b'value="Billing" checked' in refused.content
    assert SurveyResponse.objects.count() == 30
    # another address still answers
    assert answer_anonymously(client, survey, REMOTE_ADDR="198.51.100.7").status_code == 200
    # another survey too
    assert answer_anonymously(client, SurveyFactory(kind="nps", workspace=None)).status_code == 200
    # and a known contact's personal link from the same address is never limited
    contact = ContactFactory(account=AccountFactory())
    personal = path_of(survey_link_for_contact(survey=survey, contact=contact))
    client.get(personal)
    assert client.post(personal, {"score": "9"}).status_code == 200
    assert SurveyResponse.objects.filter(contact=contact, score=9).exists()


def test_changing_ones_own_answer_does_not_count(client, survey, settings):
    settings.SURVEYS_PUBLIC_ANSWERS_PER_HOUR = 2
    page = client.get(f"/s/{survey.public_slug}/")
    for score in ("1", "2", "3"):  # the same form sent again changes its answer
        assert client.post(f"/s/{survey.public_slug}/", {"nonce": nonce_of(page), "score": score}).status_code == 200
    assert answer_anonymously(client, survey).status_code == 200
    assert answer_anonymously(client, survey).status_code == 429


def test_forwarded_for_counts_only_when_the_settings_trust_a_proxy(client, survey, settings):
    settings.SURVEYS_PUBLIC_ANSWERS_PER_HOUR = 1
    # no proxy configured: a header the client writes changes nothing
    assert answer_anonymously(client, survey, HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 200
    assert answer_anonymously(client, survey, HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 429
    # one trusted proxy: the address it saw is the client's
    settings.NUM_PROXIES = 1
    assert answer_anonymously(client, survey, HTTP_X_FORWARDED_FOR="203.0.113.3").status_code == 200
    assert answer_anonymously(client, survey, HTTP_X_FORWARDED_FOR="203.0.113.3").status_code == 429
    assert answer_anonymously(client, survey, HTTP_X_FORWARDED_FOR="203.0.113.4").status_code == 200


# Section: e-mail one-click links and mail scanners


def test_mail_scanner_fetching_every_link_records_one_answer_and_the_customer_confirms_a_change(client, survey):
    contact = ContactFactory(account=AccountFactory(), email="a@x.io")
    links = email_links(survey, contact)
    # given a scanner that fetches every link of the message (and follows the redirects)
    for link in links:
        assert client.get(link, follow=True).status_code == 200
    # then only the first one fetched is recorded, once
    assert list(SurveyResponse.objects.values_list("score", flat=True)) == [0]
    # when the customer clicks 9 (a later click)
    page = client.get(links[9], follow=True)
    # then nothing changes on the GET: the page preselects 9 and asks to confirm
    assert SurveyResponse.objects.get().score == 0
    assert b"Your answer was 0" in page.content and b'value="9" required checked' in page.content
    # and sending the form changes the answer
    comment_path = page.redirect_chain[-1][0].split("?")[0]
    assert client.post(comment_path, {"score": "9", "comment": "Great"}).status_code == 200
    answer = SurveyResponse.objects.get()
    assert (answer.score, answer.comment, answer.contact_id) == (9, "Great", contact.id)


def test_the_same_link_clicked_twice_keeps_one_answer(client, survey):
    contact = ContactFactory(account=AccountFactory(), email="a@x.io")
    link = email_links(survey, contact)[6]
    for _ in range(2):
        page = client.get(link, follow=True)
        assert page.status_code == 200 and b"is recorded" in page.content
    assert list(SurveyResponse.objects.values_list("score", flat=True)) == [6]


def test_head_requests_record_nothing(client, survey):
    contact = ContactFactory(account=AccountFactory(), email="a@x.io")
    link = email_links(survey, contact)[2]
    assert client.head(link).status_code == 405
    assert SurveyResponse.objects.count() == 0
