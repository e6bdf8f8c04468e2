"""The four-language click-through (issue 22, "Done when"): a CSM, a manager and an admin, each in
English, Arabic, Persian and Chinese, open every page of the navigation their role has (read from
`core.navigation`, so a page registered later is covered without touching this test) and the
account page of a demo account. On each page:

- `<html lang dir>` are the user's language and its direction;
- nothing scrolls sideways, on a desktop (1440 × 900) nor on a phone (390 × 844);
- no English is left: no visible text (nor placeholder, title, aria-label) equals an English msgid
  that the language's catalogue translates. Data and proper names pass (they are not msgids); a
  piece of data that happens to equal one is marked `translate="no"` (HTML's own attribute) or
  sits in `<code>`;
- the chrome and the heading are drawn in the project's font for the script (tests/fonts_used.py).

Every problem of every page is collected and reported together, page by page, so one run tells
each app's owner what is left. Screenshots of the portfolio, the account page, the dashboard and the
playbook editor in Arabic and Chinese: artifacts/screenshots/i18n_<page>_<lang>.png.
"""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from accounts.models import Account
from core.models import User
from core.navigation import menu_items
from demo.accounts.team import DEMO_PASSWORD
from tests.conftest import LOCALE, SCREENSHOTS
from tests.fonts_used import wrong_fonts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = {"en": "ltr", "ar": "rtl", "fa": "rtl", "zh-hans": "ltr"}
CATALOGUE = {"ar": "ar", "fa": "fa", "zh-hans": "zh_Hans"}
ROLES = {"csm": "csm1", "manager": "manager", "admin": "admin"}
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
# Pages that are not ours to translate: the API's interactive docs are Swagger UI's, in English.
FOREIGN_PAGES = {"api-docs"}
SCREENSHOT_LANGUAGES = {"ar", "zh-hans"}

# Visible text nodes and the visible texts of placeholder / title / aria-label, whitespace folded.
VISIBLE_TEXTS = """() => {
  const skip = 'script,style,noscript,template,code,pre,kbd,samp,[translate=no],[hidden],svg';
  const shown = (el) => {
    if (!el || el.closest(skip) || !el.getClientRects().length) return false;
    const style = getComputedStyle(el);
    return style.visibility !== 'hidden' && style.display !== 'none' && style.opacity !== '0';
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.nodeValue.replace(/\\s+/g, ' ').trim();
    if (text && /[A-Za-z]{2}/.test(text) && shown(walker.currentNode.parentElement)) out.push(text);
  }
  for (const el of document.querySelectorAll('[placeholder],[title],[aria-label]')) {
    if (!shown(el) && !(el.tagName === 'SUMMARY' || el.tagName === 'BUTTON' || el.tagName === 'INPUT')) continue;
    if (el.closest('[translate=no],code,pre')) continue;
    for (const name of ['placeholder', 'title', 'aria-label']) {
      const text = (el.getAttribute(name) || '').replace(/\\s+/g, ' ').trim();
      if (text && /[A-Za-z]{2}/.test(text)) out.push(text);
    }
  }
  return out;
}"""
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
# The outermost elements that stick out of the viewport (not those inside a scrolling box): who to fix.
OFFENDERS = """() => {
  const W = window.innerWidth;
  const rtl = document.documentElement.dir === 'rtl';
  const out = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && (rtl ? r.left < -1 : r.right > W + 1);
  };
  const clipped = (el) => { for (let a = el.parentElement; a; a = a.parentElement) {
    const o = getComputedStyle(a).overflowX; if (o !== 'visible') return true; } return false; };
  const names = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!out(el) || clipped(el) || (el.parentElement && out(el.parentElement))) continue;
    const classes = typeof el.className === 'string' ? el.className.trim() : '';
    const cls = classes ? '.' + classes.split(/\\s+/).join('.') : '';
    names.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls);
    if (names.length >= 4) break;
  }
  return names;
}"""
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdif]|\{\w*\}")


def _english(language: str) -> tuple[set[str], list[re.Pattern]]:
    """The English msgids `language` translates differently: plain ones as a set, those with
    placeholders as whole-text patterns (only when enough of them is words)."""
    path = Path(LOCALE) / CATALOGUE[language] / "LC_MESSAGES" / "django.po"
    with path.open("rb") as source:
        catalog = read_po(source, locale=CATALOGUE[language])
    plain, patterns = set(), []
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if not all(strings):
            continue
        for msgid in ids:
            text = " ".join(msgid.split())
            if any(text == " ".join(s.split()) for s in strings) or "<" in text:
                continue  # the same in both languages ("URL"), or markup (not one text node)
            if PLACEHOLDER.search(text):
                words = PLACEHOLDER.sub("", text)
                if len(re.sub(r"[\W\d_]", "", words)) >= 8:
                    parts = [re.escape(p) for p in PLACEHOLDER.split(text)]
                    patterns.append(re.compile("^" + ".+?".join(parts) + "$"))
            elif re.search(r"[A-Za-z]{2}", text):
                plain.add(text)
    return plain, patterns


def _leftovers(texts: list[str], plain: set[str], patterns: list[re.Pattern]) -> list[str]:
    found = []
    for text in dict.fromkeys(texts):
        if text in plain or any(p.match(text) for p in patterns):
            found.append(text)
    return found


