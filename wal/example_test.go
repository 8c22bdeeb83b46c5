package wal_test

import (
	"context"
	"fmt"
	"time"

	"github.com/sysdesign-go/sysdesign/wal"
)

func Example() {
	fs := wal.NewMemFS() // use nil Options (the OS file system) in production
	l, err := wal.Open("/data/wal", &wal.Options{FS: fs})
	if err != nil {
		panic(err)
	}
	for _, op := range []string{"open account 7", "deposit 7 100", "withdraw 7 30"} {
		i, err := l.Append([]byte(op)) // durable (fsynced) when it returns
		if err != nil {
			panic(err)
		}
		fmt.Println(i, op)
	}
	l.Close()

	// After a restart, replay from the start.
	l, err = wal.Open("/data/wal", &wal.Options{FS: fs})
	if err != nil {
		panic(err)
	}
	defer l.Close()
	r := l.NewReader(l.FirstIndex())
	for {
		i, data, err := r.Next()
		if err != nil {
			break // io.EOF at the end
		}
		fmt.Printf("replay %d: %s\n", i, data)
	}
	// Output:
	// 1 open account 7
	// 2 deposit 7 100
	// 3 withdraw 7 30
	// replay 1: open account 7
	// replay 2: deposit 7 100
	// replay 3: withdraw 7 30
}

// A crash drops what was never synced, and Open cuts a torn tail.
func ExampleMemFS_Crash() {
	fs := wal.NewMemFS()
	l, _ := wal.Open("wal", &wal.Options{FS: fs, Sync: wal.SyncNever})
	l.Append([]byte("synced"))
	l.Sync()
	l.Append([]byte("written, not synced"))

	// Power cut: keep 5 of the unsynced bytes, a torn write.
	after := fs.Crash(func(name string, unsynced int) int { return 5 })
	l2, _ := wal.Open("wal", &wal.Options{FS: after})
	defer l2.Close()
	rep := l2.Recovery()
	fmt.Println("records:", l2.LastIndex(), "torn bytes cut:", rep.TornBytes)
	// Output: records: 1 torn bytes cut: 5
}

func ExampleLog_TruncateFront() {
	l, _ := wal.Open("wal", &wal.Options{FS: wal.NewMemFS(), SegmentSize: 128})
	defer l.Close()
	for i := range 10 {
		l.Append(fmt.Appendf(nil, "event %d", i+1))
	}
	// Retention: everything before index 8 is no longer needed.
	if err := l.TruncateFront(8); err != nil {
		panic(err)
	}
	data, _ := l.Read(8)
	fmt.Println(l.FirstIndex(), l.LastIndex(), string(data))
	// Output: 8 10 event 8
}

func ExampleLog_TruncateBack() {
	l, _ := wal.Open("wal", &wal.Options{FS: wal.NewMemFS()})
	defer l.Close()
	l.AppendBatch([][]byte{[]byte("committed"), []byte("uncommitted 1"), []byte("uncommitted 2")})
	l.TruncateBack(1) // roll back the tail
	i, _ := l.Append([]byte("retry"))
	fmt.Println(l.LastIndex(), i)
	// Output: 2 2
}

func ExampleReader_NextWait() {
	l, _ := wal.Open("wal", &wal.Options{FS: wal.NewMemFS()})
	defer l.Close()
	go func() {
		l.Append([]byte("first"))
		l.Append([]byte("second"))
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := l.NewReader(1) // tail from the beginning
	for range 2 {
		i, data, err := r.NextWait(ctx)
		if err != nil {
			panic(err)
		}
		fmt.Println(i, string(data))
	}
	// Output:
	// 1 first
	// 2 second
}

func ExampleReader_All() {
	l, _ := wal.Open("wal", &wal.Options{FS: wal.NewMemFS()})
	defer l.Close()
	l.AppendBatch([][]byte{[]byte("a"), []byte("b"), []byte("c")})
	r := l.NewReader(2)
	for i, data := range r.All() {
		fmt.Println(i, string(data))
	}
	if err := r.Err(); err != nil {
		panic(err)
	}
	// Output:
	// 2 b
	// 3 c
}
