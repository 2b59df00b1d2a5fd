#include "app/signal_watcher.hpp"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <ctime>
#include <system_error>

namespace pa::app {

SignalWatcher::SignalWatcher(std::function<void(int)> on_signal)
    : on_signal_(std::move(on_signal)) {
  sigemptyset(&watched_);
  sigaddset(&watched_, SIGINT);
  sigaddset(&watched_, SIGTERM);
  sigaddset(&watched_, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &watched_, &previous_);
  signal_fd_ = ::signalfd(-1, &watched_, SFD_CLOEXEC);
  wake_fd_ = signal_fd_ < 0 ? -1 : ::eventfd(0, EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    const int error = errno;
    if (signal_fd_ >= 0) ::close(signal_fd_);
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    throw std::system_error(error, std::generic_category(), "cannot watch for signals");
  }
  thread_ = std::thread([this] { watch(); });
}

SignalWatcher::~SignalWatcher() {
  const std::uint64_t one = 1;
  while (::write(wake_fd_, &one, sizeof one) < 0 && errno == EINTR) {
  }
  thread_.join();
  ::close(wake_fd_);
  ::close(signal_fd_);
  // A signal that came after the watcher's last look is taken here and dropped: the run it
  // would have ended or reported on is over, and delivering it now could kill the process
  // after its report was written.
  const timespec no_wait{0, 0};
  while (sigtimedwait(&watched_, nullptr, &no_wait) > 0) {
  }
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

void SignalWatcher::watch() const {
  for (;;) {
    std::array<pollfd, 2> waits{pollfd{signal_fd_, POLLIN, 0}, pollfd{wake_fd_, POLLIN, 0}};
    if (::poll(waits.data(), waits.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;  // cannot happen with valid descriptors; the destructor still joins
    }
    if (waits[1].revents != 0) return;
    if (waits[0].revents == 0) continue;
    signalfd_siginfo taken{};
    const ssize_t got = ::read(signal_fd_, &taken, sizeof taken);
    if (got == static_cast<ssize_t>(sizeof taken)) on_signal_(static_cast<int>(taken.ssi_signo));
  }
}

}  // namespace pa::app
