# The model and its parsers: the only code that reads input (the command line, the
# iBFT, leases, sysfs, networkd's files, the records on disk) into structures.
noinst_LTLIBRARIES += libsdiscsi.la
libsdiscsi_la_SOURCES = \
	model/config.c model/config.h \
	model/cmdline.c model/cmdline-keys.c model/cmdline-internal.h \
	model/spec.c \
	model/bond.c model/bond.h \
	model/credentials.c model/credentials.h \
	model/ibft.c model/ibft.h model/ibft-internal.h \
	model/ibft-table.c model/ibft-sysfs.c model/ibft-kmod.c \
	model/lease.c model/lease.h \
	model/kernel.c model/kernel.h \
	model/networkd.c model/networkd.h \
	model/state.c model/state.h \
	model/load.c \
	model/paths.c model/paths.h \
	model/util.c model/util.h \
	model/log.c model/log.h
