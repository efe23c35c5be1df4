# Benchmarks: `make bench` (as root on Debian; installs valgrind, strace and the
# baselines' packages when missing). Nothing here runs in `make check`: benchmarks
# measure, tests judge. See docs/PERFORMANCE.md.
EXTRA_PROGRAMS = bench/runbench
bench_runbench_SOURCES = bench/runbench.c
CLEANFILES += bench/runbench
EXTRA_DIST += bench/run bench/footprint.sh bench/vm.sh bench/timeline.awk \
	docs/PERFORMANCE.md docs/timeline-sd-iscsi.svg docs/timeline-dracut-iscsi.svg

.PHONY: bench
bench: sd-iscsi-generator sd-iscsi mkibft bench/runbench
	$(abs_top_srcdir)/bench/run $(abs_top_builddir) $(BENCH_SECTIONS)
