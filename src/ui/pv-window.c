/* pv-window.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The main window: the Verify and Customers views, and the toasts that report every
 * update of the verification flow. A toast's button does what the verifier suggested as
 * the next step. When staff are in another window, the results that matter most
 * (verified, delivered or not) also go out as desktop notifications. */

#define G_LOG_DOMAIN "pv-window"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "pv-customers-view.h"
#include "pv-engine-enums.h"
#include "pv-pg-store.h"
#include "pv-toast.h"
#include "pv-twilio-error.h"
#include "pv-verify-view.h"
#include "pv-window.h"

struct _PvWindow
{
  AdwApplicationWindow  parent_instance;

  PvEngine             *engine;
  GSettings            *settings;
  PvVerifier           *verifier;
  AdwToast             *current_toast;  /* the one on screen, if any */

  /* Template widgets */
  GtkRevealer          *offline_revealer;
  GtkSpinner           *offline_spinner;
  AdwToastOverlay      *toast_overlay;
  AdwViewStack         *view_stack;
  PvVerifyView         *verify_view;
  AdwBin               *customers_bin;
  PvCustomersView      *customers_view;   /* made when first shown */
};

G_DEFINE_FINAL_TYPE (PvWindow, pv_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const struct
{
  PvUpdateAction  action;
  const char     *action_name;
  const char     *label;
} toast_buttons[] = {
  { PV_UPDATE_ACTION_RETRY, "win.retry", N_("_Retry") },
  { PV_UPDATE_ACTION_OPEN_PREFERENCES, "app.preferences", N_("Open _Preferences") },
  { PV_UPDATE_ACTION_RESEND, "win.resend", N_("_Resend") },
  { PV_UPDATE_ACTION_START_OVER, "win.start-over", N_("_Start Over") },
  { PV_UPDATE_ACTION_VERIFY_AGAIN, "win.verify-again-typed", N_("Verify _Again") },
  { PV_UPDATE_ACTION_EDIT_NUMBER, "win.edit-number", N_("_Edit Number") },
  { PV_UPDATE_ACTION_EDIT_NAME, "win.edit-number", N_("_Edit Name") },
  { PV_UPDATE_ACTION_OPEN_GEO_PERMISSIONS, "win.open-geo-permissions", N_("Open Twilio _Console") },
  { PV_UPDATE_ACTION_OPEN_VERIFIED_NUMBERS, "win.open-verified-numbers", N_("Open Twilio _Console") },
  { PV_UPDATE_ACTION_CALL_INSTEAD, "win.switch-channel", N_("Call _Instead") },
  { PV_UPDATE_ACTION_TEXT_INSTEAD, "win.switch-channel", N_("Text _Instead") },
  { PV_UPDATE_ACTION_OPEN_VOICE_GEO_PERMISSIONS, "win.open-voice-geo-permissions", N_("Open Twilio _Console") },
};

static void
toast_dismissed_cb (PvWindow *self,
                    AdwToast *toast)
{
  if (self->current_toast == toast)
    g_clear_object (&self->current_toast);
}

/* Toasts have room for one line. Where an update explains itself in several sentences, the
 * toast shows the first, the gist; the page the staff member is on shows all of it. */
static char *
first_sentence (const char *message)
{
  static const char * const ends[] = { ". ", "! ", "? ", "\xe3\x80\x82" /* 。 */ };
  const char *cut = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (ends); i++)
    {
      const char *end = strstr (message, ends[i]);

      if (end != NULL && end[strlen (ends[i])] != '\0' && (cut == NULL || end < cut))
        cut = end + (g_str_equal (ends[i], "\xe3\x80\x82") ? 3 : 1);
    }

  return cut != NULL ? g_strndup (message, cut - message) : g_strdup (message);
}

