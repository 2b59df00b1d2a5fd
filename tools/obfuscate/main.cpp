// packet-analysis-obfuscate: writes an obfuscated copy of the program's sources that builds
// and behaves the same, into a new DDMMYYYY_HHMMSS folder.
#include <CLI/CLI.hpp>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cmake_text.hpp"
#include "copy_build_files.hpp"
#include "project_scan.hpp"
#include "source_rewriter.hpp"

namespace fs = std::filesystem;
using pa::obfuscate::Refusal;

namespace {

std::string timestamp_name() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm local{};
  localtime_r(&now, &local);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%d%m%Y_%H%M%S", &local);
  return buffer;
}

std::string read_file(const fs::path& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in) throw Refusal("cannot read " + path.string());
  return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

bool is_cpp(const fs::path& p) {
  const std::string e = p.extension().string();
  return e == ".cpp" || e == ".cc" || e == ".cxx" || e == ".hpp" || e == ".h" || e == ".hh" ||
         e == ".hxx" || e == ".ipp" || e == ".inl" || e == ".tpp";
}

bool is_cmake(const fs::path& p) {
  return p.filename() == "CMakeLists.txt" || p.extension() == ".cmake";
}

bool is_unit_test(const fs::path& p) { return p.stem().string().ends_with("_test") && is_cpp(p); }

std::vector<fs::path> sorted_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Options {
  fs::path root = PA_OBFUSCATE_DEFAULT_ROOT;
  fs::path build = PA_OBFUSCATE_DEFAULT_BUILD;
  fs::path out = ".";
  std::string seed = "packet-analysis";
  fs::path report;
  std::string name;
  std::vector<std::string> source_dirs{"src"};
  std::vector<fs::path> exclude;
  unsigned jobs = std::min(2u, std::max(1u, std::thread::hardware_concurrency()));
};

