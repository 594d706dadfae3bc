// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the message builder (msg_build.c): the bytes it writes
 * for chaining and lengths, the sticky error, its size limits, and the SK
 * payload. Payload round trips through the parser are in test_msg.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "msg.h"

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) << 16 | rd16(p + 2);
}

static const struct ike_hdr hdr = {
	.spi_i = 0x0102030405060708ULL, .spi_r = 0x1112131415161718ULL,
	.exchange = IKE_CREATE_CHILD_SA, .flags = IKE_FLAG_RESPONSE, .msg_id = 0x01020304,
};

static void test_header_and_chaining(void **state)
{
	static const uint8_t want_hdr[IKE_HDR_LEN] = {
		1, 2, 3, 4, 5, 6, 7, 8, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
		IKE_PL_NONCE, IKE_VERSION, IKE_CREATE_CHILD_SA, IKE_FLAG_RESPONSE,
		1, 2, 3, 4, 0, 0, 0, 28 + 20 + 12 + 4,
	};
	uint8_t nonce[16] = { 0 }, ke[4] = { 9, 9, 9, 9 };
	struct ike_buf b;

	(void)state;
	ike_buf_init(&b);
	ike_build_msg(&b, &hdr);
	assert_int_equal(b.len, IKE_HDR_LEN);
	ike_add_nonce(&b, nonce, sizeof(nonce));
	ike_add_ke(&b, &(struct ike_ke_pl){ .group = IKE_DH_CURVE25519, .data = ke, .len = 4 });
	ike_add_vendor(&b, NULL, 0);
	assert_int_equal(ike_build_finish(&b), 0);
	assert_int_equal(b.len, 28 + 20 + 12 + 4);
	assert_memory_equal(b.data, want_hdr, IKE_HDR_LEN);
	assert_int_equal(b.first, IKE_PL_NONCE);
	/* Each payload's Next Payload names the one after it; the last says NONE. */
	assert_int_equal(b.data[28], IKE_PL_KE);
	assert_int_equal(b.data[28 + 1], 0);
	assert_int_equal(rd16(b.data + 28 + 2), 20);
	assert_int_equal(b.data[48], IKE_PL_VENDOR);
	assert_int_equal(rd16(b.data + 48 + 2), 12);
	assert_int_equal(rd16(b.data + 48 + 4), IKE_DH_CURVE25519);
	assert_int_equal(b.data[60], IKE_PL_NONE);
	assert_int_equal(rd16(b.data + 60 + 2), 4);
	ike_buf_free(&b);
	assert_null(b.data);
}

static void test_inner_chain(void **state)
{
	uint8_t auth[8] = { 0 };
	struct ike_buf b;

	(void)state;
	ike_buf_init(&b);
	ike_build_chain(&b);
	assert_int_equal(b.first, IKE_PL_NONE);
	ike_add_auth(&b, &(struct ike_auth_pl){ .method = IKE_AUTH_SHARED_KEY_MIC, .data = auth,
						.len = sizeof(auth) });
	ike_add_notify(&b, &(struct ike_notify_pl){ .type = IKE_N_INITIAL_CONTACT });
	assert_int_equal(ike_build_finish(&b), 0);
	/* No header: the chain starts at 0, its first type is for SK to carry. */
	assert_int_equal(b.first, IKE_PL_AUTH);
	assert_int_equal(b.len, 4 + 4 + 8 + 4 + 4);
	assert_int_equal(b.data[0], IKE_PL_NOTIFY);
	assert_int_equal(rd16(b.data + 2), 16);
	assert_int_equal(b.data[4], IKE_AUTH_SHARED_KEY_MIC);
	assert_int_equal(b.data[16], IKE_PL_NONE);
	assert_int_equal(rd16(b.data + 16 + 6), IKE_N_INITIAL_CONTACT);

	/* Restarting forgets the previous chain. */
	ike_build_chain(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.first, IKE_PL_NONE);
	ike_buf_free(&b);
}

static void test_sk(void **state)
{
	uint8_t body[32];
	struct ike_msg_err err;
	struct ike_msg m;
	struct ike_buf b;
	uint8_t *at;

	(void)state;
	memset(body, 0x5a, sizeof(body));
	ike_buf_init(&b);
	ike_build_msg(&b, &hdr);
	ike_add_notify(&b, &(struct ike_notify_pl){ .type = IKE_N_COOKIE, .data = body,
						    .len = 8 });
	at = ike_add_sk(&b, IKE_PL_IDR, NULL, 40);
	assert_non_null(at);
	assert_ptr_equal(at, b.data + 28 + 16 + 4);
	assert_int_equal(b.data[28], IKE_PL_SK);	/* the notify points at SK */
	assert_int_equal(b.data[44], IKE_PL_IDR);	/* SK points into its body */
	assert_int_equal(ike_build_finish(&b), 0);
	assert_int_equal(rd32(b.data + 24), b.len);
	/* The body is zeroed and writable in place, after the length is final. */
	assert_int_equal(at[0], 0);
	assert_int_equal(at[39], 0);
	memcpy(at, body, sizeof(body));
	assert_int_equal(ike_msg_parse(b.data, b.len, &m, &err), 0);
	assert_int_equal(ike_msg_sk(&m)->next, IKE_PL_IDR);
	assert_memory_equal(ike_msg_sk(&m)->body, body, sizeof(body));

	/* Nothing may follow SK. */
	ike_add_vendor(&b, body, 4);
	assert_int_equal(ike_build_finish(&b), -1);

	/* A caller-provided body is copied. */
	ike_build_msg(&b, &hdr);
	at = ike_add_sk(&b, IKE_PL_DELETE, body, sizeof(body));
	assert_non_null(at);
	assert_memory_equal(at, body, sizeof(body));
	assert_int_equal(ike_build_finish(&b), 0);
	assert_int_equal(b.data[16], IKE_PL_SK);
	ike_buf_free(&b);
}

