// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpn-iked's privilege drop.
 *
 * The daemon starts as root: it reads the connection files (0600 root),
 * creates the device, binds UDP 500 and 4500, opens netlink and creates the
 * control socket. Then ike_priv_drop() makes it an unprivileged user that
 * keeps CAP_NET_ADMIN (SA install over genl, routes and links over
 * rtnetlink) and CAP_NET_BIND_SERVICE, in the effective, permitted and
 * bounding sets, with nothing inheritable or ambient, and no_new_privs: no
 * exec can give anything back, and setuid(0) fails.
 *
 * After the drop the daemon cannot open files only root may read: a
 * connection file that is to be read again (a future reload) must be
 * readable by the daemon's user, or the daemon run with -u root.
 */

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>

#include <cap-ng.h>

#include "privsep.h"

/**
 * ike_priv_lookup - find the user the daemon is to become
 * @name: a user name or number; NULL for IKED_USER, or IKED_USER_FALLBACK
 *	if there is no such user
 * @u: filled in
 * @err: what went wrong
 * @errlen: its size
 *
 * Return: 0, or -1 with @err set.
 */
int ike_priv_lookup(const char *name, struct ike_priv_user *u, char *err, size_t errlen)
{
	const struct passwd *pw;
	const struct group *gr;
	char *end;

	memset(u, 0, sizeof(*u));
	if (name) {
		errno = 0;
		pw = getpwnam(name);
		if (!pw && *name >= '0' && *name <= '9') {
			unsigned long n = strtoul(name, &end, 10);

			if (!*end && n < (uid_t)-1)
				pw = getpwuid((uid_t)n);
		}
		if (!pw) {
			snprintf(err, errlen, "-u %s: no such user%s%s", name, errno ? ": " : "",
				 errno ? strerror(errno) : "");
			return -1;
		}
	} else {
		pw = getpwnam(IKED_USER);
		if (!pw)
			pw = getpwnam(IKED_USER_FALLBACK);
		if (!pw) {
			snprintf(err, errlen, "neither user " IKED_USER " nor " IKED_USER_FALLBACK
				 " exists: create " IKED_USER " (useradd -r -s /usr/sbin/nologin "
				 IKED_USER ") or name a user with -u");
			return -1;
		}
	}
	snprintf(u->name, sizeof(u->name), "%s", pw->pw_name);
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	gr = getgrnam(IKED_GROUP);
	u->ctl_gid = gr ? gr->gr_gid : 0;
	return 0;
}

/**
 * ike_priv_drop - become @u, keeping CAP_NET_ADMIN and CAP_NET_BIND_SERVICE
 * @u: from ike_priv_lookup(); uid 0 keeps root's uid but drops the
 *	capabilities all the same
 * @err: what went wrong
 * @errlen: its size
 *
 * Return: 0, or -1 with @err set (the daemon must then exit).
 */
int ike_priv_drop(const struct ike_priv_user *u, char *err, size_t errlen)
{
	bool root = geteuid() == 0;
	uid_t r, e, s, want = root ? u->uid : geteuid();

	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET,
			  CAP_NET_ADMIN, CAP_NET_BIND_SERVICE, -1) < 0) {
		snprintf(err, errlen, "cannot drop capabilities: capng_updatev failed");
		return -1;
	}
	/* The bounding set first: that takes CAP_SETPCAP, which goes next. */
	if (capng_apply(CAPNG_SELECT_BOUNDS) < 0 && root) {
		snprintf(err, errlen, "cannot limit the capability bounding set: %s",
			 strerror(errno));
		return -1;
	}
	if (root && u->uid != 0) {
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setgroups(0, NULL) < 0 ||
		    setresgid(u->gid, u->gid, u->gid) < 0 || setresuid(u->uid, u->uid, u->uid) < 0) {
			snprintf(err, errlen, "cannot become user %s (uid %u, gid %u): %s", u->name,
				 (unsigned int)u->uid, (unsigned int)u->gid, strerror(errno));
			return -1;
		}
		prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	}
	if (capng_apply(CAPNG_SELECT_CAPS) < 0) {
		snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
		return -1;
	}
	/* Old kernels have no ambient set, hence nothing to clear. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
		snprintf(err, errlen, "cannot clear the ambient capabilities: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	/* Trust, but verify: no way back to root, nothing else left. */
	if (getresuid(&r, &e, &s) < 0 || r != want || e != want || s != want ||
	    (want != 0 && setuid(0) == 0)) {
		snprintf(err, errlen, "privilege drop to %s did not hold", u->name);
		return -1;
	}
	capng_get_caps_process();
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_PARTIAL ||
	    !capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN) ||
	    capng_have_capability(CAPNG_EFFECTIVE, CAP_SETUID) ||
	    capng_have_capability(CAPNG_PERMITTED, CAP_SYS_ADMIN)) {
		snprintf(err, errlen, "capabilities after the drop are not what was asked");
		return -1;
	}
	return 0;
}

/**
 * ike_priv_describe - who the process is, for the log
 * @buf: "running as uid 65534 (nobody) gid 65534, capabilities ..."
 * @len: its size
 */
void ike_priv_describe(char *buf, size_t len)
{
	const struct passwd *pw = getpwuid(geteuid());
	char caps[256] = "";
	size_t n = 0;
	int i;

	capng_get_caps_process();
	for (i = 0; i <= CAP_LAST_CAP && n < sizeof(caps); i++) {
		const char *name = capng_capability_to_name((unsigned int)i);

		if (capng_have_capability(CAPNG_EFFECTIVE, (unsigned int)i) && name)
			n += (size_t)snprintf(caps + n, sizeof(caps) - n, "%scap_%s",
					      n ? "," : "", name);
	}
	snprintf(buf, len, "running as uid %u (%s) gid %u, capabilities %s (effective = "
		 "permitted = bounding set), no_new_privs %d", (unsigned int)geteuid(),
		 pw ? pw->pw_name : "?", (unsigned int)getegid(), n ? caps : "none",
		 prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
}
