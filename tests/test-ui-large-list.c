/* test-ui-large-list.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The Customers view over tens of thousands of customers, in the real window: whatever the
 * search, the sort or the count, the view asks the list only for the rows it shows. When it
 * asked for every row, each search froze the window for seconds at a million customers; the
 * count of rows made catches that without timing anything. */

#include "config.h"

#include <glib/gstdio.h>

#include "pv-customer-list.h"
#include "pv-customers-view.h"
#include "pv-sqlite-store.h"
#include "pv-test-customers.h"
#include "pv-ui-test.h"

#define N_CUSTOMERS 20000

/* The window shows about a dozen rows; GTK 4.8 makes rows for a few screens around them, about
 * 410 in all (a bare column view over a plain model asks for as many). Asking for every row
 * would be N_CUSTOMERS. */
#define MAX_ROWS_PER_RESULT 1000

static PvFakeTwilio  *fake;
static PvApplication *application;
static PvWindow      *window;

static GtkWidget *
find (GType       type,
      const char *id)
{
  GtkWidget *widget = pv_ui_test_find (GTK_WIDGET (window), type, id);

  g_assert_nonnull (widget);
  return widget;
}

static PvCustomerList *
get_list (void)
{
  return pv_ui_test_get_customer_list (GTK_WIDGET (window));
}

typedef struct
{
  const char *search;
  guint       min_items;
  guint       max_items;
} Expected;

static gboolean
list_shows (gpointer user_data)
{
  const Expected *expected = user_data;
  PvCustomerList *list = get_list ();
  guint n_items;

  if (list == NULL)
    return FALSE;
  n_items = g_list_model_get_n_items (G_LIST_MODEL (list));

  return !pv_customer_list_get_loading (list)
         && g_strcmp0 (pv_customer_list_get_search (list), expected->search) == 0
         && n_items >= expected->min_items && n_items <= expected->max_items;
}

/* Searches as staff do, in the search entry, and returns how many rows the view asked for
 * until the results were drawn. */
static guint
search_and_count_rows (const char *text,
                       guint       min_items,
                       guint       max_items)
{
  PvCustomerList *list = get_list ();
  Expected expected = { text[0] != '\0' ? text : NULL, min_items, max_items };
  guint before = pv_customer_list_get_n_rows_made (list);
  /* Not the country list's search entry on the Verify page. */
  GtkWidget *view = find (PV_TYPE_CUSTOMERS_VIEW, NULL);
  GtkWidget *entry = pv_ui_test_find (view, GTK_TYPE_SEARCH_ENTRY, "search_entry");

  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  if (!pv_ui_test_wait_until (list_shows, &expected, 20000))
    g_error ("The list did not show the results for “%s”: %u customers for “%s”%s", text,
             g_list_model_get_n_items (G_LIST_MODEL (list)), pv_customer_list_get_search (list),
             pv_customer_list_get_loading (list) ? ", still loading" : "");
  /* Let the view lay out and draw the new rows. */
  pv_ui_test_iterate (200);

  return pv_customer_list_get_n_rows_made (list) - before;
}

static void
test_search_asks_only_for_shown_rows (void)
{
  GtkWidget *view_stack = find (ADW_TYPE_VIEW_STACK, NULL);
  Expected all = { NULL, N_CUSTOMERS, N_CUSTOMERS };
  guint rows;

  /* On the Verify view, there is no table at all, let alone rows: GTK 4.8 would make a few
   * hundred for a column view with a model, shown or not. */
  pv_ui_test_iterate (300);
  g_assert_null (pv_ui_test_find (GTK_WIDGET (window), PV_TYPE_CUSTOMERS_VIEW, NULL));

  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (view_stack), "customers");
  if (!pv_ui_test_wait_until (list_shows, &all, 20000))
    g_error ("The Customers view did not list the %d customers", N_CUSTOMERS);
  pv_ui_test_iterate (200);
  g_assert_cmpuint (pv_customer_list_get_n_rows_made (get_list ()), <=, MAX_ROWS_PER_RESULT);
  /* Counted exactly, in the C locale's digits. */
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "20000 customers");

  /* With the keyboard in the list, as after scrolling it: the focus row is one GTK tracks. */
  gtk_widget_grab_focus (find (GTK_TYPE_COLUMN_VIEW, "column_view"));
  pv_ui_test_iterate (50);

  /* A narrower result set, an empty one, and all of them again. */
  rows = search_and_count_rows ("Ada", 1, N_CUSTOMERS - 1);
  g_test_message ("“Ada”: %u rows asked for", rows);
  g_assert_cmpuint (rows, <=, MAX_ROWS_PER_RESULT);
  {
    guint n = g_list_model_get_n_items (G_LIST_MODEL (get_list ()));
    g_autofree char *count = g_strdup_printf (n == 1 ? "%u customer" : "%u customers", n);

    pv_ui_test_wait_for_label (GTK_WIDGET (window), count);
  }

  rows = search_and_count_rows ("zzzzzz", 0, 0);
  g_assert_cmpuint (rows, <=, MAX_ROWS_PER_RESULT);

  rows = search_and_count_rows ("", N_CUSTOMERS, N_CUSTOMERS);
  g_test_message ("cleared: %u rows asked for", rows);
  g_assert_cmpuint (rows, <=, MAX_ROWS_PER_RESULT);
}

/* The customers are in the app's database before it starts, as in an office's. */
static void
fill_database (void)
{
  g_autofree char *path = pv_sqlite_store_get_default_path ();
  g_autofree char *directory = g_path_get_dirname (path);
  g_autoptr(PvSqliteStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sample = NULL;

  g_assert_cmpint (g_mkdir_with_parents (directory, 0700), ==, 0);
  store = pv_sqlite_store_open (path, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  sample = pv_test_customers_fill (path, N_CUSTOMERS);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  pv_ui_test_init (&argc, &argv);
  fill_database ();

  fake = pv_ui_test_start_fake ();
  pv_ui_test_save_credentials (fake);
  window = pv_ui_test_open_window (&application);
  pv_ui_test_wait_for_state (pv_window_get_engine (window), PV_ENGINE_READY);

  g_test_add_func ("/ui/large-list/search-asks-only-for-shown-rows",
                   test_search_asks_only_for_shown_rows);

  status = g_test_run ();

  pv_ui_test_close_window (window, application);
  g_clear_object (&fake);

  return status;
}
