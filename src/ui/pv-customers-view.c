/* pv-customers-view.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Every customer, in a table that pages through the store (PvCustomerList), with a search
 * as staff type, a menu on each row (send a new code, delete) and an export to CSV. The
 * table follows the verifier: whatever it changes shows up after a short pause. */

#define G_LOG_DOMAIN "pv-customers-view"

#include "config.h"

#include <glib/gi18n.h>

#include "pv-csv-export.h"
#include "pv-customer-list.h"
#include "pv-customer-page.h"
#include "pv-customer-row.h"
#include "pv-customers-view.h"
#include "pv-deferred-icons.h"
#include "pv-toast.h"
#include "pv-customer-cells.h"

/* Sending a code fires several signals in a row: they make one reload. */
#define RELOAD_DELAY_MS 150

/* How long loading may take before the view shows that it is loading. */
#define SPINNER_DELAY_MS 500

struct _PvCustomersView
{
  AdwBin                parent_instance;

  PvEngine             *engine;
  PvVerifier           *verifier;     /* the one whose signals are connected */
  PvCustomerList       *list;
  gboolean              list_ready;   /* the list has counted its customers once */
  GCancellable         *cancellable;
  guint                 reload_source;
  guint                 spinner_source;
  guint                 open_first_source;
  guint                 layout_source;
  int                   layout_width;   /* the width the columns were laid out for */
  gboolean              narrow;   /* the name goes under the number */
  guint                 open_first_tries;
  GtkFileChooserNative *chooser;
  gboolean              exporting;
  PvStoreSort           sort;         /* the column the headers sort by */
  gboolean              resorting;

  GSimpleActionGroup   *sort_actions;  /* sort.by and sort.descending, for the Sort menu */

  /* Template widgets */
  AdwLeaflet           *leaflet;
  PvCustomerPage       *customer_page;
  GtkStack             *stack;
  AdwStatusPage        *store_failed_page;
  GtkSpinner           *spinner;
  GtkSearchEntry       *search_entry;
  GtkLabel             *count_label;
  GtkButton            *export_button;
  GtkStack             *results_stack;
  GtkColumnView        *column_view;
  GtkColumnViewColumn  *number_column;
  GtkColumnViewColumn  *customer_column;  /* number and name, for narrow windows */
  GtkColumnViewColumn  *name_column;
  GtkColumnViewColumn  *status_column;
  GtkColumnViewColumn  *activity_column;
  GMenuModel           *row_menu;
};

G_DEFINE_FINAL_TYPE (PvCustomersView, pv_customers_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
add_toast (PvCustomersView *self,
           const char      *title)
{
  pv_toast_add (GTK_WIDGET (self), adw_toast_new (title));
}

static void add_toast_printf (PvCustomersView *self,
                              const char      *format,
                              ...) G_GNUC_PRINTF (2, 3);

/* The arguments must be escaped: a toast's title is markup. */
static void
add_toast_printf (PvCustomersView *self,
                  const char      *format,
                  ...)
{
  g_autofree char *title = NULL;
  va_list args;

  va_start (args, format);
  title = g_strdup_vprintf (format, args);
  va_end (args);

  add_toast (self, title);
}

static void
update_actions (PvCustomersView *self)
{
  gboolean has_customers = self->list != NULL
                           && g_list_model_get_n_items (G_LIST_MODEL (self->list)) > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "customers.export",
                                 has_customers && !self->exporting);
}

static gboolean
start_spinner_cb (gpointer user_data)
{
  PvCustomersView *self = user_data;

  self->spinner_source = 0;
  gtk_spinner_set_spinning (self->spinner, TRUE);

  return G_SOURCE_REMOVE;
}

/* The first pages of a million customers take a tenth of a second: a spinner that flashes
 * for that long says less than an empty view does. */
static void
show_page (PvCustomersView *self,
           const char      *name)
{
  gboolean loading = g_str_equal (name, "loading");

  gtk_stack_set_visible_child_name (self->stack, name);

  if (loading && !gtk_spinner_get_spinning (self->spinner) && self->spinner_source == 0)
    self->spinner_source = g_timeout_add (SPINNER_DELAY_MS, start_spinner_cb, self);
  else if (!loading)
    {
      g_clear_handle_id (&self->spinner_source, g_source_remove);
      gtk_spinner_set_spinning (self->spinner, FALSE);
    }
}

/* "About 75,000 customers" while a broad search is only estimated: two figures are all
 * an estimate is good for. */
static void
update_count_label (PvCustomersView *self,
                    guint            n_items)
{
  g_autofree char *text = NULL;

  if (pv_customer_list_get_estimated (self->list))
    {
      guint magnitude = 1;
      guint rounded;

      while (n_items / magnitude >= 100)
        magnitude *= 10;
      rounded = (n_items + magnitude / 2) / magnitude * magnitude;

      /* Translators: %'u is a rounded number, shown with the locale's digit grouping */
      text = g_strdup_printf (_("About %'u customers"), rounded);
    }
  else
    {
      /* Translators: %'u is a number, shown with the locale's digit grouping */
      text = g_strdup_printf (ngettext ("%'u customer", "%'u customers", n_items), n_items);
    }

  gtk_label_set_label (self->count_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->count_label), n_items > 0 && !self->narrow);
}

