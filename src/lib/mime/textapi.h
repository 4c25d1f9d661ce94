/* textapi.h - the parts of the text module (src/lib/text) the mail
 * engine uses: charset decoding, HTML to text, URL and control-character
 * neutralisation. */
#ifndef KJ_MIME_TEXTAPI_H
#define KJ_MIME_TEXTAPI_H

#include "text/charset.h"
#include "text/html.h"
#include "text/text.h"
#include "text/url.h"

#endif