static void
update_cb (PvWindow       *self,
           const char     *message,
           PvUpdateKind    kind,
           PvUpdateAction  action)
{
  g_autofree char *gist = NULL;
  g_autofree char *title = NULL;
  const char *button_label = NULL;
  const char *action_name = NULL;

  /* A problem with what was typed is shown once, at its field, when the form is in sight;
   * a toast would say it twice. */
  if ((action == PV_UPDATE_ACTION_EDIT_NUMBER || action == PV_UPDATE_ACTION_EDIT_NAME) &&
      g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "verify") == 0 &&
      pv_verify_view_shows_form (self->verify_view))
    return;

  gist = first_sentence (message);
  title = g_markup_escape_text (gist, -1);

  for (guint i = 0; i < G_N_ELEMENTS (toast_buttons); i++)
    {
      if (toast_buttons[i].action == action)
        {
          button_label = _(toast_buttons[i].label);
          action_name = toast_buttons[i].action_name;
        }
    }

  /* Each update supersedes the one before, so a toast still on screen is reused rather
   * than queued behind: a queued toast would report a state that no longer holds. (It is
   * not dismissed and replaced because dismissing a toast while it animates crashes
   * libadwaita 1.2.) Adding it again restarts its timeout. */
  if (self->current_toast == NULL)
    {
      self->current_toast = adw_toast_new (title);
      g_signal_connect_object (self->current_toast, "dismissed",
                               G_CALLBACK (toast_dismissed_cb), self, G_CONNECT_SWAPPED);
    }

  adw_toast_set_title (self->current_toast, title);
  adw_toast_set_button_label (self->current_toast, button_label);
  adw_toast_set_action_name (self->current_toast, action_name);
  /* Errors explain what to do next, so they stay long enough to read and act on. */
  adw_toast_set_timeout (self->current_toast, kind == PV_UPDATE_ERROR ? 10 : 5);
  adw_toast_set_priority (self->current_toast,
                          kind == PV_UPDATE_ERROR ? ADW_TOAST_PRIORITY_HIGH
                                                  : ADW_TOAST_PRIORITY_NORMAL);

  pv_toast_add (GTK_WIDGET (self->toast_overlay), g_object_ref (self->current_toast));
}

static void
notify_away (PvWindow   *self,
             const char *id,
             const char *title,
             const char *body)
{
  g_autoptr(GNotification) notification = NULL;
  GApplication *application = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

  if (gtk_window_is_active (GTK_WINDOW (self)) || application == NULL)
    return;

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_application_send_notification (application, id, notification);
}

static void
verified_cb (PvWindow   *self,
             const char *number)
{
  g_autofree char *shown = pv_engine_format_number (self->engine, number);
  g_autofree char *body = g_strdup_printf (_("%s is now verified."), shown);

  notify_away (self, "verification", _("Number Verified"), body);
}

static void
delivery_changed_cb (PvWindow   *self,
                     const char *number,
                     const char *status,
                     int         error_code)
{
  g_autofree char *body = NULL;
  g_autofree char *shown = pv_engine_format_number (self->engine, number);

  if (g_str_equal (status, "delivered"))
    {
      body = g_strdup_printf (_("The code reached %s."), shown);
      notify_away (self, "delivery", _("Code Delivered"), body);
    }
  else if (g_str_equal (status, "undelivered") || g_str_equal (status, "failed"))
    {
      /* Translators: %s is a phone number, then the reason */
      body = g_strdup_printf (_("The code could not be delivered to %s. %s"),
                              shown, pv_twilio_error_describe_delivery (error_code));
      notify_away (self, "delivery", _("Code Not Delivered"), body);
    }
}

