"""scripts/requirements_met.py: the test command skips pip only when every requirement is installed as asked."""

import importlib.util
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("requirements_met", ROOT / "scripts" / "requirements_met.py")
requirements_met = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(requirements_met)


def test_the_projects_requirements_are_met_once_the_test_command_has_installed_them():
    assert requirements_met.main([str(ROOT / "requirements-dev.txt")]) == 0


def test_a_missing_package_a_wrong_version_or_a_bad_line_means_pip_runs(tmp_path, capsys):
    numpy = metadata.version("numpy")
    base = tmp_path / "base.txt"
    base.write_text(f"# a comment\nnumpy=={numpy}  # pinned\n")
    top = tmp_path / "top.txt"
    top.write_text("-r base.txt\npytest>=1\n")
    assert requirements_met.main([str(top)]) == 0
    base.write_text("numpy<1\n")  # a file named by -r is read too
    assert requirements_met.main([str(top)]) == 1 and "numpy<1 is asked for" in capsys.readouterr().out
    assert requirements_met.main(["surely-not-installed-dgm-pkg"]) == 1
    assert "not installed" in capsys.readouterr().out
    marker = tmp_path / "marker.txt"
    marker.write_text('surely-not-installed-dgm-pkg; sys_platform == "no-such-platform"\n')
    assert requirements_met.main([str(marker)]) == 0  # not for this platform: nothing to install
    marker.write_text("--index-url http://example.invalid\n")
    assert requirements_met.main([str(marker)]) == 1  # an option it does not understand: pip decides
