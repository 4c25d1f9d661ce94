/* fuzz-config - the kyojin.yaml parser on arbitrary bytes. */
#include "config/config.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	KjConfig *cfg = kj_config_new();
	GError *error = NULL;

	kj_config_load_data(cfg, "fuzz.yaml", (const char *)data, size, &error);
	g_clear_error(&error);
	kj_config_free(cfg);
	return 0;
}