static void test_sticky_error(void **state)
{
	uint8_t nonce[300] = { 0 };
	struct ike_buf b;

	(void)state;
	ike_buf_init(&b);
	ike_build_msg(&b, &hdr);
	ike_add_nonce(&b, nonce, 15);	/* RFC 7296 2.10: at least 16 */
	ike_add_nonce(&b, nonce, 16);
	assert_true(b.error);
	assert_int_equal(ike_build_finish(&b), -1);
	assert_null(ike_add_sk(&b, IKE_PL_IDI, NULL, 16));

	/* A new message starts clean. */
	ike_build_msg(&b, &hdr);
	ike_add_nonce(&b, nonce, 256);
	assert_int_equal(ike_build_finish(&b), 0);
	ike_add_nonce(&b, nonce, 257);
	assert_int_equal(ike_build_finish(&b), -1);

	/* Each builder refuses what it cannot encode. */
	ike_build_chain(&b);
	ike_add_id(&b, IKE_PL_AUTH, &(struct ike_id_pl){ .type = IKE_ID_FQDN,
							  .data = nonce, .len = 1 });
	assert_int_equal(ike_build_finish(&b), -1);
	ike_build_chain(&b);
	ike_add_ts(&b, IKE_PL_TSI, &(struct ike_ts){ .type = 9 }, 1);
	assert_int_equal(ike_build_finish(&b), -1);
	ike_build_chain(&b);
	ike_add_ts(&b, IKE_PL_TSR, NULL, 0);
	assert_int_equal(ike_build_finish(&b), -1);
	ike_build_chain(&b);
	ike_add_notify(&b, &(struct ike_notify_pl){ .spi_size = 9 });
	assert_int_equal(ike_build_finish(&b), -1);
	ike_build_chain(&b);
	ike_add_sa(&b, NULL, 0);
	assert_int_equal(ike_build_finish(&b), -1);
	ike_build_chain(&b);
	ike_add_sa(&b, &(struct ike_proposal){ .num = 1, .spi_size = 9 }, 1);
	assert_int_equal(ike_build_finish(&b), -1);
	ike_build_chain(&b);
	ike_add_ke(&b, &(struct ike_ke_pl){ .group = IKE_DH_ECP_256 });
	assert_int_equal(ike_build_finish(&b), -1);
	ike_buf_free(&b);
}

static void test_size_limits(void **state)
{
	uint8_t *big = calloc(1, IKE_BUF_MAX);
	struct ike_buf b;

	(void)state;
	assert_non_null(big);
	ike_buf_init(&b);
	/* The largest payload body: 65535 minus its 4-byte header. */
	ike_build_chain(&b);
	ike_add_vendor(&b, big, 65531);
	assert_int_equal(ike_build_finish(&b), 0);
	assert_int_equal(rd16(b.data + 2), 65535);
	ike_build_chain(&b);
	ike_add_vendor(&b, big, 65532);
	assert_int_equal(ike_build_finish(&b), -1);

	/* Whole messages stop at IKE_BUF_MAX. */
	ike_build_msg(&b, &hdr);
	ike_add_vendor(&b, big, 40000);
	assert_int_equal(ike_build_finish(&b), 0);
	ike_add_vendor(&b, big, 40000);
	assert_int_equal(ike_build_finish(&b), -1);
	assert_true(b.cap <= IKE_BUF_MAX);
	ike_build_msg(&b, &hdr);
	ike_add_vendor(&b, big, 30000);
	ike_add_vendor(&b, big, IKE_BUF_MAX - IKE_HDR_LEN - 30004 - 4);
	assert_int_equal(ike_build_finish(&b), 0);
	assert_int_equal(b.len, IKE_BUF_MAX);
	ike_add_vendor(&b, NULL, 0);	/* one byte too many, even empty */
	assert_int_equal(ike_build_finish(&b), -1);
	ike_buf_free(&b);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_and_chaining),
		cmocka_unit_test(test_inner_chain),
		cmocka_unit_test(test_sk),
		cmocka_unit_test(test_sticky_error),
		cmocka_unit_test(test_size_limits),
	};

	return cmocka_run_group_tests_name("msg_build", tests, NULL, NULL);
}
