#include "app/live_run.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "app/capture_analysis.hpp"
#include "app/report_destination.hpp"
#include "app/signal_watcher.hpp"
#include "capture/capture_writer.hpp"
#include "capture/live/live_capture.hpp"
#include "reassembly/packet_dissector.hpp"
#include "report/csv_report.hpp"
#include "report/html_report.hpp"
#include "report/json_report.hpp"
#include "report/text_report.hpp"
#ifdef PA_HAVE_STREAM
#include "stream/stream_mode.hpp"
#endif

namespace pa::app {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int exit_success = 0;

void print_line(std::string_view kind, std::string_view message) {
  std::fprintf(stderr, "packet-analysis: %.*s: %.*s\n", static_cast<int>(kind.size()), kind.data(),
               static_cast<int>(message.size()), message.data());
}

void warn(std::string_view message) { print_line("warning", message); }

std::int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

capture::live::LiveCaptureOptions capture_options(const LiveOptions& live) {
  capture::live::LiveCaptureOptions options;
  options.interface = live.interface;
  options.filter = live.filter;
  options.snap_length = live.snap_length;
  options.promiscuous = live.promiscuous;
  options.buffer_size_bytes = live.buffer_size_kib * 1024;
  if (live.duration_seconds) {
    options.duration = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(*live.duration_seconds));
  }
  options.packet_limit = live.packet_limit;
  return options;
}

std::optional<report::KernelCounts> kernel_counts(const capture::live::LiveCapture& capture) {
  const auto counts = capture.kernel_counts();
  if (!counts) return std::nullopt;
  return report::KernelCounts{counts->received, counts->dropped, counts->interface_dropped};
}

// Writes the reports of one live run: those written while capturing go to standard output
// at once, each headed by the time span it covers (text) or on one line (JSON); the final one
// goes where -o says, as for a file.
class LiveReports {
 public:
  LiveReports(const CommandLine& options, const capture::live::LiveCapture& capture)
      : options_(options), capture_(capture), final_destination_(options.output_path) {
    live_.interface = options.live->interface;
    live_.filter = options.live->filter;
    live_.start_ns = wall_clock_ns();
  }

  void write_interim(const analysis::AnalysisResult& result, std::uint64_t packets,
                     const std::optional<report::RecordTimeSpan>& time_span) {
    report::RunSummary summary = summary_of(packets, false);
    summary.time_span = time_span;
    std::ostringstream text;
    if (options_.format == ReportFormat::json) {
      report::write_json_report(text, result, options_.analysis, summary,
                                report::JsonLayout::one_line);
    } else if (options_.format == ReportFormat::csv) {
      report::write_csv_report(text, result, options_.analysis, summary);
    } else if (options_.format == ReportFormat::html) {
      report::write_html_report(text, result, options_.analysis, summary);
    } else {
      const std::string title = fmt::format(
          "Capture on {} from {} to {}: {} packet{}", live_.interface,
          report::format_timestamp(live_.start_ns), report::format_timestamp(summary.live->end_ns),
          packets, packets == 1 ? "" : "s");
      text << title << '\n' << std::string(title.size(), '=') << '\n';
      report::write_text_report(text, result, options_.analysis);
    }
    standard_output_.write(text.view());
  }

  void write_final(const CaptureAnalysis& analysis) {
    report::RunSummary summary = analysis.summary;
    summary.live = summary_of(analysis.summary.packets_read, true).live;
    std::ostringstream text;
    if (options_.format == ReportFormat::json) {
      // With --interval the output is a stream of one-line objects: the last one too.
      report::write_json_report(text, analysis.result, options_.analysis, summary,
                                options_.live->interval_seconds ? report::JsonLayout::one_line
                                                                : report::JsonLayout::indented);
    } else if (options_.format == ReportFormat::csv) {
      report::write_csv_report(text, analysis.result, options_.analysis, summary);
    } else if (options_.format == ReportFormat::html) {
      report::write_html_report(text, analysis.result, options_.analysis, summary);
    } else {
      report::write_text_report(text, analysis.result, options_.analysis);
    }
    final_destination_.write(text.view());
  }

 private:
  report::RunSummary summary_of(std::uint64_t packets, bool final) const {
    report::RunSummary summary;
    summary.packets_read = packets;
    summary.live = live_;
    summary.live->end_ns = wall_clock_ns();
    summary.live->final = final;
    summary.live->kernel = kernel_counts(capture_);
    return summary;
  }

