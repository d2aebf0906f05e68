#!/usr/bin/env bash
# Runs the README's bash blocks in order, as written, as a user would in two terminals:
#   - a block after <!-- readme: host --> starts the dev host, which runs until stopped: it runs in the
#     background, a host already running is first stopped as Ctrl+C stops it, and the next block waits
#     until /health answers;
#   - a block after <!-- readme: skip --> is not run here (the test command itself, Azure deployment);
#   - every other block runs in one bash shell with -e, so a failing command fails the run.
# Where they run: in this tree itself when it holds no local state of the README's (no .azurite/, no truth files:
# a fresh clone, as CI's, after the suite's own `npm ci` and build, which the steps then find up to date), and
# the state they made is removed at the end; otherwise in a copy of the tree without its builds, packages and
# data, so that a developer's local pipeline is never touched (the steps then install and build from nothing).
# Exit status 0 when every block succeeded and the host stopped cleanly at the end.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d /tmp/pipeline-readme-XXXXXX)"
state=("$root/.azurite" "$root/truth.json" "$root/truth.events.ndjson") # the dev host's data, the tool's truth
state_found=""
for file in "${state[@]}"; do [[ -e "$file" ]] && state_found="$file"; done
if [[ -z "$state_found" ]]; then
  steps="$root"
  trap 'stop_host; rm -rf "$work" "${state[@]}"' EXIT
  echo "readme: the steps run in $root (no local state there)"
else
  steps="$work/tree"
  trap 'stop_host; rm -rf "$work"' EXIT
  echo "readme: the steps run in a copy, $steps ($state_found and the rest of $root stay untouched)"
  mkdir "$steps"
  tar -C "$root" --exclude=./.git --exclude='*/bin' --exclude='*/obj' --exclude=./node_modules --exclude=./.azurite \
      --exclude='*/TestResults' --exclude='./truth.*' -cf - . | tar -C "$steps" -xf -
fi
cd "$steps"
set -m # the host runs in its own process group, as in its own terminal, so Ctrl+C (SIGINT) reaches it all

host_pid=""
stop_host() {
  [[ -z "$host_pid" ]] && return 0
  kill -INT -- "-$host_pid" 2>/dev/null
  for _ in $(seq 1 120); do kill -0 "$host_pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$host_pid" 2>/dev/null; then
    echo "readme: the host did not stop within 60 s of Ctrl+C" >&2
    kill -KILL -- "-$host_pid" 2>/dev/null
    host_pid=""
    return 1
  fi
  wait "$host_pid"; local code=$?
  host_pid=""
  # 130: ended by SIGINT before the app could handle it (dotnet run itself); 0: the app stopped cleanly.
  [[ $code -eq 0 || $code -eq 130 ]] || { echo "readme: the host exited with $code" >&2; return 1; }
}

wait_for_host() {
  for _ in $(seq 1 600); do
    curl -fsS -o /dev/null http://127.0.0.1:7071/health 2>/dev/null && return 0
    kill -0 "$host_pid" 2>/dev/null || { echo "readme: the host ended before answering" >&2; cat "$work/host.log" >&2; return 1; }
    sleep 0.5
  done
  echo "readme: the host did not answer /health within 5 minutes" >&2
  return 1
}

blocks=0 failed=0 mode=run block="" inside=0
while IFS= read -r line; do
  if [[ $inside -eq 0 ]]; then
    case "$line" in
      '<!-- readme: host -->') mode=host ;;
      '<!-- readme: skip -->') mode=skip ;;
      '```bash') inside=1; block="" ;;
    esac
    continue
  fi
  if [[ "$line" != '```' ]]; then block+="$line"$'\n'; continue; fi
  inside=0
  blocks=$((blocks + 1))
  case "$mode" in
    skip) echo "readme: block $blocks skipped" ;;
    host)
      echo "readme: block $blocks starts the host (at $SECONDS s):"; printf '%s' "$block" | sed 's/^/    /'
      stop_host || failed=1
      # A host left running elsewhere would answer for this one, and the README's steps would run against it.
      if curl -fsS -o /dev/null http://127.0.0.1:7071/health 2>/dev/null; then
        echo "readme: another process already serves http://127.0.0.1:7071 (a dev host still running?); stop it first" >&2
        failed=1; break
      fi
      # With SIGINT's default action even when this script was started with it ignored (as a background job
      # of a shell without job control is), as a terminal's foreground job has it.
      env --default-signal=INT bash -c "$block" >> "$work/host.log" 2>&1 &
      host_pid=$!
      wait_for_host || { failed=1; break; } ;;
    run)
      echo "readme: block $blocks (at $SECONDS s):"; printf '%s' "$block" | sed 's/^/    /'
      if ! bash -e -o pipefail -c "$block"; then
        echo "readme: block $blocks failed" >&2; failed=1; break
      fi ;;
  esac
  mode=run
done < "$steps/README.md"

stop_host || failed=1
if [[ $failed -ne 0 ]]; then
  echo "readme: host log:" >&2; tail -50 "$work/host.log" >&2
fi
echo "readme: $blocks blocks in $SECONDS s, $([[ $failed -eq 0 ]] && echo passed || echo FAILED)"
exit $failed
