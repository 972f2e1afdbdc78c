/* test-ui-texts-us.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Customer Texts Us in the window: the customer texts the code the screen shows to the
 * office, and the fake Twilio's Messages list is where their text turns up. One window for
 * the whole program, as in test-ui-verify.c. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "pv-preferences-window.h"
#include "pv-qr-image.h"
#include "pv-sms-uri.h"
#include "pv-ui-test.h"

/* The verifier asks Twilio for the customer's text this often, here; every few seconds in
 * the app. */
#define POLL_MS 100

static PvFakeTwilio  *fake;
static PvApplication *application;
static PvWindow      *window;

static GtkWidget *
find (const char *id)
{
  return pv_ui_test_get (GTK_WIDGET (window), id);
}

static PvVerifier *
verifier (void)
{
  return pv_engine_get_verifier (pv_window_get_engine (window));
}

/* The shared helpers, on this suite's window. */
#define visible_page()       pv_ui_test_get_step (GTK_WIDGET (window))
#define wait_for_page(step)  pv_ui_test_wait_for_step (GTK_WIDGET (window), (step))
#define type_into(id, text)  pv_ui_test_type_into (GTK_WIDGET (window), (id), (text))
#define start_over()         pv_ui_test_start_over (GTK_WIDGET (window))


/* The large instructions, as the customer reads them: the page keeps the code and the
 * number on one line each with no-break spaces, which they type as spaces. */
static char *
dup_instructions (void)
{
  g_autoptr(GString) text = g_string_new (gtk_label_get_text (GTK_LABEL (find ("instructions_label"))));

  g_string_replace (text, "\u00a0", " ", 0);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* What the customer is to text, as the page spells it out: “PV 482913”. */
static char *
dup_shown_body (void)
{
  g_autofree char *text = dup_instructions ();
  g_autoptr(GRegex) regex = g_regex_new ("PV [0-9]+", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  if (!g_regex_match (regex, text, 0, &match))
    g_error ("The page says “%s”, with no code to text", text);

  return g_match_info_fetch (match, 0);
}

static gboolean
awaiting (gpointer user_data)
{
  return pv_verifier_is_awaiting_text (verifier (), user_data);
}

static gboolean
code_shown (gpointer user_data)
{
  return pv_qr_image_get_code (PV_QR_IMAGE (find ("qr_image"))) != NULL;
}

static void
press_texts_us (void)
{
  pv_ui_test_click (find ("texts_us_button"));
  wait_for_page ("texts-us");
  g_assert_true (pv_ui_test_wait_until (awaiting, "+14155552671", 5000));
}

/* The QR widget as drawn, read back by a barcode reader, when one is installed. */
static void
assert_scans_as (GtkWidget  *widget,
                 const char *expected)
{
  g_autofree char *zbarimg = g_find_program_in_path ("zbarimg");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *path = NULL;
  g_autofree char *output = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int status;

  if (zbarimg == NULL)
    {
      g_test_message ("zbarimg is not installed: the QR code is not read back");
      return;
    }

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));

  directory = g_dir_make_tmp ("pv-texts-us-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (directory, "qr.png", NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));

  g_spawn_sync (NULL, (char *[]) { zbarimg, (char *) "--quiet", (char *) "--raw", path, NULL },
                NULL, G_SPAWN_DEFAULT, NULL, NULL, &output, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_strchomp (output);
  g_assert_cmpstr (output, ==, expected);

  g_unlink (path);
  g_rmdir (directory);
}

static void
assert_accessible_label (const char *id,
                         const char *label)
{
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (find (id)), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       label);
}

static void
test_customer_texts_code (void)
{
  const char *office = pv_fake_twilio_get_phone_number (fake);
  GtkWidget *qr_image;
  g_autofree char *body = NULL;
  g_autofree char *expected_uri = NULL;
  g_autofree char *instructions = NULL;
  g_autofree char *shown_instructions = NULL;
  g_autofree char *office_shown = NULL;
  guint sent_before;

  start_over ();
  type_into ("phone_row", "(415) 555-2671");
  type_into ("name_row", "Ada Lovelace");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (find ("texts_us_button")), ==,
                   "The customer texts a code to the office: nothing is sent to them");
  assert_accessible_label ("texts_us_button", "Customer Texts Us");

  sent_before = pv_fake_twilio_get_messages (fake)->len;
  press_texts_us ();
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "Customer Texts Us");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "Waiting for a text from (415) 555-2671…");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "Valid for 10 more minutes");
  /* Nothing went to the customer: they do the texting. */
  g_assert_cmpuint (pv_fake_twilio_get_messages (fake)->len, ==, sent_before);

  /* The large text and the QR code say the same: this code, to the office's number. */
  body = dup_shown_body ();
  office_shown = pv_phone_number_format_for_display (office, "US");
  instructions = g_strdup_printf ("Text %s to %s", body, office_shown);
  shown_instructions = dup_instructions ();
  g_assert_cmpstr (shown_instructions, ==, instructions);
  g_assert_true (gtk_widget_has_css_class (find ("instructions_label"), "title-3"));

  expected_uri = g_strdup_printf ("sms:%s?body=PV%%20%s", office, body + strlen ("PV "));
  qr_image = find ("qr_image");
  g_assert_cmpstr (pv_qr_code_get_text (pv_qr_image_get_code (PV_QR_IMAGE (qr_image))), ==,
                   expected_uri);
  assert_accessible_label ("qr_image", "QR code to text the code to the office");
  assert_accessible_label ("waiting_spinner", "Waiting for the customer’s text");
  g_assert_true (gtk_spinner_get_spinning (GTK_SPINNER (find ("waiting_spinner"))));

  pv_ui_test_screenshot (GTK_WIDGET (window), "texts-us");
  assert_scans_as (qr_image, expected_uri);

  /* The same text from another phone proves nothing: still waiting. */
  g_free (pv_fake_twilio_add_inbound (fake, "+14155550199", body, NULL));
  pv_ui_test_iterate (10 * POLL_MS);
  g_assert_cmpstr (visible_page (), ==, "texts-us");
  g_assert_true (pv_verifier_is_awaiting_text (verifier (), "+14155552671"));

  /* From the customer's phone, it does. */
  g_free (pv_fake_twilio_add_inbound (fake, "+14155552671", body, NULL));
  wait_for_page ("verified");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "(415) 555-2671 · Ada Lovelace");
  pv_ui_test_wait_for_toast (GTK_WIDGET (window), "(415) 555-2671 is now verified.");
  g_assert_false (pv_verifier_is_awaiting_text (verifier (), "+14155552671"));
}

