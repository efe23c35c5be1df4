# Manual pages.
dist_man_MANS += man/sd-iscsi.7 man/sd-iscsi.8 man/sd-iscsi-generator.8

if HAVE_MANDOC
TESTS += tests/man-lint
endif
EXTRA_DIST += tests/man-lint