static void
update_page (PvCustomersView *self)
{
  guint n_items;

  update_actions (self);

  if (self->engine != NULL && pv_engine_get_state (self->engine) == PV_ENGINE_STORE_FAILED)
    {
      g_autofree char *description = g_markup_escape_text (pv_engine_get_problem (self->engine),
                                                           -1);

      /* Markup: the problem names the database file, whose path may hold a "&". */
      adw_status_page_set_description (self->store_failed_page, description);
      show_page (self, "store-failed");
      return;
    }

  if (self->list == NULL || !self->list_ready)
    {
      show_page (self, "loading");
      return;
    }

  /* Until the new search is counted, the list still shows the old one: so does the page. */
  if (pv_customer_list_get_loading (self->list))
    return;

  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->list));

  if (n_items == 0 && pv_customer_list_get_search (self->list) == NULL)
    {
      show_page (self, "empty");
      return;
    }

  show_page (self, "customers");
  gtk_stack_set_visible_child_name (self->results_stack, n_items > 0 ? "list" : "no-results");
  update_count_label (self, n_items);
}

static void
list_loading_changed_cb (PvCustomersView *self)
{
  if (!pv_customer_list_get_loading (self->list))
    self->list_ready = TRUE;

  update_page (self);
}

static void
list_load_failed_cb (PvCustomersView *self,
                     const GError    *error)
{
  g_autofree char *escaped = g_markup_escape_text (error->message, -1);

  add_toast_printf (self, _("Could not load customers: %s"), escaped);
}

/* A new search or sort: its first customers, not whatever sits where the old ones were. */
static void
list_replaced_cb (PvCustomersView *self)
{
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->column_view));

  if (adjustment != NULL)
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_lower (adjustment));
}

static gboolean
showing_customer (PvCustomersView *self)
{
  return g_strcmp0 (adw_leaflet_get_visible_child_name (self->leaflet), "customer") == 0;
}

/* Opens the page of the customer at @position, once that row is loaded. */
static gboolean
open_row (PvCustomersView *self,
          guint            position)
{
  g_autoptr(PvCustomerRow) row = NULL;

  if (self->list == NULL)
    return FALSE;

  row = g_list_model_get_item (G_LIST_MODEL (self->list), position);
  if (row == NULL || !pv_customer_row_get_loaded (row))
    return FALSE;

  pv_customers_view_show_customer (self, pv_customer_row_get_number (row));

  return TRUE;
}

/* Activating a row (Enter, or a double click) opens its customer's page. */
static void
row_activated_cb (PvCustomersView *self,
                  guint            position)
{
  open_row (self, position);
}

/* Enter in the search opens the first customer found, as searching for one customer and
 * opening them is what the search is mostly for. Pressed right after the last key, it waits
 * for that search's first row, for a few seconds at most. */
#define OPEN_FIRST_TRIES 60
#define OPEN_FIRST_INTERVAL_MS 50

static gboolean
try_open_first (PvCustomersView *self)
{
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  const char *listed;

  if (self->list == NULL || pv_customer_list_get_loading (self->list))
    return FALSE;

  listed = pv_customer_list_get_search (self->list);
  if (g_strcmp0 (listed != NULL ? listed : "", typed) != 0)
    return FALSE;

  return open_row (self, 0);
}

