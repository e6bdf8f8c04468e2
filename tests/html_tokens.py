"""HTML as a list of tokens (tags with their attributes, text with its whitespace folded), to compare
markup written two ways (a template loop and the Python that replaced it) regardless of layout."""

from html.parser import HTMLParser


class _Tokens(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tokens: list = []

    def handle_starttag(self, tag, attrs):
        self.tokens.append(("<", tag, tuple(attrs)))

    def handle_endtag(self, tag):
        self.tokens.append((">", tag))

    def handle_data(self, data):
        text = " ".join(data.split())
        if text:
            self.tokens.append(("text", text))


def html_tokens(html: str) -> list:
    parser = _Tokens()
    parser.feed(html)
    return parser.tokens
