#!/bin/sh
# README command 2: build PhoneVerify and run the whole test suite headless, in a private
# D-Bus session and a virtual X server. Ends with the line "N passed, N failed" and exits
# with meson test's status.
set -eu
cd "$(dirname "$0")/.."

build-aux/install-deps.sh --tests
[ -f _build/build.ninja ] || meson setup _build >/dev/null
meson compile -C _build >/dev/null

rc=0
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24" \
  meson test -C _build --print-errorlogs "$@" || rc=$?

python3 - _build/meson-logs/testlog.json <<'PY'
import json, sys
counts = {}
with open(sys.argv[1]) as log:
    for line in log:
        result = json.loads(line)["result"]
        counts[result] = counts.get(result, 0) + 1
passed = counts.get("OK", 0) + counts.get("EXPECTEDFAIL", 0)
failed = sum(counts.get(k, 0) for k in ("FAIL", "ERROR", "TIMEOUT", "UNEXPECTEDPASS"))
skipped = counts.get("SKIP", 0)
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $rc
