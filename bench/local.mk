# Benchmarks: `make bench` (as root on Debian; installs valgrind, strace and the
# baselines' packages when missing). Nothing here runs in `make check`: benchmarks
# measure, tests judge. See docs/PERFORMANCE.md.
EXTRA_PROGRAMS = bench/runbench
bench_runbench_SOURCES = bench/runbench.c
CLEANFILES += bench/runbench
EXTRA_DIST += bench/run bench/footprint.sh bench/vm.sh bench/timeline.awk bench/storm-real.sh \
	docs/PERFORMANCE.md docs/timeline-sd-iscsi.svg docs/timeline-dracut-iscsi.svg \
	docs/storm-10k.svg docs/storm-100k.svg

.PHONY: bench
bench: sd-iscsi-generator sd-iscsi mkibft bench/runbench bench/storm
	$(abs_top_srcdir)/bench/run $(abs_top_builddir) $(BENCH_SECTIONS)

# Boot storms: N initiators against a target admitting K logins a second; the sd-iscsi
# policy is the login helper's own login_next_wait() (cli/retry.c).
EXTRA_PROGRAMS += bench/storm
bench_storm_SOURCES = bench/storm.c cli/retry.c
bench_storm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/cli
bench_storm_LDADD = libsdiscsi.la -lm
CLEANFILES += bench/storm
