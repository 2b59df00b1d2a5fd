// Runs a fuzz target over files, without libFuzzer: how the normal build and ctest replay the
// corpus and the committed crashers. Arguments are files or directories (whose regular files
// are read, in name order, not recursing); a path that does not exist is skipped, since git
// keeps no empty folder.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

bool run_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    return false;
  }
  const std::vector<char> text((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
  // A heap buffer of exactly the file's size, as under libFuzzer, so that ASan sees a read
  // one past the end.
  std::vector<std::uint8_t> bytes(text.begin(), text.end());
  bytes.shrink_to_fit();
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t runs = 0;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path path(argv[i]);
    std::error_code error;
    if (!std::filesystem::exists(path, error)) {
      std::fprintf(stderr, "replay: %s does not exist, skipped\n", argv[i]);
      continue;
    }
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry : std::filesystem::directory_iterator(path)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && !name.starts_with(".")) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(path);
    }
    for (const auto& file : files) {
      ok = run_file(file) && ok;
      ++runs;
    }
  }
  std::printf("replay: %zu inputs run\n", runs);
  return ok ? 0 : 1;
}
