#include "app/stream_analysis.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <asio/ip/address.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "app/capture_analysis.hpp"
#include "app/command_line.hpp"
#include "app/progress_line.hpp"
#include "capture/capture_merger.hpp"
#include "stream/frame_auth.hpp"

namespace pa::app {
namespace {

// The captures merged in timestamp order, with the progress line of their reading.
class ProgressingFiles final : public stream::PacketSource {
 public:
  ProgressingFiles(std::vector<std::unique_ptr<capture::CaptureReader>> readers, bool show_progress)
      : merger_(std::move(readers)), progress_(show_progress, total_size(merger_)) {}
  Event next(capture::PacketRecord& record) override {
    if (!merger_.next(record)) {
      progress_.finish();
      return Event::ended;
    }
    ++packets_;
    if (progress_.due()) progress_.redraw(bytes_read(merger_), packets_);
    return Event::packet;
  }
  [[nodiscard]] std::vector<std::string> problems() const override {
    std::vector<std::string> messages;
    for (const auto& problem : merger_.problems()) messages.push_back(problem.message);
    return messages;
  }

 private:
  capture::CaptureMerger merger_;
  ProgressLine progress_;
  std::uint64_t packets_ = 0;
};

}  // namespace

StreamedAnalysis analyze_captures_streamed(const std::vector<std::string>& paths,
                                           const analysis::AnalysisOptions& options,
                                           const stream::StreamSettings& settings,
                                           const stream::WarningSink& warn,
                                           const stream::WarningSink& on_listening,
                                           bool show_progress) {
  analysis::Analyzer check(options);  // throws std::invalid_argument for a bad watch host
  auto readers = open_captures(paths);

  auto outcome =
      stream::provide(std::make_unique<ProgressingFiles>(std::move(readers), show_progress),
                      options, settings, warn, on_listening);
  StreamedAnalysis analysis;
  analysis.health = outcome.health;
  analysis.result = std::move(outcome.result);
  analysis.summary.inputs = paths;
  analysis.summary.packets_read = outcome.packets_read;
  analysis.summary.time_span = outcome.time_span;
  const stream::StreamHealth& health = outcome.health;
  analysis.summary.stream_health = {{"lanes", health.lanes},
                                    {"connections", health.connections},
                                    {"connections_lost", health.connections_lost},
                                    {"stalls", health.stalls},
                                    {"lanes_moved", health.lanes_moved},
                                    {"batches_resent", health.batches_resent},
                                    {"peers_dropped", health.peers_dropped}};
  // As analyze_captures: the captures' problems, once the whole input was read.
  for (const std::string& problem : outcome.capture_warnings) {
    warn(problem);
    analysis.summary.warnings.push_back(problem);
  }
  return analysis;
}

std::string describe_health(const stream::StreamHealth& health) {
  const auto plural = [](std::uint64_t count, std::string_view one, std::string_view many) {
    return fmt::format("{} {}", count, count == 1 ? one : many);
  };
  std::string line = fmt::format("stream run {}: {} for {}", health.clean() ? "clean" : "rescued",
                                 plural(health.connections, "connection", "connections"),
                                 plural(health.lanes, "lane", "lanes"));
  if (health.connections_lost != 0) {
    line += fmt::format(", {} lost ({} stalled), {} moved, {} sent again",
                        plural(health.connections_lost, "connection", "connections"), health.stalls,
                        plural(health.lanes_moved, "lane", "lanes"),
                        plural(health.batches_resent, "batch", "batches"));
  }
  if (health.peers_dropped != 0) {
    line += fmt::format(", {} dropped at the hello", plural(health.peers_dropped, "peer", "peers"));
  }
  return line;
}

std::string read_stream_secret(const std::optional<std::string>& file,
                               const stream::WarningSink& warn) {
  std::string secret;
  std::string source = "PA_STREAM_SECRET";
  if (file) {
    source = "--secret-file " + *file;
    std::ifstream in(*file, std::ios::binary);
    if (!in) {
      throw std::runtime_error(
          fmt::format("--secret-file: cannot read '{}': {}", *file, std::strerror(errno)));
    }
    std::ostringstream contents;
    contents << in.rdbuf();
    secret = contents.str();
    if (!secret.empty() && secret.back() == '\n') secret.pop_back();
    if (!secret.empty() && secret.back() == '\r') secret.pop_back();
    struct stat status {};
    if (::stat(file->c_str(), &status) == 0 && (status.st_mode & 077) != 0) {
      warn(fmt::format("--secret-file '{}' may be read by other users (mode {:03o}); chmod 600 it",
                       *file, status.st_mode & 0777));
    }
  } else if (const char* text = std::getenv("PA_STREAM_SECRET"); text != nullptr) {
    secret = text;
  }
  if (!secret.empty() && secret.size() < stream::min_secret_bytes) {
    throw UsageError(
        fmt::format("{}: the shared secret is {} bytes, at least {} are needed (make one with "
                    "'head -c 32 /dev/urandom | base64 > FILE')",
                    source, secret.size(), stream::min_secret_bytes));
  }
  if (file && secret.empty()) {
    throw UsageError(fmt::format("--secret-file: '{}' is empty", *file));
  }
  return secret;
}

void check_unauthenticated_listen(const std::string& listen_address, bool has_secret,
                                  bool allowed) {
  if (has_secret || allowed) return;
  std::error_code error;
  const auto address = asio::ip::make_address(listen_address, error);
  if (!error && address.is_loopback()) return;
  throw UsageError(fmt::format(
      "serve --listen {} without a shared secret would let anyone who reaches the port join the "
      "run and change its report: give --secret-file FILE or PA_STREAM_SECRET (and the same to "
      "consume), or --allow-unauthenticated if every host that can reach it is trusted",
      listen_address));
}

}  // namespace pa::app
