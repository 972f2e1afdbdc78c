/* pv-qr-code.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A QR code is encoded once, by libqrencode, and then only read: the widget draws it at
 * any size and the command line prints it, both from the same matrix. The text always goes
 * in 8-bit mode, its UTF-8 bytes as they are, so that a scanner gives back exactly the
 * string that went in: libqrencode's automatic mode guesses at Kanji for byte pairs that
 * look like Shift JIS, which some UTF-8 does, and readers then decode other text. Level M
 * survives 15% damage (a glare on a phone's screen, a smudge on the desk's monitor) and
 * still fits a long SMS in a version a phone camera reads from arm's length. */

#define G_LOG_DOMAIN "pv-qr-code"

#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <string.h>

#include <qrencode.h>

#include "pv-qr-code.h"

struct _PvQrCode
{
  char   *text;
  guint   size;
  /* size × size modules, row by row; TRUE for dark. */
  guint8 *modules;
};

G_DEFINE_QUARK (pv-qr-code-error-quark, pv_qr_code_error)
G_DEFINE_BOXED_TYPE (PvQrCode, pv_qr_code, pv_qr_code_ref, pv_qr_code_unref)

PvQrCode *
pv_qr_code_new (const char  *text,
                GError     **error)
{
  g_autoptr(PvQrCode) self = NULL;
  QRcode *encoded;
  int saved_errno;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (*text == '\0')
    {
      g_set_error_literal (error, PV_QR_CODE_ERROR, PV_QR_CODE_ERROR_EMPTY,
                           _("There is no text to put in a QR code"));
      return NULL;
    }

  /* Version 0 asks for the smallest version the text fits in. */
  encoded = QRcode_encodeString8bit (text, 0, QR_ECLEVEL_M);
  saved_errno = errno;
  if (encoded == NULL)
    {
      if (saved_errno == ERANGE)
        g_set_error_literal (error, PV_QR_CODE_ERROR, PV_QR_CODE_ERROR_TOO_LONG,
                             _("The text is too long to fit in a QR code"));
      else
        g_set_error (error, PV_QR_CODE_ERROR, PV_QR_CODE_ERROR_FAILED,
                     _("Could not make a QR code: %s"), g_strerror (saved_errno));
      return NULL;
    }

  self = g_atomic_rc_box_new0 (PvQrCode);
  self->text = g_strdup (text);
  self->size = encoded->width;
  self->modules = g_new (guint8, self->size * self->size);
  /* libqrencode packs flags for its own use into the other bits; bit 0 is the colour. */
  for (guint i = 0; i < self->size * self->size; i++)
    self->modules[i] = encoded->data[i] & 1;
  QRcode_free (encoded);

  return g_steal_pointer (&self);
}

PvQrCode *
pv_qr_code_ref (PvQrCode *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

static void
pv_qr_code_clear (gpointer data)
{
  PvQrCode *self = data;

  g_free (self->text);
  g_free (self->modules);
}

void
pv_qr_code_unref (PvQrCode *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, pv_qr_code_clear);
}

guint
pv_qr_code_get_size (const PvQrCode *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->size;
}

gboolean
pv_qr_code_is_dark (const PvQrCode *self,
                    guint           x,
                    guint           y)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (x < self->size && y < self->size, FALSE);

  return self->modules[y * self->size + x];
}

const char *
pv_qr_code_get_text (const PvQrCode *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->text;
}

/* Whether the module at (x, y) of the code with its quiet zone is light. Rows past the
 * bottom (the odd one out under the last text line) count as dark: the terminal's own
 * background, below the code. */
static gboolean
is_light_with_border (const PvQrCode *self,
                      int             x,
                      int             y)
{
  int size = self->size;
  int total = size + 2 * PV_QR_CODE_QUIET_ZONE;

  if (y >= total)
    return FALSE;

  x -= PV_QR_CODE_QUIET_ZONE;
  y -= PV_QR_CODE_QUIET_ZONE;
  if (x < 0 || y < 0 || x >= size || y >= size)
    return TRUE;

  return !self->modules[y * size + x];
}

/* Most terminals draw light glyphs on a dark background, so the glyphs here paint the
 * LIGHT modules and the quiet zone, and dark modules are left as the background: the code
 * then shows dark on light, as scanners need it. On a dark-on-light terminal it would come
 * out inverted, which many phone scanners still read but not all. */
char *
pv_qr_code_to_terminal (const PvQrCode *self)
{
  g_autoptr(GString) out = NULL;
  int total;

  g_return_val_if_fail (self != NULL, NULL);

  total = self->size + 2 * PV_QR_CODE_QUIET_ZONE;
  /* Each glyph is 3 bytes of UTF-8 at most, and each line ends in a newline. */
  out = g_string_sized_new ((gsize) (total + 1) / 2 * (total * 3 + 1));

  for (int y = 0; y < total; y += 2)
    {
      for (int x = 0; x < total; x++)
        {
          gboolean top = is_light_with_border (self, x, y);
          gboolean bottom = is_light_with_border (self, x, y + 1);

          if (top && bottom)
            g_string_append (out, "█");
          else if (top)
            g_string_append (out, "▀");
          else if (bottom)
            g_string_append (out, "▄");
          else
            g_string_append_c (out, ' ');
        }
      g_string_append_c (out, '\n');
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}
