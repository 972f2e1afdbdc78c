/* test-reply.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pv-reply.h"

typedef struct
{
  const char  *body;
  PvReplyKind  kind;
  const char  *code;
} ReplyCase;

static const ReplyCase cases[] = {
  /* As the QR code's text says, and as people retype it. */
  { "PV 482913", PV_REPLY_CODE, "482913" },
  { "pv482913", PV_REPLY_CODE, "482913" },
  { "  PV  482 913 ", PV_REPLY_CODE, "482913" },
  { "482913", PV_REPLY_CODE, "482913" },
  { "482913!", PV_REPLY_CODE, "482913" },
  { "Yes 482913", PV_REPLY_CODE, "482913" },
  { "YES PV 482913", PV_REPLY_CODE, "482913" },
  { "Oui, 482913", PV_REPLY_CODE, "482913" },
  { "Sí 482913", PV_REPLY_CODE, "482913" },
  { "ja: 4829", PV_REPLY_CODE, "4829" },
  { "PV 4829130123", PV_REPLY_CODE, "4829130123" },
  /* Digits of other scripts, and full-width ones. */
  { "PV ٤٨٢٩١٣", PV_REPLY_CODE, "482913" },
  { "PV ４８２９１３", PV_REPLY_CODE, "482913" },
  /* Twilio's keywords, alone. */
  { "STOP", PV_REPLY_OPT_OUT, NULL },
  { "stop", PV_REPLY_OPT_OUT, NULL },
  { "Stop all", PV_REPLY_OPT_OUT, NULL },
  { "UNSUBSCRIBE", PV_REPLY_OPT_OUT, NULL },
  { "cancel.", PV_REPLY_OPT_OUT, NULL },
  { "Quit", PV_REPLY_OPT_OUT, NULL },
  { "START", PV_REPLY_OPT_IN, NULL },
  { "yes", PV_REPLY_OPT_IN, NULL },
  { "HELP", PV_REPLY_HELP, NULL },
  { "info", PV_REPLY_HELP, NULL },
  /* No code: too short, too long, or words with it. */
  { "PV 482", PV_REPLY_OTHER, NULL },
  { "PV 48291301234", PV_REPLY_OTHER, NULL },
  { "my code is 482913", PV_REPLY_OTHER, NULL },
  { "PV 482913 thanks", PV_REPLY_OTHER, NULL },
  { "Please stop texting me", PV_REPLY_OTHER, NULL },
  { "", PV_REPLY_OTHER, NULL },
  { "   ", PV_REPLY_OTHER, NULL },
  { "🙂", PV_REPLY_OTHER, NULL },
  { "\xff\xfe", PV_REPLY_OTHER, NULL },
  /* Not UTF-8, from the fuzzer: read as if each bad byte were U+FFFD. */
  { "\xd8\xd8" "482913" "\xd8\xd8\xd8\xd8", PV_REPLY_CODE, "482913" },
  { "PV", PV_REPLY_OTHER, NULL },
};

static void
test_read (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *code = NULL;
      g_autofree char *escaped = g_strescape (cases[i].body, NULL);
      PvReplyKind kind = pv_reply_read (cases[i].body, &code);

      /* Escaped: TAP output must stay UTF-8. */
      g_test_message ("case %u: “%s”", i, escaped);
      g_assert_cmpint (kind, ==, cases[i].kind);
      g_assert_cmpstr (code, ==, cases[i].code);
    }
}

static void
test_read_without_code (void)
{
  g_assert_cmpint (pv_reply_read ("PV 482913", NULL), ==, PV_REPLY_CODE);
  g_assert_cmpint (pv_reply_read (NULL, NULL), ==, PV_REPLY_OTHER);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/reply/read", test_read);
  g_test_add_func ("/reply/read-without-code", test_read_without_code);

  return g_test_run ();
}
