# SPDX-License-Identifier: MIT
# The two commands of the README, plus the developer targets behind them.
#   make run     install what building and running need, build, serve www/ on
#                http://127.0.0.1:8080/ in the foreground
#   make test    install what the tests need too, build, run every test
#   make reload  / make stop: signal the server `make run` started (from another terminal)
# Each target installs only its own set of Debian packages (packaging/install-deps.sh).
BUILD      ?= build
BUILD_TYPE ?= RelWithDebInfo
PORT       ?= 8080
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=
# Warnings are errors in every build the Makefile configures (the CMake default is off, for
# packagers and users on newer compilers).
WERROR     ?= ON
CTEST_ARGS ?=
# Most integration tests wait (timeouts, signals, slow clients) rather than compute: twice as
# many at once as there are CPUs.
CTEST_JOBS ?= $(shell echo $$(( $$(nproc) * 2 )))

.PHONY: all deps test-deps build build-tests run reload stop test check test-asan test-tsan \
	sanitized-test test-systemd bench deb fuzz clean

all: build

deps:
	@packaging/install-deps.sh run

test-deps:
	@packaging/install-deps.sh test

# A build folder configured by `make build` or `make run` leaves the tests out (GoogleTest is
# a test dependency); `make test` turns them on in the same folder.
$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DLEARNHTTPD_WERROR=$(WERROR) \
		-DLEARNHTTPD_TESTS=OFF $(CMAKE_ARGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

build-tests: test-deps $(BUILD)/build.ninja
	@grep -q '^LEARNHTTPD_TESTS:BOOL=ON$$' $(BUILD)/CMakeCache.txt || \
		cmake -S . -B $(BUILD) -DLEARNHTTPD_TESTS=ON
	cmake --build $(BUILD) -j $(JOBS)

# The shipped config, but with the access log on the terminal instead of /var/log/learnhttpd,
# on 127.0.0.1 only: a newcomer's first server is not reachable from the network.
run: build
	sed 's|^\(  access_log:\).*|\1 stdout|' etc/learnhttpd.yaml >$(BUILD)/run.yaml
	$(BUILD)/src/learnhttpd -c $(BUILD)/run.yaml -r www -p $(PORT) -b 127.0.0.1 --pid-file $(BUILD)/learnhttpd.pid

# The server `make run` started: -s finds it by its pid file and checks the configuration it
# was started with (its flags included) before a reload.
reload:
	$(BUILD)/src/learnhttpd -s reload --pid-file $(BUILD)/learnhttpd.pid

stop:
	$(BUILD)/src/learnhttpd -s stop --pid-file $(BUILD)/learnhttpd.pid

test: build-tests
	ctest --test-dir $(BUILD) --output-on-failure -j $(CTEST_JOBS) $(CTEST_ARGS)

# The include arrows of docs/architecture.md, then clang-format and clang-tidy on the C++ files
# changed since the branch left main (CHECK_ALL=1: every file). See .ci/check.
check: build
	@packaging/install-deps.sh check
	BUILD=$(BUILD) .ci/check

# Sanitizer builds, each in its own build folder. Reports go to files (a worker's report
# would otherwise vanish with the worker), and any report fails the target.
SANITIZER_LOGS = $(CURDIR)/$(BUILD)/sanitizer-logs
# ASan+UBSan over every model; the few suites it skips (label asan_skip) and why are in
# tests/integration/CMakeLists.txt.
test-asan:
	$(MAKE) sanitized-test BUILD=build-asan CMAKE_ARGS=-DLEARNHTTPD_SANITIZE=address,undefined \
		CTEST_ARGS="-LE asan_skip"

# TSan where there are threads: the suites of the models with threads (label "threaded":
# threadpool, thread-per-connection, threads-accept, threads-queue).
test-tsan:
	$(MAKE) sanitized-test BUILD=build-tsan CMAKE_ARGS=-DLEARNHTTPD_SANITIZE=thread \
		CTEST_ARGS="-L threaded"

# A sanitized Debug build runs several times slower, and the integration tests that wait for a
# timeout or a signal can then miss their margins on a loaded machine: a test that fails is run
# once more (its first failure stays in the output). A sanitizer report fails the target
# whatever the test said.
sanitized-test:
	rm -rf $(SANITIZER_LOGS) && mkdir -p $(SANITIZER_LOGS)
	ASAN_OPTIONS=log_path=$(SANITIZER_LOGS)/asan:detect_leaks=1 \
	UBSAN_OPTIONS=log_path=$(SANITIZER_LOGS)/ubsan:print_stacktrace=1 \
	TSAN_OPTIONS=log_path=$(SANITIZER_LOGS)/tsan:halt_on_error=1 \
		$(MAKE) test BUILD_TYPE=Debug CTEST_ARGS="$(CTEST_ARGS) --repeat until-pass:2"
	@if [ -n "$$(ls -A $(SANITIZER_LOGS))" ]; then \
		echo "sanitizer reports:"; cat $(SANITIZER_LOGS)/*; exit 1; fi

bench: build
	@packaging/install-deps.sh bench
	bench/run $(BENCH_ARGS)

# Every libFuzzer target (clang, ASan+UBSan) built in build-fuzz and run FUZZ_SECONDS each on a
# corpus kept between runs; a table of executions and coverage; a crash fails it (its input is
# kept in build-fuzz/crashes/). CI runs it for a few seconds a target, so none can rot.
FUZZ_SECONDS ?= 60
fuzz:
	@packaging/install-deps.sh fuzz
	JOBS=$(JOBS) tests/fuzz/run $(FUZZ_SECONDS)

# The Debian package, built with debhelper from packaging/debian and checked with lintian:
# $(DEB_DIR)/learnhttpd_<version>_<arch>.deb
DEB_DIR = $(BUILD)/deb
DEB_VERSION = $(shell sed -n 's/^project.learnhttpd VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
deb:
	@packaging/install-deps.sh deb
	JOBS=$(JOBS) packaging/build-deb $(DEB_DIR)

# Installs the .deb in a booted systemd container and checks start/reload/stop (root; the
# first run debootstraps a Debian root, which takes a few minutes). SYSTEMD_ROOT: where that
# root is kept (default: run-in-systemd's).
SYSTEMD_ROOT ?=
test-systemd: deb
	@packaging/install-deps.sh systemd
	tests/system/run-in-systemd $(DEB_DIR)/learnhttpd_$(DEB_VERSION)_$$(dpkg --print-architecture).deb $(SYSTEMD_ROOT)

clean:
	rm -rf build build-debug build-release build-asan build-tsan build-fuzz
