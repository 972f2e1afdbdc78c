/* test-ui-customers.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The Customers view in the real window. No Twilio account is needed to browse customers:
 * the tests put them in the engine's store, as the verifier would.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "pv-customer-list.h"
#include "pv-customer-page.h"
#include "pv-customers-view.h"
#include "pv-ui-test.h"

static PvApplication   *application;
static PvWindow        *window;
static PvEngine        *engine;
static PvCustomersView *view;

static GtkWidget *
find (GType       type,
      const char *id)
{
  GtkWidget *widget = pv_ui_test_find (GTK_WIDGET (view), type, id);

  g_assert_nonnull (widget);

  return widget;
}

/* The shared helpers, on the view under test. */
#define visible_page(stack_id)        pv_ui_test_get_stack_page (GTK_WIDGET (view), (stack_id))
#define wait_for_page(stack_id, page) pv_ui_test_wait_for_stack_page (GTK_WIDGET (view), \
                                                                      (stack_id), (page))

static gboolean
label_gone (gpointer user_data)
{
  return pv_ui_test_find_label (GTK_WIDGET (view), user_data) == NULL;
}

static void
wait_for_label_gone (const char *text)
{
  if (!pv_ui_test_wait_until (label_gone, (gpointer) text, 10000))
    g_error ("The label “%s” is still shown", text);
}

static void
show_customers (void)
{
  GtkWidget *view_stack = pv_ui_test_find (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK, NULL);

  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (view_stack), "customers");
  pv_ui_test_iterate (50);
}

static PvCustomerList *
get_list (void)
{
  return pv_ui_test_get_customer_list (GTK_WIDGET (view));
}

typedef enum
{
  KIND_VERIFIED,
  KIND_PENDING,
  KIND_LOCKED,
  KIND_EXPIRED,
} Kind;

static void
add_customer (const char *number,
              const char *name,
              Kind        kind,
              gint64      ago)
{
  PvStore *store = pv_engine_get_store (engine);
  gint64 now = pv_clock_get_now (pv_engine_get_clock (engine));
  g_autoptr(PvCustomer) customer = pv_customer_new (number);
  g_autoptr(GError) error = NULL;

  customer->name = g_strdup (name);
  customer->created_at = now - ago - 600;
  customer->updated_at = now - ago;
  customer->code_expires_at = now + 600;
  customer->delivery_status = g_strdup ("delivered");

  switch (kind)
    {
    case KIND_VERIFIED:
      customer->status = PV_CUSTOMER_STATUS_VERIFIED;
      customer->verified_at = now - ago;
      customer->code_expires_at = 0;
      break;

    case KIND_PENDING:
      break;

    case KIND_LOCKED:
      customer->failed_attempts = 5;
      break;

    case KIND_EXPIRED:
      customer->code_expires_at = now - 60;
      break;

    default:
      g_assert_not_reached ();
    }

  pv_store_insert_customer (store, customer, PV_EVENT_CODE_SENT, NULL, &error);
  g_assert_no_error (error);
}

/* The row's cells share one parent: from a label in one cell to the menu in the last. */
static GtkWidget *
find_row_menu_button (const char *number)
{
  GtkWidget *label = pv_ui_test_find_label (GTK_WIDGET (view), number);
  GtkWidget *row;

  g_assert_nonnull (label);
  row = gtk_widget_get_parent (gtk_widget_get_parent (label));

  return pv_ui_test_find (row, GTK_TYPE_MENU_BUTTON, NULL);
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (toplevel) && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return ADW_MESSAGE_DIALOG (toplevel);
    }

  return NULL;
}

static gboolean
message_dialog_shown (gpointer user_data)
{
  return find_message_dialog () != NULL;
}

static void
test_empty (void)
{
  pv_ui_test_wait_for_state (engine, PV_ENGINE_NEEDS_ACCOUNT);
  show_customers ();

  wait_for_page ("stack", "empty");
  pv_ui_test_wait_for_label (GTK_WIDGET (view), "No Customers Yet");
  pv_ui_test_wait_for_label (GTK_WIDGET (view),
                             "Everyone you send a code to appears here, with the history of "
                             "their codes.");
  /* Its icon, deferred until the page is shown, is there. */
  g_assert_cmpstr (adw_status_page_get_icon_name (ADW_STATUS_PAGE (find (ADW_TYPE_STATUS_PAGE,
                                                                       "empty_page"))), ==,
                   "x-office-address-book-symbolic");
  g_assert_false (gtk_widget_is_drawable (find (GTK_TYPE_SEARCH_ENTRY, "search_entry")));
  g_assert_false (gtk_widget_is_sensitive (find (GTK_TYPE_BUTTON, "export_button")));
  pv_ui_test_screenshot (GTK_WIDGET (window), "customers-empty");

  /* Its button leads to where customers come from. */
  pv_ui_test_click (find (GTK_TYPE_BUTTON, "empty_verify_button"));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (
    pv_ui_test_find (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK, NULL))), ==, "verify");
  show_customers ();
}

