#include "app/signal_watcher.hpp"

#include <gtest/gtest.h>
#include <pthread.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <future>

namespace pa::app {
namespace {

bool blocked_here(int signal) {
  sigset_t mask;
  pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  return sigismember(&mask, signal) == 1;
}

TEST(SignalWatcher, HandsEachSignalToItsCallbackInsteadOfAHandler) {
  for (const int sent : {SIGUSR1, SIGTERM, SIGINT}) {
    std::promise<int> taken;
    auto result = taken.get_future();
    {
      const SignalWatcher watcher([&taken](int signal) { taken.set_value(signal); });
      EXPECT_TRUE(blocked_here(sent));
      // Process-directed, as kill(1) sends it; without the watcher it would end the process.
      ASSERT_EQ(::kill(::getpid(), sent), 0);
      ASSERT_EQ(result.wait_for(std::chrono::seconds(30)), std::future_status::ready);
      EXPECT_EQ(result.get(), sent);
    }
    EXPECT_FALSE(blocked_here(sent));
  }
}

TEST(SignalWatcher, EndsWithNoSignalAndRestoresTheMask) {
  ASSERT_FALSE(blocked_here(SIGUSR1));
  int calls = 0;
  {
    const SignalWatcher watcher([&calls](int) { ++calls; });
  }
  {
    const SignalWatcher again([&calls](int) { ++calls; });
  }
  EXPECT_EQ(calls, 0);
  EXPECT_FALSE(blocked_here(SIGUSR1));
}

}  // namespace
}  // namespace pa::app
