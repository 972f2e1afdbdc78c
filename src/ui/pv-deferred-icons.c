/* pv-deferred-icons.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "pv-deferred-icons.h"

/* GTK looks up the icon of every status page as soon as its style is computed, hidden stack
 * pages included, and a 128-pixel symbolic icon is an SVG: the first one loads librsvg,
 * 6 MiB of RSS and a few milliseconds of startup, for pages that most days are never shown.
 * So a status page in a stack gets its icon when it is first shown. */

#define DEFERRED_ICON_KEY "pv-deferred-icon"

static void
restore_icon (GtkWidget *child)
{
  const char *icon_name;

  if (!ADW_IS_STATUS_PAGE (child))
    return;
  icon_name = g_object_get_data (G_OBJECT (child), DEFERRED_ICON_KEY);
  /* Unless the page was given another icon meanwhile. */
  if (icon_name != NULL && adw_status_page_get_icon_name (ADW_STATUS_PAGE (child)) == NULL)
    adw_status_page_set_icon_name (ADW_STATUS_PAGE (child), icon_name);
  g_object_set_data (G_OBJECT (child), DEFERRED_ICON_KEY, NULL);
}

static void
visible_child_changed_cb (GtkStack   *stack,
                          GParamSpec *pspec,
                          gpointer    user_data)
{
  GtkWidget *child = gtk_stack_get_visible_child (stack);

  if (child != NULL)
    restore_icon (child);
}

void
pv_stack_defer_status_icons (GtkStack *stack)
{
  GtkWidget *visible = gtk_stack_get_visible_child (stack);

  g_return_if_fail (GTK_IS_STACK (stack));

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (stack)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *icon_name;

      if (child == visible || !ADW_IS_STATUS_PAGE (child))
        continue;
      icon_name = adw_status_page_get_icon_name (ADW_STATUS_PAGE (child));
      if (icon_name == NULL)
        continue;
      g_object_set_data_full (G_OBJECT (child), DEFERRED_ICON_KEY, g_strdup (icon_name),
                              g_free);
      adw_status_page_set_icon_name (ADW_STATUS_PAGE (child), NULL);
    }
  g_signal_connect (stack, "notify::visible-child", G_CALLBACK (visible_child_changed_cb),
                    NULL);
}