  const CommandLine& options_;
  const capture::live::LiveCapture& capture_;
  ReportDestination final_destination_;
  ReportDestination standard_output_{std::nullopt};
  report::LiveCaptureSummary live_;
};

// When a report is due during the capture: at each --interval, and when SIGUSR1 asked.
class InterimSchedule {
 public:
  InterimSchedule(const LiveOptions& live, std::atomic<bool>& report_requested)
      : report_requested_(report_requested) {
    if (live.interval_seconds) {
      interval_ = std::chrono::duration_cast<Clock::duration>(
          std::chrono::duration<double>(*live.interval_seconds));
      next_report_ = Clock::now() + *interval_;
    }
  }

  // True once per report due; a report asked for between two interval reports shows the same
  // packets once.
  bool due() {
    bool due = false;
    if (interval_) {
      const auto now = Clock::now();
      if (now >= next_report_) {
        due = true;
        // Reports keep to the grid of the start time; one that was missed is not made up.
        while (next_report_ <= now) next_report_ += *interval_;
      }
    }
    const bool asked = report_requested_.load(std::memory_order_relaxed) &&
                       report_requested_.exchange(false, std::memory_order_relaxed);
    return due || asked;
  }

 private:
  std::atomic<bool>& report_requested_;
  std::optional<Clock::duration> interval_;
  Clock::time_point next_report_ = Clock::time_point::max();
};

// The in-process analysis, as analyze_captures does it for files, with reports on the way.
CaptureAnalysis analyze_in_process(capture::live::LiveCapture& capture, const CommandLine& options,
                                   InterimSchedule& report_timing, LiveReports& reports) {
  analysis::Analyzer analyzer(options.analysis);
  reassembly::PacketDissector dissector;
  capture::PacketRecord record;
  decode::PacketContext context;
  std::optional<report::RecordTimeSpan> time_span;
  for (;;) {
    const capture::live::LiveEvent event = capture.next(record);
    if (event == capture::live::LiveEvent::ended) break;
    if (event == capture::live::LiveEvent::packet) {
      ++context.packet_number;
      context.timestamp_ns = record.timestamp_ns;
      report::note_record_time(time_span, record.timestamp_ns);
      dissector.dissect(record, context, analyzer);
    }
    if (report_timing.due()) {
      reports.write_interim(analyzer.result(), context.packet_number, time_span);
    }
  }
  dissector.finish(context, analyzer);
  CaptureAnalysis outcome;
  outcome.summary.packets_read = context.packet_number;
  outcome.summary.time_span = time_span;
  outcome.result = analyzer.result();
  return outcome;
}

#ifdef PA_HAVE_STREAM
// The live capture as the provider's input: an idle spell (nothing for one wait, 50 ms) lets
// the provider send what waits, take acknowledgements in and see whether a report is due.
class LiveSource final : public stream::PacketSource {
 public:
  explicit LiveSource(capture::live::LiveCapture& capture) : capture_(capture) {}
  Event next(capture::PacketRecord& record) override {
    switch (capture_.next(record)) {
      case capture::live::LiveEvent::packet:
        return Event::packet;
      case capture::live::LiveEvent::idle:
        return Event::idle;
      case capture::live::LiveEvent::ended:
        break;
    }
    return Event::ended;
  }
  // A live capture has no cut-short records; its failures are thrown as LiveCaptureError.
  [[nodiscard]] std::vector<std::string> problems() const override { return {}; }

 private:
  capture::live::LiveCapture& capture_;
};

// The stream mode: the capture is the provider's input; reports on the way are the merged
// results of every packet so far.
CaptureAnalysis analyze_streamed(capture::live::LiveCapture& capture, const CommandLine& options,
                                 InterimSchedule& report_timing, LiveReports& reports) {
  analysis::Analyzer check(options.analysis);  // throws std::invalid_argument for a bad watch host
  stream::StreamSettings settings;
  settings.listen_address = options.listen_address;
  settings.port = options.stream_port;
  settings.connections = options.stream_connections;
  settings.in_process_consumers = true;
  settings.interim = stream::InterimReports{
      [&report_timing] { return report_timing.due(); },
      [&reports](const analysis::AnalysisResult& result, std::uint64_t packets,
                 const std::optional<report::RecordTimeSpan>& time_span) {
        reports.write_interim(result, packets, time_span);
      }};
  settings.hooks = stream::TestHooks::from_environment();
  auto outcome = stream::provide(std::make_unique<LiveSource>(capture), options.analysis, settings,
                                 warn, [](std::string_view) {});
  CaptureAnalysis analysis;
  analysis.result = std::move(outcome.result);
  analysis.summary.packets_read = outcome.packets_read;
  analysis.summary.time_span = outcome.time_span;
  return analysis;
}
#endif