static void
connect_verifier (PvWindow *self)
{
  PvVerifier *verifier = pv_engine_get_verifier (self->engine);

  if (verifier == NULL || verifier == self->verifier)
    return;

  self->verifier = g_object_ref (verifier);
  g_signal_connect_object (verifier, "update", G_CALLBACK (update_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (verifier, "verified", G_CALLBACK (verified_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (verifier, "delivery-changed", G_CALLBACK (delivery_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  PvWindow *self = PV_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "verify");
  pv_verify_view_retry (self->verify_view);
}

static void
resend_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PvWindow *self = PV_WINDOW (widget);
  guint wait = pv_verify_view_get_resend_wait (self->verify_view);

  adw_view_stack_set_visible_child_name (self->view_stack, "verify");

  /* A toast's button outlives the moment it was offered: pressed before the cooldown is
   * over, it says when it will work rather than doing nothing. */
  if (wait > 0)
    {
      g_autofree char *message = g_strdup_printf (ngettext ("Another code can be sent in %u "
                                                            "second.",
                                                            "Another code can be sent in %u "
                                                            "seconds.",
                                                            wait),
                                                  wait);

      update_cb (self, message, PV_UPDATE_INFO, PV_UPDATE_ACTION_NONE);
      return;
    }

  if (g_str_equal (action_name, "win.switch-channel"))
    pv_verify_view_switch_channel (self->verify_view);
  else
    pv_verify_view_resend (self->verify_view);
}

static void
start_over_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  PvWindow *self = PV_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "verify");
  pv_verify_view_start_over (self->verify_view);
}

static void
verify_number_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  PvWindow *self = PV_WINDOW (widget);
  const char *number;
  const char *name;

  g_variant_get (parameter, "(&s&s)", &number, &name);
  adw_view_stack_set_visible_child_name (self->view_stack, "verify");
  /* Verify Again sends at once: the button said what it does. */
  if (g_str_equal (action_name, "win.verify-again"))
    pv_verify_view_verify_again (self->verify_view, number, name[0] != '\0' ? name : NULL);
  else
    pv_verify_view_prepare (self->verify_view, number, name);
}

static void
verify_again_typed_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  PvWindow *self = PV_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "verify");
  pv_verify_view_verify_again_typed (self->verify_view);
}

static void
edit_number_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  PvWindow *self = PV_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "verify");
  pv_verify_view_edit (self->verify_view);
}

/* The fix for some refusals is in the Twilio Console, at a page a link can open. */
static void
open_console_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  const char *uri = PV_TWILIO_CONSOLE_VERIFIED_NUMBERS_URL;

  if (g_str_equal (action_name, "win.open-geo-permissions"))
    uri = PV_TWILIO_CONSOLE_GEO_PERMISSIONS_URL;
  else if (g_str_equal (action_name, "win.open-voice-geo-permissions"))
    uri = PV_TWILIO_CONSOLE_VOICE_GEO_PERMISSIONS_URL;

  gtk_show_uri (GTK_WINDOW (widget), uri, GDK_CURRENT_TIME);
}

static PvCustomersView *
ensure_customers_view (PvWindow *self)
{
  if (self->customers_view == NULL)
    {
      self->customers_view = g_object_new (PV_TYPE_CUSTOMERS_VIEW, NULL);
      pv_customers_view_set_engine (self->customers_view, self->engine);
      adw_bin_set_child (self->customers_bin, GTK_WIDGET (self->customers_view));
    }

  return self->customers_view;
}

static void
visible_view_changed_cb (PvWindow *self)
{
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "customers") == 0)
    ensure_customers_view (self);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PvWindow *self = PV_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "customers");
  pv_customers_view_start_search (ensure_customers_view (self));
}

static void
show_view_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PvWindow *self = PV_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, g_variant_get_string (parameter, NULL));
}

static void
update_offline_bar (PvWindow *self)
{
  PvStore *store = pv_engine_get_store (self->engine);
  gboolean offline = PV_IS_PG_STORE (store) && !pv_pg_store_get_online (PV_PG_STORE (store));

  if (offline)
    gtk_widget_set_visible (GTK_WIDGET (self->offline_revealer), TRUE);
  gtk_revealer_set_reveal_child (self->offline_revealer, offline);
  gtk_spinner_set_spinning (self->offline_spinner, offline);
}

static void
offline_bar_revealed_cb (PvWindow *self)
{
  if (!gtk_revealer_get_reveal_child (self->offline_revealer)
      && !gtk_revealer_get_child_revealed (self->offline_revealer))
    gtk_widget_set_visible (GTK_WIDGET (self->offline_revealer), FALSE);
}

static void
store_changed_cb (PvWindow *self)
{
  PvStore *store = pv_engine_get_store (self->engine);

  if (PV_IS_PG_STORE (store))
    g_signal_connect_object (store, "notify::online", G_CALLBACK (update_offline_bar), self,
                             G_CONNECT_SWAPPED);
  update_offline_bar (self);
}

