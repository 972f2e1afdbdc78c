/* pv-customer-page.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* One customer: the number, the name (editable, with undo), the status, and the history
 * from the event log, newest first, with what staff can do next: send a new code, verify a
 * verified customer again, or delete. The page follows the store, so a send or verification
 * from another window or desk shows up while it is open. */

#define G_LOG_DOMAIN "pv-customer-page"

#include "config.h"

#include <glib/gi18n.h>

#include "pv-accessible.h"
#include "pv-customer-history.h"
#include "pv-customer-page.h"
#include "pv-customer-row.h"
#include "pv-language.h"
#include "pv-phone-number.h"
#include "pv-toast.h"
#include "pv-verifier.h"

struct _PvCustomerPage
{
  AdwBin            parent_instance;

  PvEngine         *engine;
  PvStore          *store;          /* whose changes are followed */
  char             *number;
  PvCustomer       *customer;       /* as last loaded; NULL until then, or once deleted */
  gboolean          loaded;
  GCancellable     *cancellable;

  /* Template widgets */
  GtkButton        *back_button;
  GtkLabel         *title_label;
  AdwActionRow     *number_row;
  AdwEntryRow      *name_row;
  AdwActionRow     *status_row;
  AdwComboRow      *language_row;
  gboolean          showing_language;  /* the row follows the store, not staff */
  GtkButton        *send_button;
  GtkListBox       *history_list;
};

G_DEFINE_FINAL_TYPE (PvCustomerPage, pv_customer_page, ADW_TYPE_BIN)

static void load (PvCustomerPage *self);

static char *
dup_status_text (const PvCustomer *customer,
                 gint64            now)
{
  g_autofree char *when = NULL;

  if (customer->status == PV_CUSTOMER_STATUS_VERIFIED)
    {
      when = pv_customer_row_format_time (customer->verified_at, now);
      /* Translators: %s is when, e.g. “Today 14:05” or “12 Mar 2026” */
      return g_strdup_printf (_("Verified, %s"), when);
    }

  if (customer->verified_at != 0)
    {
      when = pv_customer_row_format_time (customer->verified_at, now);
      /* Translators: being verified again; %s is when it was verified before */
      return g_strdup_printf (_("Waiting for the new code; last verified %s"), when);
    }

  return g_strdup (_("Waiting for the code"));
}

static GtkWidget *
make_history_row (const PvHistoryEntry *entry,
                  gint64                now)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *when = pv_customer_row_format_time (entry->time, now);
  g_autofree char *subtitle = NULL;
  g_autofree char *escaped_title = g_markup_escape_text (entry->title, -1);
  g_autofree char *escaped_subtitle = NULL;

  /* Translators: a history line's time, then what happened in more words */
  subtitle = entry->detail != NULL ? g_strdup_printf (_("%s · %s"), when, entry->detail)
                                   : g_strdup (when);
  escaped_subtitle = g_markup_escape_text (subtitle, -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped_title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped_subtitle);
  if (entry->icon_name != NULL)
    adw_action_row_set_icon_name (ADW_ACTION_ROW (row), entry->icon_name);

  return row;
}

static void
clear_history (PvCustomerPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->history_list))) != NULL)
    gtk_list_box_remove (self->history_list, child);
}

static guint
get_max_attempts (PvCustomerPage *self)
{
  PvVerifier *verifier = self->engine != NULL ? pv_engine_get_verifier (self->engine) : NULL;
  guint max_attempts = 0;

  if (verifier != NULL)
    g_object_get (verifier, "max-attempts", &max_attempts, NULL);

  return max_attempts;
}

/* The first choice names the language the country gives, so staff see what they
 * override. */
