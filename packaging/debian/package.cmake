# The Debian package: `packaging/deb.sh` (`--from DIR` packs a tree already
# built for /usr, as the test suite does), or by hand
#   cmake -S . -B build-deb -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr -DFRONTDESK_TESTS=OFF
#   cmake --build build-deb && (cd build-deb && cpack -G DEB)
# Files under absolute paths are where Debian 12 and systemd look for them.

set(FRONTDESK_DOCS README.md docs/ARCHITECTURE.md docs/API.md docs/CONSOLE.md docs/LANGUAGES.md docs/MAIL.md
    docs/METRICS.md docs/OPERATIONS.md docs/PERFORMANCE.md docs/SCALING.md docs/SECURITY.md docs/SLA.md)
install(FILES ${FRONTDESK_DOCS} config/frontdesk.example.toml DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/frontdesk)
install(FILES config/frontdesk.example.toml DESTINATION /etc/frontdesk RENAME frontdesk.toml
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES systemd/frontdesk.service systemd/frontdesk-escalate.service systemd/frontdesk-escalate.timer
              systemd/frontdesk-backup.service systemd/frontdesk-backup.timer systemd/frontdesk-fetch.service
              systemd/frontdesk-fetch.timer
        DESTINATION /lib/systemd/system)
install(FILES systemd/frontdesk.sysusers DESTINATION /usr/lib/sysusers.d RENAME frontdesk.conf)
install(FILES systemd/frontdesk.tmpfiles DESTINATION /usr/lib/tmpfiles.d RENAME frontdesk.conf)
install(FILES packaging/debian/frontdesk.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME frontdesk)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Frontdesk maintainers <frontdesk@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "self-hosted helpdesk in one daemon and one SQLite file")
set(CPACK_PACKAGE_DESCRIPTION
    "Frontdesk turns mail and web-form requests into tickets, routes them with rules from one TOML file, runs SLA clocks in business hours, escalates what is about to be late and keeps everything in one SQLite file.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION mail)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The runtime libraries, as dpkg-shlibdeps finds them; the private library
# is ours.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${CMAKE_BINARY_DIR})
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, tzdata")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postfix | mail-transport-agent")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/debian/conffiles ${CMAKE_SOURCE_DIR}/packaging/debian/postinst
    ${CMAKE_SOURCE_DIR}/packaging/debian/prerm ${CMAKE_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
