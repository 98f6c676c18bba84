# The fuzz build (-DVPSHUNT_FUZZ=ON, clang only, a build folder of its own: scripts/fuzz.sh uses
# build-fuzz/). Included by the top-level CMakeLists.txt before any target is made, so that every
# target compiles and links with ASan and UBSan; UB aborts (-fno-sanitize-recover=all) so that
# libFuzzer counts it as a crash. vpshunt_core gets libFuzzer's coverage instrumentation
# (fuzzer-no-link) in tests/fuzz/CMakeLists.txt, the targets link libFuzzer itself.
# Flags as OSS-Fuzz builds: -O1, line tables only (stacks with file:line, a quicker build), no
# NDEBUG, and libstdc++'s own bounds checks (operator[] of vector/string/string_view).
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "VPSHUNT_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
endif()
set(CMAKE_BUILD_TYPE Fuzz)
set(CMAKE_CXX_FLAGS_FUZZ "-O1 -gline-tables-only -D_GLIBCXX_ASSERTIONS")
set(VPSHUNT_SANITIZE -fsanitize=address,undefined -fno-sanitize-recover=all)
add_compile_options(${VPSHUNT_SANITIZE} -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)
set(VPSHUNT_TESTS OFF CACHE BOOL "Build the Catch2 tests" FORCE)
