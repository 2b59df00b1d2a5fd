#include "name_table.hpp"

#include <array>
#include <stdexcept>
#include <string_view>

namespace pa::generate {
namespace {

std::vector<base::IpAddress> addresses(std::initializer_list<std::string_view> texts) {
  std::vector<base::IpAddress> out;
  for (const auto text : texts) {
    const auto address = base::IpAddress::parse(text);
    if (!address) throw std::logic_error{"bad address in the name table: " + std::string{text}};
    out.push_back(*address);
  }
  return out;
}

}  // namespace

std::vector<NameEntry> office_names() {
  std::vector<NameEntry> names;
  auto add = [&](std::string name, unsigned weight, std::vector<std::string> chain,
                 std::initializer_list<std::string_view> v4,
                 std::initializer_list<std::string_view> v6) -> NameEntry& {
    NameEntry& entry = names.emplace_back();
    entry.name = std::move(name);
    entry.weight = weight;
    entry.chain = std::move(chain);
    entry.v4 = addresses(v4);
    entry.v6 = addresses(v6);
    return entry;
  };
  add("www.google.com", 22, {"www.l.google.com"},
      {"142.250.185.68", "142.250.185.100", "172.217.16.196", "216.58.206.36", "142.250.74.100"},
      {"2a00:1450:4001:82a::2004", "2a00:1450:4001:830::2004"})
      .plain_http_percent = 12;
  add("mail.google.com", 9, {"googlemail.l.google.com"}, {"142.250.186.37", "172.217.18.5"},
      {"2a00:1450:4001:813::2005"});
  add("www.youtube.com", 7, {"youtube-ui.l.google.com"},
      {"142.250.185.206", "142.250.184.238", "216.58.212.142"}, {"2a00:1450:4001:811::200e"})
      .addresses_per_answer = 3;
  add("outlook.office365.com", 10, {"ooc-g2.tm-4.office.com", "outlook.ms-acdc.office.com"},
      {"52.97.146.162", "52.98.163.18", "40.99.204.34"}, {"2603:1026:c06:1409::2"})
      .addresses_per_answer = 3;
  add("login.microsoftonline.com", 6, {"login.mso.msidentity.com", "ak.privatelink.msidentity.com"},
      {"20.190.159.2", "40.126.31.67"}, {});
  add("github.com", 7, {}, {"140.82.121.4", "140.82.121.3"}, {});
  add("api.github.com", 4, {}, {"140.82.121.6"}, {});
  add("www.wikipedia.org", 3, {"dyna.wikimedia.org"}, {"185.15.59.224"}, {"2a02:ec80:300:ed1a::1"})
      .plain_http_percent = 20;
  add("slack.com", 5, {}, {"52.85.223.61", "52.85.223.23"}, {}).addresses_per_answer = 2;
  add("www.microsoft.com", 3, {"www.microsoft.com-c-3.edgekey.net", "e13678.dscb.akamaiedge.net"},
      {"23.55.160.121"}, {"2a02:26f0:2b00:385::356e"});
  add("bg.archive.ubuntu.com", 2, {"bg.mirrors.clouvider.net"}, {"185.117.82.70"}, {})
      .plain_http_percent = 100;
  add("security.ubuntu.com", 2, {}, {"91.189.91.81", "185.125.190.36"}, {}).plain_http_percent =
      100;
  add("detectportal.firefox.com", 3,
      {"detectportal.prod.mozaws.net", "prod.detectportal.prod.cloudops.mozgcp.net"},
      {"34.107.221.82"}, {"2600:1901:0:38d7::"})
      .plain_http_percent = 100;
  add("www.amazon.de", 2, {"tp.5fd53c725-frontier.amazon.de", "d3ag4hukkh62yn.cloudfront.net"},
      {"18.66.112.93", "18.66.112.40"}, {})
      .addresses_per_answer = 2;
  add("fileserver.office.lan", 3, {}, {"192.168.10.20"}, {}).ttl = 3600;
  add("printer.office.lan", 1, {}, {"192.168.10.30"}, {}).ttl = 3600;
  add("wpad.office.lan", 3, {}, {}, {}).nxdomain = true;
  add("teams.microsoft.com", 4, {"teams.office.com", "s-0005.s-msedge.net"}, {"52.113.194.132"},
      {});
  add("www.gogle.com", 1, {}, {}, {}).nxdomain = true;
  return names;
}

std::string synthetic_name(std::uint64_t index) {
  static constexpr std::array<std::string_view, 8> prefixes{"api",  "cdn",    "img", "static",
                                                            "edge", "assets", "s",   "media"};
  static constexpr std::array<std::string_view, 8> domains{
      "akamaized.net", "cloudfront.net",  "fastly.net", "googleusercontent.com",
      "azureedge.net", "edgecastcdn.net", "b-cdn.net",  "trafficmanager.net"};
  std::string name{prefixes[index % prefixes.size()]};
  name += std::to_string(index);
  name += '.';
  name += domains[(index / prefixes.size()) % domains.size()];
  return name;
}

base::IpAddress synthetic_address(std::uint64_t index) {
  const std::uint64_t host = index % (1 << 17);
  const std::array<std::uint8_t, 4> bytes{198, static_cast<std::uint8_t>(18 + (host >> 16)),
                                          static_cast<std::uint8_t>(host >> 8),
                                          static_cast<std::uint8_t>(host)};
  return base::IpAddress::v4(bytes);
}

}  // namespace pa::generate