static gboolean
open_first_cb (gpointer user_data)
{
  PvCustomersView *self = user_data;

  if (try_open_first (self) || ++self->open_first_tries >= OPEN_FIRST_TRIES)
    {
      self->open_first_source = 0;
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void
search_activated_cb (PvCustomersView *self)
{
  g_clear_handle_id (&self->open_first_source, g_source_remove);
  if (try_open_first (self))
    return;

  self->open_first_tries = 0;
  self->open_first_source = g_timeout_add (OPEN_FIRST_INTERVAL_MS, open_first_cb, self);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  PvCustomersView *self = PV_CUSTOMERS_VIEW (widget);

  if (!showing_customer (self))
    return;

  adw_leaflet_set_visible_child_name (self->leaflet, "list");
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

static gboolean
reload_timeout_cb (gpointer user_data)
{
  PvCustomersView *self = user_data;

  self->reload_source = 0;
  pv_customers_view_reload (self);
  /* What this window's verifier did, the open customer's page shows too; what other
   * processes did, it hears from the store itself. */
  if (showing_customer (self))
    pv_customer_page_reload (self->customer_page);

  return G_SOURCE_REMOVE;
}

static void
schedule_reload (PvCustomersView *self)
{
  if (self->reload_source == 0)
    self->reload_source = g_timeout_add (RELOAD_DELAY_MS, reload_timeout_cb, self);
}

/* GTK 4.8 cannot say which column the headers sort by (that is 4.10), so the view's sorter
 * is asked. Each column's sorter records its column in the probe it is given, and the view's
 * sorter asks the primary column first; it turns the answer around when that column sorts
 * descending.
 */
typedef struct
{
  gboolean    found;
  PvStoreSort sort;
} SortProbe;

static int
probe_compare (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  SortProbe *probe = (SortProbe *) a;

  if (!probe->found)
    {
      probe->found = TRUE;
      probe->sort = GPOINTER_TO_INT (user_data);
    }

  return GTK_ORDERING_SMALLER;
}

static GtkColumnViewColumn *
get_sort_column (PvCustomersView *self,
                 PvStoreSort      sort)
{
  switch (sort)
    {
    case PV_STORE_SORT_NUMBER:
      return self->number_column;

    case PV_STORE_SORT_NAME:
      return self->name_column;

    case PV_STORE_SORT_STATUS:
      return self->status_column;

    case PV_STORE_SORT_LAST_ACTIVITY:
      return self->activity_column;

    case PV_STORE_SORT_CREATED:
    default:
      g_return_val_if_reached (NULL);
    }
}

static void
set_column_sorter (PvCustomersView *self,
                   PvStoreSort      sort)
{
  g_autoptr(GtkSorter) sorter = NULL;

  sorter = GTK_SORTER (gtk_custom_sorter_new (probe_compare, GINT_TO_POINTER (sort), NULL));
  gtk_column_view_column_set_sorter (get_sort_column (self, sort), sorter);
}

static void
set_column_factory (GtkColumnViewColumn *column,
                    PvCustomerCell       cell)
{
  g_autoptr(GtkListItemFactory) factory = pv_customer_cell_factory_new (cell);

  gtk_column_view_column_set_factory (column, factory);
}

/* The Sort menu: what the headers do, for the keyboard (GTK 4.8 cannot focus a column
 * header) and for narrow windows. Its state follows the headers too. */
static const struct
{
  const char  *name;
  PvStoreSort  sort;
} sort_names[] = {
  { "number", PV_STORE_SORT_NUMBER },
  { "name", PV_STORE_SORT_NAME },
  { "status", PV_STORE_SORT_STATUS },
  { "activity", PV_STORE_SORT_LAST_ACTIVITY },
};

static void
sync_sort_actions (PvCustomersView *self,
                   PvStoreSort      sort,
                   gboolean         descending)
{
  GAction *by = g_action_map_lookup_action (G_ACTION_MAP (self->sort_actions), "by");
  GAction *down = g_action_map_lookup_action (G_ACTION_MAP (self->sort_actions), "descending");

  for (guint i = 0; i < G_N_ELEMENTS (sort_names); i++)
    if (sort_names[i].sort == sort)
      g_simple_action_set_state (G_SIMPLE_ACTION (by), g_variant_new_string (sort_names[i].name));
  g_simple_action_set_state (G_SIMPLE_ACTION (down), g_variant_new_boolean (descending));
}

static void
sort_by_menu (PvCustomersView *self,
              PvStoreSort      sort,
              gboolean         descending)
{
  gtk_column_view_sort_by_column (self->column_view, get_sort_column (self, sort),
                                  descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
}

static void
sort_by_change_state (GSimpleAction *action,
                      GVariant      *value,
                      gpointer       user_data)
{
  PvCustomersView *self = user_data;
  GAction *down = g_action_map_lookup_action (G_ACTION_MAP (self->sort_actions), "descending");
  g_autoptr(GVariant) descending = g_action_get_state (down);

  for (guint i = 0; i < G_N_ELEMENTS (sort_names); i++)
    if (g_str_equal (g_variant_get_string (value, NULL), sort_names[i].name))
      sort_by_menu (self, sort_names[i].sort, g_variant_get_boolean (descending));
}

static void
sort_descending_activate (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  PvCustomersView *self = user_data;
  g_autoptr(GVariant) state = g_action_get_state (G_ACTION (action));

  sort_by_menu (self, self->sort, !g_variant_get_boolean (state));
}

static void
add_sort_actions (PvCustomersView *self)
{
  const GActionEntry entries[] = {
    { .name = "by", .parameter_type = "s", .state = "'activity'",
      .change_state = sort_by_change_state },
    { .name = "descending", .activate = sort_descending_activate, .state = "true" },
  };

  self->sort_actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->sort_actions), entries,
                                   G_N_ELEMENTS (entries), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "sort", G_ACTION_GROUP (self->sort_actions));
}

static void
sorter_changed_cb (PvCustomersView *self)
{
  GtkSorter *sorter = gtk_column_view_get_sorter (self->column_view);
  SortProbe probe = { FALSE, PV_STORE_SORT_NUMBER };
  SortProbe other = { FALSE, PV_STORE_SORT_NUMBER };
  gboolean descending;

  if (self->resorting)
    return;

  descending = gtk_sorter_compare (sorter, &probe, &other) == GTK_ORDERING_LARGER;
  if (!probe.found)
    return;

  /* GTK 4.8 leaves the arrow on the header sorted by before. A new sorter takes that column
   * out of the sort, which redraws its header; the store sorts by one column anyway.
   */
  if (self->sort != probe.sort)
    {
      self->resorting = TRUE;
      set_column_sorter (self, self->sort);
      self->resorting = FALSE;
      self->sort = probe.sort;
    }

  sync_sort_actions (self, probe.sort, descending);
  if (self->list != NULL)
    pv_customer_list_set_sort (self->list, probe.sort, descending);
}

/* GTK 4.8 makes a column view's rows, a few hundred of them, as soon as it has a model,
 * shown or not: the table gets its model when it is first shown, so that an office that
 * stays on the Verify view never pays for them. */
static void
attach_model (PvCustomersView *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  if (self->list == NULL || gtk_column_view_get_model (self->column_view) != NULL)
    return;

  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->list)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
}

static void
create_list (PvCustomersView *self,
             PvStore         *store)
{

  self->list = pv_customer_list_new (store, pv_engine_get_clock (self->engine));
  self->list_ready = FALSE;
  g_settings_bind (pv_engine_get_settings (self->engine), "max-attempts",
                   self->list, "max-attempts", G_SETTINGS_BIND_GET);
  g_settings_bind (pv_engine_get_settings (self->engine), "default-country",
                   self->list, "office-country", G_SETTINGS_BIND_GET);

  g_signal_connect_object (self->list, "notify::loading", G_CALLBACK (list_loading_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list, "items-changed", G_CALLBACK (update_page), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list, "notify::estimated", G_CALLBACK (update_page), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list, "load-failed", G_CALLBACK (list_load_failed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list, "replaced", G_CALLBACK (list_replaced_cb), self,
                           G_CONNECT_SWAPPED);

  pv_customer_list_set_search (self->list,
                               gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  sorter_changed_cb (self);

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    attach_model (self);
}

static void
connect_verifier (PvCustomersView *self)
{
  PvVerifier *verifier = pv_engine_get_verifier (self->engine);
  const char * const signal_names[] = { "code-sent", "update", "verified", "delivery-changed" };

  if (verifier == NULL || verifier == self->verifier)
    return;

  g_set_object (&self->verifier, verifier);
  for (guint i = 0; i < G_N_ELEMENTS (signal_names); i++)
    g_signal_connect_object (verifier, signal_names[i], G_CALLBACK (schedule_reload), self,
                             G_CONNECT_SWAPPED);
}

/* The list reads its first pages, megabytes of a million customers' database, as soon as
 * it exists: it is made when the view is first shown, so that an office that stays on the
 * Verify view never pays for it. */
static void
ensure_list (PvCustomersView *self)
{
  PvStore *store = self->engine != NULL ? pv_engine_get_store (self->engine) : NULL;

  if (store == NULL || self->list != NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;

  create_list (self, store);
  /* Another window, the command line or another desk changed customers. */
  g_signal_connect_object (store, "changed", G_CALLBACK (schedule_reload), self,
                           G_CONNECT_SWAPPED);
}

static void
engine_state_changed_cb (PvCustomersView *self)
{
  ensure_list (self);
  connect_verifier (self);
  update_page (self);
}

static void
search_changed_cb (PvCustomersView *self)
{
  if (self->list != NULL)
    pv_customer_list_set_search (self->list,
                                 gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
stop_search_cb (PvCustomersView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static PvCustomerRow *
get_loaded_row (GtkListItem *list_item)
{
  PvCustomerRow *row = gtk_list_item_get_item (list_item);

  if (row == NULL || !pv_customer_row_get_loaded (row))
    return NULL;

  return row;
}

static void
row_send_code_cb (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  GtkListItem *list_item = user_data;
  PvCustomerRow *row = get_loaded_row (list_item);

  if (row != NULL)
    gtk_widget_activate_action (gtk_list_item_get_child (list_item), "win.verify-number",
                                "(ss)", pv_customer_row_get_number (row),
                                pv_customer_row_get_name (row));
}

static void
row_delete_cb (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  GtkListItem *list_item = user_data;
  PvCustomerRow *row = get_loaded_row (list_item);

  if (row != NULL)
    gtk_widget_activate_action (gtk_list_item_get_child (list_item), "customers.delete", "s",
                                pv_customer_row_get_number (row));
}

/* A menu button makes its popover as soon as it is given a menu, and the table holds a
 * few hundred rows: the popover is made when the menu is first opened instead. */
static void
create_row_popup_cb (GtkMenuButton *button,
                     gpointer       user_data)
{
  PvCustomersView *self = user_data;

  if (gtk_menu_button_get_menu_model (button) == NULL)
    gtk_menu_button_set_menu_model (button, self->row_menu);
}

/* The row menu is the same for every row; each menu button carries the actions that know
 * which row it sits in.
 */
static void
setup_actions_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item,
                  PvCustomersView          *self)
{
  const GActionEntry entries[] = {
    { .name = "send-code", .activate = row_send_code_cb },
    { .name = "delete", .activate = row_delete_cb },
  };
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  GtkWidget *button = gtk_menu_button_new ();

  g_action_map_add_action_entries (G_ACTION_MAP (group), entries, G_N_ELEMENTS (entries),
                                   list_item);
  gtk_widget_insert_action_group (button, "row", G_ACTION_GROUP (group));

  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "view-more-symbolic");
  gtk_menu_button_set_create_popup_func (GTK_MENU_BUTTON (button), create_row_popup_cb, self,
                                         NULL);
  gtk_menu_button_set_has_frame (GTK_MENU_BUTTON (button), FALSE);
  gtk_widget_set_halign (button, GTK_ALIGN_END);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  /* Given to a visible widget, a tooltip makes GTK ask the X server where the pointer is:
   * for the few hundred buttons the table makes at once, a third of a second at the first
   * sight of a million customers. */
  gtk_widget_set_visible (button, FALSE);
  gtk_widget_set_tooltip_text (button, _("Customer Actions"));
  gtk_widget_set_visible (button, TRUE);

  gtk_list_item_set_child (list_item, button);
}

/* A screen reader reads "Customer Actions" on every row: its accessible name says whose. */
static void
update_actions_label (PvCustomerRow *row,
                      GParamSpec    *pspec,
                      GtkListItem   *list_item)
{
  g_autofree char *label = NULL;
  const char *who;

  if (!pv_customer_row_get_loaded (row))
    {
      label = g_strdup (_("Customer Actions"));
    }
  else
    {
      who = pv_customer_row_get_name (row);
      if (who == NULL || who[0] == '\0')
        who = pv_customer_row_get_display_number (row);
      /* Translators: %s is a customer's name, or their number when they have none */
      label = g_strdup_printf (_("Actions for %s"), who);
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_list_item_get_child (list_item)),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static void
bind_actions_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 PvCustomersView          *self)
{
  PvCustomerRow *row = gtk_list_item_get_item (list_item);

  g_signal_connect_object (row, "notify::loaded", G_CALLBACK (update_actions_label),
                           list_item, 0);
  update_actions_label (row, NULL, list_item);
}

static void
unbind_actions_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *list_item,
                   PvCustomersView          *self)
{
  PvCustomerRow *row = gtk_list_item_get_item (list_item);

  if (row != NULL)
    g_signal_handlers_disconnect_by_func (row, update_actions_label, list_item);
}

typedef struct
{
  PvStore *store;
  char    *number;
} Deletion;

static void
deletion_free (Deletion *deletion)
{
  g_clear_object (&deletion->store);
  g_clear_pointer (&deletion->number, g_free);
  g_free (deletion);
}

static void
delete_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Deletion *deletion = task_data;
  GError *error = NULL;

  if (pv_store_delete_customer (deletion->store, deletion->number, PV_EVENT_DELETED, NULL,
                                &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  PvCustomersView *self = PV_CUSTOMERS_VIEW (object);
  Deletion *deletion = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *title = NULL;
  g_autofree char *shown = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          escaped = g_markup_escape_text (error->message, -1);
          add_toast_printf (self, _("Could not delete the customer: %s"), escaped);
        }
      return;
    }

  shown = pv_engine_format_number (self->engine, deletion->number);
  escaped = g_markup_escape_text (shown, -1);
  /* Translators: %s is a phone number */
  title = g_strdup_printf (_("Deleted %s"), escaped);
  add_toast (self, title);
  pv_customers_view_reload (self);
  if (showing_customer (self) &&
      g_strcmp0 (pv_customer_page_get_number (self->customer_page), deletion->number) == 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "customers.back", NULL);
}

static void
delete_response_cb (PvCustomersView *self,
                    const char      *response,
                    AdwMessageDialog *dialog)
{
  g_autoptr(GTask) task = NULL;
  Deletion *deletion;

  if (!g_str_equal (response, "delete") || self->list == NULL)
    return;

  deletion = g_new0 (Deletion, 1);
  deletion->store = g_object_ref (pv_customer_list_get_store (self->list));
  deletion->number = g_strdup (g_object_get_data (G_OBJECT (dialog), "number"));

  /* The store may be busy with a page for a moment: not on the main thread. */
  task = g_task_new (self, self->cancellable, deleted_cb, NULL);
  g_task_set_source_tag (task, delete_response_cb);
  g_task_set_task_data (task, deletion, (GDestroyNotify) deletion_free);
  g_task_run_in_thread (task, delete_thread);
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PvCustomersView *self = PV_CUSTOMERS_VIEW (widget);
  const char *number = g_variant_get_string (parameter, NULL);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *heading = NULL;
  g_autofree char *shown = NULL;
  GtkWidget *dialog;

  shown = pv_engine_format_number (self->engine, number);
  /* Translators: %s is a phone number */
  heading = g_strdup_printf (_("Delete %s?"), shown);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
                                   _("The customer’s name and verification status will be "
                                     "removed, and the number will have to be verified again. "
                                     "This cannot be undone."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "number", g_strdup (number), g_free);

  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
exported_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PvCustomersView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  gssize n_customers;

  n_customers = pv_csv_export_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->exporting = FALSE;
  update_actions (self);

  if (n_customers < 0)
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      add_toast_printf (self, _("Could not export customers: %s"), escaped);
      return;
    }

  title = g_strdup_printf (ngettext ("Exported %u customer", "Exported %u customers",
                                     (gulong) n_customers),
                           (guint) n_customers);
  add_toast (self, title);
}

static void
chooser_response_cb (PvCustomersView *self,
                     int              response)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (self->chooser));

  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  if (file != NULL)
    pv_customers_view_export_to_file (self, file);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PvCustomersView *self = PV_CUSTOMERS_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Export Customers"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  /* Translators: the suggested name of an exported file */
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), _("customers.csv"));

  gtk_file_filter_set_name (filter, _("CSV Files"));
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_filter_add_suffix (filter, "csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);

  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
pv_customers_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (pv_customers_view_parent_class)->map (widget);

  /* Codes expire and days go by while the view is hidden. */
  if (PV_CUSTOMERS_VIEW (widget)->list_ready)
    pv_customers_view_reload (PV_CUSTOMERS_VIEW (widget));
  else
    ensure_list (PV_CUSTOMERS_VIEW (widget));
}