/* Fits a phone's width, as every step must (see test-ui-first-run.c). */
static void
test_narrow (void)
{
  int minimum;
  int width;
  int height;

  start_over ();
  type_into ("phone_row", "+1 415 555 2673");
  pv_ui_test_click (find ("texts_us_button"));
  wait_for_page ("texts-us");

  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL,
                      NULL, NULL);
  g_assert_cmpint (minimum, <=, 360);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
  pv_ui_test_screenshot (GTK_WIDGET (window), "texts-us-narrow");
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  pv_ui_test_iterate (200);

  /* Back keeps what was typed, to send a code instead; nobody awaits the text now. */
  pv_ui_test_click (find ("back_button"));
  wait_for_page ("register");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find ("phone_row"))), ==,
                   "+1 415 555 2673");
  g_assert_false (pv_verifier_is_awaiting_text (verifier (), "+14155552673"));
}

/* When the code runs out, the step says so and offers a new one. The verifier's expiry is
 * tested in test-verifier.c; here its signal stands in for ten minutes' wait. */
static void
test_expired_then_new_code (void)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *expected_uri = NULL;
  const char *office = pv_fake_twilio_get_phone_number (fake);

  start_over ();
  type_into ("phone_row", "(415) 555-2674");
  pv_ui_test_click (find ("texts_us_button"));
  wait_for_page ("texts-us");
  first = dup_shown_body ();

  /* Another customer's code running out is not this one's. */
  g_signal_emit_by_name (verifier (), "awaiting-ended", "+14155550177");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (find ("state_stack"))), ==,
                   "waiting");

  g_signal_emit_by_name (verifier (), "awaiting-ended", "+14155552674");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (find ("state_stack"))), ==,
                   "expired");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "The Code Expired");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "No text came from (415) 555-2674");
  g_assert_null (pv_qr_image_get_code (PV_QR_IMAGE (find ("qr_image"))));
  pv_ui_test_screenshot (GTK_WIDGET (window), "texts-us-expired");

  pv_ui_test_click (find ("new_code_button"));
  if (!pv_ui_test_wait_until (code_shown, NULL, 5000))
    g_error ("No new code was shown");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (find ("state_stack"))), ==,
                   "waiting");
  second = dup_shown_body ();
  expected_uri = g_strdup_printf ("sms:%s?body=PV%%20%s", office, second + strlen ("PV "));
  g_assert_cmpstr (pv_qr_image_get_text (PV_QR_IMAGE (find ("qr_image"))), ==, expected_uri);
  g_assert_true (pv_verifier_is_awaiting_text (verifier (), "+14155552674"));

  /* Start Over, from a toast or the Customers view, stops waiting too. */
  start_over ();
  g_assert_false (pv_verifier_is_awaiting_text (verifier (), "+14155552674"));
}

