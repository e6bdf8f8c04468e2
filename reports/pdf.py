"""HTML to PDF with WeasyPrint (docs/decisions.md "Value report PDF"): Pango and HarfBuzz shape
Arabic and Persian right to left and Chinese from the project's own fonts (static/fonts/). The
renderer may read only the project's static files (the stylesheet and the fonts): no network,
no other path, whatever the document says."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from django.contrib.staticfiles import finders

__all__ = ["html_to_pdf", "static_path"]


def static_path(name: str) -> Path:
    found = finders.find(name)
    if not found:
        raise FileNotFoundError(name)
    return Path(found).resolve()


def _fetcher(allowed_dirs: list[Path]):
    from weasyprint.urls import URLFetcher

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            parsed = urlparse(url)
            path = Path(unquote(parsed.path)).resolve()
            if parsed.scheme != "file" or not any(path.is_relative_to(d) for d in allowed_dirs):
                raise ValueError(f"not fetched: {url}")
            return super().fetch(url, headers)

    return StaticOnly(allowed_protocols=("file",))


def html_to_pdf(html: str, *, stylesheet: str) -> bytes:
    """`html` (a whole document) as PDF bytes, styled by the static `stylesheet` (e.g.
    "css/value_report.css"), whose relative URLs (../fonts/...) resolve to static files."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    css = static_path(stylesheet)
    allowed = [css.parent, static_path("fonts/OFL-NotoSansArabic.txt").parent]
    fetcher = _fetcher(allowed)
    fonts = FontConfiguration()  # the stylesheet's @font-face rules (the project's fonts)
    document = HTML(string=html, base_url=css.parent.as_uri() + "/", url_fetcher=fetcher)
    sheet = CSS(filename=str(css), url_fetcher=fetcher, font_config=fonts)
    return document.write_pdf(stylesheets=[sheet], font_config=fonts)