static void
pv_customers_view_dispose (GObject *object)
{
  PvCustomersView *self = (PvCustomersView *) object;

  /* Nothing may call back into the view between now and its finalization. */
  if (self->verifier != NULL)
    g_signal_handlers_disconnect_by_data (self->verifier, self);
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  if (self->list != NULL)
    g_signal_handlers_disconnect_by_data (self->list, self);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  g_clear_handle_id (&self->spinner_source, g_source_remove);
  g_clear_handle_id (&self->open_first_source, g_source_remove);
  g_clear_handle_id (&self->layout_source, g_source_remove);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  g_clear_object (&self->list);
  g_clear_object (&self->verifier);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (pv_customers_view_parent_class)->dispose (object);
}

static void
pv_customers_view_finalize (GObject *object)
{
  PvCustomersView *self = (PvCustomersView *) object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->sort_actions);

  G_OBJECT_CLASS (pv_customers_view_parent_class)->finalize (object);
}

static void
pv_customers_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PvCustomersView *self = PV_CUSTOMERS_VIEW (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_customers_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  PvCustomersView *self = PV_CUSTOMERS_VIEW (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      pv_customers_view_set_engine (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* An adaptive table. Column widths follow the text size, measured with the table's own
 * font, so that the number is never cut at 1.5× text; when the window is too narrow for
 * them all, Last Activity goes first, then the name moves under the number. */
#define CELL_PADDING 24   /* a cell's margins, and a status pill's own padding */
#define NAME_MIN_WIDTH 120
#define MENU_COLUMN_WIDTH 48

static int
text_width (PvCustomersView *self,
            const char      *text)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self->column_view),
                                                                   text);
  int width;

  pango_layout_get_pixel_size (layout, &width, NULL);

  return width + CELL_PADDING;
}

