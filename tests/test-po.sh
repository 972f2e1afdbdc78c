#!/bin/sh
# Checks the translations against the sources as they are now, without touching the source
# tree: po/POTFILES.in lists every file with translatable text, and each language in
# po/LINGUAS compiles cleanly and translates every message of a template extracted here,
# the way meson's i18n module (preset 'glib') extracts it.
#
# Usage: test-po.sh SOURCE_ROOT    (TAP on stdout)
set -u

srcdir=${1:?usage: test-po.sh SOURCE_ROOT}
podir="$srcdir/po"
XGETTEXT=${XGETTEXT:-xgettext}
MSGFMT=${MSGFMT:-msgfmt}
MSGMERGE=${MSGMERGE:-msgmerge}
MSGATTRIB=${MSGATTRIB:-msgattrib}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pv-po.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; }
diag () { sed 's/^/# /'; }

linguas=$(sed -e 's/#.*//' "$podir/LINGUAS" | tr -s ' \t' '\n' | grep -v '^$')
potfiles=$(sed -e 's/#.*//' -e 's/[[:space:]]*$//' "$podir/POTFILES.in" | grep -v '^$')

# 1. Every listed file exists.
missing=''
for f in $potfiles; do
  [ -f "$srcdir/$f" ] || missing="$missing $f"
done
if [ -z "$missing" ]; then
  ok "every file in POTFILES.in exists"
else
  not_ok "every file in POTFILES.in exists"
  echo "missing:$missing" | diag
fi

# 2. Every file with translatable text is listed: a file left out is silently untranslated.
cd "$srcdir" || exit 99
{
  grep -lE '(^|[^A-Za-z0-9_])(_|N_|C_|NC_|ngettext|g_dngettext|g_dpgettext2|g_dcgettext)[[:space:]]*\(' \
    src/*.c src/*.h src/*/*.c src/*/*.h 2>/dev/null
  grep -rlE 'translatable="(yes|true)"' resources --include='*.ui' 2>/dev/null
  grep -lE '<(summary|description)>' data/*.gschema.xml 2>/dev/null
  ls data/*.desktop.in data/*.metainfo.xml.in 2>/dev/null
} | sort -u > "$tmp/needed"
echo "$potfiles" | sort -u > "$tmp/listed"
unlisted=$(comm -23 "$tmp/needed" "$tmp/listed")
if [ -z "$unlisted" ]; then
  ok "POTFILES.in lists every file with translatable text"
else
  not_ok "POTFILES.in lists every file with translatable text"
  { echo "add these lines to po/POTFILES.in:"; echo "$unlisted"; } | diag
fi

# 3. A template of the current sources, extracted with the arguments of meson's glib preset.
if (cd "$srcdir" && "$XGETTEXT" --package-name=phone-verify -f "$podir/POTFILES.in" -D "$srcdir" \
      -k_ -o "$tmp/current.pot" --from-code=UTF-8 --add-comments \
      --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dcgettext:2 \
      --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
      --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
      --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
      --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
      --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
      --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
      --flag=g_print:1:c-format --flag=g_printerr:1:c-format --flag=g_printf:1:c-format \
      --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format \
      --flag=g_snprintf:3:c-format) 2>"$tmp/xgettext.err" && [ -s "$tmp/current.pot" ]; then
  ok "xgettext extracts a template from POTFILES.in"
else
  not_ok "xgettext extracts a template from POTFILES.in"
  diag < "$tmp/xgettext.err"
  echo "1..$n"
  exit 1
fi

if [ -z "$linguas" ]; then
  not_ok "po/LINGUAS lists at least one language"
fi

for lang in $linguas; do
  po="$podir/$lang.po"

  if [ ! -f "$po" ]; then
    not_ok "$lang: $lang.po exists"
    continue
  fi

  # Format strings, plural forms, header and mnemonics.
  if "$MSGFMT" --check --check-accelerators=_ --statistics -o /dev/null "$po" 2>"$tmp/msgfmt.err"; then
    ok "$lang: msgfmt --check passes ($(tail -n 1 "$tmp/msgfmt.err"))"
  else
    not_ok "$lang: msgfmt --check passes"
    diag < "$tmp/msgfmt.err"
  fi

  # Complete against the current template: nothing untranslated, nothing fuzzy. Exact
  # matching only, so a changed source string counts as untranslated rather than as a guess.
  "$MSGMERGE" --quiet --no-fuzzy-matching --no-wrap -o "$tmp/$lang.po" "$po" "$tmp/current.pot"
  stats=$("$MSGFMT" --statistics -o /dev/null "$tmp/$lang.po" 2>&1)
  untranslated=$(echo "$stats" | sed -n 's/.* \([0-9][0-9]*\) untranslated message.*/\1/p')
  fuzzy=$(echo "$stats" | sed -n 's/.* \([0-9][0-9]*\) fuzzy translation.*/\1/p')
  if [ -z "$untranslated" ]; then
    ok "$lang: every message of the current sources is translated"
  else
    not_ok "$lang: every message of the current sources is translated ($untranslated missing)"
    "$MSGATTRIB" --no-obsolete --untranslated --no-wrap --no-location "$tmp/$lang.po" |
      awk 'BEGIN { RS = "" } NR > 1' | diag
  fi
  if [ -z "$fuzzy" ]; then
    ok "$lang: no fuzzy messages"
  else
    not_ok "$lang: no fuzzy messages ($fuzzy)"
    "$MSGATTRIB" --no-obsolete --only-fuzzy --no-wrap --no-location "$tmp/$lang.po" |
      awk 'BEGIN { RS = "" } NR > 1' | diag
  fi

  # What msgfmt cannot know: the {code} placeholder of the text message, the GVariant
  # quoting of the translated schema default, and the final ";" of the desktop Keywords.
  "$MSGATTRIB" --no-obsolete --translated --no-wrap --no-location "$tmp/$lang.po" |
    awk -v q="'" '
      function unq(s) { sub(/^[^"]*"/, "", s); sub(/"$/, "", s); return s }
      /^msgid /  { id = unq($0); next }
      /^msgstr/  {
        str = unq($0)
        if (id == "" || str == "") next
        if (index(id, "{code}") && !index(str, "{code}"))
          print "lost {code}: " str
        if (id ~ ("^" q ".*" q "$") && str !~ ("^" q "[^" q "]*" q "$"))
          print "not a GVariant string: " str
        if (id ~ /;$/ && str !~ /;$/)
          print "no final semicolon: " str
      }' > "$tmp/$lang.content"
  if [ ! -s "$tmp/$lang.content" ]; then
    ok "$lang: placeholders, schema default and keyword lists are intact"
  else
    not_ok "$lang: placeholders, schema default and keyword lists are intact"
    diag < "$tmp/$lang.content"
  fi
done

echo "1..$n"
exit $failed
