# The model and its parsers and writers, shared by every front end.
noinst_LTLIBRARIES += libsdiscsi.la
libsdiscsi_la_SOURCES = \
	generator/config.c generator/config.h \
	generator/cmdline.c \
	generator/bond.c generator/bond.h \
	generator/spec.c \
	generator/ibft.c generator/ibft.h \
	generator/load.c \
	generator/dhcp.c generator/dhcp.h \
	generator/units.c generator/units.h \
	generator/credentials.c generator/credentials.h \
	generator/record.c generator/login.h generator/paths.h \
	generator/show.c generator/show.h \
	generator/network.c generator/network.h \
	generator/handoff.c generator/handoff.h \
	generator/util.c generator/util.h \
	generator/log.c generator/log.h

# The generator runs on every boot: libc only, no libsystemd.
systemdsystemgenerator_PROGRAMS += sd-iscsi-generator
sd_iscsi_generator_SOURCES = generator/generator.c
sd_iscsi_generator_LDADD = libsdiscsi.la

bin_PROGRAMS += sd-iscsi
sd_iscsi_SOURCES = generator/sd-iscsi.c generator/login.c generator/prepare.c
sd_iscsi_CFLAGS = $(AM_CFLAGS) $(LIBSYSTEMD_CFLAGS)
sd_iscsi_LDADD = libsdiscsi.la $(LIBSYSTEMD_LIBS)
