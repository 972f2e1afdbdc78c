/* pv-country-row.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A row to choose a country from the couple of hundred libphonenumber knows, by name in
 * the user's language with its calling code, searchable by typing. AdwComboRow can only
 * search from libadwaita 1.4 on, so a searchable GtkDropDown sits in an action row. */

#define G_LOG_DOMAIN "pv-country-row"

#include "config.h"

#include <glib/gi18n.h>

#include "pv-accessible.h"
#include "pv-country-row.h"
#include "pv-country.h"
#include "pv-phone-number.h"

struct _PvCountryRow
{
  AdwActionRow  parent_instance;

  GtkDropDown  *drop_down;
  GPtrArray    *codes;        /* ISO codes, in the order of the drop-down's items */
  char         *country;
  gboolean      filled;       /* with every country, not only the chosen one */
  guint         fill_source;
};

G_DEFINE_FINAL_TYPE (PvCountryRow, pv_country_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_COUNTRY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  char *code;
  char *label;
} Country;

static int
compare_countries (gconstpointer a,
                   gconstpointer b)
{
  const Country *first = a;
  const Country *second = b;

  return g_utf8_collate (first->label, second->label);
}

static char *
country_label (const char *code)
{
  /* Translators: a country and its calling code, as in “Germany (+49)” */
  return g_strdup_printf (_("%s (+%u)"), pv_country_get_name (code),
                          pv_phone_number_country_code_for_region (code));
}

static void selected_changed_cb (PvCountryRow *self);

/* Replaces the drop-down's items, keeping the chosen country selected. */
static void
set_items (PvCountryRow *self,
           GPtrArray    *codes,
           GtkStringList *labels)
{
  guint position;

  g_ptr_array_unref (self->codes);
  self->codes = g_ptr_array_ref (codes);

  g_signal_handlers_block_by_func (self->drop_down, selected_changed_cb, self);
  gtk_drop_down_set_model (self->drop_down, G_LIST_MODEL (labels));
  if (self->country != NULL &&
      g_ptr_array_find_with_equal_func (self->codes, self->country, g_str_equal, &position))
    gtk_drop_down_set_selected (self->drop_down, position);
  g_signal_handlers_unblock_by_func (self->drop_down, selected_changed_cb, self);
}

/* Until staff come to the drop-down, it holds only the chosen country, which is all it
 * shows: GTK 4.8 makes a row of its list for each of two hundred countries as soon as it has
 * them, shown or not. That is 7 ms, and about 2 MiB that most offices, which never change
 * the country, would carry for the whole day. */
static void
show_chosen_only (PvCountryRow *self)
{
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);

  if (self->country != NULL)
    {
      g_autofree char *label = country_label (self->country);

      g_ptr_array_add (codes, g_strdup (self->country));
      gtk_string_list_append (labels, label);
    }

  set_items (self, codes, labels);
}

static void
fill_countries (PvCountryRow *self)
{
  g_auto(GStrv) regions = pv_phone_number_dup_regions ();
  g_autoptr(GArray) countries = g_array_new (FALSE, FALSE, sizeof (Country));
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);

  self->filled = TRUE;

  for (guint i = 0; regions[i] != NULL; i++)
    {
      Country country = { .code = regions[i], .label = country_label (regions[i]) };

      g_array_append_val (countries, country);
    }

  g_array_sort (countries, compare_countries);

  for (guint i = 0; i < countries->len; i++)
    {
      Country *country = &g_array_index (countries, Country, i);

      gtk_string_list_append (labels, country->label);
      g_ptr_array_add (codes, g_strdup (country->code));
      g_free (country->label);
    }

  set_items (self, codes, labels);
}

static gboolean
fill_countries_cb (gpointer user_data)
{
  PvCountryRow *self = user_data;

  self->fill_source = 0;
  fill_countries (self);

  return G_SOURCE_REMOVE;
}

/* The pointer or the focus comes to the drop-down: fill the list before it can be opened,
 * but after whatever the event itself changes on screen has been drawn. */
static void
approached_cb (PvCountryRow *self)
{
  if (!self->filled && self->fill_source == 0)
    self->fill_source = g_idle_add (fill_countries_cb, self);
}

/* Opened before the idle ran (a press straight after the pointer came, a key straight after
 * the focus): fill it now. A press is seen before the drop-down's button takes it, so the
 * list opens filled. */
static void
opening_cb (PvCountryRow *self)
{
  g_clear_handle_id (&self->fill_source, g_source_remove);
  if (!self->filled)
    fill_countries (self);
}

static void
selected_changed_cb (PvCountryRow *self)
{
  guint selected = gtk_drop_down_get_selected (self->drop_down);

  if (selected == GTK_INVALID_LIST_POSITION || selected >= self->codes->len)
    return;

  pv_country_row_set_country (self, g_ptr_array_index (self->codes, selected));
}