static void
assert_not_cut (const char *text)
{
  GtkWidget *label = pv_ui_test_find_label (GTK_WIDGET (view), text);

  g_assert_nonnull (label);
  g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (label))));
}

/* How much narrower the visible columns are together than the table: the header row holds
 * one title per column, allocated the column's width (its padding included). */
static int
columns_shortfall (void)
{
  GtkWidget *column_view = find (GTK_TYPE_COLUMN_VIEW, "column_view");
  GtkWidget *header = gtk_widget_get_first_child (column_view);
  float sum = 0;

  g_assert_cmpstr (gtk_widget_get_css_name (header), ==, "header");
  for (GtkWidget *title = gtk_widget_get_first_child (header);
       title != NULL;
       title = gtk_widget_get_next_sibling (title))
    {
      graphene_rect_t bounds;

      if (gtk_widget_get_visible (title) && gtk_widget_compute_bounds (title, header, &bounds))
        sum += bounds.size.width;
    }

  return gtk_widget_get_width (column_view) - (int) sum;
}

static gboolean
columns_fill (gpointer user_data)
{
  return ABS (columns_shortfall ()) <= 2;
}

/* The columns together are as wide as the table, whose rows are too, and it has nothing to
 * scroll to the side. The layout follows a new width on the next idle: it is waited for. */
static void
assert_columns_fill (void)
{
  GtkWidget *column_view = find (GTK_TYPE_COLUMN_VIEW, "column_view");
  GtkAdjustment *hadjustment = gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (column_view));
  GtkWidget *label = pv_ui_test_find_label (column_view, "Grace Hopper");
  GtkWidget *row;

  pv_ui_test_wait_until (columns_fill, NULL, 2000);
  g_assert_cmpint (ABS (columns_shortfall ()), <=, 2);

  g_assert_nonnull (label);
  for (row = label; row != NULL && g_strcmp0 (gtk_widget_get_css_name (row), "row") != 0;
       row = gtk_widget_get_parent (row))
    ;
  g_assert_nonnull (row);
  g_assert_cmpint (ABS (gtk_widget_get_width (row) - gtk_widget_get_width (column_view)), <=, 2);

  g_assert_cmpfloat (gtk_adjustment_get_upper (hadjustment)
                     - gtk_adjustment_get_lower (hadjustment),
                     <=, gtk_adjustment_get_page_size (hadjustment) + 1);
}

