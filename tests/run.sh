#!/usr/bin/env bash
# Runs every test on a fresh machine: installs Azurite from the lock file, restores NuGet packages,
# builds and tests the solution, runs the README's steps as written, then prints one closing line:
# "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

echo "== npm ci (Azurite, pinned in package.json)"
npm ci --no-audit --no-fund --loglevel=error || { echo "0 passed, 1 failed"; exit 1; }

# The console's browser tests drive Debian's Chromium through its ChromeDriver.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "== apt-get install chromium chromium-driver (the console's browser tests)"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  { $sudo apt-get install -y -q chromium chromium-driver || { $sudo apt-get update -q && $sudo apt-get install -y -q chromium chromium-driver; }; } >/dev/null \
    || echo "Chromium could not be installed: the browser tests will fail, saying so"
fi

# The whole solution, the Functions app included. The Event Hubs worker extension is not in every
# registry: PIPELINE_EVENTHUBS=true builds the app with its trigger where it is (the default of a plain
# build or publish of src/Pipeline.Functions).
eventhubs="${PIPELINE_EVENTHUBS:-false}"
echo "== dotnet test Pipeline.sln (PipelineEventHubs=$eventhubs)"
log="$(mktemp)"
# A hang is reported with a dump instead of blocking the run.
dotnet test Pipeline.sln --nologo -p:PipelineEventHubs="$eventhubs" --blame-hang-timeout 10m 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# dotnet test prints one summary line per test assembly; add them up.
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{ sum += $2 } END { print sum + 0 }')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{ sum += $2 } END { print sum + 0 }')
rm -f "$log"
passed=${passed:-0}
failed=${failed:-0}
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The build or the test host failed before any test could be counted.
  failed=1
fi

# The README's own steps, run as written (one test: every block in order).
echo "== the README's steps (tests/readme/run.sh)"
if bash tests/readme/run.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; fi

echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
