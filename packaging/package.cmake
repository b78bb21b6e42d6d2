# SPDX-License-Identifier: MIT
# Installation layout. Every destination is relative to the prefix unless the build is told
# otherwise, so `cmake --install build --prefix /opt/x` (and DESTDIR=) puts everything under
# /opt/x: sbin/learnhttpd, etc/learnhttpd/, lib/systemd/system/learnhttpd.service,
# share/man, share/doc/learnhttpd, share/learnhttpd/www. The Debian package (packaging/debian)
# configures the prefix /usr with debhelper's CMAKE_INSTALL_SYSCONFDIR=/etc and
# LEARNHTTPD_UNITDIR=/lib/systemd/system: /usr/sbin, /etc/learnhttpd, /etc/logrotate.d,
# /lib/systemd/system, /usr/share/... The default site goes to share/learnhttpd/www; postinst
# copies it to /var/www/learnhttpd only when that folder does not exist.
include(GNUInstallDirs)

set(LEARNHTTPD_UNITDIR "lib/systemd/system" CACHE STRING
    "Folder of the systemd unit: relative to the prefix, or absolute (/lib/systemd/system)")

install(TARGETS learnhttpd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/etc/learnhttpd.yaml
        DESTINATION ${CMAKE_INSTALL_SYSCONFDIR}/learnhttpd)
install(FILES ${PROJECT_SOURCE_DIR}/etc/conf.d/00-example.yaml
        DESTINATION ${CMAKE_INSTALL_SYSCONFDIR}/learnhttpd/conf.d)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/logrotate/learnhttpd
        DESTINATION ${CMAKE_INSTALL_SYSCONFDIR}/logrotate.d)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/www/ DESTINATION ${CMAKE_INSTALL_DATADIR}/learnhttpd/www)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/operations.md
              ${PROJECT_SOURCE_DIR}/docs/models.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
        FILES_MATCHING PATTERN "models*.png")

# The unit names the binary and the configuration where this installation puts them. The
# prefix is known only when installing (--prefix), so the unit is written then: the paths of
# systemd/learnhttpd.service (the Debian ones) are replaced by the installed ones.
set(LEARNHTTPD_UNIT ${PROJECT_BINARY_DIR}/learnhttpd.service)
install(CODE "
  set(sbindir \"${CMAKE_INSTALL_SBINDIR}\")
  set(sysconfdir \"${CMAKE_INSTALL_SYSCONFDIR}\")
  foreach(dir sbindir sysconfdir)
    if(NOT IS_ABSOLUTE \"\${\${dir}}\")
      set(\${dir} \"\${CMAKE_INSTALL_PREFIX}/\${\${dir}}\")
    endif()
  endforeach()
  file(READ \"${PROJECT_SOURCE_DIR}/systemd/learnhttpd.service\" unit)
  string(REPLACE \"/usr/sbin/learnhttpd\" \"\${sbindir}/learnhttpd\" unit \"\${unit}\")
  string(REPLACE \"/etc/learnhttpd/\" \"\${sysconfdir}/learnhttpd/\" unit \"\${unit}\")
  file(WRITE \"${LEARNHTTPD_UNIT}\" \"\${unit}\")
")
install(FILES ${LEARNHTTPD_UNIT} DESTINATION ${LEARNHTTPD_UNITDIR})

# learnhttpd(8) is generated from the built binary's --help and --version (help2man), plus the
# sections in learnhttpd.h2m: the page and the CLI cannot drift apart. learnhttpd.yaml(5) is
# written by hand; tests/unit/config/manpage_test.cpp holds it to the loader's keys and
# defaults.
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
install(FILES ${PROJECT_SOURCE_DIR}/packaging/learnhttpd.yaml.5
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)

if(LEARNHTTPD_TESTS)
  add_test(NAME packaging.manpage
           COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/system/check_manpage.py
                   $<TARGET_FILE:learnhttpd> ${LEARNHTTPD_MANPAGE})
  set_tests_properties(packaging.manpage PROPERTIES LABELS "packaging" TIMEOUT 30)
  # cmake --install into a prefix and under DESTDIR: what lands where, and the unit's paths.
  add_test(NAME packaging.install_prefix
           COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/system/check_install.py
                   ${CMAKE_COMMAND} ${PROJECT_BINARY_DIR})
  set_tests_properties(packaging.install_prefix PROPERTIES LABELS "packaging" TIMEOUT 60
                       ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1")
endif()