static void
test_list (void)
{
  const gint64 hour = 3600;
  const gint64 day = 24 * hour;
  GtkWidget *badge;

  add_customer ("+14155550100", "Ada Lovelace", KIND_VERIFIED, 5 * 60);
  add_customer ("+14155550101", "Grace Hopper", KIND_PENDING, 2 * 60);
  add_customer ("+14155550102", "Alan Turing", KIND_LOCKED, hour);
  add_customer ("+14155550103", "Katherine Johnson", KIND_EXPIRED, 2 * hour);
  add_customer ("+442079460018", "Mary Somerville", KIND_VERIFIED, day + hour);
  add_customer ("+33142685300", "Émilie du Châtelet", KIND_VERIFIED, 3 * day);
  add_customer ("+4930901820", "Emmy Noether", KIND_VERIFIED, 9 * day);
  add_customer ("+12025550143", NULL, KIND_VERIFIED, 40 * day);
  pv_customers_view_reload (view);

  wait_for_page ("stack", "customers");
  wait_for_page ("results_stack", "list");
  pv_ui_test_wait_for_label (GTK_WIDGET (view), "Katherine Johnson");
  /* Shown as staff read it out: national, for the office's country (the US by default). */
  pv_ui_test_wait_for_label (GTK_WIDGET (view), "(202) 555-0143");
  g_assert_true (gtk_widget_is_sensitive (find (GTK_TYPE_BUTTON, "export_button")));

  /* Each status as a badge of its own colour. */
  badge = pv_ui_test_find_label (GTK_WIDGET (view), "Locked");
  g_assert_nonnull (badge);
  g_assert_true (gtk_widget_has_css_class (badge, "status-badge"));
  g_assert_true (gtk_widget_has_css_class (badge, "error"));
  badge = pv_ui_test_find_label (GTK_WIDGET (view), "Expired");
  g_assert_nonnull (badge);
  g_assert_true (gtk_widget_has_css_class (badge, "warning"));
  badge = pv_ui_test_find_label (GTK_WIDGET (view), "Pending");
  g_assert_nonnull (badge);
  g_assert_true (gtk_widget_has_css_class (badge, "dim-label"));
  badge = pv_ui_test_find_label (GTK_WIDGET (view), "Verified");
  g_assert_nonnull (badge);
  g_assert_true (gtk_widget_has_css_class (badge, "success"));

  /* The most recent activity comes first. */
  g_assert_cmpint (pv_customer_list_get_sort (get_list ()), ==, PV_STORE_SORT_LAST_ACTIVITY);
  g_assert_true (pv_customer_list_get_descending (get_list ()));
  pv_ui_test_wait_for_label (GTK_WIDGET (view), "Today ");
  pv_ui_test_wait_for_label (GTK_WIDGET (view), "Yesterday ");

  /* The columns span the table, and the Name column takes the room the others leave. */
  assert_columns_fill ();
  assert_not_cut ("Katherine Johnson");
  assert_not_cut ("Émilie du Châtelet");

  pv_ui_test_screenshot (GTK_WIDGET (window), "customers-list");
}

static GtkColumnViewColumn *
find_column (const char *title)
{
  GListModel *columns = gtk_column_view_get_columns (
    GTK_COLUMN_VIEW (find (GTK_TYPE_COLUMN_VIEW, "column_view")));

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (gtk_column_view_column_get_title (column), title) == 0)
        return column;
    }
  g_error ("No column “%s”", title);
}

static gboolean
column_shown (gpointer user_data)
{
  return gtk_column_view_column_get_visible (find_column (user_data));
}

/* At a phone's width the name moves under the number and Last Activity goes; at 1.5× text
 * the columns grow with it, and no number is cut. */
static void
test_adaptive (void)
{
  GtkSettings *settings = gtk_settings_get_default ();
  int dpi;

  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
  g_assert_true (pv_ui_test_wait_until (column_shown, "Customer", 5000));
  pv_ui_test_iterate (200);
  g_assert_false (gtk_column_view_column_get_visible (find_column ("Name")));
  g_assert_false (gtk_column_view_column_get_visible (find_column ("Last Activity")));
  g_assert_true (gtk_column_view_column_get_visible (find_column ("Status")));
  pv_ui_test_wait_for_label (GTK_WIDGET (view), "Grace Hopper");
  assert_not_cut ("(415) 555-0101");
  assert_not_cut ("Katherine Johnson");
  assert_columns_fill ();
  /* The count and Export's label give the search field its room. */
  g_assert_false (gtk_widget_is_drawable (find (GTK_TYPE_LABEL, "count_label")));
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (find (GTK_TYPE_BUTTON, "export_button"))),
                   ==, "document-save-as-symbolic");
  g_assert_cmpint (gtk_widget_get_width (find (GTK_TYPE_SEARCH_ENTRY, "search_entry")), >=, 200);
  pv_ui_test_screenshot (GTK_WIDGET (window), "customers-narrow");

  gtk_window_set_default_size (GTK_WINDOW (window), 720, 720);
  g_object_get (settings, "gtk-xft-dpi", &dpi, NULL);
  g_object_set (settings, "gtk-xft-dpi", 96 * 1024 * 3 / 2, NULL);
  pv_ui_test_iterate (500);
  assert_not_cut ("+44 20 7946 0018");
  assert_not_cut ("(415) 555-0101");
  assert_not_cut ("Katherine Johnson");
  assert_columns_fill ();
  pv_ui_test_screenshot (GTK_WIDGET (window), "customers-large-text");

  /* Back to the usual text: all columns again. */
  g_object_set (settings, "gtk-xft-dpi", dpi, NULL);
  g_assert_true (pv_ui_test_wait_until (column_shown, "Last Activity", 5000));
  g_assert_true (gtk_column_view_column_get_visible (find_column ("Name")));
  g_assert_false (gtk_column_view_column_get_visible (find_column ("Customer")));
  assert_columns_fill ();
  assert_not_cut ("Katherine Johnson");
  g_assert_true (gtk_widget_is_drawable (find (GTK_TYPE_LABEL, "count_label")));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (find (GTK_TYPE_BUTTON, "export_button"))),
                   ==, "_Export…");
}

