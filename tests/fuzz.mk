# Hostile input: fuzz harnesses (libFuzzer runs: tests/fuzz/run, `make fuzz`), their
# regression inputs replayed by every `make check`, the malformed-input corpus run
# through the real generator, and the secret masking test.

# The harnesses without libFuzzer: replays tests/fuzz/regressions/<harness>/*.
check_PROGRAMS += tests/fuzz/fuzz-replay
TESTS += tests/fuzz/fuzz-replay
tests_fuzz_fuzz_replay_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz.h tests/fuzz/fuzz-check.c \
	tests/fuzz/fuzz-cmdline.c tests/fuzz/fuzz-ibft-table.c tests/fuzz/fuzz-ibft-sysfs.c \
	tests/fuzz/fuzz-credentials.c
tests_fuzz_fuzz_replay_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/fuzz \
	-DFUZZ_REGRESSIONS_DIR=\"$(abs_top_srcdir)/tests/fuzz/regressions\"
tests_fuzz_fuzz_replay_LDADD = libsdiscsi.la

# Malformed command lines, iBFT tables and trees through the real generator.
TESTS += tests/fuzz/hostile
# Marker secrets in every place a secret can appear: in no output of any front end.
TESTS += tests/fuzz/secrets

EXTRA_DIST += tests/fuzz/run tests/fuzz/cmdline.dict tests/fuzz/hostile tests/fuzz/secrets tests/fuzz/regressions

# Longer libFuzzer runs (clang needed): make fuzz FUZZ_SECONDS=600
FUZZ_SECONDS ?= 600
.PHONY: fuzz
fuzz:
	FUZZ_WORK=$(abs_top_builddir)/fuzz $(top_srcdir)/tests/fuzz/run --seconds=$(FUZZ_SECONDS)
