/* test-release-notes.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "pv-release-notes.h"

static const char metainfo[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
  "<component><releases>"
  "<release version=\"0.2.0\" date=\"2026-12-02\"><description>"
  "<p>The front desk &amp; more:</p>"
  "<p xml:lang=\"de\">Der Empfang und mehr:</p>"
  "<ul>"
  "<li>Customer pages</li><li xml:lang=\"de\">Kundenseiten</li>"
  "<li>Undo</li>"
  "</ul>"
  "</description></release>"
  "<release version=\"0.1.0\"><description><p>The first release</p></description></release>"
  "</releases></component>";

/* The newest release, each paragraph in the best language it has, English where a
 * translation is missing, escaped as markup. */
static void
test_newest_release (void)
{
  const char *german[] = { "de_DE.UTF-8", "de_DE", "de", "C", NULL };
  const char *english[] = { "C", NULL };
  g_autofree char *version = NULL;
  g_autofree char *de = pv_release_notes_from_metainfo (metainfo, german, &version);
  g_autofree char *en = pv_release_notes_from_metainfo (metainfo, english, NULL);

  g_assert_cmpstr (version, ==, "0.2.0");
  g_assert_cmpstr (de, ==, "<p>Der Empfang und mehr:</p><ul><li>Kundenseiten</li><li>Undo</li></ul>");
  g_assert_cmpstr (en, ==, "<p>The front desk &amp; more:</p><ul><li>Customer pages</li>"
                           "<li>Undo</li></ul>");
}

static void
test_no_notes (void)
{
  const char *english[] = { "C", NULL };

  g_assert_null (pv_release_notes_from_metainfo ("<component/>", english, NULL));
  g_assert_null (pv_release_notes_from_metainfo ("<component><releases>", english, NULL));
  g_assert_null (pv_release_notes_from_metainfo ("not xml", english, NULL));
}

/* The app's own metainfo, as compiled into its resources, has notes for this release. */
static void
test_own_metainfo (void)
{
  const char *english[] = { "C", NULL };
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *version = NULL;
  g_autofree char *notes = NULL;

  bytes = g_resources_lookup_data ("/com/example/PhoneVerify/com.example.PhoneVerify.metainfo.xml",
                                   G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  g_assert_nonnull (bytes);
  notes = pv_release_notes_from_metainfo (g_bytes_get_data (bytes, NULL), english, &version);
  g_assert_nonnull (notes);
  g_assert_cmpstr (version, ==, PACKAGE_VERSION);
  g_assert_true (g_str_has_prefix (notes, "<p>"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/release-notes/newest-release", test_newest_release);
  g_test_add_func ("/release-notes/none", test_no_notes);
  g_test_add_func ("/release-notes/own-metainfo", test_own_metainfo);

  return g_test_run ();
}
