// Package base62 encodes integers and byte strings with the 62 characters
// 0-9, A-Z and a-z: the alphabet of short URLs, KSUIDs and saltpack armor.
//
// There are three forms, all on an [Encoding]:
//
//   - Integers: [Encoding.EncodeUint64], [Encoding.AppendUint64] and
//     [Encoding.DecodeUint64] give the shortest form of a uint64 (1 to 11
//     characters), the form a URL shortener uses for an ID. Decoding reports
//     characters outside the alphabet as a [CorruptInputError] and values
//     above 2^64-1 (such as "zzzzzzzzzzzz") as [ErrOverflow].
//   - Fixed width: [Encoding.AppendUint64Fixed] always writes 11 characters,
//     padding with the alphabet's zero. With an alphabet in ascending byte
//     order (the default is), byte order of the encodings equals numeric
//     order, so they sort correctly as strings or as keys in an ordered store.
//   - Bytes: [Encoding.AppendEncode] and [Encoding.AppendDecode] treat the
//     input as one big-endian number written with exactly
//     ceil(8*n/log2(62)) characters, so leading zero bytes survive the round
//     trip. This is the BaseX block encoding of the saltpack armor
//     specification and the encoding of KSUID (20 bytes become 27
//     characters); the package is tested against vectors from both. Like the
//     specification, decoding rejects a character count that is not the
//     minimal length for its byte count and a value too large for it.
//
// # Cost
//
// Integer encoding and decoding are O(1) with no allocation on the Append
// paths (5 to 7 ns each for 11 digits on a 2.3 GHz Xeon; see bench_test.go
// and the benchmarks module); an [Encoding] holds about 14 KB of tables for
// them. Byte encoding is quadratic in the input length, as any base
// conversion between bases that are not powers of one another: ideal for
// IDs and keys up to a few hundred bytes. For long inputs, split them into
// fixed blocks (saltpack uses 32-byte blocks, 43 characters each) and
// encode each block.
//
// # Concurrency
//
// An [Encoding] is immutable once created and safe for concurrent use.
//
// Systems: the URL shortener (short codes from snowflake IDs) and the unique
// ID generator (snowflake.ID.Base62).
package base62
