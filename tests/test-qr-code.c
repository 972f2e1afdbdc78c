/* test-qr-code.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <cairo.h>
#include <glib/gstdio.h>
#include <string.h>

#include "pv-qr-code.h"
#include "pv-sms-uri.h"

#define PIXELS_PER_MODULE 8

/* Draws the code as a scanner would see it on paper: black modules on white, with the quiet
 * zone, whole pixels per module. */
static void
write_png (const PvQrCode *code,
           const char     *path)
{
  guint size = pv_qr_code_get_size (code);
  int side = (size + 2 * PV_QR_CODE_QUIET_ZONE) * PIXELS_PER_MODULE;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, side, side);
  cairo_t *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  for (guint y = 0; y < size; y++)
    for (guint x = 0; x < size; x++)
      if (pv_qr_code_is_dark (code, x, y))
        cairo_rectangle (cr,
                         (x + PV_QR_CODE_QUIET_ZONE) * PIXELS_PER_MODULE,
                         (y + PV_QR_CODE_QUIET_ZONE) * PIXELS_PER_MODULE,
                         PIXELS_PER_MODULE, PIXELS_PER_MODULE);
  cairo_fill (cr);
  cairo_destroy (cr);

  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
}

static void
test_decodes (void)
{
  g_autofree char *zbarimg = g_find_program_in_path ("zbarimg");
  g_autofree char *long_text = NULL;
  g_autofree char *sms_uri = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  GString *long_builder;

  if (zbarimg == NULL)
    {
      g_test_skip ("zbarimg is not installed: install zbar-tools "
                   "(build-aux/install-deps.sh --tests)");
      return;
    }

  sms_uri = pv_sms_uri_new ("+493012345678", "PV 482913");
  long_builder = g_string_new (NULL);
  while (long_builder->len < 300)
    g_string_append_printf (long_builder, "Ihr Code %u. ", (guint) long_builder->len);
  g_string_truncate (long_builder, 300);
  long_text = g_string_free (long_builder, FALSE);

  dir = g_dir_make_tmp ("pv-qr-XXXXXX", &error);
  g_assert_no_error (error);

  {
    const char *texts[] = { sms_uri, long_text, "ÄÖÜ é", "PV 482913" };

    for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
      {
        g_autoptr(PvQrCode) code = pv_qr_code_new (texts[i], &error);
        g_autofree char *name = g_strdup_printf ("code-%u.png", i);
        g_autofree char *path = g_build_filename (dir, name, NULL);
        g_autofree char *decoded = NULL;
        g_autofree char *errors = NULL;
        int status;
        /* --raw writes the code's bytes without converting charsets (the UTF-8 text comes
         * back as it went in), and -Sbinary writes only them, without the newline zbarimg
         * otherwise puts after each code. --nodbus: it would otherwise complain on stderr
         * wherever no system bus runs. */
        const char *argv[] = { zbarimg, "--raw", "-q", "-Sbinary", "--nodbus", path, NULL };

        g_assert_no_error (error);
        g_assert_cmpstr (pv_qr_code_get_text (code), ==, texts[i]);
        write_png (code, path);

        g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &decoded,
                      &errors, &status, &error);
        g_assert_no_error (error);
        if (!g_spawn_check_wait_status (status, &error))
          g_test_message ("zbarimg: %s", errors);
        g_assert_no_error (error);

        g_assert_cmpstr (decoded, ==, texts[i]);
        g_assert_cmpint (g_unlink (path), ==, 0);
      }
  }

  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_terminal (void)
{
  g_autoptr(PvQrCode) code = pv_qr_code_new ("sms:+493012345678?body=PV%20482913", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint size, total, n_lines;

  g_assert_nonnull (code);
  size = pv_qr_code_get_size (code);
  total = size + 2 * PV_QR_CODE_QUIET_ZONE;
  text = pv_qr_code_to_terminal (code);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_true (g_str_has_suffix (text, "\n"));

  lines = g_strsplit (text, "\n", -1);
  n_lines = g_strv_length (lines);
  /* The last "line" is what follows the final newline: nothing. */
  g_assert_cmpuint (n_lines, ==, (total + 1) / 2 + 1);
  g_assert_cmpstr (lines[n_lines - 1], ==, "");

  for (guint row = 0; row < n_lines - 1; row++)
    {
      const char *p = lines[row];

      g_assert_cmpuint (g_utf8_strlen (p, -1), ==, total);
      for (guint x = 0; x < total; x++, p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);
          int mx = (int) x - PV_QR_CODE_QUIET_ZONE;
          gboolean light[2];

          for (guint half = 0; half < 2; half++)
            {
              int my = (int) (2 * row + half) - PV_QR_CODE_QUIET_ZONE;

              /* Below the code's last row is the terminal's background, dark. */
              if (2 * row + half >= total)
                light[half] = FALSE;
              else if (mx < 0 || my < 0 || mx >= (int) size || my >= (int) size)
                light[half] = TRUE;
              else
                light[half] = !pv_qr_code_is_dark (code, mx, my);
            }

          /* Glyphs paint light modules, for a terminal's light-on-dark text. */
          if (light[0] && light[1])
            g_assert_cmpuint (c, ==, 0x2588);  /* █ */
          else if (light[0])
            g_assert_cmpuint (c, ==, 0x2580);  /* ▀ */
          else if (light[1])
            g_assert_cmpuint (c, ==, 0x2584);  /* ▄ */
          else
            g_assert_cmpuint (c, ==, ' ');
        }
    }
}

