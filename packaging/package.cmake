# Installation layout and the Debian package (make deb -> build/learnhttpd_<version>_<arch>.deb).
# Paths follow Debian: the binary in /usr/sbin, the conffile in /etc/learnhttpd, the unit in
# /lib/systemd/system, the default site shipped in /usr/share and copied to /var/www/learnhttpd
# by postinst only when that folder does not exist (the admin's site is never overwritten).
set(CMAKE_INSTALL_PREFIX /usr CACHE PATH "Installation prefix" FORCE)
include(GNUInstallDirs)

install(TARGETS learnhttpd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/etc/learnhttpd.yaml DESTINATION /etc/learnhttpd)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/logrotate/learnhttpd
        DESTINATION /etc/logrotate.d)
install(FILES ${PROJECT_SOURCE_DIR}/systemd/learnhttpd.service DESTINATION /lib/systemd/system)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/www/ DESTINATION ${CMAKE_INSTALL_DATADIR}/learnhttpd/www)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME learnhttpd)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "learnhttpd developers <learnhttpd@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION "A prefork static-file HTTP/1.1 server: a master process supervises \
workers that each run a libevent loop or a thread pool. Type=notify systemd service.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION httpd)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, logrotate")
set(CPACK_DEBIAN_PACKAGE_PROVIDES httpd)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/deb/conffiles
    ${PROJECT_SOURCE_DIR}/packaging/deb/postinst
    ${PROJECT_SOURCE_DIR}/packaging/deb/prerm
    ${PROJECT_SOURCE_DIR}/packaging/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
