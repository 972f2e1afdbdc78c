/* pv-verify-view.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The three steps of a verification: register, verify, verified. The verifier's signals
 * move between them, as the tutorial's socket events moved its page: code-sent goes to
 * Verify, reset back to Register, verified to Verified. Customer Texts Us is a step of its
 * own beside Verify (pv-texts-us-page.c), which ::verified and ::awaiting-ended move on
 * from. Before an account is set up, or
 * when the keyring or database fails, the view shows what is wrong instead. */

#define G_LOG_DOMAIN "pv-verify-view"

#include "config.h"

#include <glib/gi18n.h>

#include "pv-engine-enums.h"
#include "pv-phone-number.h"
#include "pv-text.h"
#include "pv-time-format.h"
#include "pv-twilio-error.h"
#include "pv-country.h"
#include "pv-country-row.h"
#include "pv-deferred-icons.h"
#include "pv-send-status.h"
#include "pv-texts-us-page.h"
#include "pv-verify-view.h"

typedef enum
{
  LAST_SEND_NONE,
  LAST_SEND_REGISTER,
  LAST_SEND_RESEND,
  LAST_SEND_VERIFY_AGAIN,
  LAST_SEND_TEXTS_US,
} LastSend;

/* How long a start may take before the Verify view says it is still loading. */
#define SLOW_LOAD_MS 1000

struct _PvVerifyView
{
  AdwBin         parent_instance;

  PvEngine      *engine;
  PvVerifier    *verifier;
  GCancellable  *cancellable;
  char          *number;       /* the E.164 number on the Verify step */
  gboolean       sending;
  gboolean       checking;         /* a typed code is being checked */
  LastSend       last_send;
  guint          cooldown_source;
  gint64         resend_ready_at;  /* monotonic µs; asked of the store once per send */
  PvChannel      channel;          /* of the last send to the number on the Verify step */
  PvChannel      resend_channel;   /* of the send being made again */
  gboolean       setting_channel;  /* the proposal, not staff, is choosing the channel */
  gboolean       channel_chosen;   /* staff chose how the first code goes */

  /* Template widgets */
  GtkStack      *steps;
  AdwStatusPage *loading_page;
  AdwStatusPage *keyring_failed_page;
  AdwStatusPage *store_failed_page;
  AdwEntryRow   *phone_row;
  PvCountryRow  *country_row;
  gboolean       formatting;
  guint          format_source;
  guint          slow_load_source;
  AdwEntryRow   *name_row;
  AdwComboRow   *channel_row;
  GtkLabel      *normalized_label;
  GtkLabel      *register_problem_label;
  GtkButton     *send_button;
  GtkSpinner    *send_spinner;
  GtkButton     *texts_us_button;
  GtkSpinner    *texts_us_spinner;
  PvTextsUsPage *texts_us_page;
  GtkLabel      *verify_title;
  GtkImage      *delivery_icon;
  GtkLabel      *delivery_label;
  AdwEntryRow   *code_row;
  GtkLabel      *attempts_label;
  GtkButton     *resend_button;
  GtkButton     *switch_button;
  AdwStatusPage *verified_page;
  GtkButton     *another_button;
};

G_DEFINE_FINAL_TYPE (PvVerifyView, pv_verify_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
dup_office_country (PvVerifyView *self)
{
  return g_settings_get_string (pv_engine_get_settings (self->engine), "default-country");
}

/* The same code again, on the channel it went by or on the other; while another send must
 * wait, both say how long. */
static void
set_send_again_labels (PvVerifyView *self,
                       guint         cooldown)
{
  g_autofree char *again = NULL;
  g_autofree char *other = NULL;
  gboolean call = self->channel == PV_CHANNEL_CALL;

  if (cooldown > 0)
    {
      /* Translators: the buttons' labels while another send must wait; %u is seconds */
      again = g_strdup_printf (call ? ngettext ("_Call Again (%u second)",
                                                "_Call Again (%u seconds)", cooldown)
                                    : ngettext ("_Text Again (%u second)",
                                                "_Text Again (%u seconds)", cooldown),
                               cooldown);
      other = g_strdup_printf (call ? ngettext ("Text _Instead (%u second)",
                                                "Text _Instead (%u seconds)", cooldown)
                                    : ngettext ("Call _Instead (%u second)",
                                                "Call _Instead (%u seconds)", cooldown),
                               cooldown);
    }
  else
    {
      again = g_strdup (call ? _("_Call Again") : _("_Text Again"));
      other = g_strdup (call ? _("Text _Instead") : _("Call _Instead"));
    }

  gtk_button_set_label (self->resend_button, again);
  gtk_button_set_label (self->switch_button, other);
}

static void
update_actions (PvVerifyView *self)
{
  gboolean ready = self->engine != NULL && pv_engine_get_state (self->engine) == PV_ENGINE_READY;
  const char *phone = gtk_editable_get_text (GTK_EDITABLE (self->phone_row));
  const char *code = gtk_editable_get_text (GTK_EDITABLE (self->code_row));
  gint64 wait = self->resend_ready_at - g_get_monotonic_time ();
  guint cooldown = 0;
  gboolean texts_us;

  if (ready && self->number != NULL && wait > 0)
    cooldown = (guint) ((wait + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "verify.send-code",
                                 ready && !self->sending && phone[0] != '\0');
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "verify.texts-us",
                                 ready && !self->sending && phone[0] != '\0');
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "verify.verify",
                                 ready && !self->checking && self->number != NULL &&
                                 code[0] != '\0');
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "verify.resend",
                                 ready && !self->sending && self->number != NULL && cooldown == 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "verify.switch-channel",
                                 ready && !self->sending && self->number != NULL && cooldown == 0);

  /* The spinner goes in the button that was pressed. */
  texts_us = self->sending && self->last_send == LAST_SEND_TEXTS_US;
  gtk_spinner_set_spinning (self->send_spinner, self->sending && !texts_us);
  gtk_widget_set_visible (GTK_WIDGET (self->send_spinner), self->sending && !texts_us);
  gtk_spinner_set_spinning (self->texts_us_spinner, texts_us);
  gtk_widget_set_visible (GTK_WIDGET (self->texts_us_spinner), texts_us);

  set_send_again_labels (self, cooldown);
}