static void
test_sort (void)
{
  GtkColumnView *column_view = GTK_COLUMN_VIEW (find (GTK_TYPE_COLUMN_VIEW, "column_view"));
  GtkColumnViewColumn *name_column = NULL;
  GListModel *columns = gtk_column_view_get_columns (column_view);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (gtk_column_view_column_get_title (column), "Name") == 0)
        name_column = column;
    }
  g_assert_nonnull (name_column);

  /* What a click on the header does. */
  gtk_column_view_sort_by_column (column_view, name_column, GTK_SORT_ASCENDING);
  g_assert_cmpint (pv_customer_list_get_sort (get_list ()), ==, PV_STORE_SORT_NAME);
  g_assert_false (pv_customer_list_get_descending (get_list ()));

  gtk_column_view_sort_by_column (column_view, name_column, GTK_SORT_DESCENDING);
  g_assert_cmpint (pv_customer_list_get_sort (get_list ()), ==, PV_STORE_SORT_NAME);
  g_assert_true (pv_customer_list_get_descending (get_list ()));
  pv_ui_test_wait_for_label (GTK_WIDGET (view), "Mary Somerville");

  /* The Sort menu, for the keyboard, follows what the headers chose: after a click for
   * ascending, its Descending item turns descending on. */
  gtk_column_view_sort_by_column (column_view, name_column, GTK_SORT_ASCENDING);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "sort.descending", NULL));
  g_assert_cmpint (pv_customer_list_get_sort (get_list ()), ==, PV_STORE_SORT_NAME);
  g_assert_true (pv_customer_list_get_descending (get_list ()));
  /* And it chooses as the headers do. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "sort.by", "s", "status"));
  g_assert_cmpint (pv_customer_list_get_sort (get_list ()), ==, PV_STORE_SORT_STATUS);
  g_assert_true (pv_customer_list_get_descending (get_list ()));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "sort.descending", NULL));
  g_assert_false (pv_customer_list_get_descending (get_list ()));

  /* Back to newest activity first, for the tests after. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "sort.by", "s", "activity"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "sort.descending", NULL));
  g_assert_cmpint (pv_customer_list_get_sort (get_list ()), ==, PV_STORE_SORT_LAST_ACTIVITY);
  g_assert_true (pv_customer_list_get_descending (get_list ()));
}

static gboolean
focus_in (gpointer user_data)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  return focus != NULL && (focus == user_data || gtk_widget_is_ancestor (focus, user_data));
}

static void
test_search (void)
{
  GtkWidget *entry = find (GTK_TYPE_SEARCH_ENTRY, "search_entry");
  GtkWidget *focus;

  /* Ctrl+F, from the other view. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", "verify");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL);
  /* The view switches first; the focus follows within a frame or two. */
  pv_ui_test_wait_until (focus_in, entry, 10000);
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_nonnull (focus);
  g_assert_true (focus == entry || gtk_widget_is_ancestor (focus, entry));

  gtk_editable_set_text (GTK_EDITABLE (entry), "Ada");
  wait_for_label_gone ("Grace Hopper");
  pv_ui_test_wait_for_label (GTK_WIDGET (view), "Ada Lovelace");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (get_list ())), ==, 1);
  pv_ui_test_screenshot (GTK_WIDGET (window), "customers-search");

  /* Numbers match as staff type them, with spaces. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "415 555 0102");
  pv_ui_test_wait_for_label (GTK_WIDGET (view), "Alan Turing");
  wait_for_label_gone ("Ada Lovelace");

  gtk_editable_set_text (GTK_EDITABLE (entry), "Nobody by that name");
  wait_for_page ("results_stack", "no-results");
  pv_ui_test_wait_for_label (GTK_WIDGET (view), "No Results");
  pv_ui_test_wait_for_label (GTK_WIDGET (view), "Try a different number or name.");
  g_assert_false (gtk_widget_is_sensitive (find (GTK_TYPE_BUTTON, "export_button")));
  pv_ui_test_screenshot (GTK_WIDGET (window), "customers-no-results");

  /* Escape clears the search. */
  g_signal_emit_by_name (entry, "stop-search");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  wait_for_page ("results_stack", "list");
  pv_ui_test_wait_for_label (GTK_WIDGET (view), "Grace Hopper");
}

