// The kill of the detection benchmark (bench/monitor/run detect ...), timed without the
// runner's interpreter in the way: connects a witness connection of its own to the backend,
// kills the backend with SIGKILL, and waits on the witness for the end of stream that the
// kernel sends when it closes the dead process's sockets, the moment vipd's connection ends
// too. Prints both CLOCK_MONOTONIC times in nanoseconds (Python's time.monotonic_ns() reads
// the same clock): "KILLED_NS DEAD_NS".
//
// Usage: kill_witness PID ADDRESS PORT
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <string_view>

namespace {

long long parse(const char* text) {
  const std::string_view view(text);
  long long value = 0;
  std::from_chars(view.data(), view.data() + view.size(), value);
  return value;
}

std::int64_t monotonicNs() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

int connectTo(const char* address_text, long long port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  if (port <= 0 || port > 65535 || inet_pton(AF_INET, address_text, &address.sin_addr) != 1) {
    return -1;
  }
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) < 0) {
    std::perror("connect");
    return -1;
  }
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: kill_witness PID ADDRESS PORT\n");
    return 2;
  }
  const auto pid = static_cast<pid_t>(parse(argv[1]));
  const int witness = connectTo(argv[2], parse(argv[3]));
  if (pid <= 0 || witness < 0) {
    return 1;
  }
  usleep(10'000);  // accepted by then, so that the death closes it as it closes vipd's
  const std::int64_t killed_at = monotonicNs();
  if (kill(pid, SIGKILL) < 0) {
    std::perror("kill");
    return 1;
  }
  char byte = 0;
  recv(witness, &byte, 1, 0);  // 0 (end of stream) or an error: either way, dead
  const std::int64_t dead_at = monotonicNs();
  std::printf("%lld %lld\n", static_cast<long long>(killed_at), static_cast<long long>(dead_at));
  return 0;
}
