/* fuzz-mail.c - libFuzzer target for the parse-and-sanitize entry point
 * of the mail engine (kj_mail_sanitize, in process), and the round trip
 * of its result across the sandbox wire format.  Seeds: examples/mail and
 * ../shared/corpus/mail (tests/fuzz/fuzz-mail.seeds). */
#include "mime/mail.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static KjMailProfile *profile;
	KjMailResult *r = NULL;

	if (profile == NULL) {
		kj_mail_global_init();
		profile = kj_mail_profile_new("default", NULL);
		/* Small limits find limit-path bugs faster and keep runs short. */
		profile->limits.max_message_bytes = 1024 * 1024;
		profile->limits.max_decoded_bytes = 4 * 1024 * 1024;
	}
	GBytes *raw = g_bytes_new_static(data, size);
	if (kj_mail_sanitize(raw, profile, size % 2 ? "Q-fuzz" : NULL, &r, NULL)) {
		GBytes *wire = kj_mail_result_serialize(r);
		KjMailResult *back = kj_mail_result_deserialize(wire, NULL);
		if (back == NULL)
			__builtin_trap();
		kj_mail_result_free(back);
		g_bytes_unref(wire);
		kj_mail_result_free(r);
	}
	g_bytes_unref(raw);
	return 0;
}
