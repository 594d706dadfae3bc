// SPDX-License-Identifier: GPL-2.0
/*
 * net.c over loopback: RFC 3948 framing both ways, keepalives, junk, the
 * local address of received datagrams, IPv4 and IPv6.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "ike.h"
#include "net.h"

struct ctx {
	struct ike_net n;
	int peer;			/* a plain UDP socket: the other side */
	struct sockaddr_storage peer_addr;
	int family;
};

static void loopback(int family, struct sockaddr_storage *ss, uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s->sin_port = htons(port);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		s->sin6_addr = in6addr_loopback;
		s->sin6_port = htons(port);
	}
}

static socklen_t len_of(int family)
{
	return family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

static int setup(void **state, int family)
{
	static struct ctx c4, c6;
	struct ctx *c = family == AF_INET ? &c4 : &c6;
	struct sockaddr_storage any;
	socklen_t len = sizeof(c->peer_addr);
	char err[256];

	c->family = family;
	loopback(family, &any, 0);
	if (ike_net_open(&c->n, (struct sockaddr *)&any, 0, 0, err, sizeof(err)) < 0)
		return -1;
	c->peer = socket(family, SOCK_DGRAM, 0);
	if (c->peer < 0 || bind(c->peer, (struct sockaddr *)&any, len_of(family)) < 0 ||
	    getsockname(c->peer, (struct sockaddr *)&c->peer_addr, &len) < 0)
		return -1;
	*state = c;
	return 0;
}

static int setup4(void **state) { return setup(state, AF_INET); }
static int setup6(void **state) { return setup(state, AF_INET6); }

static int teardown(void **state)
{
	struct ctx *c = *state;

	ike_net_close(&c->n);
	close(c->peer);
	return 0;
}

static void peer_send(struct ctx *c, uint16_t port, const void *buf, size_t len)
{
	struct sockaddr_storage to;

	loopback(c->family, &to, port);
	assert_int_equal(sendto(c->peer, buf, len, 0, (struct sockaddr *)&to,
				len_of(c->family)), (ssize_t)len);
}

static void recv_one(struct ctx *c, int fd, uint8_t *buf, size_t len, struct ike_net_pkt *p)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char err[256];

	assert_int_equal(poll(&pfd, 1, 2000), 1);
	assert_int_equal(ike_net_recv(&c->n, fd, buf, len, p, err, sizeof(err)), 0);
}

static void fake_ike(uint8_t *m, size_t len)
{
	memset(m, 0, len);
	m[0] = 0x11;			/* nonzero initiator SPI */
	m[17] = IKE_VERSION;
	m[18] = IKE_SA_INIT;
}

static void test_ike_port_bare(void **state)
{
	struct ctx *c = *state;
	uint8_t m[IKE_HDR_LEN + 8], buf[2048];
	struct ike_net_pkt p;

	fake_ike(m, sizeof(m));
	peer_send(c, c->n.port_ike, m, sizeof(m));
	recv_one(c, c->n.fd_ike, buf, sizeof(buf), &p);
	assert_int_equal(p.kind, IKE_NET_IKE);
	assert_false(p.natt);
	assert_int_equal(p.len, sizeof(m));
	assert_memory_equal(buf, m, sizeof(m));
	/* The sender, and the local address and port it reached. */
	assert_int_equal(p.from.ss_family, c->family);
	assert_memory_equal(&p.from, &c->peer_addr, len_of(c->family));
	if (c->family == AF_INET)
		assert_int_equal(((struct sockaddr_in *)&p.to)->sin_addr.s_addr,
				 htonl(INADDR_LOOPBACK));
	else
		assert_memory_equal(&((struct sockaddr_in6 *)&p.to)->sin6_addr,
				    &in6addr_loopback, 16);
}

static void test_natt_port_strips_marker(void **state)
{
	struct ctx *c = *state;
	uint8_t m[4 + IKE_HDR_LEN], buf[2048];
	struct ike_net_pkt p;

	fake_ike(m + 4, IKE_HDR_LEN);
	memset(m, 0, 4);
	peer_send(c, c->n.port_natt, m, sizeof(m));
	recv_one(c, c->n.fd_natt, buf, sizeof(buf), &p);
	assert_int_equal(p.kind, IKE_NET_IKE);
	assert_true(p.natt);
	assert_int_equal(p.len, IKE_HDR_LEN);
	assert_memory_equal(buf, m + 4, IKE_HDR_LEN);
}

