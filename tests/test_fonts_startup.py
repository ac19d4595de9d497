"""A LIMS_CJK_FONT that cannot be used stops the app at start-up (issue 17, item 6)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parent.parent


def test_start_up_fails_on_a_missing_cjk_font(tmp_path):
    env = dict(
        os.environ,
        LIMS_CJK_FONT=str(tmp_path / "nope.ttf"),
        DJANGO_SETTINGS_MODULE="lims.settings",
        LIMS_VAR_DIR=str(tmp_path),
    )
    r = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert r.returncode != 0
    assert "ImproperlyConfigured" in r.stderr and f"LIMS_CJK_FONT={tmp_path / 'nope.ttf'}: no such file" in r.stderr


def test_ready_rejects_a_font_without_chinese(monkeypatch):
    from certificates import fonts

    latin = fonts._package_file(fonts.LATIN_PACKAGE, fonts.LATIN_FILES[fonts.LATIN_FONT])
    monkeypatch.setenv("LIMS_CJK_FONT", str(latin))
    with pytest.raises(ImproperlyConfigured, match="has no glyph"):
        apps.get_app_config("certificates").ready()
    monkeypatch.delenv("LIMS_CJK_FONT")
    apps.get_app_config("certificates").ready()  # the bundled font: no error