def _pages(user) -> list[tuple[str, str]]:
    pages = []
    for item in menu_items():
        if not user.has_role(item.role):
            continue
        try:
            pages.append((item.url_name, reverse(item.url_name)))
        except NoReverseMatch:
            continue
    return pages


@pytest.fixture
def demo():
    call_command("seed_demo", "--accounts", "16", "--seed", "7", verbosity=0)
    csm = User.objects.get(username=ROLES["csm"])
    account = Account.objects.filter(owner=csm, mrr__gt=0).exclude(lifecycle_stage="churned").order_by("-mrr").first()
    assert account is not None, "the demo gave csm1 no paying account"
    return account


def _sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def _visit(page, url: str) -> int:
    response = page.goto(url, wait_until="networkidle")
    return response.status if response else 0


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_page_in_every_language(browser, live_server, demo, language):
    account_url = reverse("accounts:detail", args=[demo.pk])
    plain, patterns = _english(language) if language != "en" else (set(), [])
    problems: dict[str, list[str]] = {}
    visited = 0
    for role, username in ROLES.items():
        user = User.objects.get(username=username)
        User.objects.filter(pk=user.pk).update(language=language)
        context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
        context.set_default_timeout(20_000)
        page = context.new_page()
        try:
            _sign_in(page, username)
            pages = [*_pages(user), ("account page", account_url)]
            if role == "admin":
                playbook = _first_playbook_edit_url()
                if playbook:
                    pages.append(("playbook editor", playbook))
            for name, url in pages:
                key = f"{role} {url} ({name})"
                status = _visit(page, url)
                visited += 1
                if status != 200:
                    problems.setdefault(key, []).append(f"HTTP {status}")
                    continue
                if name in FOREIGN_PAGES:
                    continue
                issues = _check(page, language, plain, patterns)
                if issues:
                    problems.setdefault(key, []).extend(issues)
                if language in SCREENSHOT_LANGUAGES:
                    _screenshot(page, role, name, language)
        finally:
            context.close()
    assert visited >= 3 * 2, "too few pages visited: the navigation registry is empty?"
    report = "\n".join(f"  {page}:\n    " + "\n    ".join(issues) for page, issues in sorted(problems.items()))
    assert not problems, f"{language}: {len(problems)} of {visited} pages have problems\n{report}"


def _check(page, language: str, plain: set[str], patterns: list[re.Pattern]) -> list[str]:
    issues = []
    lang, direction = page.evaluate("[document.documentElement.lang, document.documentElement.dir]")
    if (lang, direction) != (language, LANGUAGES[language]):
        issues.append(f'<html lang="{lang}" dir="{direction}">, expected {language} / {LANGUAGES[language]}')
    for viewport, device in ((DESKTOP, "a desktop"), (PHONE, "a phone")):
        if page.viewport_size != viewport:
            page.set_viewport_size(viewport)
            # charts redraw at the new width on their ResizeObserver's next frame; the drawer slides away
            page.wait_for_timeout(250)
        overflow = page.evaluate(OVERFLOW)
        if overflow > 0:
            # on a loaded machine a chart may still be redrawing at the new width: a bounded wait, then
            # the measure that counts
            try:
                page.wait_for_function(f"() => ({OVERFLOW}) <= 0", timeout=3000)
            except PlaywrightTimeoutError:
                pass
            overflow = page.evaluate(OVERFLOW)
        if overflow > 0:
            issues.append(f"scrolls sideways by {overflow}px on {device}: {', '.join(page.evaluate(OFFENDERS))}")
    page.set_viewport_size(DESKTOP)
    # the chrome and the heading drawn in our font for the script, not in a system font (empty boxes)
    issues.extend(f"font: {line}" for line in wrong_fonts(page, language))
    texts = page.evaluate(VISIBLE_TEXTS)
    syntax = [text for text in texts if "#}" in text or "%}" in text]
    if syntax:
        issues.append("template syntax shows on the page: " + " | ".join(syntax[:3]))
    if plain or patterns:
        english = _leftovers(texts, plain, patterns)
        if english:
            issues.append("English left: " + " | ".join(english[:40]) + (" …" if len(english) > 40 else ""))
    return issues


SCREENSHOT_PAGES = {
    ("csm", "accounts:portfolio"): "portfolio",
    ("csm", "account page"): "account",
    ("manager", "reports:dashboard"): "dashboard",
    ("admin", "playbook editor"): "playbook_editor",
}


def _screenshot(page, role: str, name: str, language: str) -> None:
    label = SCREENSHOT_PAGES.get((role, name))
    if not label:
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(250)  # the resize back from the phone's width settles
    page.evaluate("document.fonts.ready.then(() => true)")
    page.screenshot(path=str(SCREENSHOTS / f"i18n_{label}_{language}.png"), full_page=False)
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(250)
    try:
        page.screenshot(path=str(SCREENSHOTS / f"i18n_{label}_{language}_phone.png"), full_page=False)
    finally:
        page.set_viewport_size(DESKTOP)


def _first_playbook_edit_url() -> str | None:
    from playbooks.models import Playbook

    playbook = Playbook.objects.order_by("pk").first()
    return reverse("playbooks:playbook_edit", args=[playbook.pk]) if playbook else None
