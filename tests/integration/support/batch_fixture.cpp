#include "batch_fixture.hpp"

#include <sys/stat.h>

#include <filesystem>

namespace volcrypt::test {

void BatchTest::SetUp() {
  IntegrationTest::SetUp();
  key_dir = path("keys");
  std::filesystem::create_directory(key_dir);
}

std::string BatchTest::volume_with_key(const std::string& volume_id, int pattern) {
  volume_ids.push_back(volume_id);
  const std::string volume = make_luks1_with_pattern(volume_id + ".luks", pattern);
  put_key(volume_id, passphrase);
  return volume;
}

void BatchTest::put_key(const std::string& volume_id, const std::string& key) {
  const std::string file = key_dir + "/" + volume_id;
  test_volumes::write_file(file, key);
  chmod(file.c_str(), 0600);
}

nlohmann::json BatchTest::attach_request(const std::string& domain, const std::string& target,
                                         const std::string& source, const std::string& volume_id) {
  return {{"domain", domain},
          {"target", target},
          {"source", source},
          {"volume_id", volume_id},
          {"provider", "luks"}};
}

std::string BatchTest::batch_file(const nlohmann::json& batch) {
  const std::string file = path("batch-" + std::to_string(++batches) + ".json");
  test_volumes::write_file(file, batch.dump());
  return file;
}

std::vector<std::string> BatchTest::attach_batch_args(const nlohmann::json& batch, bool as_json) {
  std::vector<std::string> args = {"attach", "--batch", batch_file(batch), "--passphrase-dir",
                                   key_dir};
  if (as_json) args.insert(args.begin(), "--json");
  return args;
}

ProcessResult BatchTest::attach_batch(const nlohmann::json& batch, bool as_json) {
  return volcrypt(attach_batch_args(batch, as_json));
}

}  // namespace volcrypt::test
