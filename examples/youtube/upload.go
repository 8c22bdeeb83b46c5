package youtube

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/sysdesign-go/sysdesign/wal"
)

// ChunkSize is the size of an upload chunk (the last one may be shorter).
const ChunkSize = 256 << 10

var (
	// ErrUnknownUpload is returned for an upload ID that was never started.
	ErrUnknownUpload = errors.New("youtube: unknown upload")
	// ErrBadChunk is returned for a chunk out of range, of the wrong size,
	// or whose checksum does not match.
	ErrBadChunk = errors.New("youtube: bad chunk")
	// ErrIncomplete is returned by Complete while chunks are missing.
	ErrIncomplete = errors.New("youtube: upload incomplete")
)

// Uploads receives videos in chunks that may arrive in any order, twice,
// or after the client reconnects: Missing tells a client which chunks to
// send, so an interrupted upload resumes instead of starting over. Every
// accepted chunk is in a write-ahead log (wal) before it is acknowledged,
// so a server restart keeps the upload's progress.
//
// Uploads is safe for concurrent use.
type Uploads struct {
	log *wal.Log
	mu  sync.Mutex
	ups map[string]*upload
}

type upload struct {
	size   int64
	chunks map[int]uint64 // chunk number -> log index
}

// log records: kind (1B) then
//
//	start: id | size (8B)
//	chunk: id | number (4B) | bytes
const (
	recStart = 1
	recChunk = 2
)

// OpenUploads opens the upload log in dir and recovers the uploads in it.
func OpenUploads(dir string) (*Uploads, error) {
	log, err := wal.Open(filepath.Join(dir, "uploads"), nil)
	if err != nil {
		return nil, err
	}
	u := &Uploads{log: log, ups: map[string]*upload{}}
	r := log.NewReader(log.FirstIndex())
	for i, rec := range r.All() {
		if err := u.apply(i, rec); err != nil {
			log.Close()
			return nil, fmt.Errorf("youtube: upload log record %d: %w", i, err)
		}
	}
	if err := r.Err(); err != nil {
		log.Close()
		return nil, err
	}
	return u, nil
}

// Close closes the log.
func (u *Uploads) Close() error { return u.log.Close() }

func (u *Uploads) apply(i uint64, rec []byte) error {
	if len(rec) < 2 || int(rec[1]) > len(rec)-2 {
		return ErrBadChunk
	}
	n := 2 + int(rec[1]) // as an int: the byte sum would wrap
	id, rest := string(rec[2:n]), rec[n:]
	switch rec[0] {
	case recStart:
		if len(rest) != 8 {
			return ErrBadChunk
		}
		u.ups[id] = &upload{size: int64(binary.LittleEndian.Uint64(rest)), chunks: map[int]uint64{}}
	case recChunk:
		up := u.ups[id]
		if up == nil || len(rest) < 4 {
			return ErrBadChunk
		}
		up.chunks[int(binary.LittleEndian.Uint32(rest))] = i
	default:
		return ErrBadChunk
	}
	return nil
}

func header(kind byte, id string) []byte { return append([]byte{kind, byte(len(id))}, id...) }

// Start begins an upload of size bytes under id (the client's resumable
// session ID). Starting an existing upload again is a no-op.
func (u *Uploads) Start(id string, size int64) error {
	if id == "" || len(id) > 255 || size <= 0 || size > 1<<36 {
		return fmt.Errorf("youtube: invalid upload %q of %d bytes", id, size)
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if up := u.ups[id]; up != nil {
		if up.size != size {
			return fmt.Errorf("youtube: upload %q exists with %d bytes", id, up.size)
		}
		return nil
	}
	rec := binary.LittleEndian.AppendUint64(header(recStart, id), uint64(size))
	i, err := u.log.Append(rec)
	if err != nil {
		return err
	}
	return u.apply(i, rec)
}

func (up *upload) numChunks() int { return int((up.size + ChunkSize - 1) / ChunkSize) }

// Put stores chunk n of an upload after checking its size and SHA-256.
// A chunk already received is acknowledged again without storing it.
func (u *Uploads) Put(id string, n int, data []byte, sum [32]byte) error {
	u.mu.Lock()
	up := u.ups[id]
	u.mu.Unlock()
	if up == nil {
		return fmt.Errorf("%w: %q", ErrUnknownUpload, id)
	}
	want := ChunkSize
	if n == up.numChunks()-1 {
		want = int(up.size - int64(n)*ChunkSize)
	}
	if n < 0 || n >= up.numChunks() || len(data) != want || sha256.Sum256(data) != sum {
		return fmt.Errorf("%w: %q chunk %d, %d bytes", ErrBadChunk, id, n, len(data))
	}
	u.mu.Lock()
	_, have := up.chunks[n]
	u.mu.Unlock()
	if have {
		return nil
	}
	rec := append(binary.LittleEndian.AppendUint32(header(recChunk, id), uint32(n)), data...)
	i, err := u.log.Append(rec)
	if err != nil {
		return err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if _, have := up.chunks[n]; !have {
		up.chunks[n] = i
	}
	return nil
}

// Missing returns the chunk numbers the server still needs.
func (u *Uploads) Missing(id string) ([]int, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	up := u.ups[id]
	if up == nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownUpload, id)
	}
	var out []int
	for n := range up.numChunks() {
		if _, ok := up.chunks[n]; !ok {
			out = append(out, n)
		}
	}
	return out, nil
}

// Complete assembles a finished upload.
func (u *Uploads) Complete(id string) ([]byte, error) {
	missing, err := u.Missing(id)
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: %q lacks %d chunks", ErrIncomplete, id, len(missing))
	}
	u.mu.Lock()
	up := u.ups[id]
	idx := make([]uint64, up.numChunks())
	for n := range idx {
		idx[n] = up.chunks[n]
	}
	u.mu.Unlock()
	out := make([]byte, 0, up.size)
	for _, i := range idx {
		rec, err := u.log.Read(i)
		if err != nil {
			return nil, err
		}
		out = append(out, rec[2+int(rec[1])+4:]...) // after the header and chunk number
	}
	return out, nil
}
