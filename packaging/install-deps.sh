#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages one make target needs, and nothing more.
# Usage: packaging/install-deps.sh [--list] run|test|check|bench|deb|systemd|fuzz
#   run      build and run the server (make build, make run)
#   test     run + what the tests call (make test)
#   check    run + clang-format, clang-tidy, git (make check)
#   bench    run + the servers and load generators compared against (make bench)
#   deb      run + debhelper, lintian, hardening-check (make deb)
#   systemd  deb + debootstrap and systemd-nspawn (make test-systemd)
#   fuzz     run + clang and its libFuzzer/sanitizer runtimes (make fuzz)
#   --list   print the packages of the set, one a line, and install nothing
# Idempotent and silent when everything is present; needs root only when something is missing.
# No package is installed with its Recommends. Installing starts no service (policy-rc.d), and
# whatever the installation enabled to start at boot is disabled again: nothing is left
# enabled that was not enabled before.
set -euo pipefail

# Compiler, build tools and the libraries the server links (libnghttp2-dev: HTTP/2's frames,
# HPACK and flow control; libcrypt-dev: crypt_r for basic auth's bcrypt, SHA-crypt and
# yescrypt); help2man makes learnhttpd(8) in every build.
run_pkgs=(cmake ninja-build g++ pkg-config libevent-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
          libsystemd-dev zlib1g-dev libssl-dev libnghttp2-dev libcrypt-dev help2man)
# googletest: the unit tests; python3 runs the integration tests. curl: TLS interoperability.
# openssl: the test certificates.
# nodejs: a WHATWG URL parser to resolve Location headers as a browser does.
# python3-prometheus-client, python3-html5lib: validators of /metrics and of the error pages
# (neither starts a service; promtool would bring the Prometheus server).
# chromium: a real browser, headless, for what only a browser shows (a listing's escaping);
# apache2-utils: htpasswd, the tool an operator makes basic auth's files with (neither ships a
# daemon); python3-h2: the HTTP/2 clients of the tests, hostile ones included; nghttp2-client:
# h2load for a reload under HTTP/2 load (the clients only: the servers are in nghttp2-server).
test_pkgs=(googletest libgtest-dev libgmock-dev python3 curl openssl nodejs
           python3-prometheus-client python3-html5lib chromium apache2-utils python3-h2
           nghttp2-client)
# git: the changed lines are found with git clang-format; python3: the include-arrow check.
check_pkgs=(clang-format clang-tidy git python3)
# nginx, lighttpd and h2o are the servers compared against; their packages enable their
# services, which is undone below. openssl: the benchmark's test certificate. nghttp2-client:
# h2load, the HTTP/2 load generator; python3-h2: the browser-like client of bench/protocols.
bench_pkgs=(wrk apache2-utils nginx-light lighttpd lighttpd-mod-openssl h2o gnuplot-nox
            testssl.sh openssl python3 nghttp2-client python3-h2)
# The package build, its linter and hardening-check (devscripts).
deb_pkgs=(debhelper lintian devscripts)
systemd_pkgs=(debootstrap systemd-container)
# libFuzzer and the sanitizers come with clang (libclang-rt-14-dev holds the runtimes).
fuzz_pkgs=(clang libclang-rt-14-dev)

list=0
if [[ ${1:-} == --list ]]; then
  list=1
  shift
fi
case "${1:-run}" in
  run | build) wanted=("${run_pkgs[@]}") ;;
  test) wanted=("${run_pkgs[@]}" "${test_pkgs[@]}") ;;
  check) wanted=("${run_pkgs[@]}" "${check_pkgs[@]}") ;;
  bench) wanted=("${run_pkgs[@]}" "${bench_pkgs[@]}") ;;
  deb) wanted=("${run_pkgs[@]}" "${deb_pkgs[@]}") ;;
  systemd) wanted=("${run_pkgs[@]}" "${deb_pkgs[@]}" "${systemd_pkgs[@]}") ;;
  fuzz) wanted=("${run_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
  *) echo "usage: $0 [--list] run|test|check|bench|deb|systemd|fuzz" >&2; exit 2 ;;
esac
if ((list)); then
  printf '%s\n' "${wanted[@]}" | sort -u
  exit 0
fi

missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$pkg")
done
((${#missing[@]} == 0)) && exit 0
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)

if ((EUID != 0)); then
  echo "learnhttpd: missing Debian packages: ${missing[*]}" >&2
  echo "learnhttpd: run this as root, or: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

# The services that start at boot: the links that enable systemd units, and the SysV start
# links of the multi-user runlevels (rcS.d holds boot-time scripts such as procps', not
# services; under systemd they are inert).
enabled_links() {
  find /etc/systemd/system /etc/rc[2-5].d -type l \
    \( -path '*.wants/*' -o -path '*.requires/*' -o -path '/etc/rc?.d/S*' \) 2>/dev/null | sort
}
# The unit a link enables: its own name in a .wants folder; NAME.service for /etc/rcN.d/SNNNAME.
unit_of() {
  local name=${1##*/}
  if [[ $1 == /etc/rc?.d/S* ]]; then
    name=${name#S[0-9][0-9]}
    echo "$name.service"
  else
    echo "$name"
  fi
}

echo "learnhttpd: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d keeps the services of the installed packages (the benchmark peers) from starting.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
fi
trap '((created_policy)) && rm -f "$policy"' EXIT
before=$(enabled_links)
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
mapfile -t new_links < <(comm -13 <(printf '%s\n' "$before") <(enabled_links))
if ((${#new_links[@]})); then
  mapfile -t units < <(for link in "${new_links[@]}"; do unit_of "$link"; done | sort -u)
  echo "learnhttpd: not starting at boot what the installation enabled: ${units[*]}" >&2
  if command -v systemctl >/dev/null; then
    systemctl disable --quiet "${units[@]}" || true
  else  # a container or chroot without systemd: the helpers the maintainer scripts use
    for unit in "${units[@]}"; do
      deb-systemd-helper disable "$unit" >/dev/null 2>&1 || true
      update-rc.d "${unit%.service}" disable >/dev/null 2>&1 || true
    done
  fi
  # Whatever could not be undone that way (a link without a unit of that name) goes by hand.
  mapfile -t left < <(comm -13 <(printf '%s\n' "$before") <(enabled_links))
  ((${#left[@]} == 0)) || rm -f -- "${left[@]}"
fi
