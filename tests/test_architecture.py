"""Import rules: the core never imports Qt, qasync or the UI; only devices.py uses sounddevice."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "audio_studio"
FORBIDDEN_IN_CORE = ("PySide6", "qasync", "audio_studio.ui", "audio_studio.app", "audio_studio.cli")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def core_files() -> list[Path]:
    return sorted((PACKAGE / "core").rglob("*.py"))


def test_core_never_imports_qt_or_the_ui() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            name
            for name in imported_modules(path)
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN_IN_CORE)
        )
        for path in core_files()
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_all_of_core_loads_no_qt() -> None:
    modules = [
        "audio_studio.core."
        + str(p.relative_to(PACKAGE / "core").with_suffix("")).replace("/", ".")
        for p in core_files()
        if p.name != "__init__.py"
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ImportError as exc:\n"
        "        if 'PySide6' in str(exc) or 'qasync' in str(exc): raise\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'qasync', 'audio_studio.ui'))]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_only_devices_imports_sounddevice() -> None:
    users = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if any(n == "sounddevice" or n.startswith("sounddevice.") for n in imported_modules(p))
    ]
    assert users in ([], ["core/audio/devices.py"])


def test_modules_have_one_line_docstrings() -> None:
    missing = []
    for path in PACKAGE.rglob("*.py"):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        if not doc or not doc.splitlines()[0].strip():
            missing.append(str(path.relative_to(PACKAGE)))
    assert missing == []


def test_no_import_cycles_anywhere() -> None:
    """Zero import cycles in audio_studio/, imports under TYPE_CHECKING included."""
    import grimp

    graph = grimp.build_graph("audio_studio", include_external_packages=False)
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back is not None:
                cycles.append(" -> ".join((module, *back)))
    assert cycles == []


def test_no_mixins() -> None:
    """Classes are not cut into mixins to shorten files: a class's bases are ours only when it
    really is a kind of its base (no base class named or documented as a mixin)."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                doc = (ast.get_docstring(node) or "").lower()
                if "mixin" in node.name.lower() or "mixed into" in doc or "a mixin" in doc:
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.name}")
        module_doc = (ast.get_docstring(tree) or "").lower()
        if "a mixin" in module_doc:
            offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []
