"""System checks: WeasyPrint fails silently without these (boxes for every character, or 10× slower)."""

from __future__ import annotations

import ctypes
import ctypes.util
import shutil
import subprocess

from django.core.checks import Warning, register

FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC")


def installed_families() -> set[str] | None:
    """Font families fontconfig knows, or None when fc-list is not there."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        out = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    families: set[str] = set()
    for line in out.stdout.splitlines():
        families.update(name.strip() for name in line.split(","))
    return families


# The names WeasyPrint tries (weasyprint/text/ffi.py), without importing it at every start.
HARFBUZZ_SUBSET = ("libharfbuzz-subset.so.0", "libharfbuzz-subset-0", "libharfbuzz-subset.0.dylib")


def harfbuzz_subset_available() -> bool:
    for name in HARFBUZZ_SUBSET:
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return True
    return bool(ctypes.util.find_library("harfbuzz-subset"))


@register("perfeval")
def pdf_dependencies(app_configs=None, **kwargs):
    problems = []
    families = installed_families()
    missing = list(FONTS) if families is None else [f for f in FONTS if f not in families]
    if missing:
        problems.append(
            Warning(
                f"PDF: font {', '.join(missing)} not found by fontconfig (fc-list); every Chinese "
                "character of a PDF would be an empty box.",
                hint="Install the Debian package fonts-noto-cjk (and fontconfig).",
                id="perfeval.W001",
            )
        )
    if not harfbuzz_subset_available():
        problems.append(
            Warning(
                "PDF: libharfbuzz-subset is not available to WeasyPrint; it falls back to fontTools and "
                "a Chinese PDF takes about ten times longer.",
                hint="Install the Debian package libharfbuzz-subset0.",
                id="perfeval.W002",
            )
        )
    return problems
