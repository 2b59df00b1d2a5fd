#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "capture_generator.hpp"
#include "dns_message.hpp"
#include "expected_answers.hpp"
#include "packet_builder.hpp"
#include "text_report.hpp"

namespace pa::generate {
namespace {

namespace fs = std::filesystem;

base::IpAddress ip(const char* text) { return *base::IpAddress::parse(text); }

std::string read_file(const fs::path& path) {
  std::ifstream in{path, std::ios::binary};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs a shell command; its standard output, and whether it exited 0.
std::pair<std::string, bool> run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return {out, false};
  char buffer[65536];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  return {out, ::pclose(pipe) == 0};
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in{text};
  while (std::getline(in, part, separator)) parts.push_back(part);
  return parts;
}

class TempDir {
 public:
  TempDir() : path_{fs::temp_directory_path() / ("generator_test_" + std::to_string(::getpid()))} {
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(TextReport, MatchesTheSpecLayout) {
  const std::map<std::string, std::uint64_t> counts{
      {"www.google.com", 40}, {"bg.archive.ubuntu.com", 3}, {"a.example", 45}};
  const std::string report = write_text_report("www.google.com", 80, {42589, 42588}, counts);
  EXPECT_EQ(report,
            "List of TCP source ports from connections initiated to www.google.com:80\n"
            "========================================================================\n"
            "42588\n"
            "42589\n"
            "\n"
            "Domain name distribution in DNS resolution queries\n"
            "==================================================\n"
            "name                  | count | percentage of total\n"
            "---------------------------------------------------\n"
            "a.example             | 45    | 51.14%\n"
            "www.google.com        | 40    | 45.45%\n"
            "bg.archive.ubuntu.com | 3     | 3.41%\n"
            "\n");
}

TEST(TextReport, PrintsHeaderAndRuleWhenThereAreNoQueries) {
  EXPECT_EQ(write_text_report("example.org", 8080, {}, {}),
            "List of TCP source ports from connections initiated to example.org:8080\n"
            "=======================================================================\n"
            "\n"
            "Domain name distribution in DNS resolution queries\n"
            "==================================================\n"
            "name                 | count | percentage of total\n"
            "--------------------------------------------------\n"
            "\n");
}

TEST(TextReport, BreaksCountTiesByNameAndWidensTheCountColumn) {
  const std::map<std::string, std::uint64_t> counts{{"b.example", 1234567}, {"a.example", 1234567}};
  const std::string report = write_text_report("h", 1, {}, counts);
  EXPECT_NE(report.find("name                 | count   | percentage of total\n"
                        "----------------------------------------------------\n"
                        "a.example            | 1234567 | 50.00%\n"
                        "b.example            | 1234567 | 50.00%\n"),
            std::string::npos);
}

TEST(TextReport, EscapesBytesOutsideTheLabelAlphabetTheZoneFileWay) {
  EXPECT_EQ(escape_name("a_b-c.d"), "a_b-c.d");
  EXPECT_EQ(escape_name(std::string{"x\\y"}), "x\\\\y");
  EXPECT_EQ(escape_name(std::string{"bell\x07.com"}), "bell\\007.com");
  EXPECT_EQ(escape_name(""), "<root>");
}

TEST(DnsMessage, WritesAQueryAndPointsRepeatedNamesBack) {
  DnsMessage message;
  message.id = 0x1234;
  message.response = true;
  message.recursion_available = true;
  message.questions.push_back({"a.io", DnsType::a});
  DnsRecord cname;
  cname.owner = "a.io";
  cname.type = DnsType::cname;
  cname.ttl = 60;
  cname.target = "b.a.io";
  message.answers.push_back(cname);
  std::vector<std::uint8_t> bytes;
  write_dns_message(message, bytes);
  const std::vector<std::uint8_t> expected{
      0x12, 0x34, 0x81, 0x80,  // id, QR RD RA
      0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00,
      0x00, 0x01, 'a',  0x02, 'i',  'o',  0x00,  // offset 12: a.io
      0x00, 0x01, 0x00, 0x01,                    // A IN
      0xc0, 0x0c,                                // owner: pointer to offset 12
      0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00,
      0x3c, 0x00, 0x04, 0x01, 'b',  0xc0, 0x0c};  // b + pointer to a.io
  EXPECT_EQ(bytes, expected);
}

TEST(PacketBuilder, WritesAValidUdpChecksum) {
  const std::vector<std::uint8_t> payload{'h', 'i'};
  const auto datagram =
      PacketBuilder::udp_datagram(ip("192.0.2.1"), ip("192.0.2.2"), 1000, 53, payload);
  // RFC 768: summing the pseudo-header and datagram, checksum included, gives all ones.
  std::uint32_t sum = 0xc000 + 0x0201 + 0xc000 + 0x0202 + 17 + 10;
  for (std::size_t i = 0; i < datagram.size(); i += 2) {
    sum += static_cast<std::uint32_t>(datagram[i] << 8 | datagram[i + 1]);
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  EXPECT_EQ(sum, 0xffffu);
}

PacketSpec syn_to(const char* address, std::uint16_t port, std::uint16_t source_port) {
  PacketSpec p;
  p.kind = PacketKind::tcp;
  p.destination = ip(address);
  p.destination_port = port;
  p.source_port = source_port;
  p.tcp_flags = tcp_flag::syn | tcp_flag::ece | tcp_flag::cwr;
  return p;
}

PacketSpec answer(std::vector<DnsRecord> records) {
  auto message = std::make_shared<DnsMessage>();
  message->response = true;
  message->answers = std::move(records);
  PacketSpec p;
  p.dns_completed.push_back(message);
  return p;
}

DnsRecord record(const char* owner, DnsType type, const char* data) {
  DnsRecord r;
  r.owner = owner;
  r.type = type;
  if (type == DnsType::cname) {
    r.target = data;
  } else {
    r.address = ip(data);
  }
  return r;
}

TEST(ExpectedAnswers, CountsASynOnlyAfterTheAnswerThatTeachesItsAddress) {
  ExpectedAnswers answers{"www.google.com", 80};
  answers.observe(syn_to("192.0.2.7", 80, 1111));
  answers.observe(answer({record("www.google.com", DnsType::a, "192.0.2.7")}));
  answers.observe(syn_to("192.0.2.7", 80, 2222));
  answers.observe(syn_to("192.0.2.7", 443, 3333));
  EXPECT_EQ(answers.source_ports(), (std::set<std::uint16_t>{2222}));
  EXPECT_EQ(answers.syns_before_learning(), 1u);
  EXPECT_EQ(answers.watched_addresses().at(ip("192.0.2.7")).packet_index, 1u);
}

TEST(ExpectedAnswers, FollowsCnameChainsFromTheWatchedNameOnly) {
  ExpectedAnswers answers{"www.google.com", 80};
  answers.observe(answer({record("search.office.lan", DnsType::cname, "www.google.com"),
                          record("www.google.com", DnsType::cname, "www.l.google.com"),
                          record("www.l.google.com", DnsType::a, "192.0.2.1"),
                          record("www.l.google.com", DnsType::aaaa, "2001:db8::1"),
                          record("other.example", DnsType::a, "192.0.2.2")}));
  answers.observe(answer({record("mail.google.com", DnsType::cname, "www.l.google.com"),
                          record("www.l.google.com", DnsType::a, "192.0.2.3")}));
  std::set<base::IpAddress> learned;
  for (const auto& [address, when] : answers.watched_addresses()) learned.insert(address);
  EXPECT_EQ(learned, (std::set<base::IpAddress>{ip("192.0.2.1"), ip("2001:db8::1")}));
}

TEST(ExpectedAnswers, CountsOnlyAQuestionsOfStandardQueries) {
  auto query = std::make_shared<DnsMessage>();
  query->questions = {{"WWW.Example.com", DnsType::a}, {"www.example.com", DnsType::aaaa}};
  auto notify = std::make_shared<DnsMessage>(*query);
  notify->opcode = 4;
  PacketSpec p;
  p.dns_completed = {query, notify, query};
  ExpectedAnswers answers{"www.google.com", 80};
  answers.observe(p);
  EXPECT_EQ(answers.a_query_counts(),
            (std::map<std::string, std::uint64_t>{{"www.example.com", 2}}));
}

GeneratorOptions small_capture(const fs::path& dir, capture::CaptureFormat format,
                               const std::string& name) {
  GeneratorOptions options;
  options.model.seed = 7;
  options.model.duration_seconds = 90;
  options.model.sessions_per_second = 3;
  options.format = format;
  options.output = (dir / name).string();
  return options;
}

TEST(Generator, GivesTheSameBytesForTheSameSeed) {
  TempDir dir;
  auto options = small_capture(dir.path(), capture::CaptureFormat::pcapng, "a.pcapng");
  options.model.duration_seconds = 20;
  generate_capture(options);
  options.output = (dir.path() / "b.pcapng").string();
  generate_capture(options);
  EXPECT_EQ(read_file(dir.path() / "a.pcapng"), read_file(dir.path() / "b.pcapng"));
  EXPECT_EQ(read_file(dir.path() / "a.pcapng.expected.txt"),
            read_file(dir.path() / "b.pcapng.expected.txt"));
}

TEST(Generator, UniqueNamesModeAsksExactlyThatManyNames) {
  TempDir dir;
  auto options = small_capture(dir.path(), capture::CaptureFormat::pcap, "u.pcap");
  options.model.duration_seconds = 1;
  options.model.unique_names = 500;
  const auto result = generate_capture(options);
  EXPECT_EQ(result.answers.a_query_counts().size(), 500u);
}

TEST(Generator, RotatesIntoTheRequestedNumberOfFiles) {
  TempDir dir;
  auto options = small_capture(dir.path(), capture::CaptureFormat::pcap, "r.pcap");
  options.rotate = 4;
  const auto result = generate_capture(options);
  ASSERT_EQ(result.files.size(), 4u);
  for (int i = 1; i <= 4; ++i) {
    EXPECT_GT(fs::file_size(dir.path() / ("r.pcap" + std::to_string(i))), 10000u);
  }
}

// The bundled sample must stay what samples/README.md says made it.
TEST(Sample, IsWhatItsReadmeCommandMakes) {
  TempDir dir;
  GeneratorOptions options;
  options.model.seed = 1;
  options.model.duration_seconds = 660;
  options.model.sessions_per_second = 0.5;
  options.rotate = 4;
  options.format = capture::CaptureFormat::pcap;
  options.output = (dir.path() / "office.pcap").string();
  options.expected_path = (dir.path() / "office.expected.json").string();
  generate_capture(options);
  const fs::path samples = fs::path{PA_SOURCE_DIR} / "samples";
  for (const char* name : {"office.pcap1", "office.pcap2", "office.pcap3", "office.pcap4",
                           "office.expected.json", "office.expected.txt"}) {
    EXPECT_EQ(read_file(dir.path() / name), read_file(samples / name)) << name;
  }
  EXPECT_LE(fs::file_size(samples / "office.pcap1") + fs::file_size(samples / "office.pcap2") +
                fs::file_size(samples / "office.pcap3") + fs::file_size(samples / "office.pcap4"),
            5u << 20);
}

// The expected answers, checked against what tshark (an independent decoder) reads from
// the generated files.
struct TsharkCase {
  capture::CaptureFormat format;
  const char* name;
  unsigned rotate;
};

void PrintTo(const TsharkCase& c, std::ostream* out) { *out << c.name; }

class GeneratorAgreesWithTshark : public testing::TestWithParam<TsharkCase> {};

TEST_P(GeneratorAgreesWithTshark, OnQueryCountsAndSynPorts) {
  if (!run("command -v tshark >/dev/null && command -v capinfos >/dev/null").second) {
    GTEST_SKIP() << "tshark or capinfos is not installed";
  }
  TempDir dir;
  auto options = small_capture(dir.path(), GetParam().format, GetParam().name);
  options.rotate = GetParam().rotate;
  const auto result = generate_capture(options);
  const auto expected = nlohmann::json::parse(read_file(result.expected_path));

  std::string files;
  for (const auto& file : result.files) {
    EXPECT_TRUE(run("capinfos '" + file + "' >/dev/null 2>&1").second) << file;
    files += " '" + file + "'";
  }
  // Rotated files are one capture: concatenated in order they give the same frame numbers
  // as the generator's packet indices.
  std::string merged = result.files.front();
  if (result.files.size() > 1) {
    merged = (dir.path() / "merged.pcapng").string();
    ASSERT_TRUE(run("mergecap -a -w '" + merged + "'" + files + " 2>/dev/null").second);
  }
  const std::string tshark = "tshark -n -r '" + merged + "' ";

  const auto [frames, frames_ok] = run(tshark + "-T fields -e frame.number 2>/dev/null | wc -l");
  ASSERT_TRUE(frames_ok);
  EXPECT_EQ(std::stoull(frames), expected["packets"].get<std::uint64_t>());

  // Result 1. A frame may carry several DNS messages (TCP), so names and types are paired.
  const auto [queries, queries_ok] =
      run(tshark +
          "-Y 'dns.flags.response==0 && dns.flags.opcode==0 && dns.qry.type==1 && "
          "(udp.port==53 || tcp.port==53)' -T fields -e dns.qry.name -e dns.qry.type 2>/dev/null");
  ASSERT_TRUE(queries_ok);
  std::map<std::string, std::uint64_t> counts;
  for (const auto& line : split(queries, '\n')) {
    const auto fields = split(line, '\t');
    ASSERT_EQ(fields.size(), 2u) << line;
    const auto names = split(fields[0], ',');
    const auto types = split(fields[1], ',');
    ASSERT_EQ(names.size(), types.size()) << line;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (types[i] == "1") ++counts[lower_case(names[i])];
    }
  }
  EXPECT_EQ(counts, expected["a_query_counts"].get<decltype(counts)>());
  EXPECT_GT(counts["www.google.com"], 0u);

  // Result 3, given result 2's addresses and the packet that taught each.
  std::map<base::IpAddress, std::uint64_t> learned;
  for (const auto& entry : expected["watched_addresses_learned"]) {
    learned[ip(entry["address"].get<std::string>().c_str())] = entry["packet_index"];
  }
  const auto [syns, syns_ok] =
      run(tshark +
          "-Y 'tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.flags.reset==0 && tcp.dstport==80' "
          "-T fields -e frame.number -e ip.dst -e ipv6.dst -e tcp.srcport 2>/dev/null");
  ASSERT_TRUE(syns_ok);
  std::set<std::uint16_t> ports;
  std::uint64_t early = 0;
  for (const auto& line : split(syns, '\n')) {
    const auto fields = split(line, '\t');
    ASSERT_EQ(fields.size(), 4u) << line;
    const auto destination = ip((fields[1].empty() ? fields[2] : fields[1]).c_str());
    const auto found = learned.find(destination);
    if (found == learned.end()) continue;
    if (std::stoull(fields[0]) - 1 > found->second) {
      ports.insert(static_cast<std::uint16_t>(std::stoul(fields[3])));
    } else {
      ++early;
    }
  }
  EXPECT_EQ(ports, expected["source_ports"].get<std::set<std::uint16_t>>());
  EXPECT_EQ(early, expected["syns_before_learning"].get<std::uint64_t>());
  EXPECT_FALSE(ports.empty());

  // The text report, rebuilt from what tshark saw.
  EXPECT_EQ(read_file(result.report_path), write_text_report("www.google.com", 80, ports, counts));
  EXPECT_EQ(expected["report"].get<std::string>(), read_file(result.report_path));
}

INSTANTIATE_TEST_SUITE_P(
    Formats, GeneratorAgreesWithTshark,
    testing::Values(TsharkCase{capture::CaptureFormat::pcap, "office.pcap", 0},
                    TsharkCase{capture::CaptureFormat::pcap_ns, "office_ns.pcap", 0},
                    TsharkCase{capture::CaptureFormat::pcapng, "office.pcapng", 0},
                    TsharkCase{capture::CaptureFormat::pcap, "rotated.pcap", 3}),
    [](const testing::TestParamInfo<TsharkCase>& info) {
      return std::string{info.param.rotate ? "rotated_" : ""} +
             (info.param.format == capture::CaptureFormat::pcapng    ? "pcapng"
              : info.param.format == capture::CaptureFormat::pcap_ns ? "pcap_ns"
                                                                     : "pcap");
    });

}  // namespace
}  // namespace pa::generate
