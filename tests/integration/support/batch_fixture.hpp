// What tests of `attach --batch` share: volumes with their keys in a key folder, requests
// as a compute agent writes them, and the batch run through the real program.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "integration_test.hpp"

namespace volcrypt::test {

class BatchTest : public IntegrationTest {
 protected:
  void SetUp() override;

  // A LUKS1 volume with `pattern` as its first MiB of plaintext, its passphrase in the
  // key folder under its volume id.
  std::string volume_with_key(const std::string& volume_id, int pattern);
  void put_key(const std::string& volume_id, const std::string& key);
  static nlohmann::json attach_request(const std::string& domain, const std::string& target,
                                       const std::string& source, const std::string& volume_id);
  std::string batch_file(const nlohmann::json& batch);
  // `volcrypt attach --batch FILE --passphrase-dir KEYS`, with --json when asked.
  std::vector<std::string> attach_batch_args(const nlohmann::json& batch, bool as_json);
  ProcessResult attach_batch(const nlohmann::json& batch, bool as_json);

  std::string key_dir;
  int batches = 0;
};

}  // namespace volcrypt::test
