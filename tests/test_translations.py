"""Every message a person can read has its Traditional Chinese translation, and the committed
catalogue (.mo) is the compiled .po.

The msgids are extracted as ``makemessages`` would (pure Python: Babel's extractor with Django's
keywords, templates through Django's own ``templatize``), so the test needs no gettext tools.
"""

import ast
import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hant" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
SKIP_DIRS = {"tests", "var", "node_modules", "__pycache__", "mutation", "bench"}
# Django's keywords (makemessages passes the same to xgettext); gettext_noop also marks lims.messages templates.
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "_l": None,  # gettext_lazy's other short names in the sources (web/views/common.py, qc/pages.py)
    "_lazy": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]|%[sdfr]")


def _files(suffix):
    for path in sorted(ROOT.rglob(f"*{suffix}")):
        parts = path.relative_to(ROOT).parts
        if any(p.startswith(".") or p in SKIP_DIRS for p in parts[:-1]):
            continue
        yield path


def _extract(source, where):
    for lineno, message, _comments, context in extract("python", io.BytesIO(source.encode()), keywords=KEYWORDS):
        msgid = message if isinstance(message, str) else message[0]
        if msgid:
            yield (msgid, context), f"{where}:{lineno}"


def extracted():
    """{(msgid, context): first place it is used} over the project's Python sources and templates."""
    found = {}
    for path in _files(".py"):
        for key, where in _extract(path.read_text(encoding="utf-8"), path.relative_to(ROOT)):
            found.setdefault(key, where)
    for path in _files(".html"):
        # templatize writes each msgid as a one-line Python literal amid filler; the filler's indentation means
        # nothing, so it goes (Python's tokenizer would refuse it)
        source = "\n".join(
            line.lstrip() for line in templatize(path.read_text(encoding="utf-8"), origin=str(path)).splitlines()
        )
        for key, where in _extract(source, path.relative_to(ROOT)):
            found.setdefault(key, where)
    return found


@pytest.fixture(scope="module")
def po():
    with PO.open("rb") as f:
        return read_po(f, locale="zh_Hant")


def test_extraction_finds_the_marked_messages():
    """The extractor itself works: it finds a gettext_noop template of a pure module, a gettext_lazy label and a
    {% translate %} of a template (so the test below cannot pass by extracting nothing)."""
    found = {msgid for msgid, _context in extracted()}
    assert "A reason is required for this action: %(action)s." in found  # lims/lifecycle.py, gettext_noop
    assert "Germination test" in found  # web/labels.py, gettext_lazy
    assert "Log out" in found or "Log in" in found  # templates, {% translate %}
    assert len(found) > 500


def test_every_message_has_a_chinese_translation(po):
    problems = []
    for (msgid, context), where in sorted(extracted().items(), key=lambda kv: kv[1]):
        entry = po.get(msgid, context=context)
        if entry is None:
            problems.append(f"{where}: not in django.po: {msgid!r}")
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(strings):
            problems.append(f"{where}: untranslated: {msgid!r}")
        elif entry.fuzzy:
            problems.append(f"{where}: fuzzy: {msgid!r}")
        elif "%(" in msgid or "python-format" in entry.flags:
            wanted = set(PLACEHOLDER.findall(msgid))
            if any(set(PLACEHOLDER.findall(s)) != wanted for s in strings):
                problems.append(f"{where}: placeholders differ in the translation of {msgid!r}")
    assert not problems, "\n".join(problems)


# DOMAIN.md §14, the glossary: one Chinese name per concept. An English message that names the concept (as a word,
# not inside a quoted code) is translated with that name; the variants found once in the catalogue are refused.
GLOSSARY = {
    "germination index": "發芽指數",
    "root length": "根長",
    "reducing sugar": "還原糖",
    "total carbon": "總碳",
    "organic carbon": "有機碳",
    "organic matter": "有機質",
    "total nitrogen": "全氮",
    "c/n ratio": "碳氮比",
    "chromatogram": "顯圖",
    "heavy metal": "重金屬",
    "dry basis": "乾基",
    "moisture": "水分",
    "turning": "翻堆",
    "worksheet": "工作單",
    "reference material": "參考物質",
    "control chart": "管制圖",
    "measurement uncertainty": "量測不確定度",
    "immature": "未腐熟",
    "maturity": "腐熟",
}
NOT_THE_GLOSSARY = {"層析": "the chromatogram is 顯圖 (濾紙擴散顯圖)"}


