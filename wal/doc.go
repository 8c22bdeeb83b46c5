// Package wal is a segmented, checksummed write-ahead log that never loses
// an acknowledged record and tells a torn tail from real corruption.
//
// A [Log] is an append-only sequence of records (byte slices) with
// consecutive 64-bit indexes starting at 1. Records are stored in segment
// files of bounded size, each record framed with its length and CRC-32C
// checksums. It is the log under the lsm store and the message queue,
// notification, chat, payment and s3 examples.
//
//	l, err := wal.Open(dir, nil) // sync always, 64 MiB segments
//	i, err := l.Append([]byte("debit 42"))
//	data, err := l.Read(i)
//	err = l.TruncateFront(i)   // retention
//	err = l.Close()
//
// # API
//
//   - [Open] (dir, *[Options]) locks the directory ([ErrLocked] for a second
//     user) and recovers the log; [Log.Recovery] says what it cut.
//   - [Log.Append] and [Log.AppendBatch] return the (first) index once the
//     records are as durable as [Options.Sync] says.
//   - [Log.Read] (i), [Log.NewReader] (from) with [Reader.Next] or the
//     iterator [Reader.All] and, for tailing consumers, [Reader.NextWait]
//     (ctx).
//   - [Log.FirstIndex], [Log.LastIndex]; an empty log has
//     LastIndex = FirstIndex-1 (0 and 1 when new).
//   - [Log.TruncateFront] (i) drops records before i; [Log.TruncateBack] (i)
//     drops records after i. Both are crash safe.
//   - [Log.Sync] forces an fsync; [Log.Close].
//
// # Durability and group commit
//
// With [SyncAlways] (the default), Append returns after write and fsync. An
// appender that finds no flush in progress becomes the leader: it takes
// every record queued so far, writes them with one write call and fsyncs
// once; appenders arriving meanwhile queue behind it and the next leader
// takes them all. Throughput therefore grows with the number of concurrent
// appenders while each still waits for its own fsync (group commit, as in
// DeWitt et al., "Implementation Techniques for Main Memory Database
// Systems", SIGMOD 1984, https://doi.org/10.1145/602259.602261).
// [SyncInterval] fsyncs every [Options.SyncInterval]; [SyncNever] leaves it
// to the operating system. Whatever the policy, a full segment is fsynced
// before the next one is created, so only the last segment can have a torn
// tail.
//
// With [Options.BufferSize] (for SyncInterval and SyncNever), Append only
// frames the record into an in-memory buffer; the buffer is written with
// one write call when it is full, [Options.BufferDelay] (10ms) after its
// oldest record, or when Sync, Close, a truncation, a read of a buffered
// record or a waiting tailing reader needs it. Small appends then cost no
// system call each (pebble's and RocksDB's asynchronous log writers make
// the same trade), and a process crash may lose the buffered suffix of the
// log: whole records, never a record before a surviving one, never one
// appended before a successful Sync.
//
// Once a write or fsync fails the log refuses further writes ([ErrFailed]):
// after a failed fsync the page cache may not match the disk, so the only
// safe recovery is to close and reopen.
//
// # Recovery
//
// Open reads every segment and checks every checksum. Damage at the end of
// the last segment counts as a torn write and is cut off (reported in
// [RecoveryReport]) when the data ends inside a record header, or a valid
// header's payload runs past the end of the file, or every byte from the
// damage to the end of the file is zero (space the file system allocated
// but never wrote). Anything else, and any damage in an earlier segment, is
// a [*CorruptError] naming the segment file and byte offset, matching
// [ErrCorrupt]. With [Options.Repair] Open instead keeps everything before
// the corrupt record and deletes the rest.
//
// Because the length is protected by its own header checksum, a flipped bit
// anywhere in a complete record is reported as corruption, never taken for
// a torn tail. Only records that were not yet acknowledged can be torn.
//
// # File format
//
// A log directory holds a LOCK file and segment files named by the index of
// their first record, as 20 decimal digits and ".wal":
// 00000000000000000001.wal. Files ending in ".tmp" are incomplete
// rewrites and are deleted by Open. A segment starts with a 16-byte header
// followed by tightly packed records:
//
//	segment header:
//	+------------------------------+----------------------+
//	| magic "sdwal\x00\x00\x01" 8B | first index (8B, LE) |
//	+------------------------------+----------------------+
//
//	record:
//	+------------+-----------+------------+--- ... ---+
//	| Len (4B)   | CRC (4B)  | HCRC (4B)  | Payload   |
//	+------------+-----------+------------+--- ... ---+
//
// All integers are little-endian. Len is the payload length in bytes. CRC
// is the CRC-32C (Castagnoli) of the payload followed by the record's index
// as 8 little-endian bytes, so a record moved to another position fails its
// check. HCRC is the CRC-32C of the 8 bytes of Len and CRC, so a damaged
// length is detected before it is trusted. Records never span segments: a
// record that would take the segment past [Options.SegmentSize] starts a
// new segment, and a record may be at most SegmentSize-28 bytes.
//
// TruncateFront writes the surviving part of the segment holding the new
// first index to "<name>.wal.tmp", syncs it, renames it to the segment
// name for the new first index, and deletes older segments oldest first.
// If a crash interrupts this, Open sees an older segment that overlaps the
// renamed one and deletes it. TruncateBack deletes later segments newest
// first, then truncates and syncs the segment holding the new last index.
//
// # Costs
//
// Append: O(record size) for framing and checksum, plus one write and (with
// SyncAlways) one fsync shared by every appender in the same group; with
// BufferSize, one write per BufferSize bytes instead. Read:
// one positioned read, offsets come from an in-memory index of 8 bytes per
// record. A [Reader] reads ahead up to 256 KiB of a segment per call, so a
// sequential scan costs one read call per many small records. Open: reads the whole log. TruncateFront: copies at most one
// segment. TruncateBack: at most one truncate plus deleted segments. The
// log keeps one open file per segment.
//
// # Concurrency
//
// A [Log] is safe for concurrent use. Appends are totally ordered by index;
// reads run in parallel with appends; TruncateFront, TruncateBack and Close
// wait for appends and reads in progress. A [Reader] belongs to one
// goroutine. [MemFS] and [OSFS] are safe for concurrent use.
//
// # Testing
//
// All file access goes through [FS]. [MemFS] keeps files in memory and
// [MemFS.Crash] returns what a power cut would leave: unsynced data dropped,
// or an unsynced append torn at any byte; [MemFS.CrashKeepingEntries] also
// keeps directory changes that were never synced. The package's tests run 10,000
// seeded crash cases on MemFS (a crash at a random file operation of a
// random sequence of appends, truncations, syncs and reopens, checked
// against a model) plus 400 with concurrent group-committed appenders, flip
// and truncate every byte of a small log, fuzz the record decoder and Open
// (FuzzScanSegment, FuzzOpen), replay the scenarios in testdata/*.txt
// (go test -run Scenarios -rewrite regenerates them), and kill a child
// process with SIGKILL while it appends, unbuffered and buffered (one
// crash case in ten also buffers). Set WAL_CRASH_CASES (default
// 10000), WAL_KILLS (default 20) and WAL_KILL_SEED for longer runs, e.g.
//
//	WAL_CRASH_CASES=200000 WAL_KILLS=500 go test -run Crash ./wal
//
// # Used by
//
// The lsm package (its memtable log) and the messagequeue, notification,
// chat, payment, metrics, adclick, youtube and s3 examples. The design
// follows the logs of etcd, Kafka and LevelDB/Pebble; compare
// github.com/tidwall/wal, which has no group commit and treats every
// damaged tail the same way.
package wal
