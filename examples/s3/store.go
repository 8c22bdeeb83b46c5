package s3

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sysdesign-go/sysdesign/lsm"
	"github.com/sysdesign-go/sysdesign/snowflake"
	"github.com/sysdesign-go/sysdesign/wal"
)

var (
	// ErrNoSuchBucket is returned for an unknown bucket.
	ErrNoSuchBucket = errors.New("s3: no such bucket")
	// ErrNoSuchKey is returned for an unknown object or version, and for a
	// key whose latest version is a delete marker.
	ErrNoSuchKey = errors.New("s3: no such key")
	// ErrBucketExists is returned by CreateBucket for an existing bucket.
	ErrBucketExists = errors.New("s3: bucket exists")
	// ErrBucketNotEmpty is returned by DeleteBucket while objects remain.
	ErrBucketNotEmpty = errors.New("s3: bucket not empty")
	// ErrInvalid wraps every invalid name or size.
	ErrInvalid = errors.New("s3: invalid argument")
	// ErrCorrupt is matched by errors about damaged data or metadata.
	ErrCorrupt = errors.New("s3: corrupt data")
)

// partSize is the largest piece of an object in one data-log record.
const partSize = 1 << 20

// MaxObjectSize bounds one object.
const MaxObjectSize = 1 << 30

// ObjectInfo describes one version of an object.
type ObjectInfo struct {
	Bucket, Key  string
	VersionID    string
	Size         int64
	ETag         string // hex SHA-256 of the content
	DeleteMarker bool
	parts        []uint64 // data-log indexes of the content, in order
}

// Store is a single-node object store in the shape of S3: buckets hold
// objects addressed by key; every put makes a new version and a delete
// adds a delete marker, so old versions stay readable by version ID.
//
// Object bytes go to a data log (wal), appended in parts of up to 1 MiB,
// many objects per segment file, as S3's data nodes pack small objects into
// large files; the object table in an lsm.DB maps bucket, key and version to
// the parts, size and SHA-256. A put is durable once both are synced, in
// that order, so the table never points at missing data; data written by a
// put that crashed before its table entry is garbage that Compact removes.
//
// Versions of a key are stored under an inverted snowflake ID, so the
// newest sorts first and "latest version" is one seek.
//
// A Store is safe for concurrent use.
type Store struct {
	data *wal.Log
	meta *lsm.DB
	ids  *snowflake.Generator
	// mu is held shared by every operation and exclusively by Compact, so
	// Compact never moves or truncates data that a put has appended but
	// not yet entered in the table.
	mu sync.RWMutex
}

// Open opens the store in dir.
func Open(dir string) (*Store, error) {
	data, err := wal.Open(filepath.Join(dir, "data"), &wal.Options{SegmentSize: 8 << 20})
	if err != nil {
		return nil, err
	}
	meta, err := lsm.Open(filepath.Join(dir, "meta"), nil)
	if err != nil {
		data.Close()
		return nil, err
	}
	ids, err := snowflake.New(snowflake.Config{MaxLead: time.Second})
	if err != nil {
		data.Close()
		meta.Close()
		return nil, err
	}
	return &Store{data: data, meta: meta, ids: ids}, nil
}

// Close closes the store.
func (s *Store) Close() error { return errors.Join(s.meta.Close(), s.data.Close()) }

var (
	bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	synced     = &lsm.WriteOptions{Sync: true}
)

