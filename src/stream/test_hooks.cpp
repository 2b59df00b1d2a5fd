#include "stream/test_hooks.hpp"

#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace pa::stream {

TestHooks TestHooks::parse(const std::string& text) {
  TestHooks hooks;
  std::istringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    if (item.empty()) continue;
    const auto equals = item.find('=');
    if (equals == std::string::npos) throw std::invalid_argument("test hook without '=': " + item);
    const std::string key = item.substr(0, equals);
    const std::string value = item.substr(equals + 1);
    if (key == "delay_us") {
      hooks.max_delay_us = static_cast<std::uint32_t>(std::stoul(value));
    } else if (key == "kill") {
      const auto at = value.find('@');
      if (at == std::string::npos) throw std::invalid_argument("kill=C@B expected: " + item);
      hooks.kill_after[static_cast<std::uint32_t>(std::stoul(value.substr(0, at)))] =
          std::stoull(value.substr(at + 1));
    } else if (key == "seed") {
      hooks.seed = std::stoull(value);
    } else if (key == "stall_ms") {
      hooks.stall_ms = static_cast<std::uint32_t>(std::stoul(value));
    } else if (key == "batch_bytes") {
      hooks.batch_bytes = std::stoull(value);
    } else if (key == "handshake_ms") {
      hooks.handshake_ms = static_cast<std::uint32_t>(std::stoul(value));
    } else {
      throw std::invalid_argument("unknown test hook: " + key);
    }
  }
  return hooks;
}

TestHooks TestHooks::from_environment() {
  const char* text = std::getenv("PA_STREAM_TEST_HOOKS");
  return text == nullptr ? TestHooks{} : parse(text);
}

}  // namespace pa::stream