static void test_natt_keepalive_and_junk(void **state)
{
	struct ctx *c = *state;
	uint8_t ka = 0xff, esp[64] = { 0, 0, 0x10, 0x01 }, runt[3] = { 0 };
	uint8_t buf[2048];
	struct ike_net_pkt p;

	peer_send(c, c->n.port_natt, &ka, 1);
	recv_one(c, c->n.fd_natt, buf, sizeof(buf), &p);
	assert_int_equal(p.kind, IKE_NET_KEEPALIVE);
	/* ESP (nonzero SPI) that the kernel did not take is not IKE. */
	peer_send(c, c->n.port_natt, esp, sizeof(esp));
	recv_one(c, c->n.fd_natt, buf, sizeof(buf), &p);
	assert_int_equal(p.kind, IKE_NET_JUNK);
	peer_send(c, c->n.port_natt, runt, sizeof(runt));
	recv_one(c, c->n.fd_natt, buf, sizeof(buf), &p);
	assert_int_equal(p.kind, IKE_NET_JUNK);
	/* Shorter than an IKE header on port 500. */
	peer_send(c, c->n.port_ike, esp, 20);
	recv_one(c, c->n.fd_ike, buf, sizeof(buf), &p);
	assert_int_equal(p.kind, IKE_NET_JUNK);
	/* Bigger than the caller's buffer: junk, never a partial message. */
	peer_send(c, c->n.port_ike, esp, sizeof(esp));
	recv_one(c, c->n.fd_ike, buf, 40, &p);
	assert_int_equal(p.kind, IKE_NET_JUNK);
}

static void test_send_frames(void **state)
{
	struct ctx *c = *state;
	uint8_t m[IKE_HDR_LEN], buf[256];
	char err[256];
	ssize_t len;

	fake_ike(m, sizeof(m));
	assert_int_equal(ike_net_send(&c->n, true, (struct sockaddr *)&c->peer_addr,
				      m, sizeof(m), err, sizeof(err)), 0);
	len = recv(c->peer, buf, sizeof(buf), 0);
	assert_int_equal(len, 4 + IKE_HDR_LEN);
	assert_memory_equal(buf, "\0\0\0\0", 4);
	assert_memory_equal(buf + 4, m, sizeof(m));
	assert_int_equal(ike_net_send(&c->n, false, (struct sockaddr *)&c->peer_addr,
				      m, sizeof(m), err, sizeof(err)), 0);
	len = recv(c->peer, buf, sizeof(buf), 0);
	assert_int_equal(len, IKE_HDR_LEN);
	assert_int_equal(ike_net_keepalive(&c->n, (struct sockaddr *)&c->peer_addr,
					   err, sizeof(err)), 0);
	len = recv(c->peer, buf, sizeof(buf), 0);
	assert_int_equal(len, 1);
	assert_int_equal(buf[0], 0xff);
}

static void test_nothing_waiting(void **state)
{
	struct ctx *c = *state;
	struct ike_net_pkt p;
	uint8_t buf[64];
	char err[256];

	assert_int_equal(ike_net_recv(&c->n, c->n.fd_ike, buf, sizeof(buf), &p,
				      err, sizeof(err)), 0);
	assert_int_equal(p.kind, IKE_NET_NONE);
}

static void test_port_in_use(void **state)
{
	struct ctx *c = *state;
	struct sockaddr_storage any;
	struct ike_net other;
	char err[256];

	loopback(c->family, &any, 0);
	assert_int_equal(ike_net_open(&other, (struct sockaddr *)&any, c->n.port_ike, 0,
				      err, sizeof(err)), -1);
	assert_non_null(strstr(err, "in use"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ike_port_bare, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_natt_port_strips_marker, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_natt_keepalive_and_junk, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_send_frames, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_waiting, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_port_in_use, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_ike_port_bare, setup6, teardown),
		cmocka_unit_test_setup_teardown(test_natt_port_strips_marker, setup6, teardown),
		cmocka_unit_test_setup_teardown(test_send_frames, setup6, teardown),
	};

	return cmocka_run_group_tests_name("net", tests, NULL, NULL);
}