static void
test_row_menu (void)
{
  GtkWidget *button = find_row_menu_button ("(415) 555-0101");
  GMenuModel *menu;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_focusable (button) || gtk_widget_get_focusable (
                   gtk_widget_get_first_child (button)));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "Customer Actions");
  /* Its name for a screen reader says whose actions they are. */
  gtk_test_accessible_assert_property (button, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Actions for Grace Hopper");

  /* Opened as a click opens it: the menu is made then. */
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button));
  g_assert_nonnull (menu);
  g_menu_model_get_item_attribute (g_menu_model_get_item_link (menu, 0, G_MENU_LINK_SECTION),
                                   0, G_MENU_ATTRIBUTE_LABEL, "s", &first);
  g_menu_model_get_item_attribute (g_menu_model_get_item_link (menu, 1, G_MENU_LINK_SECTION),
                                   0, G_MENU_ATTRIBUTE_LABEL, "s", &second);
  g_assert_cmpstr (first, ==, "Send _New Code");
  g_assert_cmpstr (second, ==, "_Delete…");

  pv_ui_test_screenshot (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button))),
                         "customers-row-menu");
  gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
}

static gboolean
is_in_row_menu_button (GtkWidget *widget)
{
  GtkWidget *button = gtk_widget_get_ancestor (widget, GTK_TYPE_MENU_BUTTON);

  return button != NULL
         && gtk_widget_is_ancestor (button, find (GTK_TYPE_COLUMN_VIEW, "column_view"));
}

/* Staff who work from the keyboard reach a row's menu with Tab. */
static void
test_row_menu_keyboard (void)
{
  GtkWidget *column_view = find (GTK_TYPE_COLUMN_VIEW, "column_view");
  GtkWidget *focus = NULL;

  g_assert_true (gtk_widget_grab_focus (column_view));
  for (guint i = 0; i < 10; i++)
    {
      gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD);
      focus = gtk_root_get_focus (GTK_ROOT (window));
      if (focus != NULL && is_in_row_menu_button (focus))
        break;
    }

  g_assert_nonnull (focus);
  g_assert_true (is_in_row_menu_button (focus));
}

static void
test_send_new_code (void)
{
  GtkWidget *view_stack = pv_ui_test_find (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK, NULL);
  GtkWidget *button = find_row_menu_button ("(415) 555-0101");
  GtkWidget *phone_row;
  GtkWidget *name_row;

  g_assert_true (gtk_widget_activate_action (button, "row.send-code", NULL));
  pv_ui_test_iterate (50);

  g_assert_cmpstr (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (view_stack)), ==,
                   "verify");
  phone_row = pv_ui_test_find (GTK_WIDGET (window), ADW_TYPE_ENTRY_ROW, "phone_row");
  name_row = pv_ui_test_find (GTK_WIDGET (window), ADW_TYPE_ENTRY_ROW, "name_row");
  g_assert_nonnull (phone_row);
  g_assert_nonnull (name_row);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (phone_row)), ==, "+14155550101");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (name_row)), ==, "Grace Hopper");

  show_customers ();
}

static gboolean deletion_recorded (const char *number);

/* A customer with a history made by the store's own intents, as the verifier makes it. */
static void
add_customer_with_history (const char *number,
                           const char *name)
{
  PvStore *store = pv_engine_get_store (engine);
  const PvSendRequest request = {
    .number = number, .name = name, .code_digest = "d1", .owner = "test",
    .code_lifetime = 600, .max_attempts = 5, .resend_cooldown = 30, .max_sends_per_hour = 5,
  };
  const PvSendOutcome outcome = {
    .kind = PV_SEND_OUTCOME_SENT, .message_sid = "SM0123456789abcdef0123456789abcdef",
    .delivery_status = "queued",
  };
  g_auto(PvSendClaim) claim = { 0 };
  g_autoptr(GError) error = NULL;
  gboolean applied = FALSE;

  g_assert_true (pv_store_claim_send (store, &request, &claim, &error));
  g_assert_cmpint (claim.verdict, ==, PV_SEND_GRANTED);
  g_assert_true (pv_store_finish_send (store, &claim, &outcome, &applied, &error));
  g_assert_true (pv_store_record_delivery (store, number, outcome.message_sid, "delivered", 0,
                                           &applied, &error));
  g_assert_true (pv_store_record_failed_attempt (store, number, &error));
  g_assert_true (pv_store_mark_verified (store, number, "d1", NULL, &applied, &error));
  g_assert_true (applied);
  g_assert_no_error (error);
}

