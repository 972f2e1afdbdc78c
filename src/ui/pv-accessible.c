/* pv-accessible.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pv-accessible.h"

/* Some toolkit widgets hold a focusable button of their own with no name: GtkDropDown's
 * toggle in GTK 4.8, AdwEntryRow's apply button, AdwPasswordEntryRow's peek button and
 * AdwPreferencesWindow's search entry in libadwaita 1.2. A screen reader then
 * reads the button's type. Naming it from outside is the only way on those versions; the
 * later ones name it themselves, and then this changes nothing but the words. */
/* @icon_name: (nullable): what tells a button from the others of its type */
static GtkWidget *
find_control (GtkWidget  *root,
              GType       type,
              const char *icon_name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type) &&
          (icon_name == NULL ||
           g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (child)), icon_name) == 0))
        return child;
      found = find_control (child, type, icon_name);
      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
name (GtkWidget  *control,
      const char *label)
{
  if (control != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (control),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

/**
 * pv_accessible_name_inner_button:
 * @widget: a toolkit widget with a button, or another control, inside it
 * @button_type: the control's type, e.g. %GTK_TYPE_TOGGLE_BUTTON
 * @label: the name a screen reader should read, translated
 *
 * Names the first control of @button_type inside @widget, if there is one.
 */
void
pv_accessible_name_inner_button (GtkWidget  *widget,
                                 GType       button_type,
                                 const char *label)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));

  name (find_control (widget, button_type, NULL), label);
}

/**
 * pv_accessible_name_icon_button:
 * @widget: a toolkit widget with buttons inside it
 * @icon_name: the icon the button shows, which tells it from the others, e.g.
 *   "view-reveal-symbolic" for AdwPasswordEntryRow's peek button beside its apply button
 * @label: the name a screen reader should read, translated
 *
 * Names the first button inside @widget that shows @icon_name, if there is one.
 */
void
pv_accessible_name_icon_button (GtkWidget  *widget,
                                const char *icon_name,
                                const char *label)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (icon_name != NULL);

  name (find_control (widget, GTK_TYPE_BUTTON, icon_name), label);
}

/**
 * pv_accessible_name_unlabelled_buttons:
 * @widget: a toolkit widget with buttons inside it
 * @label: the name a screen reader should read, translated
 *
 * Names every button inside @widget that shows only an icon, such as a toast's close
 * button beside its labelled action button.
 */
void
pv_accessible_name_unlabelled_buttons (GtkWidget  *widget,
                                       const char *label)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_BUTTON (child) && gtk_button_get_label (GTK_BUTTON (child)) == NULL)
        gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      else
        pv_accessible_name_unlabelled_buttons (child, label);
    }
}

/**
 * pv_accessible_show_problem:
 * @problem: (nullable): what is wrong with the field's text, or %NULL once nothing is
 *
 * Marks a field as invalid for sight (the error style) and for screen readers (the
 * invalid state, with @problem as its description), or clears both.
 */
void
pv_accessible_show_problem (GtkWidget  *widget,
                            const char *problem)
{
  if (problem != NULL)
    {
      gtk_widget_add_css_class (widget, "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (widget),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, problem,
                                      -1);
    }
  else
    {
      gtk_widget_remove_css_class (widget, "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_STATE_INVALID);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }
}