def test_one_chinese_name_per_concept(po):
    problems = []
    for entry in po:
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not ids[0] or not strings[0]:
            continue
        english = " ".join(ids).lower()
        for term, chinese in GLOSSARY.items():
            if re.search(rf'(?<![\w"_]){re.escape(term)}', english) and not all(chinese in s for s in strings):
                problems.append(f"{ids[0]!r} names {term!r} but its translation lacks {chinese}: {strings[0]!r}")
        for wrong, why in NOT_THE_GLOSSARY.items():
            if any(wrong in s for s in strings):
                problems.append(f"{strings[0]!r} says {wrong}: {why}")
    assert not problems, "\n".join(problems)


def test_committed_mo_is_the_compiled_po(po):
    """The .mo Django reads holds exactly the translated, non-fuzzy entries of the .po (run compilemessages)."""
    with MO.open("rb") as f:
        mo = read_mo(f)
    want = {_key(m): _all(m.string) for m in po if m.id and not m.fuzzy and all(_all(m.string))}
    have = {_key(m): _all(m.string) for m in mo if m.id}
    stale = {k for k in want.keys() | have.keys() if want.get(k) != have.get(k)}
    assert not stale, f"django.mo differs from django.po (run compilemessages) for: {sorted(stale)[:10]}"


def _all(string):
    return tuple(string) if isinstance(string, (tuple, list)) else (string,)


def _key(message):
    return _all(message.id), message.context


def test_every_message_template_is_marked_for_extraction():
    """A lims.messages.Message made with a bare string literal would never reach the catalogue: refused."""
    bare = []
    for path in _files(".py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Message"
                and len(node.args) >= 2
                and isinstance(node.args[1], (ast.Constant, ast.JoinedStr))
            ):
                bare.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not bare, "Message templates not wrapped in gettext_noop: " + ", ".join(bare)


# --------------------------------------------------------------------------- templates: no English left unmarked

# Technical tokens a page shows as they are in every language (units, symbols, abbreviations of the methods)
TECHNICAL_WORDS = {"SHA", "kg", "ha", "yr", "mm", "Rw", "Cref", "WS", "LOD", "LOQ"}
# The plain error pages are bilingual by design: no template language, so they render when anything else is broken
BILINGUAL_PAGES = {"templates/400.html", "templates/500.html"}
VISIBLE_ATTRIBUTES = {"title", "placeholder", "alt", "aria-label"}
WORD = re.compile(r"[A-Za-z]{2,}")


def unmarked_texts(source):
    """The text a reader sees (text between tags, visible attributes, a button's value) outside {% translate %} /
    {% blocktranslate %}, {% comment %}, variables, <script> and <style>, that has an English word in it."""
    from html.parser import HTMLParser

    from django.template.base import Lexer, TokenType

    chunks, inside = [], 0
    for token in Lexer(source).tokenize():
        name = token.contents.split()[0] if token.token_type == TokenType.BLOCK and token.contents else ""
        if name in ("blocktranslate", "blocktrans", "comment"):
            inside += 1
        elif name in ("endblocktranslate", "endblocktrans", "endcomment"):
            inside -= 1
        chunks.append(token.contents if token.token_type == TokenType.TEXT and not inside else "\0")

    class Visible(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.texts, self.hidden = [], 0

        def handle_starttag(self, tag, attrs):
            self.hidden += tag in ("script", "style")
            button = tag == "input" and dict(attrs).get("type") in ("submit", "button", "reset")  # shows its value
            for key, value in attrs:
                if value and (key in VISIBLE_ATTRIBUTES or (key == "value" and button)):
                    self.texts.append(value)

        def handle_endtag(self, tag):
            self.hidden -= tag in ("script", "style") and self.hidden > 0

        def handle_data(self, data):
            if not self.hidden:
                self.texts.append(data)

    parser = Visible()
    parser.feed("".join(chunks))
    parser.close()
    found = []
    for text in parser.texts:
        for piece in text.split("\0"):
            piece = " ".join(piece.split())
            if set(WORD.findall(piece)) - TECHNICAL_WORDS:
                found.append(piece)
    return found


def test_the_template_check_finds_unmarked_english():
    """The check below works: it reports text, a title and a button left in English, and nothing marked."""
    source = (
        '{% load i18n %}<p>{% translate "Saved" %} {{ n }} kg</p><p title="Open it">Load the file</p>'
        "{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}{% comment %}a note{% endcomment %}"
        '<script>let x = "code";</script><input type="submit" value="Send"><input type="text" value="keep">'
        '<button type="submit" name="then" value="next">{% translate "Save" %}</button>'
    )
    assert unmarked_texts(source) == ["Open it", "Load the file", "Send"]


def test_every_english_text_in_the_templates_is_marked_for_translation():
    problems = []
    for path in _files(".html"):
        where = str(path.relative_to(ROOT))
        if where in BILINGUAL_PAGES:
            continue
        problems += [f"{where}: {text!r}" for text in unmarked_texts(path.read_text(encoding="utf-8"))]
    assert not problems, "English not marked for translation:\n" + "\n".join(problems)