static gboolean
customer_page_loaded (gpointer user_data)
{
  PvCustomerPage *page = PV_CUSTOMER_PAGE (find (PV_TYPE_CUSTOMER_PAGE, "customer_page"));

  return pv_customer_page_get_loaded (page) &&
         g_strcmp0 (pv_customer_page_get_number (page), user_data) == 0;
}

static guint
find_position (const char *number)
{
  PvCustomerList *list = get_list ();

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    {
      g_autoptr(PvCustomerRow) row = g_list_model_get_item (G_LIST_MODEL (list), i);

      if (g_strcmp0 (pv_customer_row_get_number (row), number) == 0)
        return i;
    }
  g_error ("%s is not in the list", number);
}

static const char *
leaflet_page (void)
{
  return adw_leaflet_get_visible_child_name (ADW_LEAFLET (find (ADW_TYPE_LEAFLET, "leaflet")));
}

static gboolean
store_name_is (gpointer user_data)
{
  const char *const *expected = user_data;
  g_autoptr(PvCustomer) customer = pv_store_lookup (pv_engine_get_store (engine), expected[0],
                                                    NULL);

  return customer != NULL && g_strcmp0 (customer->name, expected[1]) == 0;
}

static gboolean
store_language_is (gpointer user_data)
{
  const char *const *expected = user_data;
  g_autoptr(PvCustomer) customer = pv_store_lookup (pv_engine_get_store (engine), expected[0],
                                                    NULL);

  return customer != NULL && g_strcmp0 (customer->language, expected[1]) == 0;
}

/* Activating a row opens the customer's page: the number, the status, the history newest
 * first; the name can be changed there, and the change undone from its toast; Escape goes
 * back to the list. */