static void
show_language (PvCustomerPage *self)
{
  PvMessageComposer *composer = pv_verifier_get_composer (pv_engine_get_verifier (self->engine));
  const char * const *languages = pv_language_get_builtin ();
  g_autofree char *office = g_settings_get_string (pv_engine_get_settings (self->engine),
                                                   "default-country");
  g_autoptr(PvPhoneNumber) parsed = pv_phone_number_parse (self->number, office, NULL);
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);
  g_autofree char *automatic = NULL;
  g_autofree char *automatic_label = NULL;
  guint selected = 0;

  automatic = pv_language_dup_name (pv_message_composer_choose_language (
                                      composer, NULL, parsed != NULL ? parsed->region : NULL));
  /* Translators: %s is a language, such as “German” */
  automatic_label = g_strdup_printf (_("By Country (%s)"), automatic);
  gtk_string_list_append (model, automatic_label);

  for (guint i = 0; languages[i] != NULL; i++)
    {
      g_autofree char *name = pv_language_dup_name (languages[i]);

      gtk_string_list_append (model, name);
      if (self->customer != NULL && g_strcmp0 (self->customer->language, languages[i]) == 0)
        selected = i + 1;
    }

  self->showing_language = TRUE;
  adw_combo_row_set_model (self->language_row, G_LIST_MODEL (model));
  adw_combo_row_set_selected (self->language_row, selected);
  self->showing_language = FALSE;
}

static void
language_set_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PvCustomerPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pv_customer_set_language_finish (PV_STORE (object), result, &error))
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      pv_toast_add (GTK_WIDGET (self), adw_toast_new (escaped));
    }

  /* This process's own change: the history gets its line, and the row shows what stands. */
  load (self);
}

static void
language_selected_cb (PvCustomerPage *self)
{
  const char * const *languages = pv_language_get_builtin ();
  guint selected = adw_combo_row_get_selected (self->language_row);

  if (self->showing_language || self->store == NULL || self->number == NULL ||
      selected == GTK_INVALID_LIST_POSITION)
    return;

  pv_customer_set_language_async (self->store, self->number,
                                  selected == 0 ? NULL : languages[selected - 1],
                                  self->cancellable, language_set_cb, g_object_ref (self));
}

static void
show_record (PvCustomerPage   *self,
             PvCustomerRecord *record)
{
  g_autoptr(GDateTime) now_time = g_date_time_new_now_utc ();
  gint64 now = g_date_time_to_unix (now_time);
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *shown = pv_engine_format_number (self->engine, self->number);
  g_autofree char *status = NULL;
  gboolean verified;

  g_clear_pointer (&self->customer, pv_customer_free);
  self->customer = g_steal_pointer (&record->customer);
  verified = self->customer != NULL && self->customer->status == PV_CUSTOMER_STATUS_VERIFIED;

  adw_action_row_set_subtitle (self->number_row, shown);
  gtk_label_set_label (self->title_label,
                       self->customer != NULL && self->customer->name != NULL
                       ? self->customer->name : shown);
  /* What staff are typing is not overwritten by a reload. */
  if (!gtk_widget_has_focus (GTK_WIDGET (self->name_row)) &&
      gtk_widget_get_focus_child (GTK_WIDGET (self->name_row)) == NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->name_row),
                           self->customer != NULL && self->customer->name != NULL
                           ? self->customer->name : "");

  status = self->customer != NULL ? dup_status_text (self->customer, now)
                                  : g_strdup (_("Deleted"));
  adw_action_row_set_subtitle (self->status_row, status);

  show_language (self);

  gtk_button_set_label (self->send_button, verified ? _("_Verify Again") : _("_Send New Code"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->name_row), self->customer != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->language_row), self->customer != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "customer.send", self->customer != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "customer.delete", self->customer != NULL);

  clear_history (self);
  entries = pv_customer_history_describe (record->events, get_max_attempts (self));
  for (guint i = 0; i < entries->len; i++)
    gtk_list_box_append (self->history_list,
                         make_history_row (g_ptr_array_index (entries, i), now));

  self->loaded = TRUE;
  g_object_notify (G_OBJECT (self), "loaded");
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PvCustomerRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  PvCustomerPage *self;

  record = pv_customer_record_load_finish (PV_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = PV_CUSTOMER_PAGE (user_data);
  if (record == NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      /* Translators: %s says why */
      pv_toast_add (GTK_WIDGET (self), adw_toast_new_format (_("Could not read the customer: %s"), escaped));
      return;
    }

  show_record (self, record);
}

