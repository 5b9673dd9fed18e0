// CRC32C (Castagnoli, reflected polynomial 0x82F63B78): the checksum that frames every record
// batch of the event log (see docs/formats/event_log.md).
//
// Crc32c() picks, once per process, the SSE4.2 `crc32` instruction when the CPU has it and a
// portable slice-by-8 table otherwise; both give identical results. Values are plain CRC32C as
// in RFC 3720 (iSCSI): Crc32c("123456789") == 0xE3069283.
// Used by the event log's framing, recovery and repair.
// Thread safety: pure functions, safe from any thread.

#ifndef BANYAN_EVENTS_CRC32C_H_
#define BANYAN_EVENTS_CRC32C_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace banyan::events {

// The CRC32C of `crc`'s input followed by `data`: Crc32cExtend(Crc32c(a), b) == Crc32c(a + b).
uint32_t Crc32cExtend(uint32_t crc, std::span<const uint8_t> data);

inline uint32_t Crc32c(std::span<const uint8_t> data) { return Crc32cExtend(0, data); }
inline uint32_t Crc32c(std::string_view data) {
  return Crc32c({reinterpret_cast<const uint8_t*>(data.data()), data.size()});
}

namespace internal {

// The two implementations behind Crc32cExtend, exposed so tests can compare them.
uint32_t Crc32cExtendPortable(uint32_t crc, const uint8_t* data, size_t size);
// REQUIRES: Crc32cHardwareAvailable().
uint32_t Crc32cExtendHardware(uint32_t crc, const uint8_t* data, size_t size);
bool Crc32cHardwareAvailable();

}  // namespace internal
}  // namespace banyan::events

#endif  // BANYAN_EVENTS_CRC32C_H_