static gboolean
cooldown_tick_cb (gpointer user_data)
{
  PvVerifyView *self = user_data;

  update_actions (self);

  if (self->number == NULL || g_get_monotonic_time () >= self->resend_ready_at)
    {
      self->cooldown_source = 0;
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

/* The countdown runs on the monotonic clock, so the ticker and every keystroke need not
 * ask the database again. */
static void
start_cooldown_ticker (PvVerifyView     *self,
                       const PvCustomer *customer)
{
  guint remaining = 0;

  if (self->number != NULL)
    remaining = pv_verifier_get_cooldown_remaining (self->verifier, customer);
  self->resend_ready_at = g_get_monotonic_time () + (gint64) remaining * G_USEC_PER_SEC;

  if (self->cooldown_source == 0)
    self->cooldown_source = g_timeout_add_seconds (1, cooldown_tick_cb, self);
  update_actions (self);
}

static void
show_delivery (PvVerifyView *self,
               const char   *status,
               int           error_code)
{
  g_autofree char *text = NULL;
  const char *icon_name;
  PvSendStatusTone tone;

  text = pv_send_status_describe (self->channel, status, error_code, &tone);
  if (tone == PV_SEND_STATUS_FAILED)
    icon_name = "dialog-warning-symbolic";
  else if (tone == PV_SEND_STATUS_DONE)
    icon_name = "emblem-ok-symbolic";
  else if (self->channel == PV_CHANNEL_CALL)
    icon_name = "call-start-symbolic";
  else
    icon_name = "mail-send-symbolic";

  gtk_label_set_label (self->delivery_label, text);
  gtk_image_set_from_icon_name (self->delivery_icon, icon_name);

  if (tone == PV_SEND_STATUS_FAILED)
    gtk_widget_add_css_class (gtk_widget_get_parent (GTK_WIDGET (self->delivery_label)), "error");
  else
    gtk_widget_remove_css_class (gtk_widget_get_parent (GTK_WIDGET (self->delivery_label)), "error");
}

static void
show_attempts_left (PvVerifyView *self,
                    guint         attempts_left)
{
  if (attempts_left > 0)
    {
      g_autofree char *text = g_strdup_printf (ngettext ("%u attempt left",
                                                         "%u attempts left",
                                                         attempts_left),
                                               attempts_left);

      gtk_label_set_label (self->attempts_label, text);
    }
  else
    {
      gtk_label_set_label (self->attempts_label,
                           _("The code is locked. Send a new code to try again."));
    }

  gtk_widget_set_visible (GTK_WIDGET (self->attempts_label), TRUE);
}

/* A lost answer from Twilio is neither sent nor failed, and the line says so. */
static void
show_send_state (PvVerifyView     *self,
                 const PvCustomer *customer)
{
  self->channel = customer != NULL ? customer->channel : PV_CHANNEL_SMS;
  update_actions (self);

  if (customer != NULL && customer->send_state == PV_SEND_STATE_UNKNOWN)
    {
      gtk_label_set_label (self->delivery_label,
                           self->channel == PV_CHANNEL_CALL
                           ? _("Not confirmed by Twilio: the phone may or may not ring")
                           : _("Not confirmed by Twilio: the text may or may not arrive"));
      gtk_image_set_from_icon_name (self->delivery_icon, "dialog-warning-symbolic");
      gtk_widget_remove_css_class (gtk_widget_get_parent (GTK_WIDGET (self->delivery_label)),
                                   "error");
      return;
    }

  show_delivery (self, customer != NULL ? customer->delivery_status : NULL,
                 customer != NULL ? customer->delivery_error_code : 0);
}

static void
show_flow_page (PvVerifyView *self,
                const char   *name)
{
  gtk_stack_set_visible_child_name (self->steps, name);

  if (g_str_equal (name, "register"))
    gtk_widget_grab_focus (GTK_WIDGET (self->phone_row));
  else if (g_str_equal (name, "verify"))
    gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
  else if (g_str_equal (name, "verified"))
    gtk_widget_grab_focus (GTK_WIDGET (self->another_button));
  else if (g_str_equal (name, "texts-us"))
    gtk_widget_grab_focus (GTK_WIDGET (self->texts_us_page));
}

/* Leaving the Customer Texts Us step: no one here waits for that text any more. The code
 * stays valid (see pv_verifier_stop_awaiting_text()). */
static void
stop_texts_us (PvVerifyView *self)
{
  const char *number = pv_texts_us_page_get_number (self->texts_us_page);

  if (number != NULL && self->verifier != NULL)
    pv_verifier_stop_awaiting_text (self->verifier, number);
  pv_texts_us_page_clear (self->texts_us_page);
}

typedef void (*CustomerReadFunc) (PvVerifyView     *self,
                                  const char       *number,
                                  const PvCustomer *customer);

typedef struct
{
  PvVerifyView     *self;
  char             *number;
  CustomerReadFunc  then;
} CustomerRead;

static void
customer_read_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  CustomerRead *read = user_data;
  g_autoptr(PvCustomer) customer = NULL;
  g_autoptr(GError) error = NULL;

  customer = pv_store_queue_lookup_finish (PV_STORE_QUEUE (object), result, &error);

  /* Closed meanwhile, or the store cannot be read: what is shown stays, and the next
   * intent will say what is wrong with the store. */
  if (error == NULL)
    read->then (read->self, read->number, customer);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Could not read the customer on screen: %s", error->message);

  g_object_unref (read->self);
  g_free (read->number);
  g_free (read);
}

/* Reads @number's customer on the verifier's store queue, after its own writes, and hands
 * it to @then: the window keeps drawing while another desk holds the row. */
static void
read_customer (PvVerifyView     *self,
               const char       *number,
               CustomerReadFunc  then)
{
  CustomerRead *read = g_new0 (CustomerRead, 1);

  read->self = g_object_ref (self);
  read->number = g_strdup (number);
  read->then = then;
  pv_store_queue_lookup_async (pv_verifier_get_store_queue (self->verifier), number,
                               self->cancellable, customer_read_cb, read);
}

/* The code step for the customer the verifier sent a code to, once read. */
static void
show_code_step (PvVerifyView     *self,
                const char       *number,
                const PvCustomer *customer)
{
  if (g_strcmp0 (number, self->number) != 0)
    return;

  show_send_state (self, customer);
  start_cooldown_ticker (self, customer);
}

static void
code_sent_cb (PvVerifyView *self,
              const char   *number)
{
  guint cooldown = 0;
  g_autofree char *title = NULL;
  g_autofree char *shown = NULL;

  g_free (self->number);
  self->number = g_strdup (number);

  /* Translators: %s is a phone number such as +14155552671 */
  shown = pv_engine_format_number (self->engine, number);
  title = g_strdup_printf (_("Enter the Code Sent to %s"), shown);
  gtk_label_set_label (self->verify_title, title);

  /* Nothing of the last customer's stays while this one's is read: a code was just sent,
   * so sending again waits for the whole cooldown until the store says otherwise. */
  g_object_get (self->verifier, "resend-cooldown", &cooldown, NULL);
  self->resend_ready_at = g_get_monotonic_time () + (gint64) cooldown * G_USEC_PER_SEC;
  show_send_state (self, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
  gtk_widget_set_visible (GTK_WIDGET (self->attempts_label), FALSE);
  show_flow_page (self, "verify");
  read_customer (self, number, show_code_step);
}

static void
reset_cb (PvVerifyView *self)
{
  g_clear_pointer (&self->number, g_free);
  show_flow_page (self, "register");
  update_actions (self);
}

static void
show_verified (PvVerifyView     *self,
               const char       *number,
               const PvCustomer *customer)
{
  g_autoptr(GDateTime) verified_at = NULL;
  g_autofree char *day = NULL;
  g_autofree char *clock = NULL;
  g_autofree char *when = NULL;
  g_autofree char *who = NULL;
  g_autofree char *description = NULL;
  g_autofree char *shown = NULL;
  const char *page = gtk_stack_get_visible_child_name (self->steps);

  /* The step awaits one customer's text; another number verified meanwhile is only
   * toasted. */
  if (g_strcmp0 (page, "texts-us") == 0
      && g_strcmp0 (number, pv_texts_us_page_get_number (self->texts_us_page)) != 0)
    return;

  shown = pv_engine_format_number (self->engine, number);
  if (customer != NULL && customer->verified_at != 0)
    verified_at = g_date_time_new_from_unix_local (customer->verified_at);
  else
    verified_at = g_date_time_new_now_local ();

  day = pv_time_format_date (verified_at, TRUE);
  clock = pv_time_format_time_of_day (verified_at, pv_time_format_is_twelve_hour ());
  /* Translators: a date, then a time of day on the clock the desktop is set to, as in
   * “25 November 2026 at 14:32” or “… at 2:32 PM” */
  when = g_strdup_printf (_("%s at %s"), day, clock);

  /* Names are cleaned before they are stored now, but older rows may hold anything: a
   * control or override in them is shown, not obeyed. */
  if (customer != NULL && customer->name != NULL)
    {
      g_autofree char *name = pv_text_escape (customer->name, PV_TEXT_NAME_MAX_CHARS);

      who = g_markup_printf_escaped ("%s · %s", shown, name);
    }
  else
    who = g_markup_escape_text (shown, -1);

  /* Translators: the first %s is the number (and name), the second a date and time */
  description = g_strdup_printf (_("%s\nVerified on %s"), who, when);
  adw_status_page_set_description (self->verified_page, description);

  g_clear_pointer (&self->number, g_free);
  g_clear_handle_id (&self->cooldown_source, g_source_remove);
  stop_texts_us (self);
  show_flow_page (self, "verified");
  update_actions (self);
}

static void
verified_cb (PvVerifyView *self,
             const char   *number)
{
  read_customer (self, number, show_verified);
}

static void
delivery_changed_cb (PvVerifyView *self,
                     const char   *number,
                     const char   *status,
                     int           error_code)
{
  if (g_strcmp0 (number, self->number) == 0)
    show_delivery (self, status, error_code);
}

static void
awaiting_ended_cb (PvVerifyView *self,
                   const char   *number)
{
  if (g_strcmp0 (number, pv_texts_us_page_get_number (self->texts_us_page)) == 0)
    pv_texts_us_page_show_expired (self->texts_us_page);
}

static void set_row_invalid (AdwEntryRow *row,
                             gboolean     invalid);

/* Toasts only have room for the gist; on the register step, the whole explanation stays
 * under the form until the next attempt. */
static void
update_cb (PvVerifyView   *self,
           const char     *message,
           PvUpdateKind    kind,
           PvUpdateAction  action)
{
  const char *page = gtk_stack_get_visible_child_name (self->steps);
  gboolean show = kind == PV_UPDATE_ERROR && g_strcmp0 (page, "register") == 0;

  gtk_label_set_label (self->register_problem_label, show ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->register_problem_label), show);

  /* The field at fault is marked, for sight and for assistive technologies, until edited;
   * the window shows no toast for it then. */
  if (show && action == PV_UPDATE_ACTION_EDIT_NUMBER)
    {
      set_row_invalid (ADW_ENTRY_ROW (self->phone_row), TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->phone_row));
    }
  else if (show && action == PV_UPDATE_ACTION_EDIT_NAME)
    {
      set_row_invalid (ADW_ENTRY_ROW (self->name_row), TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
    }
}

static void
show_deleted_elsewhere (PvVerifyView *self,
                        const char   *number)
{
  g_autofree char *text = g_strdup_printf (_("%s was deleted in another window."), number);

  reset_cb (self);
  gtk_label_set_label (self->register_problem_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->register_problem_label), TRUE);
}

