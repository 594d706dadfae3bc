# SPDX-License-Identifier: GPL-2.0
#
# s2svpn - see README.md.
#
#   make                 build s2svpn.ko against the running kernel (or KDIR=)
#                        s2svpnctl and s2svpn-iked
#   make install         install everything (DESTDIR=, PREFIX=/usr/local):
#                        the module (+ depmod), s2svpn-iked, s2svpnctl, the
#                        systemd unit, man pages, bash completion, /etc/s2svpn
#   make install-userspace  the same without the module (packages: DKMS)
#   make uninstall       remove what make install installed (not your
#                        files in /etc/s2svpn)
#   make man             build/man/: the man pages
#   make check           everything: deps, UML kernels, builds, checkpatch,
#                        KUnit, unit and integration tests (T=NAME K=6.12|6.1)
#   make bench           s2svpn vs xfrm vs WireGuard (and IKE vs strongSwan)
#                        in UML 6.12: bench/results/, about 45 minutes
#   make deps            install missing Debian packages
#   make demo            boot UML and play a narrated site-to-site scenario:
#                        two tunnels, traffic, failover and failback
#                        (PEER=strongswan: strongSwan on the cloud side)
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
KMOD ?= $(CURDIR)/kmod
# UTS_RELEASE, not include/config/kernel.release: Debian's 6.1 headers have
# 6.1.N there while their kernel is 6.1.0-N-amd64.
KVER ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
SYSCONFDIR ?= /etc
MODDIR ?= /lib/modules/$(KVER)/updates

MANPAGES := build/man/s2svpnctl.8 build/man/s2svpn-iked.8 \
	    build/man/s2svpn-iked.conf.5 build/man/s2svpn.4
UNIT := s2svpn-iked@.service
EXAMPLE := $(DESTDIR)$(SYSCONFDIR)/s2svpn/s2svpn-iked.conf.example

.PHONY: all kmod tools iked userspace man install install-kmod install-userspace \
	uninstall check bench deps demo clean help

all: kmod tools iked

kmod:
	@if [ ! -d "$(KDIR)" ]; then \
		echo "s2svpn: no kernel build tree at $(KDIR)."; \
		echo "s2svpn: install linux-headers-$$(uname -r), or pass KDIR=/path/to/kernel/build"; \
		exit 1; \
	fi
	$(MAKE) -C $(KDIR) M=$(KMOD) CONFIG_S2SVPN=m modules

tools:
	$(MAKE) -C tools

iked:
	$(MAKE) -C userspace-ike s2svpn-iked

userspace: tools iked man

# Each page has one source: a --help written as a manual, the commented
# example file, or (the device) the page itself.
man: $(MANPAGES)

build/man/s2svpnctl.8: tools dist/man/gen-man.py dist/man/s2svpnctl.8.tail
	@mkdir -p build/man
	tools/s2svpnctl --help | python3 dist/man/gen-man.py help s2svpnctl 8 \
		dist/man/s2svpnctl.8.tail > $@.tmp && mv $@.tmp $@

build/man/s2svpn-iked.8: iked dist/man/gen-man.py dist/man/s2svpn-iked.8.tail
	@mkdir -p build/man
	userspace-ike/s2svpn-iked --help | python3 dist/man/gen-man.py help s2svpn-iked 8 \
		dist/man/s2svpn-iked.8.tail > $@.tmp && mv $@.tmp $@

build/man/s2svpn-iked.conf.5: userspace-ike/s2svpn-iked.conf.example dist/man/gen-man.py \
		dist/man/s2svpn-iked.conf.5.tail
	@mkdir -p build/man
	python3 dist/man/gen-man.py conf s2svpn-iked.conf 5 dist/man/s2svpn-iked.conf.5.tail \
		< $< > $@.tmp && mv $@.tmp $@

build/man/s2svpn.4: dist/man/s2svpn.4
	@mkdir -p build/man
	cp $< $@

install: install-kmod install-userspace

# depmod only for the running system: a DESTDIR is someone else's tree.
install-kmod: kmod
	@if [ -z "$(KVER)" ]; then echo "s2svpn: no UTS_RELEASE in $(KDIR)"; exit 1; fi
	install -D -m 0644 $(KMOD)/s2svpn.ko $(DESTDIR)$(MODDIR)/s2svpn.ko
	if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi

# /etc/s2svpn keeps whatever is there: the example only if it is missing.
install-userspace: userspace
	install -D -m 0755 tools/s2svpnctl $(DESTDIR)$(SBINDIR)/s2svpnctl
	install -D -m 0755 userspace-ike/s2svpn-iked $(DESTDIR)$(SBINDIR)/s2svpn-iked
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g' dist/$(UNIT) > $(DESTDIR)$(UNITDIR)/$(UNIT)
	chmod 0644 $(DESTDIR)$(UNITDIR)/$(UNIT)
	for m in $(MANPAGES); do \
		s=$${m##*.}; install -D -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/$${m##*/} || exit; \
	done
	install -D -m 0644 dist/s2svpnctl.bash-completion $(DESTDIR)$(BASHCOMPDIR)/s2svpnctl
	install -D -m 0644 dist/s2svpn.sysusers $(DESTDIR)$(SYSUSERSDIR)/s2svpn.conf
	ln -sf s2svpnctl $(DESTDIR)$(BASHCOMPDIR)/s2svpn-iked
	install -d -m 0700 $(DESTDIR)$(SYSCONFDIR)/s2svpn
	[ -e $(EXAMPLE) ] || install -m 0644 userspace-ike/s2svpn-iked.conf.example $(EXAMPLE)
	if [ -z "$(DESTDIR)" ] && command -v systemd-sysusers >/dev/null; then \
		systemd-sysusers $(SYSUSERSDIR)/s2svpn.conf; fi
	if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

# The example goes only if it is ours, unchanged; /etc/s2svpn only if empty.
uninstall:
	rm -f $(DESTDIR)$(MODDIR)/s2svpn.ko
	if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi
	rm -f $(DESTDIR)$(SBINDIR)/s2svpnctl $(DESTDIR)$(SBINDIR)/s2svpn-iked
	rm -f $(DESTDIR)$(UNITDIR)/$(UNIT)
	for m in $(MANPAGES); do rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/}; done
	rm -f $(DESTDIR)$(BASHCOMPDIR)/s2svpnctl $(DESTDIR)$(BASHCOMPDIR)/s2svpn-iked
	rm -f $(DESTDIR)$(SYSUSERSDIR)/s2svpn.conf
	if cmp -s userspace-ike/s2svpn-iked.conf.example $(EXAMPLE); then rm -f $(EXAMPLE); fi
	rmdir $(DESTDIR)$(SYSCONFDIR)/s2svpn 2>/dev/null || true
	if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

check:
	@T="$(T)" K="$(K)" tests/check.sh

bench:
	@bench/bench.sh

deps:
	@tests/deps.sh all

demo:
	@PEER="$(PEER)" K="$(K)" tests/demo/demo.sh

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(KMOD) clean; fi
	$(MAKE) -C tools clean
	$(MAKE) -C userspace-ike clean
	rm -rf build

help:
	@sed -n '3,25s/^# \{0,1\}//p' Makefile
