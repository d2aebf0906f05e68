#!/usr/bin/env bash
# Runs every test on a fresh machine: installs Azurite from the lock file, restores NuGet packages and the
# formatter, checks the code's layout, builds and tests the solution, runs the README's steps as written
# (beside the tests, as a user would in other terminals), then prints one closing line: "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
started=$SECONDS
# The run starts about a hundred .NET processes (builds, test hosts, dev hosts, the pipeline tool) that live
# seconds to minutes: tiered PGO's instrumentation costs them more processor time than its code gains back
# (14% of the end-to-end tests' CPU, measured); it changes how code is compiled, never what it does.
export DOTNET_TieredPGO=0
# Nor do they need W^X (JIT-compiled code never mapped writable and executable at once): a hardening of long-lived
# processes against code injection, paid in every short one as mapping work on each method compiled.
export DOTNET_EnableWriteXorExecute=0
phase() { echo "== $1 ($((SECONDS - started)) s)"; }

# The console's browser tests drive Debian's Chromium through its ChromeDriver: installed, where missing, while
# the rest is restored and built (the download waits on the network, the build on the processors).
chromium_log="$(mktemp)" chromium_pid=""
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  phase "apt-get install chromium chromium-driver (the console's browser tests; in the background)"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  { $sudo apt-get install -y -q chromium chromium-driver || { $sudo apt-get update -q && $sudo apt-get install -y -q chromium chromium-driver; }; } \
    > "$chromium_log" 2>&1 &
  chromium_pid=$!
fi
wait_for_chromium() {
  [ -z "$chromium_pid" ] && return
  phase "waiting for apt-get install chromium"
  wait "$chromium_pid" || { tail -20 "$chromium_log"; echo "Chromium could not be installed: the browser tests will fail, saying so"; }
}

# The whole solution, the Functions app included. The Event Hubs worker extension is not in every
# registry: PIPELINE_EVENTHUBS=true builds the app with its trigger where it is (the default of a plain
# build or publish of src/Pipeline.Functions).
eventhubs="${PIPELINE_EVENTHUBS:-false}"

# Azurite and the console's charting library (npm) and the solution's packages (NuGet) download at once.
phase "npm ci (Azurite, pinned in package.json), beside dotnet tool restore and dotnet restore"
npm_log="$(mktemp)"
npm ci --no-audit --no-fund --loglevel=error > "$npm_log" 2>&1 &
npm_pid=$!
tools_status=0 restore_status=0
dotnet tool restore >/dev/null || { tools_status=1; echo "dotnet tool restore failed: the layout is not checked"; }
dotnet restore Pipeline.sln --nologo -v q -p:PipelineEventHubs="$eventhubs" \
  || { restore_status=1; echo "dotnet restore failed: nothing is built or tested"; }

# A solution filter (.slnf) of some of the solution's projects: "$1" is where to write it, the rest are the projects.
solution_filter() {
  local file="$1"; shift
  printf '{"solution": {"path": "%s", "projects": [%s]}}\n' "$root/Pipeline.sln" \
    "$(printf '"%s",' "$@" | sed 's/,$//')" > "$file"
}
test_projects=$(dotnet sln Pipeline.sln list | grep -E '^tests/.*\.Tests\.csproj$')
slnf_dir="$(mktemp -d)"

# While npm ci unpacks, the projects that need nothing of it are built (all but the HTTP edge, which embeds Chart.js,
# and what references it): npm ci alone leaves a processor idle. The whole solution is built once it is done.
# Build errors are reported by that build, once.
if [ "$restore_status" -eq 0 ]; then
  phase "dotnet build of the projects that need no npm package (beside npm ci)"
  solution_filter "$slnf_dir/npm-free.slnf" $(echo "$test_projects" | grep -Ev 'DevHost|Functions')
  dotnet build "$slnf_dir/npm-free.slnf" --no-restore --nologo -v q -p:PipelineEventHubs="$eventhubs" > /dev/null 2>&1
fi
phase "waiting for npm ci"
wait "$npm_pid" || { cat "$npm_log"; echo "npm ci failed"; echo "0 passed, 1 failed"; exit 1; }
rm -f "$npm_log"

passed=0 failed=0 status=0