static void
load (PvCustomerPage *self)
{
  if (self->store == NULL || self->number == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  pv_customer_record_load_async (self->store, self->number, self->cancellable, loaded_cb,
                                 self);
}

static void
store_changed_cb (PvCustomerPage     *self,
                  const char * const *numbers,
                  PvStore            *store)
{
  if (self->number != NULL && (numbers == NULL || g_strv_contains (numbers, self->number)))
    load (self);
}

typedef struct
{
  PvCustomerPage *page;
  char           *number;
  char           *previous;     /* the name to put back with Undo */
} Rename;

static void
rename_free (Rename *rename)
{
  g_clear_object (&rename->page);
  g_free (rename->number);
  g_free (rename->previous);
  g_free (rename);
}

static void
rename_closure_notify (gpointer  data,
                       GClosure *closure)
{
  rename_free (data);
}

static void start_rename (PvCustomerPage *self,
                          const char     *name,
                          gboolean        offer_undo);

static void
undo_rename_cb (AdwToast *toast,
                Rename   *rename)
{
  if (g_strcmp0 (rename->number, rename->page->number) == 0)
    start_rename (rename->page, rename->previous, FALSE);
}

static void
renamed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Rename *rename = user_data;
  PvCustomerPage *self = rename->page;
  g_autoptr(GError) error = NULL;
  AdwToast *toast;

  if (!pv_customer_rename_finish (PV_STORE (object), result, &error))
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      pv_toast_add (GTK_WIDGET (self), adw_toast_new (escaped));
      gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (self->name_row),
                                   GTK_ACCESSIBLE_STATE_INVALID,
                                   GTK_ACCESSIBLE_INVALID_TRUE, -1);
      rename_free (rename);
      return;
    }

  load (self);
  toast = adw_toast_new (_("Name changed"));
  adw_toast_set_button_label (toast, _("_Undo"));
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (undo_rename_cb), rename,
                         rename_closure_notify, 0);
  pv_toast_add (GTK_WIDGET (self), toast);
}

static void
undone_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PvCustomerPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pv_customer_rename_finish (PV_STORE (object), result, &error))
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      pv_toast_add (GTK_WIDGET (self), adw_toast_new (escaped));
    }
  load (self);
}

static void
start_rename (PvCustomerPage *self,
              const char     *name,
              gboolean        offer_undo)
{
  Rename *rename;

  if (self->store == NULL || self->number == NULL)
    return;

  gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
  gtk_accessible_reset_state (GTK_ACCESSIBLE (self->name_row), GTK_ACCESSIBLE_STATE_INVALID);

  if (!offer_undo)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), name != NULL ? name : "");
      pv_customer_rename_async (self->store, self->number, name, NULL, undone_cb,
                                g_object_ref (self));
      return;
    }

  rename = g_new0 (Rename, 1);
  rename->page = g_object_ref (self);
  rename->number = g_strdup (self->number);
  rename->previous = self->customer != NULL ? g_strdup (self->customer->name) : NULL;
  pv_customer_rename_async (self->store, self->number, name, NULL, renamed_cb, rename);
}

static void
name_applied_cb (PvCustomerPage *self)
{
  start_rename (self, gtk_editable_get_text (GTK_EDITABLE (self->name_row)), TRUE);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  PvCustomerPage *self = PV_CUSTOMER_PAGE (widget);
  const char *name;

  if (self->customer == NULL)
    return;

  name = self->customer->name != NULL ? self->customer->name : "";
  if (self->customer->status == PV_CUSTOMER_STATUS_VERIFIED)
    gtk_widget_activate_action (widget, "win.verify-again", "(ss)", self->number, name);
  else
    gtk_widget_activate_action (widget, "win.verify-number", "(ss)", self->number, name);
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PvCustomerPage *self = PV_CUSTOMER_PAGE (widget);

  if (self->customer != NULL)
    gtk_widget_activate_action (widget, "customers.delete", "s", self->number);
}