std::unique_ptr<capture::CaptureWriter> open_copy(const LiveOptions& live,
                                                  const capture::live::LiveCapture& capture) {
  if (!live.write_path) return nullptr;
  if (*live.write_path == "-") {
    return capture::CaptureWriter::create_for_descriptor(STDOUT_FILENO, "standard output",
                                                         capture::CaptureFormat::pcapng,
                                                         capture.link_type(), live.snap_length);
  }
  return capture::CaptureWriter::create(*live.write_path, capture::CaptureFormat::pcapng,
                                        capture.link_type(), live.snap_length);
}

std::string describe_start(const capture::live::LiveCapture& capture, const LiveOptions& live) {
  std::string text =
      fmt::format("listening on {}, link type {}, snapshot length {} bytes", live.interface,
                  static_cast<std::uint32_t>(capture.link_type()), live.snap_length);
  if (!live.filter.empty()) text += fmt::format(", filter '{}'", live.filter);
  return text;
}

}  // namespace

int list_live_interfaces() {
  const auto interfaces = capture::live::list_interfaces();
  std::string text;
  std::size_t number = 0;
  for (const capture::live::InterfaceInfo& info : interfaces) {
    text += fmt::format("{}.{}", ++number, info.name);
    if (!info.description.empty()) text += fmt::format(" ({})", info.description);
    std::vector<std::string_view> flags;
    if (info.up) flags.push_back("Up");
    if (info.running) flags.push_back("Running");
    if (info.loopback) flags.push_back("Loopback");
    if (!flags.empty()) text += fmt::format(" [{}]", fmt::join(flags, ", "));
    text += '\n';
  }
  ReportDestination(std::nullopt).write(text);
  return exit_success;
}

int run_live(const CommandLine& options) {
  const LiveOptions& live = *options.live;
  analysis::Analyzer check(options.analysis);  // a bad watch host fails before capturing
  capture::live::LiveCapture capture(capture_options(live));
  LiveReports reports(options, capture);  // an unwritable -o fails before capturing too
  const std::unique_ptr<capture::CaptureWriter> copy = open_copy(live, capture);
  capture.copy_to(copy.get());
  for (const std::string& warning : capture.warnings()) warn(warning);
  if (!options.quiet) print_line("info", describe_start(capture, live));

  std::atomic<bool> report_requested{false};
  InterimSchedule report_timing(live, report_requested);
  CaptureAnalysis analysis;
  {
    const SignalWatcher watcher([&](int signal) {
      if (signal == SIGUSR1) {
        report_requested.store(true, std::memory_order_relaxed);
        capture.wake();
        return;
      }
      // timeout(1) sends its signal to the process and to its group: a second one is the same
      // request, not a more urgent one.
      capture.request_stop();
    });
#ifdef PA_HAVE_STREAM
    analysis = options.stream_connections > 0
                   ? analyze_streamed(capture, options, report_timing, reports)
                   : analyze_in_process(capture, options, report_timing, reports);
#else
    analysis = analyze_in_process(capture, options, report_timing, reports);
#endif
  }
  capture.copy_to(nullptr);
  if (copy) copy->close();

  if (const auto counts = capture.kernel_counts()) {
    print_line("info", fmt::format("{}: {} packets captured, {} received by filter, {} dropped "
                                   "by kernel, {} dropped by interface",
                                   live.interface, capture.packets(), counts->received,
                                   counts->dropped, counts->interface_dropped));
    if (counts->dropped != 0 || counts->interface_dropped != 0) {
      const std::string message = fmt::format(
          "{}: {} packets dropped by the kernel and {} by the interface are missing from the "
          "report (a larger --buffer-size or a narrower filter helps)",
          live.interface, counts->dropped, counts->interface_dropped);
      warn(message);
      analysis.summary.warnings.push_back(message);
    }
  }
  reports.write_final(analysis);
  return exit_success;
}

}  // namespace pa::app
