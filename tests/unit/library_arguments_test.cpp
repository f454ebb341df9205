// What libvolcrypt makes of a call's options and key before the command table sees them:
// the options as the command line's arguments, the key copied into the library's memory.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>
#include <volcrypt/error.hpp>

#include "caller_key.hpp"
#include "request_arguments.hpp"

namespace volcrypt::capi {
namespace {

std::string usage_error(const std::string& options) {
  try {
    command_arguments(options);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    return e.what();
  }
  return "no error";
}

TEST(LibraryArguments, OptionsBecomeTheCommandLinesArgumentsByName) {
  EXPECT_EQ(command_arguments(R"({"domain": "vm1", "live": true, "config": false,
                                  "plugin": null, "monitor": ["a:6789", "b"], "iothread": 2,
                                  "target": "-sdb"})"),
            (std::vector<std::string>{"--domain=vm1", "--iothread=2", "--live", "--monitor=a:6789",
                                      "--monitor=b", "--target=-sdb"}));
  EXPECT_TRUE(command_arguments("{}").empty());
}

TEST(LibraryArguments, WhatIsNoOptionIsRefusedNamingIt) {
  EXPECT_EQ(usage_error("\"attach\""), "the call's options are a JSON object, not string");
  EXPECT_EQ(usage_error(R"({"--domain": "x"})"), "'--domain' is not an option's name");
  EXPECT_EQ(usage_error(R"({"a b": "x"})"), "'a b' is not an option's name");
  EXPECT_EQ(usage_error(R"({"json": true})"), "option 'json' is the program's, not a call's");
  EXPECT_EQ(usage_error(R"({"verbose": true})"), "option 'verbose' is the program's, not a call's");
  EXPECT_EQ(usage_error(R"({"key-size": 1.5})"),
            "option 'key-size' takes text or a whole number, not number");
  EXPECT_EQ(usage_error(R"({"monitor": [["a"]]})"),
            "option 'monitor' takes text or a whole number, not array");
  EXPECT_NE(usage_error(R"({"domain": "a", "domain": "b"})").find("domain"), std::string::npos);
}

TEST(LibraryArguments, AKeyBufferIsCopiedAndARawKeyBecomesItsHex) {
  std::vector<char> bytes{'\x01', '\xab'};
  volcrypt_key_input input{sizeof(volcrypt_key_input), VOLCRYPT_KEY_INPUT_RAW, bytes.data(),
                           bytes.size(), -1};
  const VolumeKey key = caller_key(&input);
  bytes.assign(bytes.size(), '\0');  // the caller wipes its copy
  const auto passphrase = key.passphrase().bytes();
  EXPECT_EQ(std::string(passphrase.begin(), passphrase.end()), "01ab");
  EXPECT_TRUE(caller_key(nullptr).empty());
}

TEST(LibraryArguments, AKeyDescriptorIsReadToItsEnd) {
  int ends[2];
  ASSERT_EQ(::pipe(ends), 0);
  ASSERT_EQ(::write(ends[1], "pass phrase", 11), 11);
  ::close(ends[1]);
  volcrypt_key_input input{sizeof(volcrypt_key_input), VOLCRYPT_KEY_INPUT_PASSPHRASE, nullptr, 0,
                           ends[0]};
  const VolumeKey key = caller_key(&input);
  ::close(ends[0]);
  const auto passphrase = key.passphrase().bytes();
  EXPECT_EQ(std::string(passphrase.begin(), passphrase.end()), "pass phrase");
}

TEST(LibraryArguments, ABadKeyIsRefusedNamingWhatIsWrong) {
  auto refusal = [](volcrypt_key_input input) -> std::string {
    try {
      caller_key(&input);
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  };
  char byte = 'x';
  EXPECT_EQ(refusal({sizeof(volcrypt_key_input), 7, &byte, 1, -1}),
            "the call's key has kind 7: neither VOLCRYPT_KEY_INPUT_RAW nor "
            "VOLCRYPT_KEY_INPUT_PASSPHRASE");
  EXPECT_EQ(refusal({sizeof(volcrypt_key_input), VOLCRYPT_KEY_INPUT_PASSPHRASE, &byte, 0, -1}),
            "the call's key holds no key");
  std::vector<char> huge(64 * 1024 + 1, 'k');
  EXPECT_EQ(refusal({sizeof(volcrypt_key_input), VOLCRYPT_KEY_INPUT_PASSPHRASE, huge.data(),
                     huge.size(), -1}),
            "the call's key is larger than the limit of 64 KiB");
  EXPECT_EQ(refusal({sizeof(volcrypt_key_input), VOLCRYPT_KEY_INPUT_PASSPHRASE, nullptr, 0, -1}),
            "cannot read the key from the call's key descriptor -1: Bad file descriptor");
}

}  // namespace
}  // namespace volcrypt::capi
