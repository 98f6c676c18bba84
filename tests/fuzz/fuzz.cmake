# The fuzz build (-DVPSHUNT_FUZZ=ON, clang only, a build folder of its own: scripts/fuzz.sh uses
# build-fuzz/). Included by the top-level CMakeLists.txt before any target is made, so that every
# target compiles and links with ASan and UBSan; UB aborts (-fno-sanitize-recover=all) so that
# libFuzzer counts it as a crash. vpshunt_core gets libFuzzer's coverage instrumentation
# (fuzzer-no-link) in tests/fuzz/CMakeLists.txt, the targets link libFuzzer itself.
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "VPSHUNT_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
endif()
set(VPSHUNT_SANITIZE -fsanitize=address,undefined -fno-sanitize-recover=all)
add_compile_options(${VPSHUNT_SANITIZE} -fno-omit-frame-pointer -g)
add_link_options(-fsanitize=address,undefined)
set(VPSHUNT_TESTS OFF CACHE BOOL "Build the Catch2 tests" FORCE)