static int
widest_status (PvCustomersView *self)
{
  int widest = 0;

  for (int status = PV_CUSTOMER_ROW_STATUS_PENDING; status <= PV_CUSTOMER_ROW_STATUS_EXPIRED;
       status++)
    widest = MAX (widest, text_width (self, pv_customer_row_status_get_label (status)));

  return widest + CELL_PADDING;
}

/* Only changes: each setter makes the table lay out its columns again. */
static void
set_column_width (GtkColumnViewColumn *column,
                  int                  width)
{
  if (gtk_column_view_column_get_fixed_width (column) != width)
    gtk_column_view_column_set_fixed_width (column, width);
}

/* A hidden column keeps no fixed width: GTK 4.8 counts every column's width, hidden or
 * not, in what the columns need at least (gtk_column_view_measure_across), and shares out
 * only the room beyond that. A hidden column of fixed width would take that much from the
 * expanding column, and the rows would end short of the table's right edge (by the
 * hidden Customer column's width, in a wide window). Without one, a hidden column
 * measures nothing. @width is -1 for a column whose content sets its width. */
static void
show_column (GtkColumnViewColumn *column,
             gboolean             visible,
             int                  width)
{
  if (gtk_column_view_column_get_visible (column) != visible)
    gtk_column_view_column_set_visible (column, visible);
  set_column_width (column, visible ? width : -1);
}

