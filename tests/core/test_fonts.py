"""The project serves its own fonts for Arabic script and Chinese (static/fonts/README.md): the
stylesheet declares them, and the Chinese subset holds every Chinese character of the catalogue
(else a page falls back to whatever the viewer has installed). After adding Chinese text, rebuild
the subset with static/fonts/tools/cjk_subset.py."""

from pathlib import Path

from django.conf import settings
from fontTools.ttLib import TTFont

STATIC = Path(settings.BASE_DIR) / "static"
CJK = [(0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xFF00, 0xFFEF)]


def _is_cjk(char: str) -> bool:
    return any(low <= ord(char) <= high for low, high in CJK)


def test_the_chinese_subset_covers_the_catalogue():
    font = set(TTFont(STATIC / "fonts" / "NotoSansSC-subset-400.woff2").getBestCmap())
    catalogue = (Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text("utf-8")
    missing = sorted({char for char in catalogue if _is_cjk(char) and ord(char) not in font})
    assert not missing, f"not in the Chinese subset (run static/fonts/tools/cjk_subset.py): {''.join(missing)}"


def test_the_staff_stylesheet_declares_the_fonts():
    css = (STATIC / "css" / "app.css").read_text("utf-8")
    for name in ("NotoSansArabic-400.woff2", "NotoSansArabic-700.woff2", "NotoSansSC-subset-400.woff2"):
        assert f'url("../fonts/{name}")' in css
        assert (STATIC / "fonts" / name).exists()
    assert ":lang(ar), :lang(fa)" in css


def test_no_physical_left_or_right_in_the_stylesheets():
    """Right to left needs logical properties (docs/i18n.md): no margin-left, padding-right,
    text-align: left, float: right, left: 0 ... in the project's CSS nor in templates' styles."""
    import re

    physical = re.compile(
        r"(?<![\w-])(?:(?:margin|padding|border)-(?:left|right)|(?:left|right)\s*:|text-align\s*:\s*(?:left|right)"
        r"|float\s*:\s*(?:left|right))"
    )
    found = []
    templates = Path(settings.BASE_DIR) / "templates"
    files = [*sorted((STATIC / "css").glob("*.css")), *sorted(templates.rglob("*.html"))]
    for path in files:
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if physical.search(line):
                found.append(f"{path.name}:{number}: {line.strip()[:100]}")
    assert not found, "\n".join(found)


# Section: every character the catalogues (and the language menu) show, in our font for its script

# Outside our faces' unicode-range, a character is drawn by the viewer's fonts: only blocks every
# system has (Latin, Greek, punctuation, arrows, maths, ✓) may be there.
SYSTEM_BLOCKS = [
    (0x0000, 0x024F), (0x0370, 0x03FF), (0x2000, 0x206F), (0x2100, 0x214F), (0x2190, 0x22FF), (0x2700, 0x27BF),
]  # fmt: skip
FACES = {  # language: (catalogue, our files for its script)
    "ar": ("ar", ["NotoSansArabic-400.woff2", "NotoSansArabic-700.woff2"]),
    "fa": ("fa", ["NotoSansArabic-400.woff2", "NotoSansArabic-700.woff2"]),
    "zh-hans": ("zh_Hans", ["NotoSansSC-subset-400.woff2"]),
}


def _ranges(css: str, file: str) -> list[tuple[int, int]]:
    """The unicode-range app.css declares for the @font-face of `file`."""
    import re

    face = re.search(r"@font-face \{[^}]*" + re.escape(file) + r"[^}]*\}", css).group(0)
    spans = re.search(r"unicode-range:([^;]+);", face).group(1)
    ranges = []
    for span in spans.split(","):
        low, _, high = span.strip()[2:].partition("-")
        ranges.append((int(low, 16), int(high or low, 16)))
    return ranges


def _shown_characters(language: str, catalogue: str) -> set[str]:
    """Every character of the catalogue's translations (placeholders, titles and labels are msgstrs
    too) and of the language's names in the language menu."""
    from babel.messages.pofile import read_po
    from django.utils.translation import get_language_info

    path = Path(settings.BASE_DIR) / "locale" / catalogue / "LC_MESSAGES" / "django.po"
    with path.open("rb") as source:
        messages = read_po(source, locale=catalogue)
    chars = set()
    for message in messages:
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for text in strings:
            chars |= set(text or "")
    chars |= set(dict(settings.LANGUAGES)[language]) | set(get_language_info(language)["name_local"])
    return chars


def test_every_character_the_catalogues_show_is_in_our_font_for_its_script():
    css = (STATIC / "css" / "app.css").read_text("utf-8")
    problems = []
    for language, (catalogue, files) in FACES.items():
        ranges = _ranges(css, files[0])
        chars = _shown_characters(language, catalogue)
        for file in files:
            cmap = set(TTFont(STATIC / "fonts" / file).getBestCmap())
            ours = {c for c in chars if any(low <= ord(c) <= high for low, high in ranges)}
            missing = sorted(c for c in ours if ord(c) not in cmap and not c.isspace())
            if missing:
                problems.append(f"{language}: {file} lacks {''.join(missing)}")
        # a character of another script our faces do not cover: the viewer's fonts, or empty boxes
        everyone = [*ranges, *SYSTEM_BLOCKS, *_ranges(css, "NotoSansArabic-400.woff2"),
                    *_ranges(css, "NotoSansSC-subset-400.woff2")]  # fmt: skip
        stray = sorted(c for c in chars if not any(low <= ord(c) <= high for low, high in everyone))
        if stray:
            problems.append(f"{language}: no font of ours covers {' '.join(f'U+{ord(c):04X}' for c in stray)}")
    assert not problems, "\n".join(problems)
