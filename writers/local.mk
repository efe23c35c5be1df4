# The pure writers: model in, text out.
libsdiscsi_la_SOURCES += \
	writers/units.c writers/units.h \
	writers/record.c \
	writers/show.c writers/show.h \
	writers/network.c writers/network.h \
	cli/handoff.c cli/handoff.h cli/login.h
