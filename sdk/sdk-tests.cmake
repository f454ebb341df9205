# The SDK's tests, included from tests/CMakeLists.txt (where the fixtures are known).
# Label "sdk": they need the whole build (plugins, fixtures, the program), so they are
# not part of the unit-test-only sanitizer build.
set(plugin_check $<TARGET_FILE:volcrypt-plugin-check>)
set(expect_failure ${PROJECT_SOURCE_DIR}/sdk/conformance/expect-check-failure.sh)

# Every bundled plugin passes the conformance kit (each exists once its folder does).
foreach(plugin qemu-native-luks librbd-luks cryptsetup-luks plain-dmcrypt)
  if(TARGET ${plugin})
    add_test(NAME sdk.conformance.${plugin} COMMAND ${plugin_check} $<TARGET_FILE:${plugin}>)
    set_tests_properties(sdk.conformance.${plugin} PROPERTIES LABELS sdk)
  endif()
endforeach()
# A host that once ran cryptsetup without device-mapper in its kernel: libdevmapper left a
# dead /dev/mapper/control there. The kit reads the kernel as the core does (one
# detection, volcrypt/host_kernel.hpp), so the dm-crypt plugins, which volcrypt ranks NONE
# there, are not held to a dm-crypt host the machine is not.
foreach(plugin cryptsetup-luks plain-dmcrypt)
  if(TARGET ${plugin})
    add_test(NAME sdk.conformance.${plugin}.dead-dm-control
             COMMAND bash ${PROJECT_SOURCE_DIR}/tests/support/private-dev --dead-dm-control --
                     ${plugin_check} $<TARGET_FILE:${plugin}>)
    set_tests_properties(sdk.conformance.${plugin}.dead-dm-control PROPERTIES
                         LABELS sdk SKIP_RETURN_CODE 77)
  endif()
endforeach()
add_test(NAME sdk.conformance.good-fixture
         COMMAND ${plugin_check} ${VOLCRYPT_FIXTURE_DIR}/good_fixture.so)
set_tests_properties(sdk.conformance.good-fixture PROPERTIES LABELS sdk)

# The checker rejects a broken plugin, naming the check that caught it.
function(volcrypt_add_rejection_test name plugin check text)
  add_test(NAME sdk.rejects.${name}
           COMMAND bash ${expect_failure} ${plugin_check} ${plugin} ${check} ${text} ${ARGN})
  set_tests_properties(sdk.rejects.${name} PROPERTIES LABELS sdk)
endfunction()

set(fixtures ${VOLCRYPT_FIXTURE_DIR})
volcrypt_add_rejection_test(not-a-plugin ${fixtures}/not_a_plugin.so symbols "not a volcrypt plugin")
volcrypt_add_rejection_test(wrong-abi-major ${fixtures}/wrong_abi_major.so abi-version
                            "major versions must be equal")
volcrypt_add_rejection_test(future-abi-minor ${fixtures}/future_abi_minor.so abi-version
                            "plugin needs ABI 1.99 but the host provides 1.5")
volcrypt_add_rejection_test(null-entry ${fixtures}/null_entry.so entry "returned no plugin")
volcrypt_add_rejection_test(throwing-entry ${fixtures}/throwing_entry.so entry "threw a C++ exception")
volcrypt_add_rejection_test(malformed-struct-size ${fixtures}/malformed_struct_size.so descriptor
                            "struct_size is 8 bytes")
volcrypt_add_rejection_test(one-field-short ${fixtures}/malformed_one_field_short.so descriptor
                            "but ABI 1.0 needs")
volcrypt_add_rejection_test(malformed-abi-fields ${fixtures}/malformed_abi_fields.so descriptor
                            "the descriptor says ABI 1.6 but volcrypt_plugin_abi says 1.5")
volcrypt_add_rejection_test(malformed-id ${fixtures}/malformed_id.so metadata-id "Fixture_Malformed")
volcrypt_add_rejection_test(no-providers ${fixtures}/malformed_descriptor.so metadata-providers
                            "the provider list is empty")
volcrypt_add_rejection_test(no-release ${fixtures}/malformed_no_release.so metadata-functions
                            "release")
volcrypt_add_rejection_test(probe-fails ${fixtures}/probe_fails.so probe-luks1
                            "probe failed (\"fixture probe failure\") for a readable volume")
