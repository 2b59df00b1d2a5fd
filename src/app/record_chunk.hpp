#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "capture/packet_record.hpp"

namespace pa::app {

// Records laid end to end in one byte buffer, each a fixed header (packet number, timestamp,
// lengths, link type) and then its captured bytes: how the records that need reassembly
// travel from the reader of a piece to the reassembly stage, between threads (ReassemblyQueue)
// and between MPI ranks. The header is copied as it is in memory, so both ends must be the
// same program on the same kind of machine, as the ranks of one MPI job are.
void append_chunk_record(std::vector<std::uint8_t>& chunk, std::uint64_t packet_number,
                         const capture::PacketRecord& record);

enum class ChunkRead : std::uint8_t { record, end, cut_short };

// The record at `at`, which then moves past it; `record.data` points into `chunk`. `end` when
// `at` is the end of the chunk, `cut_short` when a header or its bytes do not fit.
ChunkRead read_chunk_record(const std::vector<std::uint8_t>& chunk, std::size_t& at,
                            std::uint64_t& packet_number, capture::PacketRecord& record) noexcept;

}  // namespace pa::app
