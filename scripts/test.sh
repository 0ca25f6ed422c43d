#!/usr/bin/env bash
# Run the whole test suite from a fresh machine: system packages the tests need (headless Chromium for
# the browser test, Virtuoso for the remote-backend tests), the project with its test extras in .venv
# (among them the `oxigraph` server, the other remote engine), then the data checks and pytest.
# Safe to run again: it skips what is already installed.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
command -v virtuoso-t >/dev/null || need+=(virtuoso-opensource)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing system packages: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

[ -d .venv ] || python3 -m venv .venv
. .venv/bin/activate
pip install -q -e '.[test]'

# The shipped data: every quote verbatim in its source, no SHACL violation, no quality-check error.
seeds_tool="${SUGRAPH_SHARED:-../shared}/tools/check_quotes.py"
if [ -f "$seeds_tool" ]; then
  python "$seeds_tool" data
else
  echo "note: $seeds_tool not found; quote check skipped (it needs ../shared beside the checkout)"
fi
sugraph check

python -m pytest "$@"