static void
test_customer_page (void)
{
  const char *renamed[] = { "+14155550120", "Lin Chen-Park" };
  const char *restored[] = { "+14155550120", "Lin Chen" };
  GtkWidget *column_view = find (GTK_TYPE_COLUMN_VIEW, "column_view");
  GtkWidget *name_row;
  GtkWidget *history;
  GtkWidget *undo;
  AdwMessageDialog *dialog;

  add_customer_with_history ("+14155550120", "Lin Chen");
  pv_customers_view_reload (view);
  pv_ui_test_wait_for_label (GTK_WIDGET (view), "Lin Chen");

  g_signal_emit_by_name (column_view, "activate", find_position ("+14155550120"));
  g_assert_true (pv_ui_test_wait_until (customer_page_loaded, "+14155550120", 10000));
  g_assert_cmpstr (leaflet_page (), ==, "customer");
  pv_ui_test_wait_for_label (GTK_WIDGET (view), "(415) 555-0120");
  pv_ui_test_wait_for_label (GTK_WIDGET (view), "Verify Again");

  /* Newest first. */
  history = find (GTK_TYPE_LIST_BOX, "history_list");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (
    gtk_widget_get_first_child (history))), ==, "Verified");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (
    gtk_widget_get_last_child (history))), ==, "Code sent by text message");
  pv_ui_test_wait_for_label (GTK_WIDGET (view), "Text delivered");
  pv_ui_test_wait_for_label (GTK_WIDGET (view), "Wrong code");
  pv_ui_test_screenshot (GTK_WIDGET (window), "customer-page");

  /* It fits a phone's width. */
  {
    int minimum;

    gtk_widget_measure (adw_application_window_get_content (ADW_APPLICATION_WINDOW (window)),
                        GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
    g_assert_cmpint (minimum, <=, 360);
    gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
    pv_ui_test_iterate (200);
    pv_ui_test_screenshot (GTK_WIDGET (window), "customer-page-narrow");
    gtk_window_set_default_size (GTK_WINDOW (window), 720, 720);
    pv_ui_test_iterate (200);
  }

  name_row = find (ADW_TYPE_ENTRY_ROW, "name_row");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (name_row)), ==, "Lin Chen");
  gtk_editable_set_text (GTK_EDITABLE (name_row), "Lin Chen-Park");
  g_signal_emit_by_name (name_row, "apply");
  g_assert_true (pv_ui_test_wait_until (store_name_is, renamed, 5000));
  pv_ui_test_wait_for_toast (GTK_WIDGET (window), "Name changed");
  pv_ui_test_wait_for_label (GTK_WIDGET (view), "Name changed to “Lin Chen-Park”");

  undo = pv_ui_test_find_toast_button (GTK_WIDGET (window), "_Undo");
  g_assert_nonnull (undo);
  pv_ui_test_click (undo);
  g_assert_true (pv_ui_test_wait_until (store_name_is, restored, 5000));
  pv_ui_test_wait_for_label (GTK_WIDGET (view), "Name changed to “Lin Chen”");

  /* The language: by the number's country at first, then staff's choice, in the history. */
  {
    AdwComboRow *language_row = ADW_COMBO_ROW (find (ADW_TYPE_COMBO_ROW, "language_row"));
    GListModel *languages = adw_combo_row_get_model (language_row);
    const char *spanish[] = { "+14155550120", "es" };

    g_assert_cmpuint (adw_combo_row_get_selected (language_row), ==, 0);
    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (languages), 0), ==,
                     "By Country (English)");
    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (languages), 4), ==, "Spanish");
    adw_combo_row_set_selected (language_row, 4);
    g_assert_true (pv_ui_test_wait_until (store_language_is, spanish, 5000));
    pv_ui_test_wait_for_label (GTK_WIDGET (view), "Codes now sent in Spanish");
    g_assert_cmpuint (adw_combo_row_get_selected (language_row), ==, 4);
  }

  /* Verify Again goes to the Verify view with the number. */
  g_assert_true (gtk_widget_activate_action (find (PV_TYPE_CUSTOMER_PAGE, "customer_page"),
                                             "customer.send", NULL));
  pv_ui_test_iterate (50);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (
    pv_ui_test_find (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK, NULL))), ==, "verify");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (
    pv_ui_test_find (GTK_WIDGET (window), ADW_TYPE_ENTRY_ROW, "phone_row"))), ==,
    "+14155550120");
  show_customers ();

  /* Escape goes back to the list. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "customers.back", NULL));
  g_assert_cmpstr (leaflet_page (), ==, "list");

  /* Deleting from the page asks first, then goes back to the list. */
  pv_customers_view_show_customer (view, "+14155550120");
  g_assert_true (pv_ui_test_wait_until (customer_page_loaded, "+14155550120", 10000));
  g_assert_true (gtk_widget_activate_action (find (PV_TYPE_CUSTOMER_PAGE, "customer_page"),
                                             "customer.delete", NULL));
  g_assert_true (pv_ui_test_wait_until (message_dialog_shown, NULL, 5000));
  dialog = find_message_dialog ();
  adw_message_dialog_response (dialog, "delete");
  gtk_window_destroy (GTK_WINDOW (dialog));
  pv_ui_test_wait_for_toast (GTK_WIDGET (window), "Deleted (415) 555-0120");
  g_assert_cmpstr (leaflet_page (), ==, "list");
  g_assert_true (deletion_recorded ("+14155550120"));
}

static gboolean
deletion_recorded (const char *number)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = pv_store_list_events (pv_engine_get_store (engine), number,
                                                       &error);

  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    if (((PvEvent *) g_ptr_array_index (events, i))->kind == PV_EVENT_DELETED)
      return TRUE;

  return FALSE;
}

static void
test_delete (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PvCustomer) gone = NULL;
  GtkWidget *button = find_row_menu_button ("(415) 555-0103");
  AdwMessageDialog *dialog;

  /* Cancel first: nothing happens. */
  g_assert_true (gtk_widget_activate_action (button, "row.delete", NULL));
  g_assert_true (pv_ui_test_wait_until (message_dialog_shown, NULL, 5000));
  dialog = find_message_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Delete (415) 555-0103?");
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "delete"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  pv_ui_test_iterate (200);
  g_assert_false (deletion_recorded ("+14155550103"));
  pv_ui_test_wait_for_label (GTK_WIDGET (view), "Katherine Johnson");

  g_assert_true (gtk_widget_activate_action (button, "row.delete", NULL));
  g_assert_true (pv_ui_test_wait_until (message_dialog_shown, NULL, 5000));
  dialog = find_message_dialog ();
  pv_ui_test_screenshot (GTK_WIDGET (dialog), "customers-delete-dialog");

  adw_message_dialog_response (dialog, "delete");
  gtk_window_destroy (GTK_WINDOW (dialog));

  pv_ui_test_wait_for_toast (GTK_WIDGET (window), "Deleted (415) 555-0103");
  wait_for_label_gone ("Katherine Johnson");
  g_assert_true (deletion_recorded ("+14155550103"));
  gone = pv_store_lookup (pv_engine_get_store (engine), "+14155550103", &error);
  g_assert_null (gone);
}