static gboolean
apply_layout_cb (gpointer user_data)
{
  PvCustomersView *self = user_data;
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  g_autofree char *yesterday = g_strdup_printf (_("Yesterday %s"), "12:59 PM");
  int number = text_width (self, "+44 20 7946 0018");
  int status = widest_status (self);
  int activity = MAX (text_width (self, yesterday), text_width (self, "30 Sep 2026"));
  gboolean show_activity, name_apart;

  self->layout_source = 0;

  show_activity = width >= number + NAME_MIN_WIDTH + status + activity + MENU_COLUMN_WIDTH;
  name_apart = width >= number + NAME_MIN_WIDTH + status + MENU_COLUMN_WIDTH;

  show_column (self->number_column, name_apart, number);
  show_column (self->customer_column, !name_apart, number);
  show_column (self->name_column, name_apart, -1);
  show_column (self->status_column, TRUE, status);
  show_column (self->activity_column, show_activity, activity);
  /* GTK 4.8 shares out the room left among the expanding columns only on a new layout. */
  gtk_widget_queue_resize (GTK_WIDGET (self->column_view));
  self->layout_width = width;

  /* At a phone's width the search field needs the room more: beside the count and a
   * labelled Export button, its placeholder was cut to "S…". */
  if (self->narrow != !name_apart)
    {
      self->narrow = !name_apart;
      if (self->narrow)
        gtk_button_set_icon_name (self->export_button, "document-save-as-symbolic");
      else
        gtk_button_set_label (self->export_button, _("_Export…"));
      if (self->list != NULL)
        update_count_label (self, g_list_model_get_n_items (G_LIST_MODEL (self->list)));
    }

  return G_SOURCE_REMOVE;
}

