/* pv-toast.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Every toast goes through here, for two reasons. libadwaita 1.2's toast has a close button
 * with no accessible name, which a screen reader reads as "GtkImage": the button exists only
 * while its toast is on screen, and a queued toast appears when the one before it goes, so
 * the toasts shown are named each time one is added or dismissed. And its title is cut to
 * one line, which at 360 px, or in German, loses the end of the sentence: the title is shown
 * in a label that wraps instead. */

#define G_LOG_DOMAIN "pv-toast"

#include "config.h"

#include <glib/gi18n.h>

#include "pv-accessible.h"
#include "pv-toast.h"

/* The toast's margins, padding and close button, beside its title. */
#define TOAST_CHROME_WIDTH 110
#define TOAST_TITLE_MIN_CHARS 20

static int
fitting_chars (GtkWidget *overlay,
               GtkWidget *label)
{
  PangoContext *context = gtk_widget_get_pango_context (label);
  PangoFontMetrics *metrics = pango_context_get_metrics (context, NULL, NULL);
  /* As GtkLabel turns its width in characters into pixels: the wider of the two. */
  int char_width = MAX (pango_font_metrics_get_approximate_char_width (metrics),
                        pango_font_metrics_get_approximate_digit_width (metrics)) / PANGO_SCALE;
  int width = overlay != NULL ? gtk_widget_get_width (overlay) : 0;

  /* Pango 1.50 has no autoptr for it. */
  pango_font_metrics_unref (metrics);

  if (width <= 0 || char_width <= 0)
    return -1;

  return MAX (TOAST_TITLE_MIN_CHARS, (width - TOAST_CHROME_WIDTH) / char_width);
}

static void
name_close_buttons (GtkWidget *root)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      /* AdwToastWidget is private; its type name is all there is to go by. */
      if (g_str_equal (G_OBJECT_TYPE_NAME (child), "AdwToastWidget"))
        pv_accessible_name_unlabelled_buttons (child, _("Dismiss"));
      else
        name_close_buttons (child);
    }
}

static gboolean
name_close_buttons_cb (gpointer user_data)
{
  GtkWidget *overlay = g_weak_ref_get (user_data);

  if (overlay != NULL)
    {
      name_close_buttons (overlay);
      g_object_unref (overlay);
    }

  return G_SOURCE_REMOVE;
}

static void
weak_ref_free (GWeakRef *ref)
{
  g_weak_ref_clear (ref);
  g_free (ref);
}

static void
schedule_naming (GtkWidget *overlay)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, overlay);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, name_close_buttons_cb, ref,
                   (GDestroyNotify) weak_ref_free);
}

static void
toast_dismissed_cb (AdwToast  *toast,
                    GtkWidget *overlay)
{
  schedule_naming (overlay);
}

/**
 * pv_toast_add:
 * @from: a widget inside the window's toast overlay
 * @toast: (transfer full): the toast
 *
 * Shows @toast in the toast overlay @from is in; drops it if there is none.
 */
void
pv_toast_add (GtkWidget *from,
              AdwToast  *toast)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (from, ADW_TYPE_TOAST_OVERLAY);
  GtkWidget *title_label;

  g_return_if_fail (ADW_IS_TOAST (toast));

  if (overlay == NULL)
    {
      g_debug ("No toast overlay for “%s”", adw_toast_get_title (toast));
      g_object_unref (toast);
      return;
    }

  /* A title given since the last time replaces the label (setting either of AdwToast's
   * title and custom title unsets the other). The title is markup, in the label too. */
  if (adw_toast_get_title (toast) != NULL)
    {
      g_autofree char *title = g_strdup (adw_toast_get_title (toast));

      title_label = gtk_label_new (NULL);
      gtk_label_set_markup (GTK_LABEL (title_label), title);
      gtk_label_set_wrap (GTK_LABEL (title_label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (title_label), PANGO_WRAP_WORD_CHAR);
      /* Before measuring: the heading's font is the wider. */
      gtk_widget_add_css_class (title_label, "heading");
      /* The toast is as wide as its title wants, even wider than the window: its title may
       * be as wide as the window leaves beside the close button, and wraps beyond. */
      gtk_label_set_max_width_chars (GTK_LABEL (title_label), fitting_chars (overlay, title_label));
      gtk_label_set_xalign (GTK_LABEL (title_label), 0);
      adw_toast_set_custom_title (toast, title_label);
    }

  /* The window adds one toast again and again, to restart it. */
  if (g_signal_handler_find (toast, G_SIGNAL_MATCH_FUNC | G_SIGNAL_MATCH_DATA, 0, 0, NULL,
                             toast_dismissed_cb, overlay) == 0)
    g_signal_connect_object (toast, "dismissed", G_CALLBACK (toast_dismissed_cb), overlay, 0);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  name_close_buttons (overlay);
}
