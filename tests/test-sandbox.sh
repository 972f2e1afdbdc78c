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

# -- hostile input -----------------------------------------------------------------------
esc=$(printf '\033')
bel=$(printf '\007')
# Nothing phone-verify prints may carry a control character it was given.
assert_no_controls () {
  for f in "$@"; do
    if grep -q "[$esc$bel]" "$f"; then
      fail "$f repeats a control character"
    fi
  done
}

# A name with an escape sequence is refused, and nothing is sent or stored.
"$app" --send-code "+1 415 555 2672" --name "$(printf 'Ada\033[2J\033]0;owned\007 Lovelace')" \
  >"$work/esc-name.out" 2>"$work/esc-name.err"
status=$?
[ $status -eq 1 ] || fail "a name with ESC gave exit status $status, not 1"
grep -qx 'The name contains a control character, which can.t be shown. Type the name again.' \
  "$work/esc-name.err" || fail "no control-character message for the name"
assert_no_controls "$work/esc-name.out" "$work/esc-name.err"
"$app" --verify "+14155552672" --code 123456 >"$work/esc-stored.out" 2>"$work/esc-stored.err"
grep -qx 'No code has been sent to +14155552672 yet.' "$work/esc-stored.err" \
  || fail "the number with the refused name was stored"

# The same in a number: refused with its own message, not repeated back.
"$app" --send-code "$(printf '+1 415\033]0;owned\007 555 2672')" \
  >"$work/esc-number.out" 2>"$work/esc-number.err"
status=$?
[ $status -eq 1 ] || fail "a number with ESC gave exit status $status, not 1"
grep -q '^This number contains invisible control or formatting characters' "$work/esc-number.err" \
  || fail "no control-character message for the number"
assert_no_controls "$work/esc-number.out" "$work/esc-number.err"

# Arguments that are not UTF-8: the usage exit status and a message naming the option,
# whichever option it is, before anything else happens.
for option in --send-code --name --resend --verify --code; do
  case $option in
    --name) set -- --send-code "+14155552672" --name "$(printf 'Ada \377\033')" ;;
    --code) set -- --verify "+14155552671" --code "$(printf '12\37734')" ;;
    *) set -- "$option" "$(printf '+1 415\377 555')" ;;
  esac
  "$app" "$@" >"$work/utf8.out" 2>"$work/utf8.err"
  status=$?
  [ $status -eq 64 ] || fail "a $option that is not UTF-8 gave exit status $status, not 64"
  grep -q "^The value given to $option, .* is not valid UTF-8 text\.\$" "$work/utf8.err" \
    || fail "no UTF-8 message for $option"
  grep -q 'Invalid byte sequence' "$work/utf8.err" && fail "GLib's own message for $option"
  assert_no_controls "$work/utf8.out" "$work/utf8.err"
done

# Code lines on standard input are read whole: a long one is too long, not cut to length.
# Cut at 63 bytes, the second line below would have been the right code.
pad=$(printf '%094d' 0)
printf '%s%s\n' "$code" "$pad" | "$app" --verify "+14155552671" >"$work/long.out" 2>"$work/long.err"
status=$?
[ $status -eq 1 ] || fail "a 100-byte code line gave exit status $status, not 1"
grep -qx 'This code is too long. Enter only the code from the text message.' "$work/long.err" \
  || fail "no too-long message for a 100-byte code line"
printf '%s%60sx\n' "$code" '' | "$app" --verify "+14155552671" >"$work/cut.out" 2>"$work/cut.err"
grep -qx 'Enter the code from the text message, using digits only.' "$work/cut.err" \
  || fail "a code line was cut down to the code"
printf '%02000d\n' 0 | "$app" --verify "+14155552671" >"$work/huge.out" 2>"$work/huge.err"
status=$?
[ $status -eq 1 ] || fail "a 2000-byte code line gave exit status $status, not 1"
grep -qx 'This code is too long. Enter only the code from the text message.' "$work/huge.err" \
  || fail "no too-long message for a 2000-byte code line"
printf '123\000456\n' | "$app" --verify "+14155552671" >"$work/nul.out" 2>"$work/nul.err"
status=$?
[ $status -eq 64 ] || fail "a code line with NUL gave exit status $status, not 64"
grep -q 'contains a NUL byte' "$work/nul.err" || fail "no message for a NUL in the code line"
printf '12\37734\n' | "$app" --verify "+14155552671" >"$work/latin1.out" 2>"$work/latin1.err"
status=$?
[ $status -eq 64 ] || fail "a code line that is not UTF-8 gave exit status $status, not 64"
grep -q 'is not valid UTF-8 text' "$work/latin1.err" || fail "no message for a code line that is not UTF-8"

# A wrong code first: refused, with the attempts left (none of the above used one).
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