static void
test_too_long (void)
{
  /* Version 40 at level M holds 2,331 bytes in 8-bit mode. */
  g_autofree char *fits = g_strnfill (2331, 'x');
  g_autofree char *too_long = g_strnfill (2332, 'x');
  g_autoptr(PvQrCode) largest = NULL;
  g_autoptr(PvQrCode) code = NULL;
  g_autoptr(GError) error = NULL;

  largest = pv_qr_code_new (fits, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pv_qr_code_get_size (largest), ==, 177);

  code = pv_qr_code_new (too_long, &error);
  g_assert_error (error, PV_QR_CODE_ERROR, PV_QR_CODE_ERROR_TOO_LONG);
  g_assert_null (code);
  g_clear_error (&error);

  code = pv_qr_code_new ("", &error);
  g_assert_error (error, PV_QR_CODE_ERROR, PV_QR_CODE_ERROR_EMPTY);
  g_assert_null (code);
}

static void
test_smallest_version (void)
{
  g_autoptr(PvQrCode) code = pv_qr_code_new ("PV 482913", NULL);
  g_autoptr(PvQrCode) ref = NULL;

  /* Version 1, 21 modules a side, holds 14 bytes at level M. */
  g_assert_cmpuint (pv_qr_code_get_size (code), ==, 21);
  ref = pv_qr_code_ref (code);
  g_assert_true (ref == code);
  g_assert_true (G_TYPE_IS_BOXED (PV_TYPE_QR_CODE));
}

static void
assert_sms_uri (const char *body,
                const char *expected)
{
  g_autofree char *uri = pv_sms_uri_new ("+493012345678", body);

  g_assert_cmpstr (uri, ==, expected);
}

static void
test_sms_uri_plain (void)
{
  assert_sms_uri ("482913", "sms:+493012345678?body=482913");
  assert_sms_uri ("PV 482913", "sms:+493012345678?body=PV%20482913");
}

static void
test_sms_uri_reserved (void)
{
  assert_sms_uri ("a b&c?d#e%f+g=h/i",
                  "sms:+493012345678?body=a%20b%26c%3Fd%23e%25f%2Bg%3Dh%2Fi");
  /* The unreserved set passes as it is. */
  assert_sms_uri ("A-z_0.9~", "sms:+493012345678?body=A-z_0.9~");
}

static void
test_sms_uri_non_ascii (void)
{
  assert_sms_uri ("Code für Müller: 482913 é",
                  "sms:+493012345678?body=Code%20f%C3%BCr%20M%C3%BCller%3A%20482913%20%C3%A9");
}

static void
test_sms_uri_no_body (void)
{
  assert_sms_uri (NULL, "sms:+493012345678");
  assert_sms_uri ("", "sms:+493012345678");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/qr-code/decodes", test_decodes);
  g_test_add_func ("/qr-code/terminal", test_terminal);
  g_test_add_func ("/qr-code/too-long", test_too_long);
  g_test_add_func ("/qr-code/smallest-version", test_smallest_version);
  g_test_add_func ("/sms-uri/plain", test_sms_uri_plain);
  g_test_add_func ("/sms-uri/reserved", test_sms_uri_reserved);
  g_test_add_func ("/sms-uri/non-ascii", test_sms_uri_non_ascii);
  g_test_add_func ("/sms-uri/no-body", test_sms_uri_no_body);

  return g_test_run ();
}
