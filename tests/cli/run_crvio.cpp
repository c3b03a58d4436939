// Runs the built `crvio` binary in a child process and captures its output and exit code.

#include "cli/run_crvio.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

namespace crv::cli::testing {
namespace {

// Closes a pipe end on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

}  // namespace

CommandResult run_crvio(const std::vector<std::string>& args, const std::string& input,
                        uint64_t address_space_bytes) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (::pipe(in_pipe) || ::pipe(out_pipe) || ::pipe(err_pipe)) throw std::runtime_error("pipe");
  Fd in_w{in_pipe[1]}, out_r{out_pipe[0]}, err_r{err_pipe[0]};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) {
      ::close(fd);
    }
    if (address_space_bytes != 0) {
      const rlimit limit{.rlim_cur = address_space_bytes, .rlim_max = address_space_bytes};
      ::setrlimit(RLIMIT_AS, &limit);
    }
    std::vector<char*> argv;
    std::string binary = CRVIO_BINARY;
    argv.push_back(binary.data());
    std::vector<std::string> copies = args;
    for (std::string& arg : copies) argv.push_back(arg.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);

  CommandResult result;
  size_t written = 0;
  if (input.empty())
    in_w.reset();
  else
    ::fcntl(in_w.fd, F_SETFL, O_NONBLOCK);
  // Feed stdin and drain both outputs together so no pipe fills up and blocks.
  while (out_r.fd >= 0 || err_r.fd >= 0) {
    pollfd fds[3] = {{out_r.fd, POLLIN, 0}, {err_r.fd, POLLIN, 0}, {in_w.fd, POLLOUT, 0}};
    ::poll(fds, 3, -1);
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buffer[65536];
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0)
        (i == 0 ? out_r : err_r).reset();
      else
        (i == 0 ? result.out : result.err).append(buffer, static_cast<size_t>(n));
    }
    if (in_w.fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR))) {
      const ssize_t n = ::write(in_w.fd, input.data() + written, input.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if (n < 0 || written == input.size()) in_w.reset();
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace crv::cli::testing
