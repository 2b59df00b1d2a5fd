#pragma once
// What the determinism tests of the stream mode and of -j N share: the four reports of a run,
// the real corpus, and a capture that drives reassembly to its bounds.
#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "app/capture_analysis.hpp"
#include "capture/capture_writer.hpp"
#include "decode/packet_builder.hpp"
#include "dns/dns_test_message.hpp"
#include "report/csv_report.hpp"
#include "report/html_report.hpp"
#include "report/json_report.hpp"
#include "report/text_report.hpp"

namespace pa::app::determinism {

struct Reports {
  std::string text;
  std::string json;
  std::string csv;
  std::string html;
};

inline Reports render(const CaptureAnalysis& analysis, const analysis::AnalysisOptions& options) {
  std::ostringstream text;
  report::write_text_report(text, analysis.result, options);
  std::ostringstream json;
  report::write_json_report(json, analysis.result, options, analysis.summary);
  std::ostringstream csv;
  report::write_csv_report(csv, analysis.result, options, analysis.summary);
  std::ostringstream html;
  report::write_html_report(html, analysis.result, options, analysis.summary);
  return {text.str(), json.str(), csv.str(), html.str()};
}

inline std::vector<std::string> corpus_files() {
  std::vector<std::string> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(PA_SHARED_DIR) + "/corpus/real")) {
    if (entry.is_regular_file()) files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// A flood that reaches the reassembly bounds of -c 0: more first fragments pending at once
// than the 1,024 datagrams reassembly holds, and more DNS-over-TCP directions open than its
// 4,096, before each datagram's last fragment and each connection's query come. Which
// datagram or stream gives way decides which queries are counted, so the answer is the same
// only if the bounds see every packet, whatever the number of lanes.
inline void write_reassembly_flood(const std::string& path) {
  namespace build = decode::test;
  constexpr std::uint8_t udp_protocol = 17;
  constexpr std::uint8_t tcp_protocol = 6;
  constexpr std::uint32_t datagrams = 3000;
  constexpr std::uint32_t connections = 5000;
  const auto client = [](std::uint32_t i) {
    return build::V4{10, static_cast<std::uint8_t>(i >> 16), static_cast<std::uint8_t>(i >> 8),
                     static_cast<std::uint8_t>(i)};
  };
  const auto query = [](std::uint32_t i) {
    dns::testing::TestMessage message;
    message.header(dns::testing::standard_query, 1, 0)
        .question("q" + std::to_string(i % 97) + ".flood.example");
    return message.vector();
  };
  auto writer = capture::CaptureWriter::create(path, capture::CaptureFormat::pcap,
                                               capture::LinkType::ethernet);
  std::int64_t time_ns = 1'700'000'000'000'000'000;
  const auto write = [&](const build::Packet& frame) {
    time_ns += 1'000'000;  // a millisecond apart: no age limit is reached
    writer->write(time_ns, frame, capture::LinkType::ethernet);
  };
  // Each query datagram in two fragments: 16 bytes at offset 0 with MF, then the rest.
  std::vector<build::Packet> datagram(datagrams);
  for (std::uint32_t i = 0; i < datagrams; ++i) {
    datagram[i] = build::udp(static_cast<std::uint16_t>(1024 + i % 50000), 53, query(i));
    const build::Packet head(datagram[i].begin(), datagram[i].begin() + 16);
    write(build::ethernet(0x0800, build::ipv4(udp_protocol, head, static_cast<std::uint16_t>(i),
                                              0x2000, {}, client(i), build::server4)));
  }
  for (std::uint32_t i = 0; i < datagrams; ++i) {
    const build::Packet tail(datagram[i].begin() + 16, datagram[i].end());
    write(build::ethernet(0x0800, build::ipv4(udp_protocol, tail, static_cast<std::uint16_t>(i),
                                              16 / 8, {}, client(i), build::server4)));
  }
  // Each connection to port 53 opens, and only once all are open sends its query.
  const auto segment = [&](std::uint32_t i, std::uint8_t flags, const build::Packet& payload) {
    return build::ethernet(
        0x0800, build::ipv4(tcp_protocol,
                            build::tcp(40000, 53, payload.empty() ? 1000 : 1001, flags, payload), 1,
                            0, {}, client(100000 + i), build::server4));
  };
  for (std::uint32_t i = 0; i < connections; ++i) write(segment(i, decode::tcp_flag::syn, {}));
  for (std::uint32_t i = 0; i < connections; ++i) {
    write(
        segment(i, decode::tcp_flag::ack | decode::tcp_flag::psh, build::dns_tcp_frame(query(i))));
  }
  writer->close();
}

}  // namespace pa::app::determinism
