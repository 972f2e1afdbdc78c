#!/bin/sh
# The sandbox, end to end: the fake Twilio runs on its own, as a developer would run it,
# and the real phone-verify binary registers a number and verifies it with the code the
# fake "delivered", through the real client, keyring and database.
#
# Usage: test-sandbox.sh PHONE_VERIFY PV_FAKE_TWILIO   (inside keyring-session.sh)
set -u
app=$1
fake=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/pv-sandbox.XXXXXX") || exit 99
fake_pid=
cleanup () {
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

fail () {
  echo "FAIL: $*" >&2
  for f in "$work"/*.out "$work"/*.err; do
    [ -f "$f" ] && { echo "--- $f" >&2; cat "$f" >&2; }
  done
  exit 1
}

"$fake" --port 0 --delivery-step 100 >"$work/fake.out" 2>"$work/fake.err" &
fake_pid=$!

# The fake prints the variables to export once it is listening.
i=0
until grep -q '^export TWILIO_PHONE_NUMBER=' "$work/fake.out" 2>/dev/null; do
  i=$((i + 1))
  [ $i -gt 100 ] && fail "the fake Twilio did not start"
  sleep 0.05
done
eval "$(grep '^export ' "$work/fake.out")"
case "$PHONE_VERIFY_TWILIO_API_URL" in
  http://127.0.0.1:*) ;;
  *) fail "unexpected sandbox URL: $PHONE_VERIFY_TWILIO_API_URL" ;;
esac

"$app" --send-code "(415) 555-2671" --name "Ada Lovelace" >"$work/send.out" 2>"$work/send.err" \
  || fail "--send-code exited with $?"
grep -qx 'A verification code was sent to +14155552671.' "$work/send.out" \
  || fail "--send-code did not report the send"

i=0
until grep -q '^SMS to +14155552671: ' "$work/fake.out"; do
  i=$((i + 1))
  [ $i -gt 100 ] && fail "the fake did not print the text message"
  sleep 0.05
done
code=$(sed -n 's/^SMS to +14155552671: Your verification code is: \([0-9]*\)$/\1/p' "$work/fake.out")
[ ${#code} -eq 6 ] || fail "no six-digit code in the text message"

# Staff never see the code: the app prints nothing that contains it.
if grep -q "$code" "$work/send.out" "$work/send.err"; then
  fail "phone-verify printed the code"
fi

# A wrong code first: refused, with the attempts left.
wrong=$(echo "$code" | tr '0123456789' '1234567890')
"$app" --verify "+14155552671" --code "$wrong" >"$work/wrong.out" 2>"$work/wrong.err" \
  && fail "a wrong code was accepted"
grep -qx 'Wrong code. 4 attempts left.' "$work/wrong.err" || fail "no attempts-left message"

# The right code, typed on standard input rather than put on the command line.
printf '%s\n' "$code" | "$app" --verify "+1 415 555 2671" >"$work/verify.out" 2>"$work/verify.err" \
  || fail "--verify exited with $?"
grep -qx '+14155552671 is now verified.' "$work/verify.out" \
  || fail "--verify did not report success"

# And once verified, registering again says so instead of sending another text.
"$app" --send-code "+14155552671" >"$work/again.out" 2>"$work/again.err"
grep -qx '+14155552671 is already verified.' "$work/again.out" \
  || fail "a verified number was not recognised"
[ "$(grep -c '^SMS to ' "$work/fake.out")" -eq 1 ] || fail "a second text was sent"

echo "sandbox flow passed"
exit 0