/* Verified or deleted at another desk while the customer was to text this one: the step
 * moves on as the code step does. */
static void
follow_texts_us_customer (PvVerifyView     *self,
                          const char       *number,
                          const PvCustomer *customer)
{
  const char *page = gtk_stack_get_visible_child_name (self->steps);

  if (g_strcmp0 (page, "texts-us") != 0 ||
      g_strcmp0 (number, pv_texts_us_page_get_number (self->texts_us_page)) != 0)
    return;

  if (customer == NULL)
    {
      stop_texts_us (self);
      show_deleted_elsewhere (self, number);
    }
  else if (customer->status == PV_CUSTOMER_STATUS_VERIFIED)
    {
      show_verified (self, number, customer);
    }
}

/* Another window, the command line or another desk changed the customer on screen: the
 * code step follows it, as if the change had been made here. */
static void
follow_code_step_customer (PvVerifyView     *self,
                           const char       *number,
                           const PvCustomer *customer)
{
  const char *page = gtk_stack_get_visible_child_name (self->steps);

  if (g_strcmp0 (number, self->number) != 0 || g_strcmp0 (page, "verify") != 0)
    return;

  if (customer == NULL)
    {
      show_deleted_elsewhere (self, number);
      return;
    }

  if (customer->status == PV_CUSTOMER_STATUS_VERIFIED)
    {
      show_verified (self, number, customer);
      return;
    }

  show_send_state (self, customer);
  if (customer->failed_attempts > 0)
    show_attempts_left (self, pv_verifier_get_attempts_left (self->verifier, customer));
  else
    gtk_widget_set_visible (GTK_WIDGET (self->attempts_label), FALSE);
  start_cooldown_ticker (self, customer);
}