/* The view lays its one child out itself, without AdwBin's layout manager, so that it sees
 * each new width. */
static void
pv_customers_view_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  GtkWidget *child = adw_bin_get_child (ADW_BIN (widget));

  if (child != NULL)
    gtk_widget_measure (child, orientation, for_size, minimum, natural, minimum_baseline,
                        natural_baseline);
}

static void
pv_customers_view_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  PvCustomersView *self = PV_CUSTOMERS_VIEW (widget);
  GtkWidget *child = adw_bin_get_child (ADW_BIN (widget));

  if (child != NULL)
    gtk_widget_allocate (child, width, height, baseline, NULL);

  /* The columns change after this allocation, not during it. */
  if (width != self->layout_width && self->layout_source == 0)
    self->layout_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE, apply_layout_cb, self, NULL);
}

/* A larger or smaller text needs other widths at the same window width. */
static void
text_size_changed_cb (PvCustomersView *self)
{
  self->layout_width = -1;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static void
pv_customers_view_class_init (PvCustomersViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pv_customers_view_dispose;
  object_class->finalize = pv_customers_view_finalize;
  object_class->get_property = pv_customers_view_get_property;
  object_class->set_property = pv_customers_view_set_property;

  widget_class->map = pv_customers_view_map;
  widget_class->measure = pv_customers_view_measure;
  widget_class->size_allocate = pv_customers_view_size_allocate;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL,
                         PV_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The cell templates name it; the builder cannot find a type in a static library. */
  g_type_ensure (PV_TYPE_CUSTOMER_ROW);
  g_type_ensure (PV_TYPE_CUSTOMER_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/ui/pv-customers-view.ui");
  gtk_widget_class_bind_template_child (widget_class, PvCustomersView, activity_column);
  gtk_widget_class_bind_template_child (widget_class, PvCustomersView, column_view);
  gtk_widget_class_bind_template_child (widget_class, PvCustomersView, name_column);
  gtk_widget_class_bind_template_child (widget_class, PvCustomersView, number_column);
  gtk_widget_class_bind_template_child (widget_class, PvCustomersView, customer_column);
  gtk_widget_class_bind_template_child (widget_class, PvCustomersView, results_stack);
  gtk_widget_class_bind_template_child (widget_class, PvCustomersView, row_menu);
  gtk_widget_class_bind_template_child (widget_class, PvCustomersView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PvCustomersView, spinner);
  gtk_widget_class_bind_template_child (widget_class, PvCustomersView, count_label);
  gtk_widget_class_bind_template_child (widget_class, PvCustomersView, export_button);
  gtk_widget_class_bind_template_child (widget_class, PvCustomersView, stack);
  gtk_widget_class_bind_template_child (widget_class, PvCustomersView, status_column);
  gtk_widget_class_bind_template_child (widget_class, PvCustomersView, store_failed_page);
  gtk_widget_class_bind_template_child (widget_class, PvCustomersView, leaflet);
  gtk_widget_class_bind_template_child (widget_class, PvCustomersView, customer_page);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_actions_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_actions_cb);
  gtk_widget_class_bind_template_callback (widget_class, unbind_actions_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);

  gtk_widget_class_install_action (widget_class, "customers.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "customers.delete", "s", delete_action);
  gtk_widget_class_install_action (widget_class, "customers.back", NULL, back_action);
  /* Escape goes back from a customer's page; in the list, the search entry takes it first. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "customers.back", NULL);
}

static void
pv_customers_view_init (PvCustomersView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_layout_manager (GTK_WIDGET (self), NULL);
  g_signal_connect_object (gtk_settings_get_default (), "notify::gtk-xft-dpi",
                           G_CALLBACK (text_size_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_settings_get_default (), "notify::gtk-font-name",
                           G_CALLBACK (text_size_changed_cb), self, G_CONNECT_SWAPPED);
  pv_stack_defer_status_icons (self->stack);
  pv_stack_defer_status_icons (self->results_stack);

  self->cancellable = g_cancellable_new ();
  add_sort_actions (self);

  g_signal_connect (self, "map", G_CALLBACK (attach_model), NULL);

  set_column_factory (self->number_column, PV_CUSTOMER_CELL_NUMBER);
  set_column_factory (self->customer_column, PV_CUSTOMER_CELL_NUMBER_AND_NAME);
  set_column_factory (self->name_column, PV_CUSTOMER_CELL_NAME);
  set_column_factory (self->status_column, PV_CUSTOMER_CELL_STATUS);
  set_column_factory (self->activity_column, PV_CUSTOMER_CELL_LAST_ACTIVITY);

  set_column_sorter (self, PV_STORE_SORT_NUMBER);
  set_column_sorter (self, PV_STORE_SORT_NAME);
  set_column_sorter (self, PV_STORE_SORT_STATUS);
  set_column_sorter (self, PV_STORE_SORT_LAST_ACTIVITY);
  /* Whom staff dealt with last is whom they look for most. */
  self->sort = PV_STORE_SORT_LAST_ACTIVITY;
  gtk_column_view_sort_by_column (self->column_view, self->activity_column,
                                  GTK_SORT_DESCENDING);
  g_signal_connect_object (gtk_column_view_get_sorter (self->column_view), "changed",
                           G_CALLBACK (sorter_changed_cb), self, G_CONNECT_SWAPPED);

  update_page (self);
}

PvEngine *
pv_customers_view_get_engine (PvCustomersView *self)
{
  g_return_val_if_fail (PV_IS_CUSTOMERS_VIEW (self), NULL);

  return self->engine;
}

/**
 * pv_customers_view_set_engine:
 *
 * Shows the customers of @engine's store, once it is open. Call it once.
 */
void
pv_customers_view_set_engine (PvCustomersView *self,
                              PvEngine        *engine)
{
  g_return_if_fail (PV_IS_CUSTOMERS_VIEW (self));
  g_return_if_fail (engine == NULL || PV_IS_ENGINE (engine));
  g_return_if_fail (self->engine == NULL || self->engine == engine);

  if (engine == NULL || self->engine == engine)
    return;

  self->engine = g_object_ref (engine);
  pv_customer_page_set_engine (self->customer_page, engine);
  g_signal_connect_object (engine, "notify::state", G_CALLBACK (engine_state_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (engine, "notify::store", G_CALLBACK (engine_state_changed_cb), self,
                           G_CONNECT_SWAPPED);
  engine_state_changed_cb (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE]);
}

/**
 * pv_customers_view_show_customer:
 * @number: an E.164 number
 *
 * Opens the page of @number's customer.
 */
void
pv_customers_view_show_customer (PvCustomersView *self,
                                 const char      *number)
{
  g_return_if_fail (PV_IS_CUSTOMERS_VIEW (self));
  g_return_if_fail (number != NULL);

  if (self->engine == NULL)
    return;

  pv_customer_page_show (self->customer_page, number);
  adw_leaflet_set_visible_child_name (self->leaflet, "customer");
  /* Where a keyboard user goes on from: Tab into the page, or Escape back. */
  gtk_widget_grab_focus (pv_customer_page_get_back_button (self->customer_page));
}

/**
 * pv_customers_view_start_search:
 *
 * Puts the keyboard focus in the search entry.
 */
void
pv_customers_view_start_search (PvCustomersView *self)
{
  g_return_if_fail (PV_IS_CUSTOMERS_VIEW (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/**
 * pv_customers_view_reload:
 *
 * Reads the customers again now, keeping the search.
 */
void
pv_customers_view_reload (PvCustomersView *self)
{
  g_return_if_fail (PV_IS_CUSTOMERS_VIEW (self));

  g_clear_handle_id (&self->reload_source, g_source_remove);

  if (self->list != NULL)
    pv_customer_list_reload (self->list);
}

/**
 * pv_customers_view_export_to_file:
 * @file: where to write the CSV file
 *
 * Exports the customers the list shows (the search applied) to @file, and says how it went
 * in a toast. The Export… button calls it with the file staff chose.
 */
void
pv_customers_view_export_to_file (PvCustomersView *self,
                                  GFile           *file)
{
  g_return_if_fail (PV_IS_CUSTOMERS_VIEW (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (self->list != NULL);

  self->exporting = TRUE;
  update_actions (self);

  pv_csv_export_async (pv_customer_list_get_store (self->list),
                       pv_customer_list_get_search (self->list),
                       file,
                       pv_engine_get_clock (self->engine),
                       pv_customer_list_get_max_attempts (self->list),
                       pv_customer_list_get_office_country (self->list),
                       self->cancellable,
                       exported_cb,
                       g_object_ref (self));
}
