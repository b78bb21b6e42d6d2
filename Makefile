# The two commands of the README, plus the developer targets behind them.
#   make run   install what is missing, build, serve www/ on port 8080 in the foreground
#   make test  install what is missing, build, run every test
BUILD      ?= build
BUILD_TYPE ?= RelWithDebInfo
PORT       ?= 8080
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=

.PHONY: all deps build run test test-asan test-tsan bench clean

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

clean:
	rm -rf build build-asan build-tsan