static void
store_changed_cb (PvVerifyView       *self,
                  const char * const *numbers)
{
  const char *page = gtk_stack_get_visible_child_name (self->steps);
  const char *number = NULL;

  if (g_strcmp0 (page, "texts-us") == 0)
    number = pv_texts_us_page_get_number (self->texts_us_page);
  else if (g_strcmp0 (page, "verify") == 0)
    number = self->number;

  if (number == NULL || (numbers != NULL && !g_strv_contains (numbers, number)))
    return;

  read_customer (self, number,
                 g_strcmp0 (page, "texts-us") == 0 ? follow_texts_us_customer
                                                   : follow_code_step_customer);
}

static void
connect_verifier (PvVerifyView *self)
{
  PvVerifier *verifier = pv_engine_get_verifier (self->engine);

  if (verifier == NULL || verifier == self->verifier)
    return;

  self->verifier = g_object_ref (verifier);
  g_signal_connect_object (verifier, "code-sent", G_CALLBACK (code_sent_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (verifier, "reset", G_CALLBACK (reset_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (verifier, "update", G_CALLBACK (update_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (verifier, "verified", G_CALLBACK (verified_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (verifier, "awaiting-ended", G_CALLBACK (awaiting_ended_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (verifier, "delivery-changed", G_CALLBACK (delivery_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (pv_engine_get_store (self->engine), "changed",
                           G_CALLBACK (store_changed_cb), self, G_CONNECT_SWAPPED);
}

/* With the database open, what is left is the keyring, which may be asking to be unlocked:
 * the page says what the wait is for, and what to do. */
static void
update_loading_page (PvVerifyView *self)
{
  if (self->engine == NULL || pv_engine_get_store (self->engine) == NULL)
    return;

  adw_status_page_set_title (self->loading_page, _("Waiting for the Keyring…"));
  adw_status_page_set_description (self->loading_page,
                                   _("If your computer asks for a password to unlock the "
                                     "keyring, enter it to go on. PhoneVerify keeps the "
                                     "Twilio account there."));
}

/* Opening the database and reading the keyring usually take a blink: until then the form is
 * already there to type in, with Send Code waiting. Only a slow start (a keyring that asks
 * to be unlocked, a database on a slow disk) shows the spinner. */
static gboolean
slow_load_cb (gpointer user_data)
{
  PvVerifyView *self = user_data;

  self->slow_load_source = 0;
  if (pv_engine_get_state (self->engine) == PV_ENGINE_LOADING)
    {
      update_loading_page (self);
      gtk_stack_set_visible_child_name (self->steps, "loading");
    }

  return G_SOURCE_REMOVE;
}

static void
engine_state_changed_cb (PvVerifyView *self)
{
  PvEngineState state = pv_engine_get_state (self->engine);
  const char *problem = pv_engine_get_problem (self->engine);
  const char *page = gtk_stack_get_visible_child_name (self->steps);
  GtkStackTransitionType transition = gtk_stack_get_transition_type (self->steps);

  connect_verifier (self);

  /* Out of the provisional form at once: sliding away from a page never used would look like
   * a step of the flow. */
  if (self->slow_load_source != 0 && state != PV_ENGINE_LOADING)
    gtk_stack_set_transition_type (self->steps, GTK_STACK_TRANSITION_TYPE_NONE);
  g_clear_handle_id (&self->slow_load_source, g_source_remove);

  switch (state)
    {
    case PV_ENGINE_LOADING:
      if (page == NULL || g_str_equal (page, "loading"))
        {
          show_flow_page (self, "register");
          self->slow_load_source = g_timeout_add (SLOW_LOAD_MS, slow_load_cb, self);
        }
      break;

    case PV_ENGINE_NEEDS_ACCOUNT:
      gtk_stack_set_visible_child_name (self->steps, "setup");
      break;

    case PV_ENGINE_KEYRING_FAILED:
      {
        g_autofree char *description =
          /* Translators: %s explains what is wrong with the keyring */
          g_markup_printf_escaped (_("%s\n\nUntil the keyring can be used, no codes can be sent "
                                     "or checked. Customers can still be browsed."),
                                   problem != NULL ? problem : "");

        adw_status_page_set_description (self->keyring_failed_page, description);
        gtk_stack_set_visible_child_name (self->steps, "keyring-failed");
      }
      break;

    case PV_ENGINE_STORE_FAILED:
      {
        g_autofree char *description = g_markup_escape_text (problem != NULL ? problem : "", -1);

        adw_status_page_set_description (self->store_failed_page, description);
        gtk_stack_set_visible_child_name (self->steps, "store-failed");
      }
      break;

    case PV_ENGINE_READY:
    default:
      if (page == NULL || !(g_str_equal (page, "register") || g_str_equal (page, "verify")
                            || g_str_equal (page, "texts-us")
                            || g_str_equal (page, "verified")))
        show_flow_page (self, "register");
      break;
    }

  gtk_stack_set_transition_type (self->steps, transition);
  update_actions (self);
}

/* A refused number or name is explained under the form, like every problem there; its
 * field is marked too, for sight and for assistive technologies, until it is edited. */
static void
set_row_invalid (AdwEntryRow *row,
                 gboolean     invalid)
{
  if (invalid)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");

  gtk_accessible_update_state (GTK_ACCESSIBLE (row),
                               GTK_ACCESSIBLE_STATE_INVALID,
                               invalid ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);
}

static void
set_name_invalid (PvVerifyView *self,
                  gboolean      invalid)
{
  set_row_invalid (ADW_ENTRY_ROW (self->name_row), invalid);
}

static void
name_changed_cb (PvVerifyView *self)
{
  set_name_invalid (self, FALSE);
}

/* The country a national number is read in: the office's, unless changed for this one. */
static const char *
get_reading_country (PvVerifyView *self)
{
  const char *country = pv_country_row_get_country (self->country_row);

  return country != NULL ? country : PV_COUNTRY_FALLBACK;
}

/* Formats the number as it is typed ("030 1234567"), but only while typing at the end:
 * moving the text under a cursor in the middle would make editing it impossible. Runs once
 * the keystroke is complete: during "changed" the cursor has not moved past the new digit
 * yet, and the text field would put it back there after a replacement. */
static gboolean
format_as_typed (gpointer user_data)
{
  PvVerifyView *self = user_data;
  GtkEditable *editable = GTK_EDITABLE (self->phone_row);
  const char *text = gtk_editable_get_text (editable);
  g_autoptr(PvPhoneNumberFormatter) formatter = NULL;
  g_autofree char *formatted = NULL;

  self->format_source = 0;

  if (gtk_editable_get_position (editable) != (int) g_utf8_strlen (text, -1))
    return G_SOURCE_REMOVE;

  /* Leave alone what the formatter cannot keep: letters and such are explained on Send. */
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && !strchr ("+ -()./", *p))
      return G_SOURCE_REMOVE;

  formatter = pv_phone_number_formatter_new (get_reading_country (self));
  formatted = pv_phone_number_formatter_format (formatter, text);
  if (formatted[0] == '\0' || g_str_equal (formatted, text))
    return G_SOURCE_REMOVE;

  self->formatting = TRUE;
  gtk_editable_set_text (editable, formatted);
  gtk_editable_set_position (editable, -1);
  self->formatting = FALSE;

  return G_SOURCE_REMOVE;
}

static PvChannel
selected_channel (PvVerifyView *self)
{
  return adw_combo_row_get_selected (self->channel_row) == 1 ? PV_CHANNEL_CALL : PV_CHANNEL_SMS;
}

static void
phone_changed_cb (PvVerifyView *self);

static void
channel_changed_cb (PvVerifyView *self)
{
  if (self->setting_channel)
    return;

  self->channel_chosen = TRUE;
  phone_changed_cb (self);
}

static void
phone_changed_cb (PvVerifyView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->phone_row));
  g_autoptr(PvPhoneNumber) number = NULL;
  g_autofree char *hint = NULL;

  if (self->formatting)
    return;

  set_row_invalid (ADW_ENTRY_ROW (self->phone_row), FALSE);

  /* Before the next frame is drawn, so no unformatted text is ever seen. */
  if (self->format_source == 0)
    self->format_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE, format_as_typed, self, NULL);

  /* Show the number as it will be read, but do not nag while it is being typed: mistakes
   * are explained when Send Code is pressed. */
  if (self->engine != NULL)
    number = pv_phone_number_parse (text, get_reading_country (self), NULL);

  if (number != NULL && !self->channel_chosen)
    {
      self->setting_channel = TRUE;
      adw_combo_row_set_selected (self->channel_row,
                                  pv_verifier_propose_channel (self->verifier, number)
                                  == PV_CHANNEL_CALL ? 1 : 0);
      self->setting_channel = FALSE;
    }

  if (number != NULL)
    {
      g_autofree char *office = dup_office_country (self);
      g_autofree char *shown = pv_phone_number_format_for_display (number->e164, office);

      if (pv_phone_number_may_not_get_texts (number) && selected_channel (self) == PV_CHANNEL_CALL)
        /* Translators: a phone number, then its country */
        hint = g_strdup_printf (_("The code will be read out by a call to %s, %s: this looks "
                                  "like a landline."),
                                shown, pv_country_get_name (number->region));
      else if (pv_phone_number_may_not_get_texts (number))
        /* Translators: a phone number, then its country */
        hint = g_strdup_printf (_("The code will be sent to %s, %s. This looks like a "
                                  "landline: a text message may not arrive."),
                                shown, pv_country_get_name (number->region));
      else
        /* Translators: a phone number, then its country */
        hint = g_strdup_printf (_("The code will be sent to %s, %s"), shown,
                                pv_country_get_name (number->region));
    }

  gtk_label_set_label (self->normalized_label, hint != NULL ? hint : "");
  gtk_widget_set_visible (GTK_WIDGET (self->normalized_label), hint != NULL);
  update_actions (self);
}

static void
code_changed_cb (PvVerifyView *self)
{
  update_actions (self);
}

static void
register_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PvVerifyView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;

  /* Where to go next, and what to tell staff, arrive through the verifier's signals; only
   * which field was at fault comes from here. */
  number = pv_verifier_register_finish (PV_VERIFIER (object), result, &error);
  self->sending = FALSE;
  update_actions (self);
}

/* After a resend or a re-verification: their outcomes reach staff through the verifier's
 * signals, so both finish alike. */
static void
new_code_sent_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PvVerifyView) self = user_data;

  pv_verifier_resend_finish (PV_VERIFIER (object), result, NULL);
  self->sending = FALSE;
  update_actions (self);
  if (self->number != NULL)
    read_customer (self, self->number, show_code_step);
}

/* Both ways of starting from the Register step: one at a time, with the form's earlier
 * errors cleared. Returns FALSE while one is under way. */
static gboolean
begin_register (PvVerifyView *self,
                LastSend      kind)
{
  if (self->sending)
    return FALSE;

  self->sending = TRUE;
  self->last_send = kind;
  gtk_widget_set_visible (GTK_WIDGET (self->register_problem_label), FALSE);
  set_name_invalid (self, FALSE);
  set_row_invalid (ADW_ENTRY_ROW (self->phone_row), FALSE);
  update_actions (self);

  return TRUE;
}

/* Enter in either field sends, unless the action is disabled (empty number, already sending). */
static void
send_code_cb (PvVerifyView *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "verify.send-code", NULL);
}

static void
send_code_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PvVerifyView *self = PV_VERIFY_VIEW (widget);

  if (!begin_register (self, LAST_SEND_REGISTER))
    return;

  pv_verifier_register_in_country_async (self->verifier,
                                         gtk_editable_get_text (GTK_EDITABLE (self->phone_row)),
                                         get_reading_country (self),
                                         gtk_editable_get_text (GTK_EDITABLE (self->name_row)),
                                         /* Untouched, the verifier chooses as the row
                                          * did, or asks Twilio Lookup when the office
                                          * wants it. */
                                         self->channel_chosen ? selected_channel (self)
                                                              : PV_CHANNEL_NONE,
                                         self->cancellable,
                                         register_cb,
                                         g_object_ref (self));
}

static void
texts_us_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PvVerifyView) self = user_data;
  g_autoptr(PvTextsUs) texts_us = NULL;
  g_autoptr(PvPhoneNumber) customer = NULL;
  g_autofree char *customer_shown = NULL;
  g_autofree char *office_shown = NULL;
  const char *page;

  /* Why it failed reached staff through the verifier's ::update, at the fields. */
  texts_us = pv_verifier_texts_us_finish (PV_VERIFIER (object), result, NULL);
  self->sending = FALSE;
  update_actions (self);

  if (texts_us == NULL)
    return;

  /* Staff moved on while the code was made (Start Over, another customer picked in the
   * Customers view): nobody is left here to show it to. */
  page = gtk_stack_get_visible_child_name (self->steps);
  if (self->engine == NULL
      || !(g_strcmp0 (page, "register") == 0 || g_strcmp0 (page, "texts-us") == 0))
    {
      pv_verifier_stop_awaiting_text (PV_VERIFIER (object), texts_us->number);
      return;
    }

  /* The customer dials the office from their own phone: as a number of their own country
   * if it is one, in international form if not (a visitor's phone). */
  customer = pv_phone_number_parse (texts_us->number, get_reading_country (self), NULL);
  customer_shown = pv_engine_format_number (self->engine, texts_us->number);
  office_shown = pv_phone_number_format_for_display (texts_us->office_number,
                                                     customer != NULL ? customer->region : NULL);

  g_clear_pointer (&self->number, g_free);
  g_clear_handle_id (&self->cooldown_source, g_source_remove);
  pv_texts_us_page_set_clock (self->texts_us_page, pv_engine_get_clock (self->engine));
  pv_texts_us_page_show_code (self->texts_us_page, texts_us, customer_shown, office_shown);
  show_flow_page (self, "texts-us");
}

/* The same fields, read and refused the same way as for Send Code; the verifier makes a
 * code to show instead of one to send. */
static void
texts_us_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  PvVerifyView *self = PV_VERIFY_VIEW (widget);

  if (!begin_register (self, LAST_SEND_TEXTS_US))
    return;

  pv_verifier_texts_us_async (self->verifier,
                              gtk_editable_get_text (GTK_EDITABLE (self->phone_row)),
                              get_reading_country (self),
                              gtk_editable_get_text (GTK_EDITABLE (self->name_row)),
                              self->cancellable,
                              texts_us_cb,
                              g_object_ref (self));
}

