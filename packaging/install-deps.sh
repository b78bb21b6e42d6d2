#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages that building, testing or benchmarking learnhttpd needs.
# Usage: packaging/install-deps.sh [build|bench|deb]
# Idempotent and silent when everything is present; needs root only when something is missing.
set -euo pipefail

build_pkgs=(cmake ninja-build g++ pkg-config libevent-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
            libsystemd-dev zlib1g-dev libssl-dev googletest libgtest-dev libgmock-dev python3 curl nodejs
            help2man clang-format clang-tidy prometheus openssl)  # prometheus: promtool, for the status tests;
            # openssl: the TLS tests make their certificates
# make deb: the package build, its linter and hardening-check (devscripts).
deb_pkgs=(debhelper lintian devscripts)
bench_pkgs=(wrk apache2-utils nginx-light lighttpd lighttpd-mod-openssl h2o gnuplot-nox
            testssl.sh)  # lighttpd-mod-openssl: its HTTPS rows; testssl.sh: bench/tls-audit

case "${1:-build}" in
  build) wanted=("${build_pkgs[@]}") ;;
  bench) wanted=("${build_pkgs[@]}" "${bench_pkgs[@]}") ;;
  deb) wanted=("${build_pkgs[@]}" "${deb_pkgs[@]}") ;;
  *) echo "usage: $0 [build|bench|deb]" >&2; exit 2 ;;
esac

missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$pkg")
done
((${#missing[@]} == 0)) && exit 0

if ((EUID != 0)); then
  echo "learnhttpd: missing Debian packages: ${missing[*]}" >&2
  echo "learnhttpd: run this as root, or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "learnhttpd: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d keeps the benchmark peers (nginx, lighttpd, h2o) from being started as services.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
fi
trap '((created_policy)) && rm -f "$policy"' EXIT
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
