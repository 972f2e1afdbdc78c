#!/bin/sh
# The sandbox, end to end: the fake Twilio runs on its own, as a developer would run it,
# and the real phone-verify binary registers a number and verifies it with the code the
# fake "delivered", through the real client, keyring and database.
#
# Usage: test-sandbox.sh PHONE_VERIFY PV_FAKE_TWILIO   (inside keyring-session.sh)
set -u
# The settings live in memory, so every run is a first start, which takes the office's
# country from the locale. Naming none, it is the United States, where the numbers below
# are national; the developer's own locale must not change that, or the messages' quotes.
export LC_ALL=C.UTF-8 LANG=C.UTF-8
unset LC_TELEPHONE LC_ADDRESS
app=$1
fake=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/pv-sandbox.XXXXXX") || exit 99
fake_pid=
tripwire_pid=
cleanup () {
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null
  [ -n "$tripwire_pid" ] && kill "$tripwire_pid" 2>/dev/null
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
grep -qx 'A verification code was sent to (415) 555-2671.' "$work/send.out" \
  || fail "--send-code did not report the send"

i=0
until grep -q '^SMS to +14155552671: ' "$work/fake.out"; do
  i=$((i + 1))
  [ $i -gt 100 ] && fail "the fake did not print the text message"
  sleep 0.05
done
code=$(sed -n 's/^SMS to +14155552671: Your verification code is \([0-9]*\)\. .*$/\1/p' "$work/fake.out")
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
grep -qx 'No code has been sent to (415) 555-2672 yet.' "$work/esc-stored.err" \
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
for option in --send-code --name --resend --verify --code --check-number --country; do
  case $option in
    --name) set -- --send-code "+14155552672" --name "$(printf 'Ada \377\033')" ;;
    --code) set -- --verify "+14155552671" --code "$(printf '12\37734')" ;;
    --country) set -- --check-number "+14155552671" --country "$(printf 'D\377\033E')" ;;
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
grep -qx 'This code is too long. Enter only the code the customer received.' "$work/long.err" \
  || fail "no too-long message for a 100-byte code line"
printf '%s%60sx\n' "$code" '' | "$app" --verify "+14155552671" >"$work/cut.out" 2>"$work/cut.err"
grep -qx 'Enter the code the customer received, using digits only.' "$work/cut.err" \
  || fail "a code line was cut down to the code"
printf '%02000d\n' 0 | "$app" --verify "+14155552671" >"$work/huge.out" 2>"$work/huge.err"
status=$?
[ $status -eq 1 ] || fail "a 2000-byte code line gave exit status $status, not 1"
grep -qx 'This code is too long. Enter only the code the customer received.' "$work/huge.err" \
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
grep -qx '(415) 555-2671 is now verified.' "$work/verify.out" \
  || fail "--verify did not report success"

# And once verified, registering again says so instead of sending another text.
"$app" --send-code "+14155552671" >"$work/again.out" 2>"$work/again.err"
grep -qx '(415) 555-2671 is already verified.' "$work/again.out" \
  || fail "a verified number was not recognised"
[ "$(grep -c '^SMS to ' "$work/fake.out")" -eq 1 ] || fail "a second text was sent"

# -- --check-number -----------------------------------------------------------------------
# How a number is read, without Twilio or the database. Every run goes to a tripwire in
# Twilio's place, which notes each connection it gets, and to a data directory of its own.
# The messages are compared whole, so the locale is fixed; the office's country comes from
# LANG (LC_ALL names none), and the settings start out empty each run (the memory backend).
"${PYTHON:-python3}" -c '
import socket, sys
server = socket.socket ()
server.bind (("127.0.0.1", 0))
server.listen (16)
print (server.getsockname ()[1], flush=True)
while True:
    connection, _ = server.accept ()
    with open (sys.argv[1], "a") as log:
        log.write ("connection\n")
    connection.close ()
' "$work/tripwire.log" >"$work/tripwire.port" 2>"$work/tripwire.err" &
tripwire_pid=$!
i=0
until [ -s "$work/tripwire.port" ]; do
  i=$((i + 1))
  [ $i -gt 100 ] && fail "the tripwire did not start"
  sleep 0.05
done
tripwire_url="http://127.0.0.1:$(cat "$work/tripwire.port")/"
mkdir "$work/check-data"

# check NAME LANG ARGUMENT…: --check-number with ARGUMENT…, its output in NAME.out and
# NAME.err, its exit status in $status.
check () {
  name=$1
  lang=$2
  shift 2
  env -u LC_TELEPHONE -u LC_ADDRESS LC_ALL=C.UTF-8 LANG="$lang" \
      PHONE_VERIFY_TWILIO_API_URL="$tripwire_url" XDG_DATA_HOME="$work/check-data" \
      "$app" --check-number "$@" >"$work/$name.out" 2>"$work/$name.err"
  status=$?
}

