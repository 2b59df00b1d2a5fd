#include "app/signal_watcher.hpp"

#include <pthread.h>

#include <cerrno>
#include <ctime>

namespace pa::app {

SignalWatcher::SignalWatcher(std::function<void(int)> on_signal)
    : on_signal_(std::move(on_signal)) {
  sigemptyset(&watched_);
  sigaddset(&watched_, SIGINT);
  sigaddset(&watched_, SIGTERM);
  sigaddset(&watched_, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &watched_, &previous_);
  thread_ = std::thread([this] { watch(); });
}

SignalWatcher::~SignalWatcher() {
  done_.store(true);
  thread_.join();
  // A signal that came after the watcher's last look is taken here and dropped: the run it
  // would have ended or reported on is over, and delivering it now could kill the process
  // after its report was written.
  const timespec no_wait{0, 0};
  while (sigtimedwait(&watched_, nullptr, &no_wait) > 0) {
  }
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

void SignalWatcher::watch() const {
  // A short wait, so that the destructor never waits long for the thread to notice done_.
  const timespec wait{0, 50'000'000};
  while (!done_.load()) {
    const int signal = sigtimedwait(&watched_, nullptr, &wait);
    if (signal > 0) on_signal_(signal);
  }
}

}  // namespace pa::app
