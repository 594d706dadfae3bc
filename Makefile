# SPDX-License-Identifier: GPL-2.0
#
# s2svpn - see README.md.
#
#   make                 build s2svpn.ko against the running kernel (or KDIR=)
#                        and s2svpnctl
#   make install         install both (modules_install + depmod, PREFIX/sbin)
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
KMOD := $(CURDIR)/kmod
PREFIX ?= /usr/local

.PHONY: all kmod tools install check bench deps demo clean help

all: kmod tools

kmod:
	@if [ ! -d "$(KDIR)" ]; then \
		echo "s2svpn: no kernel build tree at $(KDIR)."; \
		echo "s2svpn: install linux-headers-$$(uname -r), or pass KDIR=/path/to/kernel/build"; \
		exit 1; \
	fi
	$(MAKE) -C $(KDIR) M=$(KMOD) CONFIG_S2SVPN=m modules

tools:
	$(MAKE) -C tools

install: kmod tools
	$(MAKE) -C $(KDIR) M=$(KMOD) CONFIG_S2SVPN=m modules_install
	depmod -a $$(cat $(KDIR)/include/config/kernel.release)
	install -D -m 0755 tools/s2svpnctl $(DESTDIR)$(PREFIX)/sbin/s2svpnctl

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
	rm -rf build

help:
	@sed -n '3,18s/^# \{0,1\}//p' Makefile
