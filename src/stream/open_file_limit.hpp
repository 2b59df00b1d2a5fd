#pragma once

#include <cstdint>
#include <string>

namespace pa::stream {

// Makes room for `needed` open files (sockets) in this process: raises the soft limit
// (RLIMIT_NOFILE, `ulimit -n`) up to what is needed where the hard limit allows. Throws
// StreamError naming the limit when it does not, so that a run never starts only to loop on
// "Too many open files". `what` names the cause in the message ("-c 600").
void ensure_open_file_limit(std::uint64_t needed, const std::string& what);

// The open files a run of the stream mode needs: `sockets`, and a margin for the captures,
// standard streams and the event loop's own descriptors.
inline std::uint64_t open_files_for(std::uint64_t sockets) { return sockets + 64; }

}  // namespace pa::stream
