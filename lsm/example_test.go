package lsm_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/sysdesign-go/sysdesign/lsm"
)

func Example() {
	dir, err := os.MkdirTemp("", "lsm-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := lsm.Open(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := db.Put([]byte("city:lux"), []byte("Luxembourg"), nil); err != nil {
		log.Fatal(err)
	}
	if err := db.Put([]byte("city:ams"), []byte("Amsterdam"), &lsm.WriteOptions{Sync: true}); err != nil {
		log.Fatal(err)
	}
	v, err := db.Get([]byte("city:lux"))
	fmt.Println(string(v), err)
	_, err = db.Get([]byte("city:par"))
	fmt.Println(errors.Is(err, lsm.ErrNotFound))
	if err := db.Close(); err != nil {
		log.Fatal(err)
	}

	// Everything is there after reopening.
	db, err = lsm.Open(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	v, _ = db.Get([]byte("city:ams"))
	fmt.Println(string(v))
	// Output:
	// Luxembourg <nil>
	// true
	// Amsterdam
}

func ExampleDB_Apply() {
	dir, _ := os.MkdirTemp("", "lsm-example")
	defer os.RemoveAll(dir)
	db, err := lsm.Open(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	// Move 30 from alice to bob atomically.
	db.Put([]byte("balance:alice"), []byte("100"), nil)
	var b lsm.Batch
	b.Put([]byte("balance:alice"), []byte("70"))
	b.Put([]byte("balance:bob"), []byte("30"))
	b.Delete([]byte("pending:42"))
	if err := db.Apply(&b, &lsm.WriteOptions{Sync: true}); err != nil {
		log.Fatal(err)
	}
	it := db.NewIter(&lsm.IterOptions{Prefix: []byte("balance:")})
	for k, v := range it.All() {
		fmt.Printf("%s=%s\n", k, v)
	}
	if err := it.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// balance:alice=70
	// balance:bob=30
}

func ExampleIterator() {
	dir, _ := os.MkdirTemp("", "lsm-example")
	defer os.RemoveAll(dir)
	db, err := lsm.Open(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		db.Put([]byte(k), []byte(k+k), nil)
	}
	db.Flush(context.Background()) // some keys in a table, some in the memtable
	db.Delete([]byte("c"), nil)

	it := db.NewIter(&lsm.IterOptions{LowerBound: []byte("b"), UpperBound: []byte("e")})
	defer it.Close()
	for k, v := range it.Backward() {
		fmt.Printf("%s=%s;", k, v)
	}
	fmt.Println()
	if it.SeekGE([]byte("bb")) {
		fmt.Println("SeekGE(bb):", string(it.Key()))
	}
	if it.Prev() {
		fmt.Println("Prev:", string(it.Key()))
	}
	// Output:
	// d=dd;b=bb;
	// SeekGE(bb): d
	// Prev: b
}

func ExampleSnapshot() {
	dir, _ := os.MkdirTemp("", "lsm-example")
	defer os.RemoveAll(dir)
	db, err := lsm.Open(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	db.Put([]byte("stock"), []byte("5"), nil)
	snap := db.NewSnapshot()
	defer snap.Close()
	db.Put([]byte("stock"), []byte("4"), nil)
	db.Compact(context.Background())

	old, _ := snap.Get([]byte("stock"))
	now, _ := db.Get([]byte("stock"))
	fmt.Println("snapshot:", string(old), "now:", string(now))
	// Output:
	// snapshot: 5 now: 4
}

func ExampleDB_Stats() {
	dir, _ := os.MkdirTemp("", "lsm-example")
	defer os.RemoveAll(dir)
	db, err := lsm.Open(dir, &lsm.Options{MemtableSize: 64 << 10})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	for i := 0; i < 5000; i++ {
		db.Put(fmt.Appendf(nil, "user:%06d", i), make([]byte, 100), nil)
	}
	db.Compact(context.Background())
	st := db.Stats()
	tables := 0
	for _, l := range st.Levels {
		tables += l.Tables
	}
	fmt.Println("flushed:", st.Flushes > 0, "tables:", tables > 0, "level 0 empty:", st.Levels[0].Tables == 0)
	// Output:
	// flushed: true tables: true level 0 empty: true
}
