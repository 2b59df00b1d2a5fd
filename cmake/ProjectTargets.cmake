# Helpers that give every target of ours the same warnings and sanitizer flags.
# Third-party code is untouched: the flags live on our targets only.

add_library(pa_flags INTERFACE)
target_compile_options(pa_flags INTERFACE -Wall -Wextra -Wconversion -Werror)
# GCC 12 at -O3 warns that `"literal" + std::string` may overlap itself (GCC bug 105329, fixed in
# 13): a false alarm from its own <string> that would fail every release build of the tests.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(pa_flags INTERFACE -Wno-restrict)
endif()
if(PA_SANITIZE)
  target_compile_options(pa_flags INTERFACE -fsanitize=address,undefined -fno-sanitize-recover=all
                                            -fno-omit-frame-pointer)
  target_link_options(pa_flags INTERFACE -fsanitize=address,undefined -fno-sanitize-recover=all)
endif()
if(PA_TSAN)
  if(PA_SANITIZE)
    message(FATAL_ERROR "PA_TSAN and PA_SANITIZE cannot be combined")
  endif()
  target_compile_options(pa_flags INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(pa_flags INTERFACE -fsanitize=thread)
endif()
if(PA_FUZZ)
  target_compile_options(pa_flags INTERFACE -fsanitize=fuzzer-no-link,address,undefined
                                            -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(pa_flags INTERFACE -fsanitize=address,undefined -fno-sanitize-recover=all)
endif()

# pa_library(<name> SOURCES ... [DEPS ...]) defines the static library pa_<name>.
function(pa_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(pa_${name} STATIC ${ARG_SOURCES})
  target_include_directories(pa_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(pa_${name} PUBLIC pa_flags ${ARG_DEPS})
endfunction()

# pa_tests(<name> SOURCES ... [DEPS ...]) defines the test executable <name>_tests, whose
# tests ctest lists one by one.
function(pa_tests name)
  if(NOT PA_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name}_tests ${ARG_SOURCES})
  target_link_libraries(${name}_tests PRIVATE pa_flags ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name}_tests PRIVATE
    PA_SOURCE_DIR="${PROJECT_SOURCE_DIR}" PA_SHARED_DIR="${PA_SHARED_DIR}")
  gtest_discover_tests(${name}_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()
