"""Build static/fonts/NotoSansSC-subset-400.woff2 from @fontsource/noto-sans-sc (static/fonts/README.md):
merge the 400-weight slices that hold GB2312 level 1, the Chinese catalogue's characters and CJK
punctuation, and keep only those characters. Run from a folder where the package is unpacked in sc/;
it writes static/fonts/NotoSansSC-subset-400.woff2 (or the path given as its argument)."""

import glob
import re
import sys
from pathlib import Path

from fontTools import merge, subset
from fontTools.ttLib import TTFont

# GB2312 level 1: the 3,755 most common simplified characters
level1 = set()
for hi in range(0xB0, 0xD8):
    for lo in range(0xA1, 0xFF):
        try:
            level1.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
po = open(str(Path(__file__).resolve().parents[3] / "locale/zh_Hans/LC_MESSAGES/django.po"), encoding="utf-8").read()
# The catalogue (every msgstr: labels, placeholders, titles) and the language menu's names of Chinese
# (settings.LANGUAGES and Django's name_local), which are not in the catalogue.
used = {c for c in po + "中文 简体中文" if ord(c) > 0x2E7F}
need = {ord(c) for c in level1 | used}
need |= set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))  # CJK punctuation, full-width forms
print("chars", len(level1), len(used), len(need))
files = sorted(
    glob.glob("sc/package/files/noto-sans-sc-*-400-normal.woff"),
    key=lambda f: int(m.group(1)) if (m := re.search(r"sc-(\d+)-400", f)) else -1,
)
chosen, covered = [], set()
for f in files:
    cmap = set(TTFont(f).getBestCmap())
    if cmap & (need - covered):
        chosen.append(f)
        covered |= cmap & need
print("subsets", len(chosen), "covered", len(covered), "missing", len(need - covered))
m = merge.Merger()
font = m.merge(chosen)
opts = subset.Options()
opts.flavor = "woff2"
opts.layout_features = ["*"]
opts.name_IDs = ["*"]
opts.notdef_outline = True
sub = subset.Subsetter(opts)
sub.populate(unicodes=sorted(covered))
sub.subset(font)
font.flavor = "woff2"
out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "NotoSansSC-subset-400.woff2"
font.save(str(out))
print("wrote", out, out.stat().st_size, "bytes")
