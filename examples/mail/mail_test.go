package mail

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := Run(context.Background(), &out, []string{"-messages", "2000"}); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"roaring bitmaps", "full scan:", "every search answers as before"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := Run(context.Background(), new(strings.Builder), []string{"-messages", "1"}); err == nil {
		t.Error("Run accepted one message")
	}
}

func deliver(t *testing.T, box *Mailbox, msgs ...Message) []uint32 {
	t.Helper()
	var ids []uint32
	for _, m := range msgs {
		id, err := box.Deliver(m)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func TestSearch(t *testing.T) {
	box, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer box.Close()
	ids := deliver(t, box,
		Message{From: "Ann@x.example", Subject: "Budget", Body: "numbers attached", Unread: true},
		Message{From: "bob@x.example", Subject: "budget, again", Body: "more numbers", Folder: "archive"},
		Message{From: "ann@x.example", Subject: "Lunch?", Body: "noon"},
	)
	for q, want := range map[string][]uint32{
		"budget":                    {ids[1], ids[0]},
		"BUDGET from:ann@x.example": {ids[0]},
		"numbers -in:archive":       {ids[0]},
		"is:unread":                 {ids[0]},
		"from:ann@x.example":        {ids[2], ids[0]},
		"budget lunch":              nil,
		"missing":                   nil,
	} {
		got, total, err := box.Search(q, 10)
		if err != nil || !slices.Equal(got, want) || int(total) != len(want) {
			t.Errorf("Search(%q) = %v (%d), %v; want %v", q, got, total, err, want)
		}
	}
	for _, bad := range []string{"", "-budget", "subject:x", "a-b"} {
		if _, _, err := box.Search(bad, 10); !errors.Is(err, ErrQuery) {
			t.Errorf("Search(%q): %v; want ErrQuery", bad, err)
		}
	}
	if got, total, _ := box.Search("numbers", 1); len(got) != 1 || total != 2 || got[0] != ids[1] {
		t.Errorf("limit 1: %v of %d", got, total)
	}
}

func TestUpdatesAndReopen(t *testing.T) {
	dir := t.TempDir()
	box, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ids := deliver(t, box,
		Message{From: "a@x", Subject: "one", Unread: true, Date: time.Unix(100, 0)},
		Message{From: "a@x", Subject: "two", Unread: true},
	)
	if err := box.MarkRead(ids[0], true); err != nil {
		t.Fatal(err)
	}
	if err := box.Move(ids[1], "trash"); err != nil {
		t.Fatal(err)
	}
	if box.Count("is:unread", "inbox") != 0 || box.Count("is:unread", "trash") != 1 || box.Count("in:inbox", "") != 1 {
		t.Error("counts after MarkRead and Move are wrong")
	}
	if err := box.MarkRead(99, true); !errors.Is(err, ErrNotFound) {
		t.Errorf("MarkRead of a missing message: %v", err)
	}
	if err := box.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopen from the snapshot, change something, and "crash" (close the
	// store without saving a snapshot): the next open must re-index.
	box, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if box.Count("is:unread", "trash") != 1 {
		t.Error("snapshot lost the unread count")
	}
	if err := box.Move(ids[1], "inbox"); err != nil {
		t.Fatal(err)
	}
	deliver(t, box, Message{From: "c@x", Subject: "three"})
	box.db.Close() // a crash: no snapshot written
	box, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer box.Close()
	if box.Count("in:trash", "") != 0 || box.Count("in:inbox", "") != 3 {
		t.Errorf("after a crash: trash %d, inbox %d; want 0 and 3 (re-indexed from the messages)", box.Count("in:trash", ""), box.Count("in:inbox", ""))
	}
	if got, _, _ := box.Search("three", 5); len(got) != 1 {
		t.Errorf("the message delivered before the crash is not found: %v", got)
	}
	if m, err := box.Get(ids[0]); err != nil || m.Unread || !m.Date.Equal(time.Unix(100, 0)) {
		t.Errorf("Get = %+v, %v", m, err)
	}
}

func FuzzDecodeMessage(f *testing.F) {
	f.Add(encodeMessage(Message{From: "a", To: "b", Subject: "s", Folder: "inbox", Body: "x", Unread: true}))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeMessage(msgKey(7), b)
		if err == nil && !bytes.Equal(encodeMessage(m), b) {
			t.Fatalf("decodeMessage(%x) = %+v re-encodes differently", b, m)
		}
	})
}
