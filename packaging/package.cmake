# SPDX-License-Identifier: MIT
# Installation layout, used by the Debian package (packaging/debian, built by `make deb`) and by
# a plain `cmake --install`. Paths follow Debian: the binary in /usr/sbin, the conffiles in /etc,
# the unit in /lib/systemd/system, the default site in /usr/share (copied to /var/www/learnhttpd
# by postinst only when that folder does not exist: the admin's site is never overwritten).
set(CMAKE_INSTALL_PREFIX /usr CACHE PATH "Installation prefix" FORCE)
include(GNUInstallDirs)

install(TARGETS learnhttpd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/etc/learnhttpd.yaml DESTINATION /etc/learnhttpd)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/logrotate/learnhttpd
        DESTINATION /etc/logrotate.d)
install(FILES ${PROJECT_SOURCE_DIR}/systemd/learnhttpd.service DESTINATION /lib/systemd/system)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/www/ DESTINATION ${CMAKE_INSTALL_DATADIR}/learnhttpd/www)

# learnhttpd(8) is generated from the built binary's --help and --version (help2man), plus the
# sections in learnhttpd.h2m: the page and the CLI cannot drift apart.
find_program(HELP2MAN help2man)
if(NOT HELP2MAN)
  message(FATAL_ERROR "help2man not found: run packaging/install-deps.sh (or apt-get install help2man)")
endif()
set(LEARNHTTPD_MANPAGE ${PROJECT_BINARY_DIR}/learnhttpd.8)
add_custom_command(
  OUTPUT ${LEARNHTTPD_MANPAGE}
  COMMAND ${HELP2MAN} --no-info --no-discard-stderr --section=8
          --name=static-file\ HTTP/1.1\ server
          --include=${PROJECT_SOURCE_DIR}/packaging/learnhttpd.h2m
          --output=${LEARNHTTPD_MANPAGE} $<TARGET_FILE:learnhttpd>
  DEPENDS learnhttpd ${PROJECT_SOURCE_DIR}/packaging/learnhttpd.h2m
  COMMENT "Generating learnhttpd(8) from --help"
  VERBATIM)
add_custom_target(manpage ALL DEPENDS ${LEARNHTTPD_MANPAGE})
install(FILES ${LEARNHTTPD_MANPAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)

if(LEARNHTTPD_TESTS)
  add_test(NAME packaging.manpage
           COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/system/check_manpage.py
                   $<TARGET_FILE:learnhttpd> ${LEARNHTTPD_MANPAGE})
  set_tests_properties(packaging.manpage PROPERTIES LABELS "packaging" TIMEOUT 30)
endif()
