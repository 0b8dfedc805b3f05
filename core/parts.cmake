# The parts of core/ and the parts each may include (docs/architecture.md):
# a part includes only itself and the parts listed for it, all lower in
# this list. Run at configure time (include) and by every build
# (cmake -DDISCLOSURE_CORE_DIR=… -P parts.cmake); fails naming the file and
# the include that points the wrong way.
if(CMAKE_SCRIPT_MODE_FILE)
  cmake_minimum_required(VERSION 3.16)  # IN_LIST
endif()
set(DISCLOSURE_PARTS base report rules import ledger access storage rpc)
set(DISCLOSURE_PART_base)
set(DISCLOSURE_PART_report base)
set(DISCLOSURE_PART_rules report base)
set(DISCLOSURE_PART_import rules report base)
set(DISCLOSURE_PART_ledger base)
set(DISCLOSURE_PART_access report base)
set(DISCLOSURE_PART_storage base)
set(DISCLOSURE_PART_rpc access base)

foreach(part ${DISCLOSURE_PARTS})
  set(allowed ${part} ${DISCLOSURE_PART_${part}})
  file(GLOB sources ${DISCLOSURE_CORE_DIR}/${part}/*.h ${DISCLOSURE_CORE_DIR}/${part}/*.cc)
  foreach(source ${sources})
    file(STRINGS ${source} includes REGEX "^#include \"core/")
    foreach(line ${includes})
      string(REGEX REPLACE "^#include \"core/([a-z_]+)/.*" "\\1" used "${line}")
      if(NOT used IN_LIST allowed)
        message(FATAL_ERROR "${source}: core/${part} may not include core/${used} "
                            "(it may include: ${allowed}; docs/architecture.md)")
      endif()
    endforeach()
  endforeach()
endforeach()
