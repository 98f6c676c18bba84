# The WebAssembly build (included by the top-level CMakeLists.txt under emcmake).
#
#   emcmake cmake -S . -B W -DCMAKE_BUILD_TYPE=Release && cmake --build W -j2
#
# produces
#   W/web/          the deployable static site: index.html, app.js, worker.js, engine.js, style.css,
#                   vpshunt.js + vpshunt.wasm (the module), examples/ (the bundled example exports)
#   W/vpshunt.mjs   the Node runner: `node W/vpshunt.mjs --events a.csv --intel b.csv --format jsonl`
#   W/package.json  {"type":"module"}, so Node loads W/web/*.js as ES modules wherever W is
#
# Exceptions: the DESIGN wants one catch ladder in the bindings, so the core and the bindings are
# compiled with exception support. VPSHUNT_WASM_EXCEPTIONS=wasm (default) uses WebAssembly's native
# exception handling (zero cost on the non-throwing path; Node >= 17, Chromium >= 95, Firefox >= 100,
# Safari >= 15.2); =js uses Emscripten's older JavaScript-based scheme, which runs everywhere but
# routes every call that may throw through a JS trampoline (slower).
set(VPSHUNT_WASM_EXCEPTIONS "wasm" CACHE STRING "Exception handling in the wasm build: wasm or js")
set_property(CACHE VPSHUNT_WASM_EXCEPTIONS PROPERTY STRINGS wasm js)
option(VPSHUNT_WASM_SIMD "Compile the wasm module with 128-bit SIMD" ON)
option(VPSHUNT_WASM_CHECKS "Link with Emscripten's stack-overflow checks (slower; for debugging)" OFF)
option(VPSHUNT_WASM_PROFILING "Keep function names in the wasm module (node --cpu-prof shows them)" OFF)
# Wasm has no guard page: a stack overflow silently overwrites the heap. 8 MiB, like a Linux main thread.
set(VPSHUNT_WASM_STACK 8388608 CACHE STRING "Stack size of the wasm module in bytes")

if(VPSHUNT_WASM_EXCEPTIONS STREQUAL "js")
  set(_vpshunt_eh -fexceptions)
else()
  set(_vpshunt_eh -fwasm-exceptions)
endif()
set(_vpshunt_simd)
if(VPSHUNT_WASM_SIMD)
  set(_vpshunt_simd -msimd128)
endif()

target_compile_options(vpshunt_core PRIVATE ${_vpshunt_eh} ${_vpshunt_simd})

set(VPSHUNT_SITE_DIR ${CMAKE_BINARY_DIR}/web)
get_filename_component(_vpshunt_src ${CMAKE_CURRENT_LIST_DIR}/.. ABSOLUTE)

add_executable(vpshunt_wasm ${_vpshunt_src}/wasm/bindings.cpp)
target_link_libraries(vpshunt_wasm PRIVATE vpshunt_core)
target_compile_options(vpshunt_wasm PRIVATE ${_vpshunt_eh} ${_vpshunt_simd} -Wall -Wextra)
target_link_options(vpshunt_wasm PRIVATE
  ${_vpshunt_eh}
  --bind
  -sMODULARIZE=1
  -sEXPORT_ES6=1
  -sEXPORT_NAME=createVpshunt
  -sENVIRONMENT=web,worker
  -sALLOW_MEMORY_GROWTH=1
  -sINITIAL_MEMORY=33554432
  -sMAXIMUM_MEMORY=4GB
  -sFILESYSTEM=0
  -sTOTAL_STACK=${VPSHUNT_WASM_STACK}
  $<$<BOOL:${VPSHUNT_WASM_CHECKS}>:-sSTACK_OVERFLOW_CHECK=2>
  $<$<BOOL:${VPSHUNT_WASM_PROFILING}>:--profiling-funcs>
  # Embind without eval/new Function: works under a Content-Security-Policy without 'unsafe-eval'.
  -sDYNAMIC_EXECUTION=0)
set_target_properties(vpshunt_wasm PROPERTIES
  OUTPUT_NAME vpshunt
  SUFFIX ".js"
  RUNTIME_OUTPUT_DIRECTORY ${VPSHUNT_SITE_DIR})