static gboolean
n_items_is (gpointer user_data)
{
  return g_list_model_get_n_items (G_LIST_MODEL (get_list ())) == GPOINTER_TO_UINT (user_data);
}

/* The verifier's signals bring the view up to date by themselves. */
static void
test_follows_verifier (void)
{
  PvVerifier *verifier = pv_engine_get_verifier (engine);
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (get_list ()));

  g_assert_nonnull (verifier);
  add_customer ("+14155550199", "Hedy Lamarr", KIND_PENDING, 0);
  pv_ui_test_iterate (300);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (get_list ())), ==, n_items);

  g_signal_emit_by_name (verifier, "code-sent", "+14155550199");
  g_assert_true (pv_ui_test_wait_until (n_items_is, GUINT_TO_POINTER (n_items + 1), 5000));
  pv_ui_test_wait_for_label (GTK_WIDGET (view), "Hedy Lamarr");
}

static char *
export_and_read (const char *expected_toast)
{
  g_autofree char *directory = g_dir_make_tmp ("test-ui-customers-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (directory, "customers.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  char *contents = NULL;

  g_assert_nonnull (directory);
  pv_customers_view_export_to_file (view, file);
  g_assert_false (gtk_widget_is_sensitive (find (GTK_TYPE_BUTTON, "export_button")));
  pv_ui_test_wait_for_toast (GTK_WIDGET (window), expected_toast);
  g_assert_true (gtk_widget_is_sensitive (find (GTK_TYPE_BUTTON, "export_button")));

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (directory), ==, 0);

  return contents;
}

static void
test_export (void)
{
  GtkWidget *entry = find (GTK_TYPE_SEARCH_ENTRY, "search_entry");
  g_autofree char *all = NULL;
  g_autofree char *some = NULL;
  g_auto(GStrv) lines = NULL;

  all = export_and_read ("Exported 8 customers");
  lines = g_strsplit (all, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 10);
  g_assert_cmpstr (lines[0], ==,
                   "Number,Formatted Number,Name,Status,Created (UTC),Verified (UTC),"
                   "Last Activity (UTC),Delivery");
  g_assert_null (strstr (all, "Katherine Johnson"));

  /* The search applies. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "Hopper");
  wait_for_label_gone ("Ada Lovelace");
  some = export_and_read ("Exported 1 customer");
  g_assert_true (g_str_has_prefix (some, "Number,Formatted Number,Name,Status,Created (UTC),"
                                         "Verified (UTC),Last Activity (UTC),Delivery\r\n"
                                         "+14155550101,(415) 555-0101,Grace Hopper,Pending,"));
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  pv_ui_test_init (&argc, &argv);
  window = pv_ui_test_open_window (&application);
  engine = pv_window_get_engine (window);
  /* The view is made when it is first shown, so that the first frame does not pay for it. */
  g_assert_null (pv_ui_test_find (GTK_WIDGET (window), PV_TYPE_CUSTOMERS_VIEW, NULL));
  show_customers ();
  view = PV_CUSTOMERS_VIEW (pv_ui_test_find (GTK_WIDGET (window), PV_TYPE_CUSTOMERS_VIEW, NULL));
  g_assert_nonnull (view);
  adw_view_stack_set_visible_child_name (
    ADW_VIEW_STACK (pv_ui_test_find (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK, NULL)), "verify");

  g_test_add_func ("/ui/customers/empty", test_empty);
  g_test_add_func ("/ui/customers/list", test_list);
  g_test_add_func ("/ui/customers/adaptive", test_adaptive);
  g_test_add_func ("/ui/customers/sort", test_sort);
  g_test_add_func ("/ui/customers/search", test_search);
  g_test_add_func ("/ui/customers/row-menu", test_row_menu);
  g_test_add_func ("/ui/customers/row-menu-keyboard", test_row_menu_keyboard);
  g_test_add_func ("/ui/customers/send-new-code", test_send_new_code);
  g_test_add_func ("/ui/customers/customer-page", test_customer_page);
  g_test_add_func ("/ui/customers/delete", test_delete);
  g_test_add_func ("/ui/customers/follows-verifier", test_follows_verifier);
  g_test_add_func ("/ui/customers/export", test_export);

  status = g_test_run ();
  pv_ui_test_close_window (window, application);

  return status;
}
