# volcrypt_add_plugin(NAME SOURCES src...)
# Builds an encryptor plugin module: no "lib" prefix, hidden visibility (only the two
# entry symbols are exported), linked against the SDK. In a volcrypt build tree it lands
# beside the volcrypt program; VOLCRYPT_PLUGIN_INSTALL_DIR says where it installs.
function(volcrypt_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "" "SOURCES")
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "volcrypt_add_plugin(${name}): SOURCES is required")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE Volcrypt::sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  # Export exactly the two entry symbols; hidden visibility alone still leaks some
  # standard-library template instances, which could bind across plugins.
  set(export_map "${CMAKE_CURRENT_BINARY_DIR}/${name}.exports")
  file(WRITE "${export_map}"
       "{\n  global:\n    volcrypt_plugin_abi;\n    volcrypt_plugin_entry;\n  local:\n    *;\n};\n")
  target_link_options(${name} PRIVATE "LINKER:--no-undefined"
                      "LINKER:--version-script=${export_map}")
  set_property(TARGET ${name} APPEND PROPERTY LINK_DEPENDS "${export_map}")
  if(DEFINED VOLCRYPT_BUILD_PLUGIN_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${VOLCRYPT_BUILD_PLUGIN_DIR}")
  endif()
  if(DEFINED VOLCRYPT_PLUGIN_INSTALL_DIR)
    install(TARGETS ${name} LIBRARY DESTINATION "${VOLCRYPT_PLUGIN_INSTALL_DIR}")
  endif()
endfunction()