/* Escape means back only where there is a step to go back from; elsewhere it is left to
 * whatever else takes it. */
static void
step_changed_cb (PvVerifyView *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->steps);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "verify.back",
                                 g_strcmp0 (page, "verify") == 0 ||
                                 g_strcmp0 (page, "texts-us") == 0);
}

/* Escape: from the code step, or the customer texting us, back to the form as it was
 * typed. The code stays valid: Send Code again finds it and comes back to the code step. */
static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  PvVerifyView *self = PV_VERIFY_VIEW (widget);
  const char *page = gtk_stack_get_visible_child_name (self->steps);

  if (g_strcmp0 (page, "texts-us") == 0)
    stop_texts_us (self);
  else if (g_strcmp0 (page, "verify") == 0)
    g_clear_handle_id (&self->cooldown_source, g_source_remove);
  else
    return;

  g_clear_pointer (&self->number, g_free);
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
  show_flow_page (self, "register");
  update_actions (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->phone_row));
}

/* Back to the form as it was typed, to send a code instead or to correct the number. */
static void
stop_texts_us_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  PvVerifyView *self = PV_VERIFY_VIEW (widget);

  stop_texts_us (self);
  show_flow_page (self, "register");
  update_actions (self);
}

static void
verify_cb (PvVerifyView *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "verify.verify", NULL);
}

