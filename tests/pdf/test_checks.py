"""The system check warns before a PDF comes out as boxes, or ten times slower."""

from reports.pdf import checks


def test_no_warning_when_fonts_and_harfbuzz_subset_are_installed():
    assert checks.pdf_dependencies() == []


def test_missing_cjk_font_warns(monkeypatch):
    monkeypatch.setattr(checks, "installed_families", lambda: {"DejaVu Sans"})
    [warning] = checks.pdf_dependencies()
    assert warning.id == "perfeval.W001" and "fonts-noto-cjk" in warning.hint


def test_missing_fc_list_warns(monkeypatch):
    monkeypatch.setattr(checks, "installed_families", lambda: None)
    assert [w.id for w in checks.pdf_dependencies()] == ["perfeval.W001"]


def test_missing_harfbuzz_subset_warns(monkeypatch):
    monkeypatch.setattr(checks, "harfbuzz_subset_available", lambda: False)
    [warning] = checks.pdf_dependencies()
    assert warning.id == "perfeval.W002" and "libharfbuzz-subset0" in warning.hint


def test_check_is_registered():
    from django.core.checks import registry

    assert checks.pdf_dependencies in registry.registry.get_checks()