int run(Options o) {
  std::error_code ec;
  o.root = fs::canonical(o.root);
  o.build = fs::canonical(o.build);
  fs::create_directories(o.out, ec);
  o.out = fs::canonical(o.out);
  if (o.name.empty()) o.name = timestamp_name();
  const fs::path target = o.out / o.name;
  if (fs::exists(target)) {
    std::cerr << "packet-analysis-obfuscate: " << target.string()
              << " already exists; not overwriting it\n";
    return 1;
  }
  if (o.report.empty()) o.report = o.out / (o.name + ".keep.json");
  o.report = fs::absolute(o.report).lexically_normal();

  pa::obfuscate::ScanOptions scan_options;
  scan_options.root = o.root;
  scan_options.source_dirs = o.source_dirs;
  scan_options.compile_commands_dir = o.build;
  scan_options.excluded = {o.build, target};
  for (const fs::path& e : o.exclude)
    scan_options.excluded.push_back(fs::weakly_canonical(o.root / e));
  scan_options.jobs = o.jobs;
  const pa::obfuscate::ScanResult scan = pa::obfuscate::scan_project(scan_options);

  pa::obfuscate::SourceRewriter rewriter{scan, o.seed};
  rewriter.check_refusals();

  // Everything the copy holds, by relative path, decided before anything is written.
  std::map<std::string, std::string> copy;
  std::vector<std::string> left_out;
  const auto add_cmake = [&](const fs::path& p) {
    copy[pa::obfuscate::relative_to(p, o.root)] = pa::obfuscate::strip_cmake_comments(read_file(p));
  };
  add_cmake(o.root / "CMakeLists.txt");
  if (fs::is_regular_file(o.root / "CMakePresets.json")) {
    copy["CMakePresets.json"] =
        pa::obfuscate::copy_presets(read_file(o.root / "CMakePresets.json"));
  }
  copy["README.md"] = pa::obfuscate::copy_readme();
  if (fs::is_directory(o.root / "cmake")) {
    for (const fs::path& p : sorted_files(o.root / "cmake")) {
      if (is_cmake(p)) {
        add_cmake(p);
      } else {
        copy[pa::obfuscate::relative_to(p, o.root)] = read_file(p);
      }
    }
  }
  for (const std::string& dir : o.source_dirs) {
    for (const fs::path& p : sorted_files(o.root / dir)) {
      const std::string rel = pa::obfuscate::relative_to(p, o.root);
      const bool excluded = std::any_of(
          scan_options.excluded.begin() + 2, scan_options.excluded.end(),
          [&](const fs::path& e) { return !fs::relative(p, e).string().starts_with(".."); });
      if (excluded) {
        copy[rel] = read_file(p);
      } else if (is_unit_test(p) || p.extension() == ".md") {
        continue;
      } else if (is_cmake(p)) {
        add_cmake(p);
      } else if (is_cpp(p)) {
        if (scan.files.contains(rel)) {
          copy[rel] = rewriter.rewrite(rel);
        } else {
          left_out.push_back(rel);
          const std::string e = p.extension().string();
          if (e == ".cpp" || e == ".cc" || e == ".cxx") {
            std::cerr << "packet-analysis-obfuscate: warning: " << rel
                      << " is in no compile command of the program; left out\n";
          }
        }
      } else {
        copy[rel] = read_file(p);
      }
    }
  }

  if (!fs::create_directory(target)) {
    std::cerr << "packet-analysis-obfuscate: " << target.string()
              << " already exists; not overwriting it\n";
    return 1;
  }
  for (const auto& [rel, text] : copy) {
    const fs::path path = target / rel;
    fs::create_directories(path.parent_path());
    std::ofstream{path, std::ios::binary} << text;
  }

  // The report names the original spellings, so it lives outside the copy.
  nlohmann::ordered_json report;
  report["output"] = target.string();
  report["seed"] = o.seed;
  report["translation_units"] = scan.translation_units;
  report["left_out"] = left_out;
  std::size_t renamed = 0;
  nlohmann::ordered_json kept = nlohmann::ordered_json::object();
  nlohmann::ordered_json partly = nlohmann::ordered_json::object();
  std::vector<std::string> declared;
  for (const auto& [s, d] : scan.declared) {
    declared.push_back(s);
    const auto it = rewriter.outcomes().find(s);
    if (it == rewriter.outcomes().end()) continue;
    const pa::obfuscate::SpellingOutcome& outcome = it->second;
    std::set<std::string> reasons = outcome.reasons;
    if (outcome.kept != 0) reasons.merge(rewriter.keep_reasons(s));
    if (outcome.kept == 0) {
      ++renamed;
    } else if (outcome.renamed == 0) {
      kept[s] = reasons;
    } else {
      partly[s] = reasons;
    }
  }
  report["declared_count"] = declared.size();
  report["renamed_count"] = renamed;
  report["kept_count"] = kept.size();
  report["kept"] = kept;
  report["renamed_except_some_uses"] = partly;
  report["declared"] = declared;
  fs::create_directories(o.report.parent_path());
  std::ofstream{o.report} << report.dump(2) << '\n';

  std::cout << "wrote " << target.string() << " (" << copy.size() << " files)\n"
            << "renamed " << renamed << " of " << declared.size() << " declared names, kept "
            << kept.size() << " and " << partly.size() << " in part; reasons in "
            << o.report.string() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{
      "Writes an obfuscated copy of the project's sources to <out>/DDMMYYYY_HHMMSS: comments\n"
      "removed, declared names renamed, layout compacted, dead code inserted. The copy builds\n"
      "and behaves like the original. Names that must keep their spelling are listed, with\n"
      "reasons, in a report outside the copy.",
      "packet-analysis-obfuscate"};
  app.add_option("--root", o.root, "Project root holding CMakeLists.txt, cmake/ and the sources")
      ->capture_default_str();
  app.add_option("-p,--build", o.build, "Build folder holding compile_commands.json")
      ->capture_default_str();
  app.add_option("--out", o.out, "Folder in which the new DDMMYYYY_HHMMSS folder is made")
      ->capture_default_str();
  app.add_option("--seed", o.seed, "Seed of the new names: same sources and seed, same copy")
      ->capture_default_str();
  app.add_option("--report", o.report,
                 "Where to write the keep report (JSON); default <out>/<name>.keep.json");
  app.add_option("--name", o.name, "Name of the new folder instead of DDMMYYYY_HHMMSS");
  app.add_option("--source-dir", o.source_dirs,
                 "Source folder below the root to obfuscate (repeatable); unit tests "
                 "(*_test.cpp) are left out")
      ->capture_default_str();
  app.add_option("--exclude", o.exclude,
                 "Folder below the root holding third-party code: copied as is, never renamed");
  app.add_option("-j,--jobs", o.jobs, "Translation units parsed at once")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    return run(std::move(o));
  } catch (const Refusal& e) {
    std::cerr << "packet-analysis-obfuscate: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "packet-analysis-obfuscate: error: " << e.what() << "\n";
  }
  return 1;
}