typedef struct
{
  PvVerifyView *self;
  GCancellable *cancellable;  /* the view's when the code was checked */
} CodeCheck;

static void
code_checked_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CodeCheck *check = user_data;
  PvVerifyView *self = check->self;
  g_autoptr(GError) error = NULL;
  guint attempts_left = 0;
  gboolean verified;

  /* Staff are told the outcome through the verifier's signals, verified or not; only the
   * code field is left to do. */
  verified = pv_verifier_verify_finish (PV_VERIFIER (object), result, &attempts_left, &error);
  if (!g_cancellable_is_cancelled (check->cancellable))
    {
      self->checking = FALSE;

      /* Verified: the Verified step follows once the customer is read, and meanwhile
       * nothing is left to press Enter on again. */
      if (verified)
        gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
      update_actions (self);

      if (!verified &&
          (g_error_matches (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_WRONG_CODE) ||
           g_error_matches (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_LOCKED)))
        {
          show_attempts_left (self, attempts_left);
          gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
          gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
        }
    }

  g_object_unref (check->cancellable);
  g_object_unref (check->self);
  g_free (check);
}

static void
verify_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PvVerifyView *self = PV_VERIFY_VIEW (widget);
  CodeCheck *check;

  /* One check at a time: pressing Enter twice would use two attempts. */
  if (self->checking || self->number == NULL)
    return;

  check = g_new0 (CodeCheck, 1);
  check->self = g_object_ref (self);
  check->cancellable = g_object_ref (self->cancellable);
  self->checking = TRUE;
  update_actions (self);

  pv_verifier_verify_async (self->verifier, self->number, NULL,
                            gtk_editable_get_text (GTK_EDITABLE (self->code_row)),
                            self->cancellable, code_checked_cb, check);
}

