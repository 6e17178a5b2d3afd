// unique_fd.h: owns one file descriptor and closes it when it goes out of
// scope, so that no early return leaks one (a leaked lock descriptor would
// keep serve's lock held). Move-only; not thread-safe.
#pragma once

#include <unistd.h>

#include <utility>

namespace frontdesk {

class UniqueFd {
 public:
  UniqueFd() = default;
  // Takes `fd`; a negative value (a failed open) owns nothing.
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      Reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

}  // namespace frontdesk
