# The generator runs on every boot: libc only, no libsystemd.
systemdsystemgenerator_PROGRAMS += sd-iscsi-generator
sd_iscsi_generator_SOURCES = generator/generator.c
sd_iscsi_generator_LDADD = libsdiscsi.la