static void
pv_country_row_dispose (GObject *object)
{
  PvCountryRow *self = PV_COUNTRY_ROW (object);

  g_clear_handle_id (&self->fill_source, g_source_remove);

  G_OBJECT_CLASS (pv_country_row_parent_class)->dispose (object);
}

static void
pv_country_row_finalize (GObject *object)
{
  PvCountryRow *self = PV_COUNTRY_ROW (object);

  g_clear_pointer (&self->codes, g_ptr_array_unref);
  g_clear_pointer (&self->country, g_free);

  G_OBJECT_CLASS (pv_country_row_parent_class)->finalize (object);
}

static void
pv_country_row_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PvCountryRow *self = PV_COUNTRY_ROW (object);

  if (prop_id == PROP_COUNTRY)
    g_value_set_string (value, self->country);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
pv_country_row_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  PvCountryRow *self = PV_COUNTRY_ROW (object);

  if (prop_id == PROP_COUNTRY)
    pv_country_row_set_country (self, g_value_get_string (value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
pv_country_row_class_init (PvCountryRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pv_country_row_dispose;
  object_class->finalize = pv_country_row_finalize;
  object_class->get_property = pv_country_row_get_property;
  object_class->set_property = pv_country_row_set_property;

  /**
   * PvCountryRow:country:
   *
   * The chosen country's ISO 3166-1 alpha-2 code, such as “DE”.
   */
  properties[PROP_COUNTRY] =
    g_param_spec_string ("country", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pv_country_row_init (PvCountryRow *self)
{
  g_autoptr(GtkExpression) expression = NULL;
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *focus = gtk_event_controller_focus_new ();
  GtkGesture *press = gtk_gesture_click_new ();
  GtkWidget *button;

  self->codes = g_ptr_array_new_with_free_func (g_free);

  self->drop_down = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  gtk_widget_set_valign (GTK_WIDGET (self->drop_down), GTK_ALIGN_CENTER);
  /* Typing "ger" finds Germany among two hundred countries. */
  expression = gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string");
  gtk_drop_down_set_expression (self->drop_down, expression);
  gtk_drop_down_set_enable_search (self->drop_down, TRUE);

  adw_action_row_add_suffix (ADW_ACTION_ROW (self), GTK_WIDGET (self->drop_down));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (self), GTK_WIDGET (self->drop_down));
  pv_accessible_name_inner_button (GTK_WIDGET (self->drop_down), GTK_TYPE_TOGGLE_BUTTON,
                                   _("Choose a Country"));

  g_signal_connect_object (self->drop_down, "notify::selected",
                           G_CALLBACK (selected_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (motion, "enter", G_CALLBACK (approached_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->drop_down), motion);
  g_signal_connect_object (focus, "enter", G_CALLBACK (approached_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->drop_down), focus);
  /* Only watches: never claims the press, which stays the button's. */
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (press), GTK_PHASE_CAPTURE);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (press), 0);
  g_signal_connect_object (press, "pressed", G_CALLBACK (opening_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->drop_down), GTK_EVENT_CONTROLLER (press));
  /* The row activated, or the button clicked from the keyboard or by assistive technology,
   * which no press comes before. */
  g_signal_connect_object (self->drop_down, "activate", G_CALLBACK (opening_cb), self,
                           G_CONNECT_SWAPPED);
  button = gtk_widget_get_first_child (GTK_WIDGET (self->drop_down));
  if (GTK_IS_BUTTON (button))
    {
      g_signal_connect_object (button, "clicked", G_CALLBACK (opening_cb), self,
                               G_CONNECT_SWAPPED);
      /* Drawn as the combo rows beside it (see style.css), not as a button in a row. */
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_add_css_class (GTK_WIDGET (self->drop_down), "row-value");
    }
}

const char *
pv_country_row_get_country (PvCountryRow *self)
{
  g_return_val_if_fail (PV_IS_COUNTRY_ROW (self), NULL);

  return self->country;
}

void
pv_country_row_set_country (PvCountryRow *self,
                            const char   *country)
{
  guint position;

  g_return_if_fail (PV_IS_COUNTRY_ROW (self));

  if (g_strcmp0 (self->country, country) == 0)
    return;

  g_free (self->country);
  self->country = g_strdup (country);

  if (!self->filled)
    show_chosen_only (self);
  else if (country != NULL &&
           g_ptr_array_find_with_equal_func (self->codes, country, g_str_equal, &position) &&
           gtk_drop_down_get_selected (self->drop_down) != position)
    gtk_drop_down_set_selected (self->drop_down, position);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->drop_down),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self)),
                                  -1);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNTRY]);
}
