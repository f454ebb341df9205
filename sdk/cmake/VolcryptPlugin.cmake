# volcrypt_add_plugin(NAME SOURCES src... [INSTALL_DIR dir] [NO_INSTALL])
#   Builds an encryptor plugin module NAME.so: no "lib" prefix, hidden visibility, linked
#   with the linker version script that exports only volcrypt_plugin_abi and
#   volcrypt_plugin_entry, and against Volcrypt::sdk. It installs into INSTALL_DIR, else
#   VOLCRYPT_PLUGIN_INSTALL_DIR: in the volcrypt build the packaged plugin directory; for
#   a vendor's build (find_package(VolcryptSDK)) the drop-in directory for local plugins,
#   /usr/local/lib/volcrypt/plugins. Inside the volcrypt build it lands in
#   VOLCRYPT_BUILD_PLUGIN_DIR, beside the volcrypt program.
#
# volcrypt_add_plugin_check(NAME)
#   Registers a test NAME.conformance that runs volcrypt-plugin-check on the plugin.

# Found through a global property: the functions run in other directories than this file.
set_property(GLOBAL PROPERTY VOLCRYPT_PLUGIN_EXPORT_MAP "${CMAKE_CURRENT_LIST_DIR}/volcrypt-plugin.map")

function(volcrypt_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "NO_INSTALL" "INSTALL_DIR" "SOURCES")
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "volcrypt_add_plugin(${name}): SOURCES is required")
  endif()
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "volcrypt_add_plugin(${name}): unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE Volcrypt::sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    SUFFIX ".so"
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  get_property(export_map GLOBAL PROPERTY VOLCRYPT_PLUGIN_EXPORT_MAP)
  # --no-undefined: a missing symbol fails the build, not the host's dlopen.
  target_link_options(${name} PRIVATE "LINKER:--no-undefined"
                      "LINKER:--version-script=${export_map}")
  set_property(TARGET ${name} APPEND PROPERTY LINK_DEPENDS "${export_map}")
  if(DEFINED VOLCRYPT_BUILD_PLUGIN_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${VOLCRYPT_BUILD_PLUGIN_DIR}")
  endif()
  set(destination "${VOLCRYPT_PLUGIN_INSTALL_DIR}")
  if(ARG_INSTALL_DIR)
    set(destination "${ARG_INSTALL_DIR}")
  endif()
  if(NOT ARG_NO_INSTALL AND destination)
    # 0755: the host refuses plugin files that group or others can write.
    install(TARGETS ${name} LIBRARY DESTINATION "${destination}"
            PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                        WORLD_READ WORLD_EXECUTE)
  endif()
endfunction()

function(volcrypt_add_plugin_check name)
  if(NOT TARGET Volcrypt::plugin-check)
    message(FATAL_ERROR "volcrypt_add_plugin_check(${name}): Volcrypt::plugin-check is not available")
  endif()
  add_test(NAME ${name}.conformance
           COMMAND $<TARGET_FILE:Volcrypt::plugin-check> $<TARGET_FILE:${name}>)
endfunction()
