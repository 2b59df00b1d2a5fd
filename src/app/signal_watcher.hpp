#pragma once

#include <csignal>
#include <functional>
#include <thread>

namespace pa::app {

// Takes SIGINT, SIGTERM and SIGUSR1 on a thread of its own while it lives, and calls
// `on_signal` there with the signal's number. The signals are blocked in the thread that
// makes it (and so in every thread started after), so no handler runs: a signal can neither
// interrupt the capture midway nor reach a handler another library installed (the stream
// mode's Asio signal_set), and `on_signal` may do more than a handler could. Make it before
// starting any other thread; the previous mask is restored when it is destroyed.
class SignalWatcher {
 public:
  // Throws std::system_error when the descriptors it waits on cannot be made.
  explicit SignalWatcher(std::function<void(int)> on_signal);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  void watch() const;

  std::function<void(int)> on_signal_;
  sigset_t watched_{};
  sigset_t previous_{};
  // The thread sleeps in poll() on both: the signals as a signalfd, and an eventfd the
  // destructor writes to, so that ending takes no time. (It woke every 50 ms to look at a
  // flag before, and every run's last step waited 25 ms on average for that.)
  int signal_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
};

}  // namespace pa::app
