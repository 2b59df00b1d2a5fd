// packet-analysis-mpi: the in-process analysis (-c 0) spread over the ranks of an MPI job, on
// one host or several (`mpirun -n 4 packet-analysis-mpi -f FILES...`). Every rank reads its
// share of the files from a path all of them see; rank 0 writes the report, which is -c 0's.
#include <mpi.h>

#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/command_line.hpp"
#include "app/report_destination.hpp"
#include "app/run_output.hpp"
#include "mpi/rank_analysis.hpp"

namespace {

constexpr int exit_success = 0;
constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

// The command line as typed, with -c 0 unless it names -c: every rank analyzes in-process.
std::vector<const char*> in_process_arguments(int argc, char** argv) {
  std::vector<const char*> words(argv, argv + argc);
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "-c" || word == "--connections" || word.starts_with("--connections=")) {
      return words;
    }
  }
  words.insert(words.begin() + 1, {"-c", "0"});
  return words;
}

pa::app::CommandLine parse(int argc, char** argv, int rank, bool& printed_help) {
  const auto words = in_process_arguments(argc, argv);
  auto parsed = pa::app::parse_command_line(static_cast<int>(words.size()), words.data());
  if (!parsed.options) {
    if (rank == 0) std::fwrite(parsed.text.data(), 1, parsed.text.size(), stdout);
    printed_help = true;
    return {};
  }
  const pa::app::CommandLine& options = *parsed.options;
  if (options.command != pa::app::Command::analyze || options.live || options.list_interfaces) {
    throw pa::app::UsageError(
        "packet-analysis-mpi reads capture files (-f): serve, consume, -i and -D are "
        "packet-analysis's");
  }
  if (options.stream_connections != 0) {
    throw pa::app::UsageError("-c: packet-analysis-mpi analyzes in-process on every rank (-c 0)");
  }
  if (options.threads && *options.threads != 1) {
    throw pa::app::UsageError(
        "-j: packet-analysis-mpi reads on one thread per rank; use more ranks");
  }
  return std::move(*parsed.options);
}

// Rank 0's list of inputs (rotated parts expanded) for every rank; empty on a failure, which
// rank 0 has reported: then every rank ends with `status`.
std::vector<std::string> share_inputs(std::vector<std::string> paths, int rank, int& status) {
  MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (status != exit_success) return {};
  std::string joined;
  for (const auto& path : paths) joined.append(path).push_back('\0');
  unsigned long long size = joined.size();
  MPI_Bcast(&size, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
  joined.resize(size);
  MPI_Bcast(joined.data(), static_cast<int>(size), MPI_CHAR, 0, MPI_COMM_WORLD);
  if (rank != 0) {
    paths.clear();
    for (std::size_t at = 0; at < joined.size();) {
      const std::size_t end = joined.find('\0', at);
      paths.push_back(joined.substr(at, end - at));
      at = end + 1;
    }
  }
  return paths;
}

int run(const pa::app::CommandLine& options, int rank) {
  int status = exit_success;
  std::vector<std::string> paths;
  std::optional<pa::app::InputSelection> selection;
  std::optional<pa::app::ReportDestination> destination;
  if (rank == 0) {
    try {
      selection = pa::app::choose_inputs(options);
      destination.emplace(options.output_path);
      paths = selection->paths;
    } catch (const pa::app::UsageError& error) {
      pa::app::print_line("error", std::string(error.what()) + " (see --help)");
      status = exit_usage;
    } catch (const std::exception& error) {
      pa::app::print_line("error", error.what());
      status = exit_failure;
    }
  }
  paths = share_inputs(std::move(paths), rank, status);
  if (status != exit_success) return status;
  auto analysis = pa::mpi::analyze_captures_over_ranks(
      paths, options.analysis, pa::mpi::RankSettings::from_environment(), pa::app::warn);
  if (rank != 0 || !analysis) return exit_success;
  pa::app::add_selection_warnings(*analysis, *selection);
  pa::app::warn_when_nothing_decoded(*analysis);
  pa::app::write_report(options, *destination, *analysis);
  return exit_success;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int status = exit_success;
  try {
    bool printed_help = false;
    const auto options = parse(argc, argv, rank, printed_help);
    if (!printed_help) status = run(options, rank);
  } catch (const pa::app::UsageError& error) {
    // Every rank parsed the same words: rank 0 speaks for all.
    if (rank == 0) pa::app::print_line("error", std::string(error.what()) + " (see --help)");
    status = exit_usage;
  } catch (const std::invalid_argument& error) {
    if (rank == 0) {
      pa::app::print_line("error", std::string("--watch-host: ") + error.what() + " (see --help)");
    }
    status = exit_usage;
  } catch (const std::exception& error) {
    // A rank that cannot read its share: the job ends here, with no report anywhere.
    pa::app::print_line("error", "rank " + std::to_string(rank) + ": " + error.what() +
                                     "; the run is stopped, no report written");
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, exit_failure);
  }
  MPI_Finalize();
  return status;
}
