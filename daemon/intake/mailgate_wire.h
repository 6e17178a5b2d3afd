// mailgate_wire.h: how `frontdesk mailgate` hands one message to the running
// daemon over the Unix socket in its data directory, so that the process an
// MTA starts per message does no database work of its own. One message per
// connection, each line ending in "\n":
//   daemon:   FRONTDESK-MAILGATE 1 max=<the hard cap, in bytes>
//   mailgate: SPOOL <correspond|comment> <queue, or -> <size>
//             followed by exactly <size> bytes of the message
//   daemon:   OK <spool entry>     stored durably: exit 0
//             REFUSED <why>        not for this path (a queue the daemon does
//                                  not know): the full command explains it
//             TEMPFAIL <why>       not stored now: exit 75, the MTA retries
// While all the daemon's handlers are busy a connection waits unanswered;
// a mailgate that gets no greeting within 10 s takes the full path.
// Thread-safe (no state).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace frontdesk {

// Longer paths do not fit a Unix socket address (108 bytes with the NUL).
inline constexpr size_t kMaxSocketPath = 107;
// A greeting, request or answer line, with its "\n".
inline constexpr size_t kMaxWireLine = 1024;

std::string MailgateSocketPath(const std::string& data_dir);

std::string GreetingLine(int64_t max_bytes);
// The cap the greeting announces; nullopt for anything else.
std::optional<int64_t> ParseGreeting(std::string_view line);

struct SpoolRequest {
  bool as_comment = false;
  std::string queue;  // "" for none
  int64_t size = 0;
};
// A queue name the line can carry: printable ASCII without spaces. Others
// take the full path, which reports them.
bool WireSafeQueue(std::string_view queue);
std::string RequestLine(const SpoolRequest& request);
// The request, or nullopt with `why` set to what is wrong with the line.
std::optional<SpoolRequest> ParseRequestLine(std::string_view line, std::string* why);

// Writes all of `data` to a socket; false when the peer is gone (no
// SIGPIPE) or the send timed out.
bool SendAll(int fd, std::string_view data);

// One line of an answer: `word` and the text with control characters and
// line breaks replaced, so that a message cannot end the line early.
std::string AnswerLine(std::string_view word, std::string_view text);

}  // namespace frontdesk