volcrypt_add_rejection_test(probe-throws ${fixtures}/probe_throws_raw.so probe-luks1
                            "probe threw a C++ exception across the C boundary")

# Plugins that break one rule each, for the rules no loader fixture covers.
set(selftest_dir ${CMAKE_CURRENT_BINARY_DIR}/conformance-selftest)
function(volcrypt_add_misbehaving_plugin name definition)
  add_library(conformance_selftest_${name} MODULE
              ${PROJECT_SOURCE_DIR}/sdk/conformance/selftest/misbehaving_plugin.cpp)
  target_compile_definitions(conformance_selftest_${name} PRIVATE ${definition})
  target_link_libraries(conformance_selftest_${name} PRIVATE Volcrypt::sdk)
  set_target_properties(conformance_selftest_${name} PROPERTIES
    OUTPUT_NAME ${name} PREFIX "" LIBRARY_OUTPUT_DIRECTORY ${selftest_dir}
    CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
endfunction()
volcrypt_add_misbehaving_plugin(prints MISBEHAVE_PRINTS)
volcrypt_add_misbehaving_plugin(crashes MISBEHAVE_CRASHES)
volcrypt_add_misbehaving_plugin(keeps_secret MISBEHAVE_KEEPS_SECRET)
volcrypt_add_misbehaving_plugin(logs_key MISBEHAVE_LOGS_KEY)
volcrypt_add_misbehaving_plugin(hangs MISBEHAVE_HANGS)
volcrypt_add_misbehaving_plugin(fails_prepare MISBEHAVE_FAILS_PREPARE)
volcrypt_add_misbehaving_plugin(derived_in_state MISBEHAVE_DERIVED_IN_STATE)
volcrypt_add_misbehaving_plugin(derived_in_log MISBEHAVE_DERIVED_IN_LOG)
volcrypt_add_misbehaving_plugin(derived_in_error MISBEHAVE_DERIVED_IN_ERROR)
volcrypt_add_misbehaving_plugin(any_volume_as_luks MISBEHAVE_ANY_VOLUME_AS_LUKS)
volcrypt_add_misbehaving_plugin(plain_takes_luks MISBEHAVE_PLAIN_TAKES_LUKS)
volcrypt_add_misbehaving_plugin(prepares_unranked MISBEHAVE_PREPARES_UNRANKED)
volcrypt_add_misbehaving_plugin(claims_every_disk MISBEHAVE_CLAIMS_EVERY_DISK)
volcrypt_add_misbehaving_plugin(claims_fickle MISBEHAVE_CLAIMS_FICKLE)
volcrypt_add_misbehaving_plugin(unbounded_throughput MISBEHAVE_UNBOUNDED_THROUGHPUT)
volcrypt_add_misbehaving_plugin(checks_passphrase CHECKS_PASSPHRASE)
volcrypt_add_misbehaving_plugin(checks_derived_passphrase CHECKS_DERIVED_PASSPHRASE)
volcrypt_add_rejection_test(stdout ${selftest_dir}/prints.so probe-luks1
                            "bytes to standard output")
volcrypt_add_rejection_test(crash ${selftest_dir}/crashes.so probe-luks2
                            "the plugin crashed the process: signal 11")
volcrypt_add_rejection_test(secret-left-behind ${selftest_dir}/keeps_secret.so
                            prepare-release-blank-with-dm-crypt "secret(s) still defined")
volcrypt_add_rejection_test(key-in-log ${selftest_dir}/logs_key.so
                            prepare-release-blank-with-dm-crypt "the key appears in a log message")
volcrypt_add_rejection_test(hang ${selftest_dir}/hangs.so release-empty-state "timed out after 2 s"
                            -- --timeout 2)
volcrypt_add_rejection_test(ranks-then-fails-prepare ${selftest_dir}/fails_prepare.so
                            prepare-where-ranked "but prepare failed on every one")
volcrypt_add_rejection_test(secret-in-state ${selftest_dir}/derived_in_state.so
                            prepare-release-luks1-with-dm-crypt
                            "a value the plugin gave secret_define appears in the state entry 'passphrase'")
volcrypt_add_rejection_test(secret-in-log ${selftest_dir}/derived_in_log.so
                            prepare-release-luks1-with-dm-crypt
                            "a value the plugin gave secret_define appears in a log message")
volcrypt_add_rejection_test(secret-in-error ${selftest_dir}/derived_in_error.so
                            prepare-release-luks1-with-dm-crypt
                            "a value the plugin gave secret_define appears in the error message")
# The derived passphrase is the key reversed: the kit names where it leaked, never shows it.
set_tests_properties(sdk.rejects.secret-in-state sdk.rejects.secret-in-log
                     sdk.rejects.secret-in-error PROPERTIES
                     ENVIRONMENT "EXPECT_ABSENT=esarhpssap-ecnamrofnoc")

# What a rank promises (sdk/README.md): the mutants that rank what they cannot serve.
volcrypt_add_rejection_test(ranks-blank-unformatted ${selftest_dir}/any_volume_as_luks.so
                            rank-blank "and prepare succeeded, but left it without a LUKS header")
volcrypt_add_rejection_test(ranks-other-data-as-luks ${selftest_dir}/any_volume_as_luks.so
                            rank-other-data
                            "the other-data volume (host with-dm-crypt, provider 'luks') ranked 64 (\"self-test plugin\"): data that is not LUKS is served only by a provider that is not LUKS")
volcrypt_add_rejection_test(plain-ranks-luks ${selftest_dir}/plain_takes_luks.so
                            rank-other-provider
                            "the luks1 volume (host with-dm-crypt, provider 'plain') ranked 64 (\"self-test plugin\"): a LUKS volume belongs to the LUKS providers")
volcrypt_add_rejection_test(prepares-unranked ${selftest_dir}/prepares_unranked.so
                            prepare-where-unranked
                            "ranked 0 (\"self-test: LUKS2 is not served\"), but prepare accepted it")
volcrypt_add_rejection_test(claims-every-disk ${selftest_dir}/claims_every_disk.so claims-disk
                            "claimed a plain file disk with no <encryption> (rank 256, \"self-test: mine\")")
volcrypt_add_rejection_test(claims-fickle ${selftest_dir}/claims_fickle.so claims-disk
                            "answered rank 256 then 128: the same disk must get the same claim")
volcrypt_add_rejection_test(unbounded-throughput ${selftest_dir}/unbounded_throughput.so
                            expected-throughput
                            "expected_throughput answered 18446744073709551615 bytes per second for the blank volume")

# The kit's check_passphrase (ABI 1.4) is libcryptsetup on its real LUKS volumes: the kit's
# key opens a key slot, a passphrase derived from it does not.
add_test(NAME sdk.check-passphrase.opens
         COMMAND bash ${PROJECT_SOURCE_DIR}/sdk/conformance/selftest/expect-check-pass.sh
                 ${plugin_check} ${selftest_dir}/checks_passphrase.so
                 prepare-release-luks1-config-only "prepared and released")
add_test(NAME sdk.check-passphrase.wrong-key
         COMMAND bash ${PROJECT_SOURCE_DIR}/sdk/conformance/selftest/expect-check-pass.sh
                 ${plugin_check} ${selftest_dir}/checks_derived_passphrase.so
                 prepare-release-luks1-config-only
                 "prepare failed cleanly: self-test: the host says no key slot of")
set_tests_properties(sdk.check-passphrase.opens sdk.check-passphrase.wrong-key PROPERTIES
                     LABELS sdk)

# The trust rule (volcrypt/plugin_contract.hpp, the core's too) on a good plugin placed
# where others could swap it.
foreach(case file-in-open-folder link-to-open-folder)
  add_test(NAME sdk.rejects.untrusted-${case}
           COMMAND bash ${PROJECT_SOURCE_DIR}/sdk/conformance/selftest/untrusted-copy.sh
                   ${expect_failure} ${plugin_check} ${VOLCRYPT_FIXTURE_DIR}/good_fixture.so ${case})
  set_tests_properties(sdk.rejects.untrusted-${case} PROPERTIES LABELS sdk)
endforeach()

# An out-of-tree plugin built against the installed SDK, listed, probed and pinned by the
# installed volcrypt (a separate CMake project: tests/sdk-consumer).
add_test(NAME sdk.consumer
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/sdk-consumer/run-consumer-test.sh
                 ${CMAKE_BINARY_DIR} ${CMAKE_INSTALL_PREFIX})
set_tests_properties(sdk.consumer PROPERTIES LABELS sdk TIMEOUT 600)