/* A number the form refuses is refused for a text too, at its field. */
static void
test_invalid_number (void)
{
  start_over ();
  type_into ("phone_row", "12");
  pv_ui_test_click (find ("texts_us_button"));
  pv_ui_test_wait_until ((PvUiTestPredicate) gtk_widget_get_visible, find ("register_problem_label"),
                         10000);
  g_assert_true (gtk_widget_get_visible (find ("register_problem_label")));
  g_assert_cmpstr (visible_page (), ==, "register");

  /* Marked invalid for assistive technologies too, and the reason is a status they read. */
  gtk_test_accessible_assert_state (GTK_ACCESSIBLE (find ("phone_row")),
                                    GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE);
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (find ("register_problem_label"))),
                   ==, GTK_ACCESSIBLE_ROLE_STATUS);

  /* Edited, it is no longer invalid. */
  type_into ("phone_row", "(415) 555-2671");
  gtk_test_accessible_assert_state (GTK_ACCESSIBLE (find ("phone_row")),
                                    GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_FALSE);
}

/* Spinners say what is going on to whoever cannot see them turn. */
static void
assert_spinners_named (GtkWidget *root,
                       guint     *n_spinners)
{
  if (GTK_IS_SPINNER (root))
    {
      (*n_spinners)++;
      if (!gtk_test_accessible_has_property (GTK_ACCESSIBLE (root), GTK_ACCESSIBLE_PROPERTY_LABEL))
        g_error ("A spinner (%s) has no accessible name",
                 gtk_buildable_get_buildable_id (GTK_BUILDABLE (root)));
    }

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    assert_spinners_named (child, n_spinners);
}

static void
test_spinners_named (void)
{
  GtkWidget *preferences;
  guint n_spinners = 0;

  assert_spinners_named (GTK_WIDGET (window), &n_spinners);
  g_assert_cmpuint (n_spinners, >=, 2);

  preferences = NULL;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "app.preferences", NULL));
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (application)); l; l = l->next)
    if (PV_IS_PREFERENCES_WINDOW (l->data))
      preferences = l->data;
  g_assert_nonnull (preferences);
  n_spinners = 0;
  assert_spinners_named (preferences, &n_spinners);
  g_assert_cmpuint (n_spinners, >=, 2);
  gtk_window_destroy (GTK_WINDOW (preferences));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  pv_ui_test_init (&argc, &argv);

  fake = pv_ui_test_start_fake ();
  pv_ui_test_save_credentials (fake);
  window = pv_ui_test_open_window (&application);
  pv_ui_test_wait_for_state (pv_window_get_engine (window), PV_ENGINE_READY);
  pv_verifier_set_inbound_interval (verifier (), POLL_MS);

  g_test_add_func ("/ui/texts-us/customer-texts-code", test_customer_texts_code);
  g_test_add_func ("/ui/texts-us/narrow", test_narrow);
  g_test_add_func ("/ui/texts-us/expired-then-new-code", test_expired_then_new_code);
  g_test_add_func ("/ui/texts-us/invalid-number", test_invalid_number);
  g_test_add_func ("/ui/texts-us/spinners-named", test_spinners_named);

  status = g_test_run ();

  pv_ui_test_close_window (window, application);
  g_clear_object (&fake);

  return status;
}
