/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the cmocka suites: hex test vectors, byte patterns,
 * and an assertion that prints crypto error names. Include after cmocka.h.
 */
#ifndef S2SVPN_IKED_TESTUTIL_H
#define S2SVPN_IKED_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* Hex (spaces allowed) into @out; fails the test on a bad digit or overflow. */
static inline size_t unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v = 0;

		if (*hex == ' ')
			continue;
		if (*hex >= '0' && *hex <= '9')
			v = *hex - '0';
		else if (*hex >= 'a' && *hex <= 'f')
			v = *hex - 'a' + 10;
		else if (*hex >= 'A' && *hex <= 'F')
			v = *hex - 'A' + 10;
		else
			fail_msg("bad hex digit '%c'", *hex);
		if (hi < 0) {
			hi = v;
			continue;
		}
		assert_true(n < max);
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	assert_int_equal(hi, -1);
	return n;
}

/* @n bytes start, start + step, ... */
static inline void pat(uint8_t *b, size_t n, unsigned int start, unsigned int step)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(start + i * step);
}

#define assert_rc(expr, want)                                                              \
	do {                                                                               \
		int rc_ = (expr);                                                          \
		if (rc_ != (want))                                                         \
			fail_msg("%s = %d (%s), want %d (%s)", #expr, rc_,                 \
				 ike_crypto_strerror(rc_), (want), ike_crypto_strerror(want)); \
	} while (0)

#endif /* S2SVPN_IKED_TESTUTIL_H */