# A German number in national form, in Germany: the five lines, exactly, and the warning
# that a landline may not get texts.
check de-national C.UTF-8 "030 1234567" --country DE
[ $status -eq 0 ] || fail "--check-number of a German landline gave exit status $status, not 0"
cat >"$work/de-national.expected" <<'EXPECTED'
e164: +49301234567
national: 030 1234567
international: +49 30 1234567
country: DE
type: fixed-line
EXPECTED
cmp -s "$work/de-national.out" "$work/de-national.expected" \
  || fail "--check-number did not print the five lines for 030 1234567"
grep -qx 'This looks like a landline: a text message may not arrive.' "$work/de-national.err" \
  || fail "no landline warning for a German landline"

# A mobile number, in international form and with punctuation, gets no warning.
check de-mobile C.UTF-8 "+49 (0)151/2345-6789" --country DE
[ $status -eq 0 ] || fail "--check-number of a German mobile gave exit status $status, not 0"
cat >"$work/de-mobile.expected" <<'EXPECTED'
e164: +4915123456789
national: 01512 3456789
international: +49 1512 3456789
country: DE
type: mobile
EXPECTED
cmp -s "$work/de-mobile.out" "$work/de-mobile.expected" \
  || fail "--check-number did not print the five lines for a German mobile"
[ -s "$work/de-mobile.err" ] && fail "--check-number warned about a mobile number"

# Without --country, the office's country: the first start takes it from the locale.
check de-locale de_DE.UTF-8 "030 1234567"
[ $status -eq 0 ] && grep -qx 'e164: +49301234567' "$work/de-locale.out" \
  || fail "030 1234567 was not read in Germany under LANG=de_DE.UTF-8"
check us-locale en_US.UTF-8 "(415) 555-2671"
[ $status -eq 0 ] && grep -qx 'e164: +14155552671' "$work/us-locale.out" \
  || fail "(415) 555-2671 was not read in the United States under LANG=en_US.UTF-8"
# --country is for this number only, and wins over the locale.
check fr-over-locale de_DE.UTF-8 "06 12 34 56 78" --country FR
[ $status -eq 0 ] && grep -qx 'country: FR' "$work/fr-over-locale.out" \
  || fail "--country FR did not win over LANG=de_DE.UTF-8"

# A premium-rate number: exit status 1, the reason, nothing on standard output.
check premium C.UTF-8 "0900 1 234567" --country DE
[ $status -eq 1 ] || fail "--check-number of a premium-rate number gave exit status $status"
message='This is a premium-rate number. PhoneVerify never texts premium-rate numbers: '
message="${message}texting them can cost the office money."
grep -qxF "$message" "$work/premium.err" || fail "no premium-rate message"
[ -s "$work/premium.out" ] && fail "--check-number printed a premium-rate number"

# A country that is none: exit status 1 and its message, before the number is looked at.
check country-xx C.UTF-8 "030 1234567" --country XX
[ $status -eq 1 ] || fail "--country XX gave exit status $status, not 1"
message='“XX” is not a country code PhoneVerify knows. Use a two-letter code such as DE, FR or US.'
grep -qxF "$message" "$work/country-xx.err" || fail "no message for --country XX"
[ -s "$work/country-xx.out" ] && fail "--country XX printed a number"

# Two verbs at once are misuse.
check two-verbs C.UTF-8 "030 1234567" --send-code "+14155552671"
[ $status -eq 64 ] || fail "--check-number with --send-code gave exit status $status, not 64"

# A --country with control characters is refused without repeating them.
check country-esc C.UTF-8 "030 1234567" --country "$(printf 'D\033]0;owned\007E')"
[ $status -eq 1 ] || fail "a --country with ESC gave exit status $status, not 1"
if grep -q "[$esc$bel]" "$work/country-esc.out" "$work/country-esc.err"; then
  fail "--country with control characters is repeated raw in its error message"
fi

# None of it reached Twilio, or created the database.
sleep 0.2
[ -s "$work/tripwire.log" ] && fail "--check-number connected to Twilio"
[ -z "$(ls -A "$work/check-data")" ] || fail "--check-number created $(ls -A "$work/check-data")"
kill "$tripwire_pid" 2>/dev/null
tripwire_pid=

# And against the fake itself: no new text.
"$app" --check-number "+1 415 555 2673" >"$work/check-fake.out" 2>"$work/check-fake.err" \
  || fail "--check-number +1 415 555 2673 exited with $?"
[ "$(grep -c '^SMS to ' "$work/fake.out")" -eq 1 ] || fail "--check-number sent a text"

# -- a German landline, verified by a call in German ------------------------------------
# Settings that last from one run to the next, as on a desk: Germany is served, and the
# wait before another send is one second.
mkdir -p "$work/config/glib-2.0/settings"
printf "[com/example/PhoneVerify]\nserved-countries=['DE']\nresend-cooldown=uint32 1\n" \
  >"$work/config/glib-2.0/settings/keyfile"
desk () {
  env GSETTINGS_BACKEND=keyfile XDG_CONFIG_HOME="$work/config" "$app" "$@"
}

