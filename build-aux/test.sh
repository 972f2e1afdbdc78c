#!/bin/sh
# README command 2: build PhoneVerify and run the whole test suite headless, in a private
# D-Bus session and a virtual X server. Ends with the line "N passed, N failed" and exits
# with meson test's status.
#
#   build-aux/test.sh [MESON TEST ARGS...]             in _build, as the README says
#   build-aux/test.sh --sanitize [MESON TEST ARGS...]  the same suite in _build-sanitize,
#                                                      built with AddressSanitizer and
#                                                      UndefinedBehaviorSanitizer (gcc, g++)
#   build-aux/test.sh --fuzz [MESON TEST ARGS...]      the `fuzz` suite in _build-fuzz,
#                                                      built with clang and -Dfuzzing=true
#
# Extra arguments go to meson test. A sanitized run also fails on any sanitizer report,
# from whichever process (see build-aux/sanitizers/README).
set -eu
cd "$(dirname "$0")/.."

mode=plain
case "${1:-}" in
  --sanitize) mode=sanitize; shift ;;
  --fuzz) mode=fuzz; shift ;;
esac

build-aux/install-deps.sh --tests

sanitize_options="-Db_sanitize=address,undefined -Db_lundef=false"
case $mode in
  plain)
    build=_build
    setup () { meson setup "$build"; }
    ;;
  sanitize)
    build=_build-sanitize
    # shellcheck disable=SC2086
    setup () { CC=gcc CXX=g++ meson setup "$build" $sanitize_options; }
    ;;
  fuzz)
    build=_build-fuzz
    if ! grep -q "option *( *'fuzzing'" meson_options.txt; then
      echo "meson_options.txt has no fuzzing option yet: there is nothing to fuzz" >&2
      exit 77
    fi
    # shellcheck disable=SC2086
    setup () { CC=clang CXX=clang++ meson setup "$build" -Dfuzzing=true $sanitize_options; }
    ;;
esac

log=$(mktemp "${TMPDIR:-/tmp}/pv-build.XXXXXX")
trap 'rm -f "$log"' EXIT
# The build's output is shown only when it fails.
if ! { [ -f "$build/build.ninja" ] || setup >"$log" 2>&1; } ||
   ! meson compile -C "$build" >"$log" 2>&1; then
  cat "$log" >&2
  echo "The build in $build failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

set -- --print-errorlogs "$@"
reports=""
if [ "$mode" != plain ]; then
  # The phone-verify and fake Twilio processes that scripts and the Python harness start
  # have their standard error read, or thrown away, by that test, and may exit 1 where 1 is
  # expected. So AddressSanitizer writes every report to a file of its own, whichever
  # process made it, and both sanitizers exit with 86, which no program here uses. (gcc's
  # UndefinedBehaviorSanitizer ignores log_path beside AddressSanitizer: its reports go to
  # standard error.) The fuzz targets' own settings (tests/fuzz/meson.build) come first.
  # Leaks are not checked unless PV_SANITIZE_LEAKS=1: build-aux/sanitizers/README says why.
  reports="$(pwd)/$build/sanitizer-reports"
  rm -rf "$reports"
  mkdir -p "$reports"
  supp="$(pwd)/build-aux/sanitizers/lsan.supp"
  asan="detect_stack_use_after_return=1:exitcode=86:log_path=$reports/asan:log_exe_name=1"
  if [ "${PV_SANITIZE_LEAKS:-0}" = 1 ]; then
    # Full stacks: Debian's libraries have no frame pointers, and the suppressions match
    # their functions by name. Several times slower.
    export ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0:malloc_context_size=40:$asan"
    export LSAN_OPTIONS="suppressions=$supp:print_suppressions=0"
    set -- --timeout-multiplier 10 "$@"
  else
    export ASAN_OPTIONS="detect_leaks=0:$asan"
  fi
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=86"
  # GLib 2.74's slice allocator hides its blocks from AddressSanitizer: with plain malloc
  # it sees every overflow and use after free of a GList, a GVariant, any GObject….
  export G_SLICE=always-malloc
  # Sanitized programs are two to four times slower, the UI tests most of all. (The last
  # --timeout-multiplier given wins: the one for leak checking, or one passed to test.sh.)
  set -- --timeout-multiplier 3 "$@"
fi
[ "$mode" = fuzz ] && set -- --suite fuzz "$@"

# A stale log from an earlier run must not be counted when meson test stops early.
rm -f "$build/meson-logs/testlog.json"
rc=0
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24" \
  meson test -C "$build" "$@" || rc=$?

# Any sanitizer report fails the run, even one from a process whose test passed.
n_reports=0
if [ -n "$reports" ]; then
  for report in "$reports"/*; do
    [ -e "$report" ] || continue
    n_reports=$((n_reports + 1))
    echo "=== Sanitizer report $(basename "$report") (sanitizer.program.pid):" >&2
    cat "$report" >&2
  done
  if [ "$n_reports" -gt 0 ]; then
    echo "$n_reports sanitizer report(s), kept in $reports" >&2
    [ "$rc" -ne 0 ] || rc=1
  fi
fi

python3 - "$build/meson-logs/testlog.json" "$rc" <<'PY'
import json, os, sys
path, rc = sys.argv[1], int(sys.argv[2])
counts = {}
if os.path.exists(path):
    with open(path) as log:
        for line in log:
            result = json.loads(line)["result"]
            counts[result] = counts.get(result, 0) + 1
passed = counts.get("OK", 0) + counts.get("EXPECTEDFAIL", 0)
failed = sum(counts.get(k, 0) for k in ("FAIL", "ERROR", "TIMEOUT", "UNEXPECTEDPASS"))
skipped = counts.get("SKIP", 0)
# A failed run counts at least one failure: meson test stopping before it ran a test, or a
# sanitizer report from a process whose test passed all the same.
if rc != 0 and failed == 0:
    failed = 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $rc
