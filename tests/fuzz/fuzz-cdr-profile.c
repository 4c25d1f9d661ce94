/* fuzz-cdr-profile - the file profile (YAML) parser on arbitrary bytes. */
#include "cdr/cdr.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GError *error = NULL;
	KjCdrProfile *p =
	    kj_cdr_profile_new_from_data("fuzz.yaml", (const char *)data, size, NULL, &error);

	g_assert((p == NULL) != (error == NULL));
	g_clear_error(&error);
	kj_cdr_profile_free(p);
	return 0;
}
