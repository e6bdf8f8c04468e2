"""Which font really drew a page's text (Chromium's DevTools protocol, CSS.getPlatformFontsForNode):
Arabic, Persian and Chinese must come from the project's own files (static/fonts/README.md), never
from a system font, where the viewer may have no such glyphs and sees empty boxes (issue 22).

`wrong_fonts(page, language)` checks the chrome every page shares (sidebar sections and items, the
search box's placeholder, the language button, the role badge, the logout button) and the page's
heading, and returns one line per element whose script was drawn (partly) in another font."""

import re

# The script of each language and the family Chromium reports for our file of it (the Chinese subset's
# own name table says "Noto Sans SC Thin": match the start only).
SCRIPTS = {
    "zh-hans": (re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]"), "Noto Sans SC"),
    "ar": (re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"), "Noto Sans Arabic"),
    "fa": (re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"), "Noto Sans Arabic"),
}

CHROME = [
    ".sidebar .section",
    ".sidebar a.nav",
    ".topbar .search input",
    ".topbar .lang-menu > summary .lang-code",
    ".topbar .user-name .badge",
    ".topbar form[action*=logout] button .label",
    "main h1",
]

# The text of each element's own text nodes (what getPlatformFontsForNode reports on), or an input's
# placeholder, for the visible elements the selectors match, in document order.
_TEXTS = """(selectors) => {
  const out = [];
  for (const selector of selectors) {
    document.querySelectorAll(selector).forEach((el, index) => {
      if (!el.getClientRects().length || getComputedStyle(el).visibility === 'hidden') return;
      const text = el.tagName === 'INPUT' ? (el.value || el.placeholder) :
        [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.nodeValue).join('');
      out.push([selector, index, text]);
    });
  }
  return out;
}"""


def wrong_fonts(page, language: str, selectors: list[str] = CHROME) -> list[str]:
    """One line per visible element of `selectors` whose `language` script was not all drawn in the
    project's font for it (empty list in a language without one of our fonts)."""
    if language not in SCRIPTS:
        return []
    script, family = SCRIPTS[language]
    page.evaluate("document.fonts.ready.then(() => true)")
    elements = page.evaluate(_TEXTS, selectors)
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        problems, seen = [], set()
        for selector, index, text in elements:
            if not script.search(text):
                continue  # no text of the script here (data, or English: another test's business)
            nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})["nodeIds"]
            if index >= len(nodes):
                continue
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": nodes[index]})["fonts"]
            ours = sum(f["glyphCount"] for f in fonts if f["familyName"].startswith(family) and f["isCustomFont"])
            others = {f["familyName"]: f["glyphCount"] for f in fonts if not f["familyName"].startswith(family)}
            # Glyphs a system font may draw: the characters outside the script (digits, names, spaces, "…").
            allowed = len(script.sub("", text))
            if not ours or sum(others.values()) > allowed:
                line = f"{selector} {text.strip()!r}: {others or 'no font'} instead of {family}"
                if line not in seen:
                    seen.add(line)
                    problems.append(line)
        return problems
    finally:
        cdp.detach()
