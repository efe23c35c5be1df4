# The pure writers: model in, text out.
libsdiscsi_la_SOURCES += \
	writers/units.c writers/units.h \
	writers/record.c writers/record.h \
	writers/dhcp.c writers/dhcp.h \
	writers/show.c writers/show.h \
	writers/network.c writers/network.h \
	writers/creds.c writers/creds.h
