"""The gettext catalogues stay complete: every string the code and templates mark for translation
has a translation in each catalogue (locale/<lang>/LC_MESSAGES/django.po), none fuzzy or empty,
every plural form written, and the same placeholders as the English text.

The marked strings are extracted exactly as `make messages` does (Django's makemessages, which
runs GNU gettext's xgettext) into a temporary directory. Without xgettext the test is skipped,
unless REQUIRE_GETTEXT is set (.ci/run installs gettext and sets it)."""

import os
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

LOCALE = Path(settings.BASE_DIR) / "locale"
# Our languages (settings.LANGUAGES less the source language) and their number of plural forms.
CATALOGUES = {"ar": 6, "fa": 2, "zh_Hans": 1}
IGNORED = [".venv", "tests", "bench", "staticfiles", "artifacts", "locale", "node_modules"]
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdif]|\{\w*\}")


def _key(message) -> tuple:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return (message.context or "", msgid)


@pytest.fixture(scope="module")
def marked(tmp_path_factory) -> dict:
    """{(context, msgid): message} of every string the project marks, as makemessages sees them."""
    if shutil.which("xgettext") is None:
        if os.environ.get("REQUIRE_GETTEXT"):
            pytest.fail("GNU gettext's xgettext is missing (Debian package `gettext`)")
        pytest.skip("GNU gettext's xgettext is not installed (`make messages` installs it)")
    # makemessages writes into a `locale` folder it finds in the tree, so it walks a tree of links to
    # the project's folders without ours, and writes into a temporary LOCALE_PATHS instead.
    tree, out = tmp_path_factory.mktemp("tree"), tmp_path_factory.mktemp("locale")
    for entry in Path(settings.BASE_DIR).iterdir():
        if entry.name not in IGNORED and not entry.name.startswith("."):
            (tree / entry.name).symlink_to(entry)
    cwd = os.getcwd()
    os.chdir(tree)
    try:
        with override_settings(LOCALE_PATHS=[str(out)]):
            call_command("makemessages", locale=["ar"], symlinks=True, ignore_patterns=IGNORED, verbosity=0)
    finally:
        os.chdir(cwd)
    with (out / "ar" / "LC_MESSAGES" / "django.po").open("rb") as source:
        catalog = read_po(source)
    return {_key(m): m for m in catalog if m.id}


def _catalogue(code: str):
    with (LOCALE / code / "LC_MESSAGES" / "django.po").open("rb") as source:
        return read_po(source, locale=code)


@pytest.mark.parametrize("code", CATALOGUES)
def test_catalogue_header(code):
    catalog = _catalogue(code)
    assert not catalog.fuzzy, f"{code}: the header is marked fuzzy (compilers skip a fuzzy catalogue)"
    assert catalog.num_plurals == CATALOGUES[code]


@pytest.mark.parametrize("code", CATALOGUES)
def test_every_marked_string_is_translated(marked, code):
    catalog = {_key(m): m for m in _catalogue(code) if m.id}
    missing = [key for key in marked if key not in catalog]
    assert not missing, f"{code}: not in the catalogue (run `make messages` and translate): {missing}"
    problems = []
    for key in marked:
        message = catalog[key]
        forms = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.fuzzy:
            problems.append(f"fuzzy: {key}")
        if not all(forms) or (message.pluralizable and len(forms) != CATALOGUES[code]):
            problems.append(f"empty or missing plural form: {key}")
    assert not problems, f"{code}: " + "\n".join(problems)


@pytest.mark.parametrize("code", CATALOGUES)
def test_translations_keep_the_placeholders(marked, code):
    catalog = {_key(m): m for m in _catalogue(code) if m.id}
    problems = []
    for key, source in marked.items():
        message = catalog.get(key)
        if message is None:
            continue
        if isinstance(source.id, str):
            expected = sorted(PLACEHOLDER.findall(source.id))
            if message.string and sorted(PLACEHOLDER.findall(message.string)) != expected:
                problems.append(f"{key}: {message.string!r} has not exactly {expected}")
            continue
        # A plural form may leave out what only one of the English forms has ("One contact" / "%(n)s contacts").
        singular, plural = (set(PLACEHOLDER.findall(text)) for text in source.id)
        for form in message.string:
            found = set(PLACEHOLDER.findall(form))
            if form and not (singular & plural) <= found <= (singular | plural):
                problems.append(f"{key}: {form!r} has {sorted(found)}")
    assert not problems, f"{code}: " + "\n".join(problems)


@pytest.mark.parametrize("code", sorted(CATALOGUES))
def test_gnu_msgfmt_accepts_the_catalogue(code):
    """No entry twice (a union merge of two branches can leave one) and every format string
    consistent, as GNU msgfmt --check checks: makemessages merges with msgmerge and
    `compilemessages` runs msgfmt, and both stop on such a catalogue."""
    import subprocess

    if shutil.which("msgfmt") is None:
        if os.environ.get("REQUIRE_GETTEXT"):
            pytest.fail("GNU gettext's msgfmt is missing (Debian package `gettext`)")
        pytest.skip("GNU gettext's msgfmt is not installed")
    path = LOCALE / code / "LC_MESSAGES" / "django.po"
    result = subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.parametrize("code", sorted(CATALOGUES))
def test_babel_compiles_the_catalogue(code):
    """`make catalogues` compiles with Babel, whose checkers refuse an entry whose text Babel reads
    as a format string ("X% of" is "% o") while its translation has other placeholders."""
    errors = [f"{message.id!r}: {error}" for message, found in _catalogue(code).check() for error in found]
    assert not errors, "\n".join(errors)
