/* pv-release-notes.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The newest release's notes, read from the metainfo the software store shows, for the
 * About window: one text, kept in one place. (libadwaita reads them itself only from 1.4
 * on.) The metainfo has each paragraph and item once untranslated, followed by its
 * translations with an xml:lang each; the best one for the user's languages is kept. */

#include "config.h"

#include <string.h>

#include "pv-release-notes.h"

typedef struct
{
  const char * const *languages;
  int          release_depth;  /* inside the first <release>: its depth, else 0 */
  gboolean     in_description;
  gboolean     done;
  int          depth;
  char        *version;
  GString     *notes;
  /* The paragraph or item being read, and the best version of it so far. */
  char        *element;
  GString     *text;
  int          text_rank;      /* of the text being read: lower is better, -1 to skip */
  char        *best;
  int          best_rank;
  const char  *best_element;
} Reader;

/* Where @lang stands in the user's languages: 0 the first; untranslated text comes last. */
static int
rank_language (Reader     *reader,
               const char *lang)
{
  for (int i = 0; reader->languages[i] != NULL; i++)
    if (lang != NULL && g_str_equal (reader->languages[i], lang))
      return i;

  if (lang == NULL)
    return G_MAXINT / 2;

  return -1;
}

static void
flush_best (Reader *reader)
{
  if (reader->best != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (reader->best, -1);

      g_string_append_printf (reader->notes, "<%s>%s</%s>", reader->best_element, escaped,
                              reader->best_element);
    }
  g_clear_pointer (&reader->best, g_free);
  reader->best_rank = G_MAXINT;
}

static void
start_element (GMarkupParseContext  *context,
               const char           *name,
               const char          **attribute_names,
               const char          **attribute_values,
               gpointer              user_data,
               GError              **error)
{
  Reader *reader = user_data;
  const char *lang = NULL;

  reader->depth++;
  if (reader->done)
    return;

  if (reader->release_depth == 0 && g_str_equal (name, "release"))
    {
      for (int i = 0; attribute_names[i] != NULL; i++)
        if (g_str_equal (attribute_names[i], "version"))
          reader->version = g_strdup (attribute_values[i]);
      reader->release_depth = reader->depth;
      return;
    }

  if (reader->release_depth == 0)
    return;

  if (g_str_equal (name, "description"))
    {
      reader->in_description = TRUE;
      return;
    }

  if (!reader->in_description)
    return;

  for (int i = 0; attribute_names[i] != NULL; i++)
    if (g_str_equal (attribute_names[i], "xml:lang"))
      lang = attribute_values[i];

  if (g_str_equal (name, "p") || g_str_equal (name, "li"))
    {
      /* An untranslated one starts the next paragraph or item. */
      if (lang == NULL)
        flush_best (reader);
      reader->text = g_string_new (NULL);
      reader->text_rank = rank_language (reader, lang);
      reader->best_element = g_str_equal (name, "p") ? "p" : "li";
    }
  else if (g_str_equal (name, "ul") || g_str_equal (name, "ol"))
    {
      flush_best (reader);
      g_string_append_printf (reader->notes, "<%s>", name);
    }
}

static void
end_element (GMarkupParseContext  *context,
             const char           *name,
             gpointer              user_data,
             GError              **error)
{
  Reader *reader = user_data;

  reader->depth--;
  if (reader->done || reader->release_depth == 0)
    return;

  if (reader->depth < reader->release_depth)
    {
      reader->done = TRUE;
      return;
    }

  if (g_str_equal (name, "description"))
    {
      flush_best (reader);
      reader->in_description = FALSE;
    }
  else if (reader->text != NULL && (g_str_equal (name, "p") || g_str_equal (name, "li")))
    {
      if (reader->text_rank >= 0 && reader->text_rank < reader->best_rank)
        {
          g_free (reader->best);
          reader->best = g_strstrip (g_string_free (reader->text, FALSE));
          reader->best_rank = reader->text_rank;
        }
      else
        {
          g_string_free (reader->text, TRUE);
        }
      reader->text = NULL;
    }
  else if (reader->in_description && (g_str_equal (name, "ul") || g_str_equal (name, "ol")))
    {
      flush_best (reader);
      g_string_append_printf (reader->notes, "</%s>", name);
    }
}

static void
text (GMarkupParseContext  *context,
      const char           *text,
      gsize                 length,
      gpointer              user_data,
      GError              **error)
{
  Reader *reader = user_data;

  if (reader->text != NULL)
    g_string_append_len (reader->text, text, length);
}

/**
 * pv_release_notes_from_metainfo:
 * @metainfo: the metainfo XML
 * @languages: the user's languages, best first, as g_get_language_names() gives them
 * @version: (out) (optional): return location for the release's version
 *
 * Returns: (transfer full) (nullable): the newest release's notes as AppStream description
 *   markup (<p>, <ul>, <li>), in the best of @languages each paragraph has; %NULL if the
 *   metainfo has no release notes or cannot be read
 */
char *
pv_release_notes_from_metainfo (const char          *metainfo,
                                const char * const  *languages,
                                char               **version)
{
  const GMarkupParser parser = { start_element, end_element, text, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  Reader reader = { .languages = languages, .best_rank = G_MAXINT };
  g_autofree char *notes = NULL;
  gboolean parsed;

  g_return_val_if_fail (metainfo != NULL, NULL);
  g_return_val_if_fail (languages != NULL, NULL);

  reader.notes = g_string_new (NULL);
  context = g_markup_parse_context_new (&parser, G_MARKUP_TREAT_CDATA_AS_TEXT, &reader, NULL);
  parsed = g_markup_parse_context_parse (context, metainfo, -1, NULL) &&
           g_markup_parse_context_end_parse (context, NULL);

  if (reader.text != NULL)
    g_string_free (reader.text, TRUE);
  g_free (reader.best);
  notes = g_string_free (reader.notes, FALSE);

  if (!parsed || notes[0] == '\0')
    {
      g_free (reader.version);
      return NULL;
    }

  if (version != NULL)
    *version = reader.version;
  else
    g_free (reader.version);

  return g_steal_pointer (&notes);
}
