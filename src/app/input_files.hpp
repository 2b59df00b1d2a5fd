#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pa::app {

// The captures a run reads, from the names typed after -f, and what the choice is worth
// telling the user.
struct InputSelection {
  std::vector<std::string> paths;     // in the order typed, rotated parts in numeric order
  std::vector<std::string> notes;     // information: a name read with its rotated parts
  std::vector<std::string> warnings;  // a gap in rotated parts, a file named twice
};

// Expands rotated captures and drops repeats (README, "Usage"; docs/decisions.md):
// - `tcpdump -C 1 -w cap.pcap` writes cap.pcap, cap.pcap1, cap.pcap2, ...: a name that exists
//   and has such numbered siblings stands for itself and all of them (a note says so), unless
//   `expand_rotation` is false or one of the siblings is named too (`-f cap.pcap*`);
// - a name that does not exist but whose numbered siblings do (cap.pcap1, ..., or
//   cap.pcap0, ... as `tcpdump -C -W` names them) stands for those;
// - a number missing among the siblings (1, 2, 4) is a warning;
// - the same file named twice (also through another name or a link: the same device and
//   inode) is read once, with a warning; so is standard input ("-").
// Every other name is kept as typed, so that opening it reports what is wrong with it.
InputSelection select_inputs(const std::vector<std::string>& typed, bool expand_rotation = true);

// The first of `inputs` that `output` names too (the same device and inode, so also through
// a link or another spelling), or nothing; "-" names no file.
std::optional<std::string> input_named_by(const std::string& output,
                                          const std::vector<std::string>& inputs);

}  // namespace pa::app