# Without --channel, as the Register step would: libphonenumber knows it as a landline.
desk --send-code "+49 30 1234567" >"$work/call.out" 2>"$work/call.err" \
  || fail "--send-code of a German landline exited with $?"
grep -qx 'Calling +49 30 1234567 to read out a verification code, in German.' \
  "$work/call.out" || fail "--send-code did not report the call"
# The call's progress, as the window's line under the title shows it.
grep -qx 'Calling…' "$work/call.out" || fail "--send-code did not print the call's start"
grep -qx 'Call ended: the code was read out' "$work/call.out" \
  || fail "--send-code did not print the end of the call"
[ "$(grep -c '^SMS to +49301234567' "$work/fake.out")" -eq 0 ] || fail "the landline was texted"

# The code, as the customer hears it: digit by digit, in German, more than once.
grep -q '^Call to +49301234567: \[de-DE\] Guten Tag' "$work/fake.out" \
  || fail "the call did not greet in German"
called=$(grep '^Call to +49301234567: \[de-DE\] .*Ihr Code lautet' "$work/fake.out" | head -n 1 |
         sed 's/.*Ihr Code lautet:* *//' | tr -cd '0-9')
[ ${#called} -eq 6 ] || fail "no six-digit code read out in the call"
[ "$(grep -c "^Call to +49301234567: .*Ihr Code lautet" "$work/fake.out")" -ge 3 ] \
  || fail "the code was not read out three times"
if grep -q "$called" "$work/call.out" "$work/call.err"; then
  fail "phone-verify printed the code read out in the call"
fi

# Text Again, by --resend --channel sms: the same code, now in a German text.
sleep 2
desk --resend "+49301234567" --channel sms >"$work/text-again.out" 2>"$work/text-again.err" \
  || fail "--resend --channel sms exited with $?"
grep -qx 'The same code was texted to +49 30 1234567 again, in German.' \
  "$work/text-again.out" || fail "--resend did not report the same code"
i=0
until grep -q '^SMS to +49301234567: ' "$work/fake.out"; do
  i=$((i + 1))
  [ $i -gt 100 ] && fail "the fake did not print the German text"
  sleep 0.05
done
texted=$(sed -n 's/^SMS to +49301234567: Ihr Bestätigungscode: \([0-9]*\)\..*$/\1/p' \
         "$work/fake.out")
[ "$texted" = "$called" ] || fail "Text Again sent another code than the call read out"

desk --verify "+49301234567" --code "$called" >"$work/call-verify.out" 2>"$work/call-verify.err" \
  || fail "the code read out in the call did not verify"
grep -qx '+49 30 1234567 is now verified.' "$work/call-verify.out" \
  || fail "--verify did not report the landline verified"

"$app" --send-code "+14155552690" --channel voice >"$work/channel.out" 2>"$work/channel.err"
status=$?
[ $status -eq 64 ] || fail "--channel voice gave exit status $status, not 64"
grep -qx -- '--channel takes “sms” or “call”.' "$work/channel.err" || fail "no message for --channel voice"

# -- the customer texts us ---------------------------------------------------------------
# Nothing is sent: the customer texts the code shown to the office's number, here through
# the sandbox's own command, and only a text from their number counts.
port=${PHONE_VERIFY_TWILIO_API_URL##*:}
"$app" --texts-us "(415) 555-2680" --name "Grace Hopper" >"$work/texts-us.out" \
  2>"$work/texts-us.err" &
texts_us_pid=$!
i=0
until grep -q '^Text “PV [0-9]*” to ' "$work/texts-us.out" 2>/dev/null; do
  i=$((i + 1))
  [ $i -gt 100 ] && fail "--texts-us did not print what to text"
  sleep 0.05
done
body=$(sed -n 's/^Text “\(PV [0-9]*\)” to (500) 555-0006$/\1/p' "$work/texts-us.out")
[ ${#body} -eq 9 ] || fail "--texts-us did not print PV, a six-digit code and the office number"
grep -qx "sms:+15005550006?body=PV%20${body#PV }" "$work/texts-us.out" \
  || fail "--texts-us did not print the sms: URI"
grep -q '^SMS to +14155552680' "$work/fake.out" && fail "--texts-us texted the customer"

"$fake" --port "$port" --text-us "+14155550100" "$body" >"$work/stranger.out" 2>&1 \
  || fail "the sandbox did not take a text from another number"
grep -q '^SMS from +14155550100 to +15005550006: PV ' "$work/fake.out" \
  || fail "the sandbox did not print the text it received"
sleep 6   # more than one poll of the inbound messages
kill -0 "$texts_us_pid" 2>/dev/null || fail "a text from another number ended --texts-us"

"$fake" --port "$port" --text-us "+14155552680" "$body" >"$work/customer.out" 2>&1 \
  || fail "the sandbox did not take the customer's text"
wait "$texts_us_pid"
status=$?
[ $status -eq 0 ] || fail "--texts-us exited with $status after the customer's text"
grep -qx '(415) 555-2680 is now verified.' "$work/texts-us.out" \
  || fail "--texts-us did not report the number verified"

echo "sandbox flow passed"
exit 0
