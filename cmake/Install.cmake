# Install rules, for `make install` (PREFIX, DESTDIR) and the Debian package (debian/rules):
# the programs, their man pages and bash completions, the documentation and the sample.
include(GNUInstallDirs)

set(pa_doc_dir ${CMAKE_INSTALL_DATADIR}/doc/packet-analysis)
set(pa_completion_dir ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)

# bash-completion loads a command's completion from a file named after the command.
function(pa_install_program target)
  install(TARGETS ${target} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES ${PROJECT_SOURCE_DIR}/man/${target}.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  install(FILES ${PROJECT_SOURCE_DIR}/completions/packet-analysis.bash
          DESTINATION ${pa_completion_dir} RENAME ${target})
endfunction()

pa_install_program(packet-analysis)
if(TARGET packet-analysis-generate)
  pa_install_program(packet-analysis-generate)
endif()
if(TARGET packet-analysis-obfuscate)
  pa_install_program(packet-analysis-obfuscate)
endif()

install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${pa_doc_dir})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${pa_doc_dir}/docs
        FILES_MATCHING PATTERN "*.md")
install(FILES ${PROJECT_SOURCE_DIR}/samples/README.md
              ${PROJECT_SOURCE_DIR}/samples/office.expected.txt
              ${PROJECT_SOURCE_DIR}/samples/office.expected.json
              ${PROJECT_SOURCE_DIR}/samples/office.pcap1 ${PROJECT_SOURCE_DIR}/samples/office.pcap2
              ${PROJECT_SOURCE_DIR}/samples/office.pcap3 ${PROJECT_SOURCE_DIR}/samples/office.pcap4
        DESTINATION ${pa_doc_dir}/examples)
