/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2svpn-iked's privilege drop: once the sockets are bound, the device made
 * and netlink open, the daemon becomes an unprivileged user that keeps only
 * CAP_NET_ADMIN (the s2svpn family, routes) and CAP_NET_BIND_SERVICE.
 */
#ifndef S2SVPN_IKED_PRIVSEP_H
#define S2SVPN_IKED_PRIVSEP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define IKED_USER		"s2svpn"	/* the daemon's own account, if made */
#define IKED_USER_FALLBACK	"nobody"
#define IKED_GROUP		"s2svpn"	/* may read status on the control socket */

/**
 * struct ike_priv_user - whom the daemon becomes
 * @name: the user's name
 * @uid: its uid (0: stay root, for debugging)
 * @gid: its primary group
 * @ctl_gid: the control socket's group: IKED_GROUP's gid if that group
 *	exists, else 0 (root's group)
 */
struct ike_priv_user {
	char name[64];
	uid_t uid;
	gid_t gid;
	gid_t ctl_gid;
};

int ike_priv_lookup(const char *name, struct ike_priv_user *u, char *err, size_t errlen);
int ike_priv_drop(const struct ike_priv_user *u, char *err, size_t errlen);
void ike_priv_describe(char *buf, size_t len);

#endif /* S2SVPN_IKED_PRIVSEP_H */
