# The two commands of the README, plus the developer targets behind them.
#   make run   install what is missing, build, serve www/ on port 8080 in the foreground
#   make test  install what is missing, build, run every test
BUILD      ?= build
BUILD_TYPE ?= RelWithDebInfo
PORT       ?= 8080
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=

.PHONY: all deps build run test test-asan test-tsan test-systemd bench deb clean

all: build

deps:
	@packaging/install-deps.sh build

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/src/learnhttpd -c etc/learnhttpd.yaml -r www -p $(PORT) -b 0.0.0.0 --pid-file $(BUILD)/learnhttpd.pid

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# Sanitizer builds, each in its own build folder.
test-asan:
	$(MAKE) test BUILD=build-asan BUILD_TYPE=Debug CMAKE_ARGS=-DLEARNHTTPD_SANITIZE=address,undefined

test-tsan:
	$(MAKE) test BUILD=build-tsan BUILD_TYPE=Debug CMAKE_ARGS=-DLEARNHTTPD_SANITIZE=thread

bench: build
	@packaging/install-deps.sh bench
	bench/run $(BENCH_ARGS)

# The Debian package: $(BUILD)/learnhttpd_<version>_<arch>.deb
deb: build
	cd $(BUILD) && cpack -G DEB

# Installs the .deb in a booted systemd container and checks start/reload/stop (root; the
# first run debootstraps a Debian root, which takes a few minutes).
test-systemd: deb
	@dpkg-query -W debootstrap systemd-container >/dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq debootstrap systemd-container >/dev/null)
	tests/system/run-in-systemd $(BUILD)/learnhttpd_$$(sed -n 's/^project(learnhttpd VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)_$$(dpkg --print-architecture).deb

clean:
	rm -rf build build-asan build-tsan
