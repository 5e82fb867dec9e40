"""The browser code of the app's components lives in ui/static/ as files a syntax check can read."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ui import static

MODULES = sorted(static.FOLDER.glob("*.mjs"))
STYLES = sorted(static.FOLDER.glob("*.css"))
UI = Path(static.FOLDER).parent


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_every_component_module_passes_nodes_syntax_check(path):
    node = shutil.which("node")
    assert node, "node is missing: scripts/test.sh installs Debian's nodejs"
    result = subprocess.run([node, "--check", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", STYLES, ids=[p.name for p in STYLES])
def test_every_stylesheet_has_balanced_braces_and_no_hard_coded_theme_text_colour(path):
    text = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.S)
    assert text.count("{") == text.count("}") > 0
    assert "#262730" not in text and "#b3261e" not in text  # Streamlit's old defaults: the theme's variables instead


def test_no_python_module_of_the_ui_carries_javascript_or_a_stylesheet_in_a_string():
    for module in UI.glob("*.py"):
        source = module.read_text()
        assert "export default function" not in source, module.name
        assert not re.search(r"<style>\s*\w", source), module.name


def test_the_components_are_built_from_those_files():
    from ui import arena, classroom, clicks, layout, player

    pairs = ((player, "player"), (clicks, "clicks"), (arena, "arena"), (classroom, "pulse"), (classroom, "to_top"))
    pairs += ((layout, "fold_sidebar"), (classroom, "remember_student"))
    pairs += ((layout, "copy_link"), (layout, "history"))
    for module, name in pairs:
        assert f'static.read("{name}.mjs")' in Path(module.__file__).read_text()
    assert "export default function" in static.read("player.mjs")
