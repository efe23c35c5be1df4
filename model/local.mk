# The model and its parsers: the only code that reads input into a Config.
noinst_LTLIBRARIES += libsdiscsi.la
libsdiscsi_la_SOURCES = \
	model/config.c model/config.h \
	model/cmdline.c \
	model/spec.c \
	model/ibft.c model/ibft.h \
	model/load.c \
	model/dhcp.c model/dhcp.h \
	model/paths.h \
	model/util.c model/util.h \
	model/log.c model/log.h