static void
pv_window_constructed (GObject *object)
{
  PvWindow *self = (PvWindow *) object;

  G_OBJECT_CLASS (pv_window_parent_class)->constructed (object);

  self->settings = g_object_ref (pv_engine_get_settings (self->engine));
  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized",
                   G_SETTINGS_BIND_DEFAULT);

  pv_verify_view_set_engine (self->verify_view, self->engine);

  g_signal_connect_object (self->engine, "notify::state", G_CALLBACK (connect_verifier), self,
                           G_CONNECT_SWAPPED);
  connect_verifier (self);

  g_signal_connect_object (self->engine, "notify::store", G_CALLBACK (store_changed_cb), self,
                           G_CONNECT_SWAPPED);
  store_changed_cb (self);
  visible_view_changed_cb (self);
}

static void
pv_window_dispose (GObject *object)
{
  PvWindow *self = (PvWindow *) object;

  g_clear_object (&self->current_toast);
  g_clear_object (&self->verifier);
  g_clear_object (&self->settings);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (pv_window_parent_class)->dispose (object);
}

static void
pv_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  PvWindow *self = PV_WINDOW (object);

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
pv_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  PvWindow *self = PV_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      self->engine = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_window_class_init (PvWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = pv_window_constructed;
  object_class->dispose = pv_window_dispose;
  object_class->get_property = pv_window_get_property;
  object_class->set_property = pv_window_set_property;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL,
                         PV_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (PV_TYPE_CUSTOMERS_VIEW);
  g_type_ensure (PV_TYPE_VERIFY_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/ui/pv-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PvWindow, customers_bin);
  gtk_widget_class_bind_template_child (widget_class, PvWindow, offline_revealer);
  gtk_widget_class_bind_template_child (widget_class, PvWindow, offline_spinner);
  gtk_widget_class_bind_template_child (widget_class, PvWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PvWindow, verify_view);
  gtk_widget_class_bind_template_child (widget_class, PvWindow, view_stack);

  gtk_widget_class_bind_template_callback (widget_class, offline_bar_revealed_cb);
  gtk_widget_class_bind_template_callback (widget_class, visible_view_changed_cb);

  gtk_widget_class_install_action (widget_class, "win.retry", NULL, retry_action);
  gtk_widget_class_install_action (widget_class, "win.resend", NULL, resend_action);
  gtk_widget_class_install_action (widget_class, "win.switch-channel", NULL, resend_action);
  gtk_widget_class_install_action (widget_class, "win.start-over", NULL, start_over_action);
  gtk_widget_class_install_action (widget_class, "win.verify-number", "(ss)",
                                   verify_number_action);
  gtk_widget_class_install_action (widget_class, "win.verify-again", "(ss)",
                                   verify_number_action);
  gtk_widget_class_install_action (widget_class, "win.verify-again-typed", NULL,
                                   verify_again_typed_action);
  gtk_widget_class_install_action (widget_class, "win.edit-number", NULL, edit_number_action);
  gtk_widget_class_install_action (widget_class, "win.open-geo-permissions", NULL,
                                   open_console_action);
  gtk_widget_class_install_action (widget_class, "win.open-verified-numbers", NULL,
                                   open_console_action);
  gtk_widget_class_install_action (widget_class, "win.open-voice-geo-permissions", NULL,
                                   open_console_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.show-view", "s", show_view_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK,
                                       "win.show-view", "s", "verify");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK,
                                       "win.show-view", "s", "customers");
}

static void
pv_window_init (PvWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

PvWindow *
pv_window_new (AdwApplication *application,
               PvEngine       *engine)
{
  g_return_val_if_fail (ADW_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (PV_IS_ENGINE (engine), NULL);

  return g_object_new (PV_TYPE_WINDOW,
                       "application", application,
                       "engine", engine,
                       NULL);
}

PvEngine *
pv_window_get_engine (PvWindow *self)
{
  g_return_val_if_fail (PV_IS_WINDOW (self), NULL);

  return self->engine;
}
