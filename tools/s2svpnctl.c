// SPDX-License-Identifier: GPL-2.0
/*
 * s2svpnctl: configure and inspect s2svpn devices. See s2svpnctl.h for
 * how the code is split, and "s2svpnctl --help" for the manual.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>

#include "s2svpnctl.h"
#include "import_aws.h"

/* Requests are a few hundred bytes; a page is plenty. */
#define REQ_SIZE	4096

struct opts {
	bool json;
	const char *control;	/* -S: s2svpn-iked's control socket */
};

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("s2svpnctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

static int nl_fail(const struct nl *nl, const char *what)
{
	/* The "family not found" message stands on its own. */
	if (!strncmp(nl->err, "s2svpn: ", 8))
		fprintf(stderr, "%s\n", nl->err);
	else
		fprintf(stderr, "s2svpnctl: %s: %s\n", what, nl->err);
	return EXIT_FAIL;
}

static int dev_index(const char *dev, uint32_t *ifindex)
{
	*ifindex = if_nametoindex(dev);
	if (!*ifindex)
		return fail("%s: %s", dev,
			    errno == ENODEV ? "no such device" : strerror(errno));
	return 0;
}

/* Open the socket and send one request that has no reply but the ACK. */
static int do_simple(const char *what, const char *dev,
		     void (*build)(struct nlmsghdr *, uint32_t, const void *),
		     const void *args)
{
	char buf[REQ_SIZE];
	struct nl nl;
	uint32_t ifindex;
	int r;

	if (dev_index(dev, &ifindex))
		return EXIT_FAIL;
	if (nl_open(&nl)) {
		r = nl_fail(&nl, what);
		nl_close(&nl);
		return r;
	}
	build(nl_msg(&nl, buf, false), ifindex, args);
	r = nl_request(&nl, (struct nlmsghdr *)buf, NULL, NULL) ?
	    nl_fail(&nl, what) : EXIT_OK;
	nl_close(&nl);
	return r;
}

/* ---- show ------------------------------------------------------------- */

struct show_ctx {
	struct show_dev *devs;
	size_t n, cap;
};

static int show_dev_cb(const struct nlmsghdr *nlh, void *data, char *err,
		       size_t errlen)
{
	struct show_ctx *ctx = data;
	struct show_dev *d;

	if (ctx->n == ctx->cap) {
		size_t cap = ctx->cap ? 2 * ctx->cap : 8;
		void *p = realloc(ctx->devs, cap * sizeof(*ctx->devs));

		if (!p) {
			snprintf(err, errlen, "%s", strerror(ENOMEM));
			return -ENOMEM;
		}
		ctx->devs = p;
		ctx->cap = cap;
	}
	d = &ctx->devs[ctx->n];
	memset(d, 0, sizeof(*d));
	if (msg_parse_dev(nlh, &d->info, err, errlen))
		return -EBADMSG;
	ctx->n++;
	return 0;
}

struct sa_ctx {
	struct show_dev *dev;
	size_t cap;
};

static int show_sa_cb(const struct nlmsghdr *nlh, void *data, char *err,
		      size_t errlen)
{
	struct sa_ctx *ctx = data;
	struct show_dev *d = ctx->dev;
	struct sa_info s;

	if (msg_parse_sa(nlh, &s, err, errlen))
		return -EBADMSG;
	/* The kernel filters by ifindex; an old one might not. */
	if (s.ifindex && s.ifindex != d->info.ifindex)
		return 0;
	if (d->n_sas == ctx->cap) {
		size_t cap = ctx->cap ? 2 * ctx->cap : 8;
		void *p = realloc(d->sas, cap * sizeof(*d->sas));

		if (!p) {
			snprintf(err, errlen, "%s", strerror(ENOMEM));
			return -ENOMEM;
		}
		d->sas = p;
		ctx->cap = cap;
	}
	d->sas[d->n_sas++] = s;
	return 0;
}

static void show_free(struct show_ctx *ctx)
{
	for (size_t i = 0; i < ctx->n; i++) {
		free(ctx->devs[i].sas);
		free(ctx->devs[i].daemon);
	}
	free(ctx->devs);
}

/*
 * A device deleted between the two dumps is left out, as if the first
 * dump had not seen it.
 */
static int show_collect_sas(struct nl *nl, struct show_ctx *ctx)
{
	char buf[REQ_SIZE];
	size_t kept = 0;

	for (size_t i = 0; i < ctx->n; i++) {
		struct sa_ctx sc = { .dev = &ctx->devs[i] };
		struct nlmsghdr *req = nl_msg(nl, buf, true);
		int r;

		msg_sa_dump(req, ctx->devs[i].info.ifindex);
		r = nl_request(nl, req, show_sa_cb, &sc);
		if (r == -ENODEV) {
			free(ctx->devs[i].sas);
			continue;
		}
		if (r)
			return r;
		if (nl->dump_intr)
			fprintf(stderr, "s2svpnctl: warning: SAs of %s changed during the dump\n",
				ctx->devs[i].info.ifname);
		ctx->devs[kept++] = ctx->devs[i];
	}
	ctx->n = kept;
	return 0;
}

/* The devices (all, or the one @argv names) with their SAs, into @ctx. */
static int collect(const char *what, int argc, char **argv, struct show_ctx *ctx)
{
	char buf[REQ_SIZE];
	uint32_t ifindex = 0;
	struct nl nl;
	int r = EXIT_FAIL;

	if (argc > 1) {
		usage_error(what, "unexpected argument '%s'", argv[1]);
		return EXIT_USAGE;
	}
	if (argc == 1 && dev_index(argv[0], &ifindex))
		return EXIT_FAIL;
	if (nl_open(&nl)) {
		nl_fail(&nl, what);
		goto out;
	}
	msg_dev_get(nl_msg(&nl, buf, !ifindex), ifindex);
	if (nl_request(&nl, (struct nlmsghdr *)buf, show_dev_cb, ctx)) {
		nl_fail(&nl, what);
		goto out;
	}
	if (nl.dump_intr)
		fprintf(stderr, "s2svpnctl: warning: devices changed during the dump\n");
	if (show_collect_sas(&nl, ctx)) {
		nl_fail(&nl, what);
		goto out;
	}
	r = EXIT_OK;
out:
	nl_close(&nl);
	return r;
}

/*
 * Ask each device's s2svpn-iked @cmd; a device without a daemon (static
 * keys) keeps daemon NULL. -S names one socket, so only with one device.
 */
static void ask_daemons(const struct opts *o, struct show_ctx *ctx, const char *cmd)
{
	for (size_t i = 0; i < ctx->n; i++) {
		char path[108], err[256];

		if (o->control && ctx->n > 1)
			return;
		iked_socket_path(ctx->devs[i].info.ifname, o->control, path, sizeof(path));
		if (iked_ask(path, cmd, &ctx->devs[i].daemon, err, sizeof(err)) && o->control)
			fprintf(stderr, "s2svpnctl: %s\n", err);
	}
}

static int finish(int r)
{
	if (r == EXIT_OK && fflush(stdout))
		return fail("stdout: %s", strerror(errno));
	return r;
}

static int cmd_show(const struct opts *o, int argc, char **argv)
{
	struct show_ctx ctx = { NULL, 0, 0 };
	int r = collect("show", argc, argv, &ctx);

	if (r == EXIT_OK) {
		ask_daemons(o, &ctx, o->json ? "status -j" : "show");
		if (o->json)
			show_json(stdout, ctx.devs, ctx.n);
		else
			show_text(stdout, ctx.devs, ctx.n, (uint64_t)time(NULL));
	}
	show_free(&ctx);
	return finish(r);
}

static int cmd_metrics(const struct opts *o, int argc, char **argv)
{
	struct show_ctx ctx = { NULL, 0, 0 };
	int r = collect("metrics", argc, argv, &ctx);

	if (r == EXIT_OK) {
		ask_daemons(o, &ctx, "metrics");
		metrics_print(stdout, ctx.devs, ctx.n);
	}
	show_free(&ctx);
	return finish(r);
}

/* The daemon's view: without the kernel, so it works for any -S socket. */
static int cmd_status(const struct opts *o, int argc, char **argv)
{
	char path[108], err[256], *answer;

	if (argc > 1) {
		usage_error("status", "unexpected argument '%s'", argv[1]);
		return EXIT_USAGE;
	}
	iked_socket_path(argc ? argv[0] : "s2svpn0", o->control, path, sizeof(path));
	if (iked_ask(path, o->json ? "status -j" : "status", &answer, err, sizeof(err)))
		return fail("%s", err);
	fputs(answer, stdout);
	free(answer);
	return finish(EXIT_OK);
}

/* ---- set, tunnel, sa -------------------------------------------------- */

static void build_dev_set(struct nlmsghdr *nlh, uint32_t ifindex,
			  const void *a)
{
	msg_dev_set(nlh, ifindex, a);
}

static void build_tunnel_set(struct nlmsghdr *nlh, uint32_t ifindex,
			     const void *a)
{
	msg_tunnel_set(nlh, ifindex, a);
}

static void build_tunnel_del(struct nlmsghdr *nlh, uint32_t ifindex,
			     const void *a)
{
	msg_tunnel_del(nlh, ifindex, a);
}

static void build_sa_del(struct nlmsghdr *nlh, uint32_t ifindex,
			 const void *a)
{
	msg_sa_del(nlh, ifindex, a);
}

static int cmd_set(const struct opts *o, int argc, char **argv)
{
	struct dev_set_args a;
	char err[ERRLEN];

	(void)o;
	if (parse_dev_set(argc, argv, &a, err, sizeof(err))) {
		usage_error("set", "%s", err);
		return EXIT_USAGE;
	}
	return do_simple("set", a.dev, build_dev_set, &a);
}

static int cmd_tunnel(const struct opts *o, int argc, char **argv)
{
	char err[ERRLEN];

	(void)o;
	if (argc >= 1 && !strcmp(argv[0], "set")) {
		struct tunnel_set_args a;

		if (parse_tunnel_set(argc - 1, argv + 1, &a, err, sizeof(err))) {
			usage_error("tunnel set", "%s", err);
			return EXIT_USAGE;
		}
		return do_simple("tunnel set", a.dev, build_tunnel_set, &a);
	}
	if (argc >= 1 && !strcmp(argv[0], "del")) {
		struct tunnel_del_args a;

		if (parse_tunnel_del(argc - 1, argv + 1, &a, err, sizeof(err))) {
			usage_error("tunnel del", "%s", err);
			return EXIT_USAGE;
		}
		return do_simple("tunnel del", a.dev, build_tunnel_del, &a);
	}
	usage_error("tunnel", argc ? "unknown subcommand '%s'" :
		    "missing subcommand%s", argc ? argv[0] : "");
	return EXIT_USAGE;
}

/*
 * Keys are read before the kernel is asked anything, so a bad key file
 * is reported even where the module is not loaded; the request buffer,
 * the key struct and the receive buffer are all wiped afterwards.
 */
static int sa_add(const struct sa_args *a)
{
	char buf[REQ_SIZE], err[ERRLEN];
	struct keys k;
	struct nl nl;
	uint32_t ifindex;
	int r;

	if (keys_load(a->keyfile, a->alg, &k, err, sizeof(err)))
		return fail("%s", err);
	if (dev_index(a->dev, &ifindex)) {
		keys_wipe(&k);
		return EXIT_FAIL;
	}
	if (nl_open(&nl)) {
		keys_wipe(&k);
		r = nl_fail(&nl, "sa add");
		nl_close(&nl);
		return r;
	}
	msg_sa_new(nl_msg(&nl, buf, false), ifindex, a, &k);
	keys_wipe(&k);
	r = nl_request(&nl, (struct nlmsghdr *)buf, NULL, NULL) ?
	    nl_fail(&nl, "sa add") : EXIT_OK;
	explicit_bzero(buf, sizeof(buf));
	nl_close(&nl);		/* wipes the receive buffer */
	return r;
}

static int cmd_sa(const struct opts *o, int argc, char **argv)
{
	char err[ERRLEN];
	struct sa_args a;

	(void)o;
	if (argc >= 1 && !strcmp(argv[0], "add")) {
		if (parse_sa_add(argc - 1, argv + 1, &a, err, sizeof(err))) {
			usage_error("sa add", "%s", err);
			return EXIT_USAGE;
		}
		return sa_add(&a);
	}
	if (argc >= 1 && !strcmp(argv[0], "del")) {
		if (parse_sa_del(argc - 1, argv + 1, &a, err, sizeof(err))) {
			usage_error("sa del", "%s", err);
			return EXIT_USAGE;
		}
		return do_simple("sa del", a.dev, build_sa_del, &a);
	}
	usage_error("sa", argc ? "unknown subcommand '%s'" :
		    "missing subcommand%s", argc ? argv[0] : "");
	return EXIT_USAGE;
}

/* ---- monitor ---------------------------------------------------------- */

static int monitor_cb(const struct nlmsghdr *nlh, void *data, char *err,
		      size_t errlen)
{
	const struct opts *o = data;
	struct timespec ts;
	struct event ev;
	int r = msg_parse_event(nlh, &ev, err, errlen);

	if (r < 0) {
		/* One bad event must not end monitoring: report, go on. */
		fprintf(stderr, "s2svpnctl: warning: %s\n", err);
		return 0;
	}
	if (r > 0)
		return 0;
	/* The device may be gone already; the name then stays unknown. */
	if (!ev.ifname[0] && ev.ifindex &&
	    !if_indextoname(ev.ifindex, ev.ifname))
		ev.ifname[0] = '\0';
	clock_gettime(CLOCK_REALTIME, &ts);
	event_print(stdout, &ev, o->json, &ts);
	return 0;
}

static int cmd_monitor(const struct opts *o, int argc, char **argv)
{
	struct opts copy = *o;
	struct nl nl;
	int r;

	if (argc > 0) {
		usage_error("monitor", "unexpected argument '%s'", argv[0]);
		return EXIT_USAGE;
	}
	if (nl_open(&nl) || nl_subscribe_events(&nl)) {
		r = nl_fail(&nl, "monitor");
		nl_close(&nl);
		return r;
	}
	r = nl_listen(&nl, monitor_cb, &copy);
	if (r)
		nl_fail(&nl, "monitor");
	nl_close(&nl);
	return r ? EXIT_FAIL : EXIT_OK;
}

/* ---- import-aws ------------------------------------------------------- */

static int cmd_import_aws(const struct opts *o, int argc, char **argv)
{
	struct import_args a;
	char err[ERRLEN];

	(void)o;
	if (import_aws_parse_args(argc, argv, &a, err, sizeof(err))) {
		usage_error("import-aws", "%s", err);
		return EXIT_USAGE;
	}
	return import_aws_run(&a, stdout, stderr);
}

/* ---- main ------------------------------------------------------------- */

static int cmd_help(const struct opts *o, int argc, char **argv)
{
	char cmd[64] = "";

	(void)o;
	for (int i = 0; i < argc && i < 2; i++)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), "%s%s",
			 i ? " " : "", argv[i]);
	if (argc == 0) {
		help_manual(stdout);
		return EXIT_OK;
	}
	if (argc > 2 || help_command(stdout, cmd)) {
		usage_error("help", "no command '%s'", cmd);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static const struct {
	const char *name;
	int (*run)(const struct opts *o, int argc, char **argv);
} commands[] = {
	{ "show", cmd_show },
	{ "status", cmd_status },
	{ "metrics", cmd_metrics },
	{ "set", cmd_set },
	{ "tunnel", cmd_tunnel },
	{ "sa", cmd_sa },
	{ "monitor", cmd_monitor },
	{ "import-aws", cmd_import_aws },
	{ "help", cmd_help },
};

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "control", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .json = false };
	int c;

	opterr = 0;
	/* '+': options stop at the command, whose arguments are its own. */
	while ((c = getopt_long(argc, argv, "+jS:hV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o.json = true;
			break;
		case 'S':
			o.control = optarg;
			break;
		case 'h':
			help_manual(stdout);
			return EXIT_OK;
		case 'V':
			printf("s2svpnctl %s (s2svpn generic netlink family version %d)\n",
			       S2SVPNCTL_VERSION, S2SVPN_FAMILY_VERSION);
			return EXIT_OK;
		default:
			if (optopt)
				usage_error(NULL, "unknown option '-%c'", optopt);
			else
				usage_error(NULL, "unknown option '%s'",
					    argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		return cmd_show(&o, 0, argv);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[0], commands[i].name))
			return commands[i].run(&o, argc - 1, argv + 1);
	usage_error(NULL, "unknown command '%s'", argv[0]);
	return EXIT_USAGE;
}
