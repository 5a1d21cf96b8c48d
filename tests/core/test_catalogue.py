"""The English catalogue is complete, current and compiled.

- every entry of ``locale/en/LC_MESSAGES/django.po`` has an English translation (none empty,
  none fuzzy) with the same ``%(name)s`` placeholders;
- every string the code and the templates mark for translation is in it (the strings are
  extracted again into a temporary folder with ``makemessages`` and compared), and nothing
  stale stays in it;
- the committed ``django.mo`` holds exactly what the ``.po`` says.

After changing or adding a translatable string: ``.venv/bin/lindung makemessages -l en
--no-location`` (from ``src/lindung``), translate the new entries, then
``.venv/bin/python tests/core/test_catalogue.py`` compiles the ``.mo`` (pure Python, polib: no
gettext tools needed).
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import polib

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "lindung"
PO = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\(\w[\w.]*\)[sd]|%[sd]")


def _key(entry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def _entries(catalogue) -> list:
    return [e for e in catalogue if not e.obsolete and e.msgid]


def test_every_entry_is_translated_and_not_fuzzy():
    po = polib.pofile(str(PO))
    untranslated = [e.msgid for e in _entries(po) if not e.translated()]
    fuzzy = [e.msgid for e in _entries(po) if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []
    assert not po.metadata_is_fuzzy


def test_translations_keep_their_placeholders():
    wrong = []
    for e in _entries(polib.pofile(str(PO))):
        texts = [e.msgstr] if not e.msgid_plural else list(e.msgstr_plural.values())
        for text in texts:
            if sorted(PLACEHOLDER.findall(e.msgid)) != sorted(PLACEHOLDER.findall(text)):
                wrong.append((e.msgid, text))
    assert wrong == []


def test_english_is_not_indonesian_copied_over():
    """A translation identical to its Indonesian source is allowed only for terms that stay
    (codes, statutory names, abbreviations)."""
    same = [
        e.msgid
        for e in _entries(polib.pofile(str(PO)))
        if e.msgstr == e.msgid and re.search(r"[a-z]{4,}\s+[a-z]{3,}", e.msgid)
    ]
    assert same == []


def test_every_marked_string_is_in_the_catalogue(tmp_path, settings):
    """Extract the strings again (``makemessages``) and compare the message ids."""
    from django.core.management import call_command

    assert shutil.which("xgettext"), "gettext is missing: apt-get install gettext (./dev does)"
    copy = tmp_path / "lindung"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("locale", "__pycache__"))
    (copy / "locale").mkdir()
    settings.LOCALE_PATHS = [str(copy / "locale")]
    import os

    here = os.getcwd()
    os.chdir(copy)
    try:
        call_command("makemessages", locale=["en"], no_location=True, verbosity=0)
    finally:
        os.chdir(here)
    fresh = {_key(e) for e in _entries(polib.pofile(str(copy / "locale/en/LC_MESSAGES/django.po")))}
    committed = {_key(e) for e in _entries(polib.pofile(str(PO)))}
    assert sorted(fresh - committed) == [], "marked for translation but not in django.po"
    assert sorted(committed - fresh) == [], "in django.po but no longer marked anywhere"


def test_the_compiled_catalogue_is_up_to_date():
    po = {_key(e): (e.msgstr, e.msgstr_plural) for e in _entries(polib.pofile(str(PO)))}
    mo = {_key(e): (e.msgstr, e.msgstr_plural) for e in _entries(polib.mofile(str(MO)))}
    assert mo == po, "django.mo is older than django.po: run python tests/core/test_catalogue.py"


def compile_catalogue() -> None:
    polib.pofile(str(PO)).save_as_mofile(str(MO))


if __name__ == "__main__":
    compile_catalogue()
    sys.stdout.write(f"{MO} written\n")