# The site: the page's own files, then the example exports (written by examples/; copied when they
# exist, re-globbed at every build so that new ones are picked up).
file(GLOB _vpshunt_web_files CONFIGURE_DEPENDS
  ${_vpshunt_src}/web/*.html ${_vpshunt_src}/web/*.js ${_vpshunt_src}/web/*.css ${_vpshunt_src}/web/*.svg)
file(GLOB _vpshunt_example_files CONFIGURE_DEPENDS
  ${_vpshunt_src}/examples/*.csv ${_vpshunt_src}/examples/*.json ${_vpshunt_src}/examples/*.jsonl
  ${_vpshunt_src}/examples/*.tsv ${_vpshunt_src}/examples/*.log ${_vpshunt_src}/examples/*.gz)

set(_vpshunt_site_outputs)
foreach(_f ${_vpshunt_web_files})
  get_filename_component(_name ${_f} NAME)
  add_custom_command(OUTPUT ${VPSHUNT_SITE_DIR}/${_name}
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${_f} ${VPSHUNT_SITE_DIR}/${_name}
    DEPENDS ${_f} COMMENT "site: ${_name}" VERBATIM)
  list(APPEND _vpshunt_site_outputs ${VPSHUNT_SITE_DIR}/${_name})
endforeach()
# The training scenario (assets.js SCENARIOS.scenario), under examples/scenario/ in the site.
file(GLOB _vpshunt_scenario_files CONFIGURE_DEPENDS
  ${_vpshunt_src}/examples/scenario/*.csv ${_vpshunt_src}/examples/scenario/*.log)
foreach(_f ${_vpshunt_scenario_files})
  get_filename_component(_name ${_f} NAME)
  add_custom_command(OUTPUT ${VPSHUNT_SITE_DIR}/examples/scenario/${_name}
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${_f} ${VPSHUNT_SITE_DIR}/examples/scenario/${_name}
    DEPENDS ${_f} COMMENT "site: examples/scenario/${_name}" VERBATIM)
  list(APPEND _vpshunt_site_outputs ${VPSHUNT_SITE_DIR}/examples/scenario/${_name})
endforeach()
foreach(_f ${_vpshunt_example_files})
  file(SIZE ${_f} _size)
  if(_size GREATER 20000000)
    continue()  # a generated benchmark file, not an example for the page
  endif()
  get_filename_component(_name ${_f} NAME)
  add_custom_command(OUTPUT ${VPSHUNT_SITE_DIR}/examples/${_name}
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${_f} ${VPSHUNT_SITE_DIR}/examples/${_name}
    DEPENDS ${_f} COMMENT "site: examples/${_name}" VERBATIM)
  list(APPEND _vpshunt_site_outputs ${VPSHUNT_SITE_DIR}/examples/${_name})
endforeach()

add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/vpshunt.mjs
  COMMAND ${CMAKE_COMMAND} -E copy_if_different ${_vpshunt_src}/wasm/runner.mjs ${CMAKE_BINARY_DIR}/vpshunt.mjs
  DEPENDS ${_vpshunt_src}/wasm/runner.mjs COMMENT "Node runner: vpshunt.mjs" VERBATIM)
file(WRITE ${CMAKE_BINARY_DIR}/package.json "{\"type\": \"module\", \"private\": true}\n")

add_custom_target(vpshunt_site ALL DEPENDS ${_vpshunt_site_outputs} ${CMAKE_BINARY_DIR}/vpshunt.mjs)
add_dependencies(vpshunt_site vpshunt_wasm)

# The single-file page, W/web/vpshunt.html: the page, the worker, the module, asn.bin and the examples
# in one HTML file that works opened from disk (file://), with no server and no network, for
# air-gapped review. scripts/build-single-page.mjs bundles the page and the worker with esbuild (an
# npm devDependency: run `npm ci`) and inlines the rest; see its header.
set(_vpshunt_single_page ${VPSHUNT_SITE_DIR}/vpshunt.html)
add_custom_command(OUTPUT ${_vpshunt_single_page}
  COMMAND ${VPSHUNT_NODE} ${_vpshunt_src}/scripts/build-single-page.mjs ${VPSHUNT_SITE_DIR} ${_vpshunt_single_page}
  DEPENDS ${_vpshunt_src}/scripts/build-single-page.mjs ${_vpshunt_site_outputs} ${VPSHUNT_SITE_DIR}/asn.bin vpshunt_wasm
  COMMENT "site: vpshunt.html (the single-file page)" VERBATIM)
add_custom_target(vpshunt_single_page ALL DEPENDS ${_vpshunt_single_page})
add_dependencies(vpshunt_single_page vpshunt_site vpshunt_asn_db)