static void
resend_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PvVerifyView *self = PV_VERIFY_VIEW (widget);

  if (self->sending || self->number == NULL)
    return;

  self->sending = TRUE;
  self->last_send = LAST_SEND_RESEND;
  if (g_str_equal (action_name, "verify.switch-channel"))
    self->resend_channel = self->channel == PV_CHANNEL_CALL ? PV_CHANNEL_SMS : PV_CHANNEL_CALL;
  else
    self->resend_channel = self->channel;
  update_actions (self);

  pv_verifier_send_again_async (self->verifier, self->number, self->resend_channel,
                                self->cancellable, new_code_sent_cb, g_object_ref (self));
}

/* A country changed for one number applies to that number only. */
static void
reset_reading_country (PvVerifyView *self)
{
  g_autofree char *office = NULL;

  if (self->engine == NULL)
    return;

  office = dup_office_country (self);
  pv_country_row_set_country (self->country_row, office[0] != '\0' ? office : PV_COUNTRY_FALLBACK);
}

static void
start_over_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  PvVerifyView *self = PV_VERIFY_VIEW (widget);

  /* A send still in flight finishes on its own; only its outcome is no longer shown here. */
  stop_texts_us (self);
  g_clear_pointer (&self->number, g_free);
  g_clear_handle_id (&self->cooldown_source, g_source_remove);
  gtk_editable_set_text (GTK_EDITABLE (self->phone_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
  self->channel_chosen = FALSE;
  self->setting_channel = TRUE;
  adw_combo_row_set_selected (self->channel_row, 0);
  self->setting_channel = FALSE;
  reset_reading_country (self);
  set_name_invalid (self, FALSE);
  set_row_invalid (ADW_ENTRY_ROW (self->phone_row), FALSE);
  show_flow_page (self, "register");
  update_actions (self);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PvVerifyView *self = PV_VERIFY_VIEW (widget);

  pv_engine_load (self->engine);
}

/**
 * pv_verify_view_prepare:
 * @number: the number to send a code to
 * @name: (nullable): the customer's name
 *
 * Goes back to the register step with @number and @name filled in, ready to send.
 */
void
pv_verify_view_prepare (PvVerifyView *self,
                        const char   *number,
                        const char   *name)
{
  g_return_if_fail (PV_IS_VERIFY_VIEW (self));

  start_over_action (GTK_WIDGET (self), NULL, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->phone_row), number != NULL ? number : "");
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name != NULL ? name : "");
  if (g_str_equal (gtk_stack_get_visible_child_name (self->steps), "register"))
    gtk_widget_grab_focus (GTK_WIDGET (self->send_button));
}

/**
 * pv_verify_view_retry:
 *
 * Repeats the last send, for a toast's Retry button.
 */
void
pv_verify_view_retry (PvVerifyView *self)
{
  g_return_if_fail (PV_IS_VERIFY_VIEW (self));

  if (self->last_send == LAST_SEND_RESEND && self->number != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "verify.resend", NULL);
  else if (self->last_send == LAST_SEND_VERIFY_AGAIN && self->number != NULL)
    pv_verify_view_verify_again (self, self->number, NULL);
  else if (self->last_send == LAST_SEND_REGISTER)
    send_code_cb (self);
  else if (self->last_send == LAST_SEND_TEXTS_US)
    gtk_widget_activate_action (GTK_WIDGET (self), "verify.texts-us", NULL);
}

/**
 * pv_verify_view_verify_again:
 * @number: an E.164 number, usually of a verified customer
 * @name: (nullable): the customer's name, shown while the code goes out
 *
 * Sends @number a new code at once (see pv_verifier_verify_again_async()): on to the code
 * step once it is sent; the register step shows the number meanwhile, and stays if the
 * send is refused, with the verifier's update saying why.
 */
void
pv_verify_view_verify_again (PvVerifyView *self,
                             const char   *number,
                             const char   *name)
{
  g_autofree char *kept = g_strdup (number);

  g_return_if_fail (PV_IS_VERIFY_VIEW (self));
  g_return_if_fail (number != NULL);

  if (self->sending || self->verifier == NULL)
    return;

  start_over_action (GTK_WIDGET (self), NULL, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->phone_row), kept);
  if (name != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
  self->number = g_steal_pointer (&kept);
  self->sending = TRUE;
  self->last_send = LAST_SEND_VERIFY_AGAIN;
  update_actions (self);

  pv_verifier_verify_again_async (self->verifier, self->number, self->cancellable,
                                  new_code_sent_cb, g_object_ref (self));
}

/**
 * pv_verify_view_verify_again_typed:
 *
 * Verifies the number on the register step again, for the toast that says it is already
 * verified. The number is read as the form reads it, in the country chosen there.
 */
void
pv_verify_view_verify_again_typed (PvVerifyView *self)
{
  g_autoptr(PvPhoneNumber) number = NULL;
  g_autofree char *name = NULL;

  g_return_if_fail (PV_IS_VERIFY_VIEW (self));

  number = pv_phone_number_parse (gtk_editable_get_text (GTK_EDITABLE (self->phone_row)),
                                  get_reading_country (self), NULL);
  if (number == NULL)
    return;

  name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row)));
  pv_verify_view_verify_again (self, number->e164, name[0] != '\0' ? name : NULL);
}

/**
 * pv_verify_view_shows_form:
 *
 * Returns: whether the register step is shown, where problems with the number or the name
 *   are shown at their fields
 */
gboolean
pv_verify_view_shows_form (PvVerifyView *self)
{
  g_return_val_if_fail (PV_IS_VERIFY_VIEW (self), FALSE);

  return g_strcmp0 (gtk_stack_get_visible_child_name (self->steps), "register") == 0;
}

/**
 * pv_verify_view_edit:
 *
 * Goes back to the register step with what was typed, the number focused, to correct it.
 */
void
pv_verify_view_edit (PvVerifyView *self)
{
  g_return_if_fail (PV_IS_VERIFY_VIEW (self));

  if (!pv_verify_view_shows_form (self))
    show_flow_page (self, "register");
  gtk_widget_grab_focus (GTK_WIDGET (self->phone_row));
}

void
pv_verify_view_resend (PvVerifyView *self)
{
  g_return_if_fail (PV_IS_VERIFY_VIEW (self));

  gtk_widget_activate_action (GTK_WIDGET (self), "verify.resend", NULL);
}

/**
 * pv_verify_view_get_resend_wait:
 *
 * Returns: how many seconds until the code step can send again, 0 when it can now
 */
