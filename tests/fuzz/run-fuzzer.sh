#!/bin/sh
# Runs one libFuzzer target for meson test, in one of two ways:
#
#   run-fuzzer.sh replay TARGET CORPUS        every file of CORPUS once, by name
#   run-fuzzer.sh fuzz TARGET CORPUS [DICT]   fuzzing for $PV_FUZZ_SECONDS seconds (default
#                                             20), starting from a copy of CORPUS
#
# Everything written (the working corpus, crash artifacts, temporary files) goes under
# $PV_FUZZ_WORK_DIR, in the build tree: the committed corpus is only ever read. Fails on any crash, sanitizer
# report, assertion, leak, timeout (10 s per input) or memory blow-up (2 GiB).
set -eu

mode=${1:?usage: run-fuzzer.sh replay|fuzz TARGET CORPUS [DICT]}
target=${2:?missing TARGET}
corpus=${3:?missing CORPUS}
dict=${4:-}
seconds=${PV_FUZZ_SECONDS:-20}

name=$(basename "$target")
work=${PV_FUZZ_WORK_DIR:-$(dirname "$target")}/$name-$mode
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts" "$work/tmp"
# The targets' temporary files, and what a crash leaves of them, stay in the build tree.
export TMPDIR="$work/tmp"

# libFuzzer's own exit status for a failure is 77, which meson counts as a skip.
set -- -timeout=10 -rss_limit_mb=2048 -error_exitcode=1 -timeout_exitcode=1 \
  -print_final_stats=1 -artifact_prefix="$work/artifacts/"

status=0
case $mode in
  replay)
    # Given as files, not as a directory, each input runs exactly once and a failure names
    # it. find fails if any run of the target does.
    find "$corpus" -type f -exec "$target" "$@" {} + || status=$?
    ;;
  fuzz)
    case $seconds in
      ''|*[!0-9]*) echo "PV_FUZZ_SECONDS must be a whole number of seconds" >&2; exit 99 ;;
    esac
    cp "$corpus"/* "$work/corpus/"
    [ -n "$dict" ] && set -- "$@" -dict="$dict"
    "$target" "$@" -max_total_time="$seconds" "$work/corpus" || status=$?
    ;;
  *)
    echo "unknown mode $mode" >&2
    exit 99
    ;;
esac

if [ "$status" -ne 0 ]; then
  for artifact in "$work"/artifacts/*; do
    [ -e "$artifact" ] || continue
    echo "Failing input: $artifact"
    echo "Run it again with: $target $artifact"
  done
fi
# Whatever the cause, a failure must never look like a skip.
[ "$status" -eq 77 ] && status=1
exit "$status"
