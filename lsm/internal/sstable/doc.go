// Package sstable writes and reads the lsm package's sorted string tables.
//
// # Format (version 1)
//
// A table is a sequence of blocks followed by a fixed-size footer:
//
//	[data block 1] ... [data block n] [filter block] [index block] [footer]
//
// Every block is followed by a 5-byte trailer: a compression type byte
// (always 0, none, in version 1) and the CRC-32C of the block bytes plus the
// type byte, little endian. Blocks are checked on every read from disk.
//
// A data block holds internal keys in order, with shared-prefix compression
// against the previous key and a restart point every RestartInterval
// entries, where the full key is stored, as in LevelDB:
//
//	entry:    shared uvarint | unshared uvarint | valueLen uvarint | key[shared:] | value
//	trailer:  restart offsets (uint32 LE each) | number of restarts (uint32 LE)
//
// The index block has the same layout with one entry per data block: the
// last internal key of the block and its handle (offset uvarint, length
// uvarint, both excluding the trailer). The filter block is the output of a
// [FilterPolicy] over every user key of the table; its length may be zero.
//
// The 48-byte footer is
//
//	filter offset u64 | filter length u64 | index offset u64 | index length u64 |
//	format version u32 | CRC-32C of the previous 36 bytes u32 | magic u64
//
// all little endian. Readers reject unknown versions and bad magic numbers
// with errors wrapping [ErrCorrupt] that name the file.
package sstable
