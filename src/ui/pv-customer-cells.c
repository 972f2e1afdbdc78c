/* pv-customer-cells.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The cells of the Customers table, built in code: a GtkBuilderListItemFactory parses its
 * XML and sets up an expression watch for every cell it makes, and the table makes several
 * hundred rows of cells whenever it shows a new screen. A cell listens to the one property
 * of its row that it shows. */

#include "config.h"

#include "pv-customer-cells.h"
#include "pv-customer-row.h"

typedef struct
{
  const char *property;    /* what the cell shows */
  gboolean    numeric;     /* tabular figures */
  gboolean    ellipsize;
} CellKind;

static const CellKind cell_kinds[] = {
  [PV_CUSTOMER_CELL_NUMBER] = { "display-number", TRUE, TRUE },
  [PV_CUSTOMER_CELL_NAME] = { "name", FALSE, TRUE },
  [PV_CUSTOMER_CELL_STATUS] = { "status-label", FALSE, FALSE },
  [PV_CUSTOMER_CELL_LAST_ACTIVITY] = { "last-activity", TRUE, FALSE },
  [PV_CUSTOMER_CELL_NUMBER_AND_NAME] = { "display-number", TRUE, TRUE },
};

static GQuark handler_quark;

/* The number, and the name in a smaller line under it. One label, as every cell is one:
 * GTK keeps a few hundred rows. */
static void
set_number_and_name (GtkLabel      *label,
                     PvCustomerRow *row)
{
  const char *number = pv_customer_row_get_display_number (row);
  const char *name = pv_customer_row_get_name (row);
  g_autofree char *markup = NULL;

  if (name == NULL || name[0] == '\0')
    markup = g_markup_escape_text (number != NULL ? number : "", -1);
  else
    markup = g_markup_printf_escaped ("%s\n<small>%s</small>", number != NULL ? number : "",
                                      name);
  gtk_label_set_markup (label, markup);
}

static const char *
get_text (PvCustomerRow  *row,
          PvCustomerCell  cell)
{
  switch (cell)
    {
    case PV_CUSTOMER_CELL_NUMBER:        return pv_customer_row_get_display_number (row);
    case PV_CUSTOMER_CELL_NAME:          return pv_customer_row_get_name (row);
    case PV_CUSTOMER_CELL_STATUS:        return pv_customer_row_get_status_label (row);
    case PV_CUSTOMER_CELL_LAST_ACTIVITY: return pv_customer_row_get_last_activity (row);
    case PV_CUSTOMER_CELL_NUMBER_AND_NAME: return pv_customer_row_get_display_number (row);
    default:                             g_assert_not_reached ();
    }
}

/* The status pill: its words, its colour, and nothing at all until the row is loaded. */
static void
update_status_style (GtkWidget     *label,
                     PvCustomerRow *row)
{
  const char * const *classes = pv_customer_row_get_status_classes (row);

  gtk_widget_set_css_classes (label, (const char **) classes);
  gtk_widget_set_visible (label, pv_customer_row_get_loaded (row));
}

static void
row_notify_cb (PvCustomerRow *row,
               GParamSpec    *pspec,
               GtkLabel      *label)
{
  PvCustomerCell cell = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (label), "pv-cell"));

  if (cell == PV_CUSTOMER_CELL_NUMBER_AND_NAME &&
      (g_str_equal (pspec->name, "display-number") || g_str_equal (pspec->name, "name")))
    set_number_and_name (label, row);
  else if (g_str_equal (pspec->name, cell_kinds[cell].property))
    gtk_label_set_label (label, get_text (row, cell));
  else if (cell == PV_CUSTOMER_CELL_STATUS &&
           (g_str_equal (pspec->name, "status-classes") || g_str_equal (pspec->name, "loaded")))
    update_status_style (GTK_WIDGET (label), row);
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  PvCustomerCell cell = GPOINTER_TO_INT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  g_object_set_data (G_OBJECT (label), "pv-cell", user_data);
  if (cell == PV_CUSTOMER_CELL_STATUS)
    {
      gtk_widget_set_halign (label, GTK_ALIGN_START);
      gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
    }
  else
    {
      gtk_label_set_xalign (GTK_LABEL (label), 0);
    }
  if (cell_kinds[cell].ellipsize)
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (cell_kinds[cell].numeric)
    gtk_widget_add_css_class (label, "numeric");

  gtk_list_item_set_child (item, label);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         gpointer                  user_data)
{
  PvCustomerCell cell = GPOINTER_TO_INT (user_data);
  PvCustomerRow *row = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  gulong handler;

  if (cell == PV_CUSTOMER_CELL_NUMBER_AND_NAME)
    set_number_and_name (GTK_LABEL (label), row);
  else
    gtk_label_set_label (GTK_LABEL (label), get_text (row, cell));
  if (cell == PV_CUSTOMER_CELL_STATUS)
    update_status_style (label, row);

  handler = g_signal_connect_object (row, "notify", G_CALLBACK (row_notify_cb), label, 0);
  g_object_set_qdata (G_OBJECT (item), handler_quark, GSIZE_TO_POINTER (handler));
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  gulong handler = GPOINTER_TO_SIZE (g_object_steal_qdata (G_OBJECT (item), handler_quark));
  gpointer row = gtk_list_item_get_item (item);

  if (handler != 0 && row != NULL)
    g_signal_handler_disconnect (row, handler);
}

/**
 * pv_customer_cell_factory_new:
 * @cell: which column's cells
 *
 * Returns: (transfer full): a factory for the cells of that column, whose items are
 *   #PvCustomerRow
 */
GtkListItemFactory *
pv_customer_cell_factory_new (PvCustomerCell cell)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_return_val_if_fail (cell < G_N_ELEMENTS (cell_kinds), NULL);

  if (handler_quark == 0)
    handler_quark = g_quark_from_static_string ("pv-customer-cell-handler");

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), GINT_TO_POINTER (cell));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), GINT_TO_POINTER (cell));
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), GINT_TO_POINTER (cell));

  return factory;
}