enum
{
  PROP_0,
  PROP_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pv_customer_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  PvCustomerPage *self = PV_CUSTOMER_PAGE (object);

  switch (prop_id)
    {
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_customer_page_dispose (GObject *object)
{
  PvCustomerPage *self = PV_CUSTOMER_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (pv_customer_page_parent_class)->dispose (object);
}

static void
pv_customer_page_finalize (GObject *object)
{
  PvCustomerPage *self = PV_CUSTOMER_PAGE (object);

  g_free (self->number);
  g_clear_pointer (&self->customer, pv_customer_free);

  G_OBJECT_CLASS (pv_customer_page_parent_class)->finalize (object);
}

static void
pv_customer_page_class_init (PvCustomerPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = pv_customer_page_get_property;
  object_class->dispose = pv_customer_page_dispose;
  object_class->finalize = pv_customer_page_finalize;

  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/com/example/PhoneVerify/ui/pv-customer-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PvCustomerPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, PvCustomerPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, PvCustomerPage, number_row);
  gtk_widget_class_bind_template_child (widget_class, PvCustomerPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, PvCustomerPage, status_row);
  gtk_widget_class_bind_template_child (widget_class, PvCustomerPage, language_row);
  gtk_widget_class_bind_template_child (widget_class, PvCustomerPage, send_button);
  gtk_widget_class_bind_template_child (widget_class, PvCustomerPage, history_list);
  gtk_widget_class_bind_template_callback (widget_class, name_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, language_selected_cb);

  gtk_widget_class_install_action (widget_class, "customer.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "customer.delete", NULL, delete_action);
}

static void
pv_customer_page_init (PvCustomerPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  pv_accessible_name_inner_button (GTK_WIDGET (self->name_row), GTK_TYPE_BUTTON,
                                   _("Save the Name"));
}

void
pv_customer_page_set_engine (PvCustomerPage *self,
                             PvEngine       *engine)
{
  g_return_if_fail (PV_IS_CUSTOMER_PAGE (self));

  g_set_object (&self->engine, engine);
}

/**
 * pv_customer_page_show:
 * @number: an E.164 number
 *
 * Shows @number's customer, read from the store off the main thread, and follows it.
 */
void
pv_customer_page_show (PvCustomerPage *self,
                       const char     *number)
{
  PvStore *store;

  g_return_if_fail (PV_IS_CUSTOMER_PAGE (self));
  g_return_if_fail (number != NULL);
  g_return_if_fail (self->engine != NULL);

  store = pv_engine_get_store (self->engine);
  if (store != self->store)
    {
      if (self->store != NULL)
        g_signal_handlers_disconnect_by_data (self->store, self);
      g_set_object (&self->store, store);
      if (store != NULL)
        g_signal_connect_object (store, "changed", G_CALLBACK (store_changed_cb), self,
                                 G_CONNECT_SWAPPED);
    }

  g_free (self->number);
  self->number = g_strdup (number);
  g_clear_pointer (&self->customer, pv_customer_free);
  self->loaded = FALSE;
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
  clear_history (self);
  load (self);
}

/**
 * pv_customer_page_reload:
 *
 * Reads the customer again, after a change this process made.
 */
void
pv_customer_page_reload (PvCustomerPage *self)
{
  g_return_if_fail (PV_IS_CUSTOMER_PAGE (self));

  load (self);
}

GtkWidget *
pv_customer_page_get_back_button (PvCustomerPage *self)
{
  g_return_val_if_fail (PV_IS_CUSTOMER_PAGE (self), NULL);

  return GTK_WIDGET (self->back_button);
}

const char *
pv_customer_page_get_number (PvCustomerPage *self)
{
  g_return_val_if_fail (PV_IS_CUSTOMER_PAGE (self), NULL);

  return self->number;
}

gboolean
pv_customer_page_get_loaded (PvCustomerPage *self)
{
  g_return_val_if_fail (PV_IS_CUSTOMER_PAGE (self), FALSE);

  return self->loaded;
}
