#pragma once
// Page compression (Compression.md): a page's bytes go to the codec as they are, with no
// framing; the page header records both sizes. Read and written: UNCOMPRESSED, SNAPPY,
// GZIP (RFC 1952; several members in one page are read), ZSTD and LZ4_RAW (the LZ4 block
// format). Read only: BROTLI (one RFC 7932 stream) and the deprecated LZ4 (codec 5), as
// Hadoop frames it (blocks of a big-endian decompressed size, a big-endian compressed size
// and one LZ4 block) or, when the page does not parse as that framing adding up to the
// page's size, as a single raw LZ4 block. LZO is refused by name.
//
// Codec state (ZSTD and zlib contexts) is kept per thread and reused from page to page,
// so the functions are thread-safe and cheap to call once per page.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "parquet/format.hpp"

namespace crv::parquet {

// The format's own enumeration; a column chunk's raw codec number converts with
// codec_from_thrift().
using Codec = format::CompressionCodec;

// The format's name, e.g. "LZ4_RAW"; "UNKNOWN(<n>)" for values outside the enum.
std::string codec_name(Codec codec);
// The codec a file states; throws IoFormatError for a number the format does not define.
Codec codec_from_thrift(int32_t value);

// Page sizes are int32 in the page header.
inline constexpr size_t kMaxPageSize = 0x7FFFFFFF;

// ZSTD level when none is given: the fastest positive level, which already compresses
// well; callers wanting smaller files pass a higher one.
inline constexpr int kDefaultZstdLevel = 1;
// GZIP level when none is given: zlib's default trade-off.
inline constexpr int kDefaultGzipLevel = 6;

// Compresses one page. `level` applies to ZSTD (ZSTD_minCLevel()..ZSTD_maxCLevel()) and
// GZIP (0..9); other codecs have no levels and ignore it. Throws IoConfigError for a
// level out of range or a codec this library cannot write, IoWriteError when the input
// exceeds kMaxPageSize or the codec library fails.
std::vector<uint8_t> compress(Codec codec, std::span<const uint8_t> input,
                              std::optional<int> level = std::nullopt);
// The same into `out`, whose contents are replaced and whose capacity is reused.
void compress(Codec codec, std::span<const uint8_t> input, std::optional<int> level,
              std::vector<uint8_t>& out);

// Compresses one page as ZSTD in blocks of at most `block_bytes` input bytes: one frame
// any reader reads, whose blocks zstd codes one by one. zstd leaves the literals of a
// block uncoded when no byte value is frequent in it (rarer than about 1 in 128, as in
// bit-packed dictionary indices of a dozen values drawn evenly), although Huffman coding
// would still save a tenth; smaller blocks pass that test more often. Throws as
// compress() does.
void compress_zstd_in_blocks(std::span<const uint8_t> input, std::optional<int> level,
                             size_t block_bytes, std::vector<uint8_t>& out);

// Decompresses one page whose header claims `expected_size` uncompressed bytes. That
// claim is checked against `max_size` (the caller's limit) before any allocation, and
// no more than `expected_size` bytes are ever produced. Throws IoFormatError when the
// claim exceeds the limit, the data is corrupt or truncated, it decompresses to any
// other size than claimed, or the codec is unsupported.
std::vector<uint8_t> decompress(Codec codec, std::span<const uint8_t> input, size_t expected_size,
                                size_t max_size);
void decompress(Codec codec, std::span<const uint8_t> input, size_t expected_size, size_t max_size,
                std::vector<uint8_t>& out);

}  // namespace crv::parquet