guint
pv_verify_view_get_resend_wait (PvVerifyView *self)
{
  gint64 wait;

  g_return_val_if_fail (PV_IS_VERIFY_VIEW (self), 0);

  wait = self->resend_ready_at - g_get_monotonic_time ();
  if (self->number == NULL || wait <= 0)
    return 0;

  return (guint) ((wait + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

/**
 * pv_verify_view_switch_channel:
 *
 * Sends the same code on the other channel: a call after a text, a text after a call.
 */
void
pv_verify_view_switch_channel (PvVerifyView *self)
{
  g_return_if_fail (PV_IS_VERIFY_VIEW (self));

  gtk_widget_activate_action (GTK_WIDGET (self), "verify.switch-channel", NULL);
}

void
pv_verify_view_start_over (PvVerifyView *self)
{
  g_return_if_fail (PV_IS_VERIFY_VIEW (self));

  gtk_widget_activate_action (GTK_WIDGET (self), "verify.start-over", NULL);
}

PvEngine *
pv_verify_view_get_engine (PvVerifyView *self)
{
  g_return_val_if_fail (PV_IS_VERIFY_VIEW (self), NULL);

  return self->engine;
}

void
pv_verify_view_set_engine (PvVerifyView *self,
                           PvEngine     *engine)
{
  g_return_if_fail (PV_IS_VERIFY_VIEW (self));
  g_return_if_fail (engine == NULL || PV_IS_ENGINE (engine));
  g_return_if_fail (self->engine == NULL);

  if (engine == NULL)
    return;

  self->engine = g_object_ref (engine);
  g_signal_connect_object (engine, "notify::store", G_CALLBACK (update_loading_page), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (engine, "notify::state", G_CALLBACK (engine_state_changed_cb), self,
                           G_CONNECT_SWAPPED);
  /* The office moved: numbers not yet sent are read in the new country. */
  g_signal_connect_object (pv_engine_get_settings (engine), "changed::default-country",
                           G_CALLBACK (reset_reading_country), self, G_CONNECT_SWAPPED);
  reset_reading_country (self);
  engine_state_changed_cb (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE]);
}

/* Closing the window cancels what is in flight, and the verifier puts the store back as it
 * was. This cannot wait for dispose: the request's own callback holds a reference to the
 * view until the request ends. */
static void
pv_verify_view_unroot (GtkWidget *widget)
{
  PvVerifyView *self = PV_VERIFY_VIEW (widget);

  stop_texts_us (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->checking = FALSE;

  GTK_WIDGET_CLASS (pv_verify_view_parent_class)->unroot (widget);
}

static void
pv_verify_view_dispose (GObject *object)
{
  PvVerifyView *self = (PvVerifyView *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->cooldown_source, g_source_remove);
  g_clear_handle_id (&self->format_source, g_source_remove);
  g_clear_handle_id (&self->slow_load_source, g_source_remove);
  g_clear_object (&self->verifier);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (pv_verify_view_parent_class)->dispose (object);
}

static void
pv_verify_view_finalize (GObject *object)
{
  PvVerifyView *self = (PvVerifyView *) object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->number, g_free);

  G_OBJECT_CLASS (pv_verify_view_parent_class)->finalize (object);
}

static void
pv_verify_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PvVerifyView *self = PV_VERIFY_VIEW (object);

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
pv_verify_view_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  PvVerifyView *self = PV_VERIFY_VIEW (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      pv_verify_view_set_engine (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_verify_view_class_init (PvVerifyViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  g_type_ensure (PV_TYPE_COUNTRY_ROW);
  g_type_ensure (PV_TYPE_TEXTS_US_PAGE);

  object_class->dispose = pv_verify_view_dispose;
  object_class->finalize = pv_verify_view_finalize;
  object_class->get_property = pv_verify_view_get_property;
  object_class->set_property = pv_verify_view_set_property;

  widget_class->unroot = pv_verify_view_unroot;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL,
                         PV_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/ui/pv-verify-view.ui");
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, another_button);
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, attempts_label);
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, code_row);
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, delivery_icon);
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, delivery_label);
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, keyring_failed_page);
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, name_row);
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, normalized_label);
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, phone_row);
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, country_row);
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, register_problem_label);
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, loading_page);
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, resend_button);
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, switch_button);
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, channel_row);
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, send_button);
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, send_spinner);
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, steps);
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, store_failed_page);
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, texts_us_button);
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, texts_us_page);
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, texts_us_spinner);
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, verified_page);
  gtk_widget_class_bind_template_child (widget_class, PvVerifyView, verify_title);
  gtk_widget_class_bind_template_callback (widget_class, code_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, name_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, phone_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, channel_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, send_code_cb);
  gtk_widget_class_bind_template_callback (widget_class, verify_cb);

  gtk_widget_class_install_action (widget_class, "verify.send-code", NULL, send_code_action);
  gtk_widget_class_install_action (widget_class, "verify.texts-us", NULL, texts_us_action);
  gtk_widget_class_install_action (widget_class, "verify.stop-texts-us", NULL,
                                   stop_texts_us_action);
  gtk_widget_class_install_action (widget_class, "verify.verify", NULL, verify_action);
  gtk_widget_class_install_action (widget_class, "verify.resend", NULL, resend_action);
  gtk_widget_class_install_action (widget_class, "verify.switch-channel", NULL, resend_action);
  gtk_widget_class_install_action (widget_class, "verify.start-over", NULL, start_over_action);
  gtk_widget_class_install_action (widget_class, "verify.back", NULL, back_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "verify.back", NULL);
  gtk_widget_class_install_action (widget_class, "verify.reload", NULL, reload_action);
}

static void
pv_verify_view_init (PvVerifyView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  pv_stack_defer_status_icons (self->steps);
  g_signal_connect_object (self->steps, "notify::visible-child-name",
                           G_CALLBACK (step_changed_cb), self, G_CONNECT_SWAPPED);
  step_changed_cb (self);

  self->cancellable = g_cancellable_new ();
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->send_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Send Code"),
                                  -1);
  /* A box, not a label, is the button's child: its name is said here. The tooltip is its
   * description. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->texts_us_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Customer Texts Us"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("The customer texts a code to the office: nothing is "
                                    "sent to them"),
                                  -1);
  gtk_widget_set_visible (GTK_WIDGET (self->normalized_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->register_problem_label), FALSE);
  update_actions (self);
}
