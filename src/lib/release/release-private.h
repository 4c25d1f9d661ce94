/* release-private.h - helpers shared by release.c, exchange.c and mail.c. */
#ifndef KJ_RELEASE_PRIVATE_H
#define KJ_RELEASE_PRIVATE_H

#include "store/db.h"

#include <jansson.h>

/* A JSON string, or null for NULL. */
json_t *_kj_release_nullable(const char *s);

/* One JSON object from a row: member i is named names[i] and typed by
 * kinds[i]: 't' text, 'i' integer, 'j' JSON text parsed (null when it
 * does not parse); a NULL column is null whatever its kind. */
json_t *_kj_release_row_json(const KjDbRow *row, const char *const *names, const char *kinds);

#endif
