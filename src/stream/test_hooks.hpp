#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace pa::stream {

// Test-only faults and delays, read from the environment variable PA_STREAM_TEST_HOOKS
// (comma-separated): delay_us=N (each consumer waits up to N microseconds, at random, before
// each batch), kill=C@B (consumer connection C closes abruptly on receiving its B-th batch;
// repeatable), seed=S, stall_ms=N (the provider drops a connection that holds unacknowledged
// batches without acknowledging any for N ms; default 30000), handshake_ms=N (default
// 10000), batch_bytes=N. Not part of the interface: it exists so that tests can steer schedules and
// faults.
struct TestHooks {
  std::uint32_t max_delay_us = 0;
  std::map<std::uint32_t, std::uint64_t> kill_after;  // connection index -> batches
  std::uint64_t seed = 1;
  std::uint32_t stall_ms = 30000;
  std::uint32_t handshake_ms = 10000;
  std::size_t batch_bytes = 0;  // batch_bytes=N: smaller batches, so that faults fall mid-run

  static TestHooks parse(const std::string& text);  // throws std::invalid_argument
  static TestHooks from_environment();
};

}  // namespace pa::stream
