# iBFT: the table writer (also used by the VM suite for qemu -acpitable), parser and
# networkd writer tests. Tables are made by mkibft at test time, never committed.
noinst_PROGRAMS += mkibft
mkibft_SOURCES = tests/mkibft.c

if HAVE_CHECK
check_PROGRAMS += test-ibft test-network
TESTS += test-ibft test-network

test_ibft_SOURCES = tests/test-ibft.c
test_ibft_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_ibft_LDADD = libsdiscsi.la $(CHECK_LIBS)

test_network_SOURCES = tests/test-network.c cli/netfiles.c
test_network_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/cli
test_network_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_network_LDADD = libsdiscsi.la $(CHECK_LIBS)
endif

# Applies the generated networkd files with the real systemd-networkd in private
# namespaces (skips without root).
check_PROGRAMS += ibft-netfiles
ibft_netfiles_SOURCES = tests/ibft-netfiles.c cli/netfiles.c
ibft_netfiles_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/cli
ibft_netfiles_LDADD = libsdiscsi.la
TESTS += tests/test-networkd.sh
EXTRA_DIST += tests/test-networkd.sh
EXTRA_DIST += tests/ibft/kernel-compare.sh

# sd-iscsi handoff: [Match] evaluation, boot links from a fake sysfs, drop-ins, and the
# subcommand itself (cli/handoff.c); the kernel's sessions, their disks and the disks'
# holders (model/kernel.c) from a fake sysfs.
if HAVE_CHECK
check_PROGRAMS += test-handoff
TESTS += test-handoff

test_handoff_SOURCES = tests/test-handoff.c cli/handoff.c cli/netfiles.c
test_handoff_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/cli
test_handoff_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_handoff_LDADD = libsdiscsi.la $(CHECK_LIBS)
endif