// CreateBucket creates a bucket (names as S3's: 3-63 lower-case letters,
// digits, dots and hyphens).
func (s *Store) CreateBucket(name string) error {
	if !bucketName.MatchString(name) {
		return fmt.Errorf("%w: bucket name %q", ErrInvalid, name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.meta.Get([]byte("bucket/" + name)); err == nil {
		return fmt.Errorf("%w: %s", ErrBucketExists, name)
	}
	return s.meta.Put([]byte("bucket/"+name), nil, synced)
}

func (s *Store) checkBucket(name string) error {
	_, err := s.meta.Get([]byte("bucket/" + name))
	if errors.Is(err, lsm.ErrNotFound) {
		return fmt.Errorf("%w: %s", ErrNoSuchBucket, name)
	}
	return err
}

// Put stores data as the newest version of key and returns its info.
func (s *Store) Put(bucket, key string, data []byte) (ObjectInfo, error) {
	if err := checkKey(key); err != nil {
		return ObjectInfo{}, err
	}
	if len(data) > MaxObjectSize {
		return ObjectInfo{}, fmt.Errorf("%w: %d bytes, at most %d", ErrInvalid, len(data), MaxObjectSize)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	sum := sha256.Sum256(data)
	info := ObjectInfo{Bucket: bucket, Key: key, Size: int64(len(data)), ETag: hex.EncodeToString(sum[:])}
	// The data first: once the table names it, it must be on disk.
	var parts [][]byte
	for off := 0; off < len(data); off += partSize {
		parts = append(parts, data[off:min(off+partSize, len(data))])
	}
	if len(parts) > 0 {
		first, err := s.data.AppendBatch(parts)
		if err != nil {
			return ObjectInfo{}, err
		}
		for i := range parts {
			info.parts = append(info.parts, first+uint64(i))
		}
	}
	return info, s.addVersion(&info)
}

// Delete adds a delete marker: the key disappears from Get and List, its
// versions stay readable by ID.
func (s *Store) Delete(bucket, key string) (ObjectInfo, error) {
	if err := checkKey(key); err != nil {
		return ObjectInfo{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	info := ObjectInfo{Bucket: bucket, Key: key, DeleteMarker: true}
	return info, s.addVersion(&info)
}

// addVersion enters a new version in the table; the caller holds s.mu.
func (s *Store) addVersion(info *ObjectInfo) error {
	if err := s.checkBucket(info.Bucket); err != nil {
		return err
	}
	id, err := s.ids.Next()
	if err != nil {
		return err
	}
	info.VersionID = versionString(id)
	return s.meta.Put(objectKey(info.Bucket, info.Key, id), encodeInfo(*info), synced)
}

// Get returns the latest version of key (or the version given) and its
// content, checked against its SHA-256.
func (s *Store) Get(bucket, key, version string) (ObjectInfo, []byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	info, err := s.head(bucket, key, version)
	if err != nil {
		return ObjectInfo{}, nil, err
	}
	data := make([]byte, 0, info.Size)
	for _, i := range info.parts {
		part, err := s.data.Read(i)
		if err != nil {
			return info, nil, fmt.Errorf("%w: %s/%s version %s: %v", ErrCorrupt, bucket, key, info.VersionID, err)
		}
		data = append(data, part...)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != info.ETag {
		return info, nil, fmt.Errorf("%w: %s/%s version %s fails its checksum", ErrCorrupt, bucket, key, info.VersionID)
	}
	return info, data, nil
}

// head finds a version's info; the caller holds s.mu.
func (s *Store) head(bucket, key, version string) (ObjectInfo, error) {
	if err := s.checkBucket(bucket); err != nil {
		return ObjectInfo{}, err
	}
	if version != "" {
		id, err := parseVersion(version)
		if err != nil {
			return ObjectInfo{}, err
		}
		raw, err := s.meta.Get(objectKey(bucket, key, id))
		if errors.Is(err, lsm.ErrNotFound) {
			return ObjectInfo{}, fmt.Errorf("%w: %s/%s version %s", ErrNoSuchKey, bucket, key, version)
		}
		if err != nil {
			return ObjectInfo{}, err
		}
		info, err := decodeInfo(bucket, key, raw)
		if err == nil && info.DeleteMarker {
			err = fmt.Errorf("%w: %s/%s version %s is a delete marker", ErrNoSuchKey, bucket, key, version)
		}
		return info, err
	}
	it := s.meta.NewIter(&lsm.IterOptions{Prefix: versionsPrefix(bucket, key)})
	defer it.Close()
	if !it.First() {
		if err := it.Error(); err != nil {
			return ObjectInfo{}, err
		}
		return ObjectInfo{}, fmt.Errorf("%w: %s/%s", ErrNoSuchKey, bucket, key)
	}
	info, err := decodeInfo(bucket, key, it.Value())
	if err == nil && info.DeleteMarker {
		err = fmt.Errorf("%w: %s/%s (deleted)", ErrNoSuchKey, bucket, key)
	}
	return info, err
}

// List returns up to max keys of bucket after startAfter with prefix,
// whose latest version is not a delete marker, in key order; pass the last
// key returned as startAfter for the next page.
func (s *Store) List(bucket, prefix, startAfter string, max int) ([]ObjectInfo, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkBucket(bucket); err != nil {
		return nil, err
	}
	it := s.meta.NewIter(&lsm.IterOptions{Prefix: []byte("obj/" + bucket + "/" + prefix)})
	defer it.Close()
	var out []ObjectInfo
	ok := it.First()
	if startAfter != "" {
		// Past every version of startAfter.
		ok = it.SeekGE(append(versionsPrefix(bucket, startAfter), 0xff))
	}
	for ok && len(out) < max {
		key, _, err := splitObjectKey(bucket, it.Key())
		if err != nil {
			return nil, err
		}
		// The first entry of a key is its latest version.
		info, err := decodeInfo(bucket, key, it.Value())
		if err != nil {
			return nil, err
		}
		if !info.DeleteMarker {
			out = append(out, info)
		}
		// On to the next key, past this one's older versions.
		ok = it.SeekGE(append(versionsPrefix(bucket, key), 0xff))
	}
	return out, it.Error()
}

// Versions returns every version of key, newest first.
func (s *Store) Versions(bucket, key string) ([]ObjectInfo, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkBucket(bucket); err != nil {
		return nil, err
	}
	it := s.meta.NewIter(&lsm.IterOptions{Prefix: versionsPrefix(bucket, key)})
	var out []ObjectInfo
	for _, v := range it.All() {
		info, err := decodeInfo(bucket, key, v)
		if err != nil {
			it.Close()
			return nil, err
		}
		out = append(out, info)
	}
	return out, errors.Join(it.Error(), it.Close())
}

func checkKey(key string) error {
	// S3 keys are UTF-8; NUL is refused because the table uses it to end keys.
	if key == "" || len(key) > 1024 || !utf8.ValidString(key) || strings.IndexByte(key, 0) >= 0 {
		return fmt.Errorf("%w: object key %q", ErrInvalid, key)
	}
	return nil
}

// Object table keys: "obj/" bucket "/" key 0x00 (MaxInt64 - version ID, 8B
// big-endian): a key's versions are adjacent, newest first, and no key can
// be a prefix of another's version range thanks to the 0x00.
func versionsPrefix(bucket, key string) []byte {
	return append([]byte("obj/"+bucket+"/"+key), 0)
}

func objectKey(bucket, key string, id snowflake.ID) []byte {
	return binary.BigEndian.AppendUint64(versionsPrefix(bucket, key), uint64(math.MaxInt64-int64(id)))
}

func splitObjectKey(bucket string, k []byte) (key string, id snowflake.ID, err error) {
	rest := k[len("obj/"+bucket+"/"):]
	if len(rest) < 9 || rest[len(rest)-9] != 0 {
		return "", 0, fmt.Errorf("%w: object table key %q", ErrCorrupt, k)
	}
	inv := int64(binary.BigEndian.Uint64(rest[len(rest)-8:]))
	return string(rest[:len(rest)-9]), snowflake.ID(math.MaxInt64 - inv), nil
}

func versionString(id snowflake.ID) string { return fmt.Sprintf("%016x", uint64(id)) }

func parseVersion(v string) (snowflake.ID, error) {
	b, err := hex.DecodeString(v)
	if err != nil || len(b) != 8 || b[0]&0x80 != 0 {
		return 0, fmt.Errorf("%w: version ID %q", ErrInvalid, v)
	}
	return snowflake.ID(binary.BigEndian.Uint64(b)), nil
}

// Table entry: flags (1B: delete marker) | size (uvarint) | SHA-256 (32B,
// absent for a marker) | version ID (8B) | part count (uvarint) | parts (uvarint each).
func encodeInfo(info ObjectInfo) []byte {
	id, _ := parseVersion(info.VersionID)
	b := []byte{0}
	if info.DeleteMarker {
		b[0] = 1
	}
	b = binary.AppendUvarint(b, uint64(info.Size))
	if !info.DeleteMarker {
		sum, _ := hex.DecodeString(info.ETag)
		b = append(b, sum...)
	}
	b = binary.BigEndian.AppendUint64(b, uint64(id))
	b = binary.AppendUvarint(b, uint64(len(info.parts)))
	for _, p := range info.parts {
		b = binary.AppendUvarint(b, p)
	}
	return b
}

func decodeInfo(bucket, key string, b []byte) (ObjectInfo, error) {
	bad := fmt.Errorf("%w: table entry of %s/%s", ErrCorrupt, bucket, key)
	info := ObjectInfo{Bucket: bucket, Key: key}
	orig := b
	if len(b) < 1 || b[0] > 1 {
		return info, bad
	}
	info.DeleteMarker = b[0] == 1
	b = b[1:]
	size, n := binary.Uvarint(b)
	if n <= 0 || size > MaxObjectSize {
		return info, bad
	}
	info.Size, b = int64(size), b[n:]
	if !info.DeleteMarker {
		if len(b) < sha256.Size {
			return info, bad
		}
		info.ETag, b = hex.EncodeToString(b[:sha256.Size]), b[sha256.Size:]
	}
	if len(b) < 8 {
		return info, bad
	}
	info.VersionID, b = fmt.Sprintf("%016x", binary.BigEndian.Uint64(b)), b[8:]
	count, n := binary.Uvarint(b)
	if n <= 0 || count > uint64(len(b)) {
		return info, bad
	}
	b = b[n:]
	for range count {
		p, n := binary.Uvarint(b)
		if n <= 0 {
			return info, bad
		}
		info.parts, b = append(info.parts, p), b[n:]
	}
	// Only the canonical encoding is valid (no padded varints, no stray bytes).
	if len(b) != 0 || !bytes.Equal(encodeInfo(info), orig) {
		return info, bad
	}
	return info, nil
}