start_readme() {
  # The README's own steps, run as written (one test: every block in order), beside the solution's tests. Started
  # once the solution is built: in this tree they find it built and installed, and build nothing again.
  phase "the README's steps start (tests/readme/run.sh, beside the tests)"
  # With job control on: a script's background job would otherwise inherit SIGINT ignored, and the README's
  # Ctrl+C of its host would not reach it.
  set -m
  bash tests/readme/run.sh > "$readme_log" 2>&1 &
  readme_pid=$!
  set +m
}
readme_log="$(mktemp)"

# Layout: CSharpier's (a tool pinned in .config/dotnet-tools.json), and no line of src over 120 characters.
phase "layout (dotnet csharpier check, lines of src within 120 characters)"
long_lines="$(find src -name '*.cs' -not -path '*/obj/*' -not -path '*/bin/*' -print0 | xargs -0 awk 'length > 120 { print FILENAME ":" FNR }')"
if [ "$tools_status" -eq 0 ] && dotnet csharpier check src tests && [ -z "$long_lines" ]; then
  passed=$((passed + 1))
else
  [ -n "$long_lines" ] && echo "lines over 120 characters: $long_lines"
  echo "the layout check failed: run 'dotnet csharpier format src tests' and shorten the lines named"
  failed=$((failed + 1)); status=1
fi

phase "dotnet build Pipeline.sln (PipelineEventHubs=$eventhubs)"
log="$(mktemp)"
# Built once before any test runs, so a build error is told apart from a failed test and every test
# assembly can start at once (the dev host's, the longest, would otherwise be built last).
build_status=$restore_status
[ "$build_status" -eq 0 ] && { dotnet build Pipeline.sln --no-restore --nologo -v q -p:PipelineEventHubs="$eventhubs" \
  || build_status=1; }
# From here on the run starts processes that mostly live seconds (the pipeline tool, dev hosts of one scenario):
# methods called often are compiled again, optimized, only after a second (not 100 ms) without new methods to
# compile, so that most of them end before paying for it. One dev host start, 12,000 events published, recomputed
# and verified, three times each: 17.9 s of CPU with the default, 14.9 s with this (same wall time).
export DOTNET_TC_CallCountingDelayMs=1000
start_readme
wait_for_chromium
if [ "$build_status" -eq 0 ]; then
  phase "dotnet test (tests, built): the dev host's end-to-end tests beside the solution's other tests"
  # The end-to-end tests run longest: started at once in a dotnet test of their own, instead of after whichever
  # assemblies dotnet test of the solution would run first. A hang is reported with a dump instead of blocking.
  devhost_log="$(mktemp)"
  dotnet test tests/Pipeline.DevHost.Tests --no-build --nologo -p:PipelineEventHubs="$eventhubs" \
    --blame-hang-timeout 10m > "$devhost_log" 2>&1 &
  devhost_pid=$!
  solution_filter "$slnf_dir/others.slnf" $(echo "$test_projects" | grep -v 'Pipeline.DevHost.Tests')
  dotnet test "$slnf_dir/others.slnf" --no-build --nologo -p:PipelineEventHubs="$eventhubs" --blame-hang-timeout 10m 2>&1 \
    | tee "$log"
  test_status=${PIPESTATUS[0]}
  wait "$devhost_pid" || test_status=1
  tee -a "$log" < "$devhost_log"; rm -f "$devhost_log"
else
  test_status=1
fi
rm -rf "$slnf_dir"

# dotnet test prints one summary line per test assembly; add them up.
test_passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{ sum += $2 } END { print sum + 0 }')
test_failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{ sum += $2 } END { print sum + 0 }')
rm -f "$log" "$chromium_log"
if [ "$test_status" -ne 0 ] && [ "${test_failed:-0}" -eq 0 ]; then
  # The build or the test host failed before any test could be counted.
  test_failed=1
fi
passed=$((passed + ${test_passed:-0})); failed=$((failed + ${test_failed:-0}))
[ "$test_status" -ne 0 ] && status=1

phase "the README's steps (waiting for them)"
if wait "$readme_pid"; then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; fi
cat "$readme_log"; rm -f "$readme_log"

phase "done"
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
