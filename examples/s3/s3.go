// Package s3 is the object storage system (S3-like) on one node: buckets,
// objects addressed by key, versioning with delete markers, paginated
// listing by prefix, objects packed into large data files (a wal log) and
// an object table in an LSM tree (lsm), checksums on every read, and
// compaction that reclaims the space of deleted versions.
//
// The run stores a few hundred objects (some of several parts), versions
// and deletes one, pages through a listing, expires old versions and
// compacts the data log, reopens the store, and reads everything back.
//
//	go run ./examples/tour s3 [-objects 300]
package s3

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
)

// Run runs the system with command-line args and writes its report to w.
func Run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("s3", flag.ContinueOnError)
	fs.SetOutput(w)
	n := fs.Int("objects", 300, "objects to store")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 20 || *n > 100_000 {
		return errors.New("s3: -objects must be 20-100000")
	}
	dir, err := os.MkdirTemp("", "s3")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := Open(dir)
	if err != nil {
		return err
	}
	defer func() { st.Close() }()
	for _, b := range []string{"photos", "backups"} {
		if err := st.CreateBucket(b); err != nil {
			return err
		}
	}

	// Objects of 1 KiB to 3 MiB; those over 1 MiB take several parts.
	r := rand.New(rand.NewPCG(1, 1))
	want := map[string][]byte{}
	var total int64
	for i := range *n {
		size := 1024 + r.IntN(64<<10)
		if i%50 == 0 {
			size = 1<<20 + r.IntN(2<<20)
		}
		data := make([]byte, size)
		for j := range data {
			data[j] = byte(r.Uint32())
		}
		key := fmt.Sprintf("2026/%02d/img-%04d.jpg", 1+i%12, i)
		if _, err := st.Put("photos", key, data); err != nil {
			return err
		}
		want[key] = data
		total += int64(size)
	}
	fmt.Fprintf(w, "stored %d objects (%d MiB) in bucket photos; data log holds %d parts\n", *n, total>>20, st.data.LastIndex()-st.data.FirstIndex()+1)

	// Versioning: three puts, then a delete marker.
	var versions []ObjectInfo
	for v := 1; v <= 3; v++ {
		info, err := st.Put("backups", "db.dump", bytes.Repeat([]byte{byte(v)}, 200<<10))
		if err != nil {
			return err
		}
		versions = append(versions, info)
	}
	if _, err := st.Delete("backups", "db.dump"); err != nil {
		return err
	}
	_, _, errLatest := st.Get("backups", "db.dump", "")
	_, old, err := st.Get("backups", "db.dump", versions[0].VersionID)
	if err != nil || !errors.Is(errLatest, ErrNoSuchKey) || old[0] != 1 {
		return fmt.Errorf("s3: versioning: latest %v, first version %v", errLatest, err)
	}
	vs, err := st.Versions("backups", "db.dump")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "backups/db.dump: 3 versions and a delete marker (%d entries, newest first); GET says %q, GET ?versionId=%s still returns version 1\n",
		len(vs), "NoSuchKey", versions[0].VersionID)

	// List one month, 25 keys a page.
	var listed []string
	after := ""
	pages := 0
	for {
		page, err := st.List("photos", "2026/03/", after, 10)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		pages++
		for _, o := range page {
			listed = append(listed, o.Key)
		}
		after = page[len(page)-1].Key
	}
	var march []string
	for k := range want {
		if k[:8] == "2026/03/" {
			march = append(march, k)
		}
	}
	slices.Sort(march)
	if !slices.Equal(listed, march) {
		return fmt.Errorf("s3: listing 2026/03/ gave %d keys, want %d", len(listed), len(march))
	}
	fmt.Fprintf(w, "LIST photos/2026/03/ in pages of 10: %d keys in %d pages, in key order\n", len(listed), pages)

	// Expire: remove the old backups and a third of the photos for good.
	for _, v := range versions[:2] {
		if err := st.DeleteVersion("backups", "db.dump", v.VersionID); err != nil {
			return err
		}
	}
	removed, target := 0, len(want)/3
	for k := range want {
		if removed < target {
			vs, err := st.Versions("photos", k)
			if err != nil {
				return err
			}
			if err := st.DeleteVersion("photos", k, vs[0].VersionID); err != nil {
				return err
			}
			delete(want, k)
			removed++
		}
	}
	cs, err := st.Compact()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "expired %d photo versions and 2 old backups; compaction examined %d parts, copied %d live ones (%d KiB) to the tail and reclaimed %d MiB\n",
		removed, cs.Examined, cs.Moved, cs.BytesMoved>>10, cs.Reclaimed>>20)

	if err := st.Close(); err != nil {
		return err
	}
	if st, err = Open(dir); err != nil {
		return err
	}
	for k, data := range want {
		_, got, err := st.Get("photos", k, "")
		if err != nil || !bytes.Equal(got, data) {
			return fmt.Errorf("s3: after compaction and reopen %s: %v", k, err)
		}
	}
	_, last, err := st.Get("backups", "db.dump", versions[2].VersionID)
	if err != nil || last[0] != 3 {
		return fmt.Errorf("s3: the kept backup version: %v", err)
	}
	fmt.Fprintf(w, "reopened: all %d remaining photos and the kept backup version read back byte for byte, SHA-256 checked\n", len(want))
	return nil
}
