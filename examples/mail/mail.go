// Package mail is the email service's mailbox: messages stored in an LSM
// tree (lsm) and searched through an inverted index of roaring bitmaps
// (one per word, sender, recipient, folder, and for unread mail), so a
// search or an unread badge is a few bitmap operations; folders, read
// flags and moves update the index in place, and a snapshot of it saved at
// close makes the next open quick.
//
// The run delivers a mailbox of generated mail, answers searches checked
// against a full scan, keeps unread counts as mail is read and trashed,
// and reopens from the snapshot with the same answers.
//
//	go run ./examples/tour mail [-messages 20000]
package mail

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"
)

// Run runs the system with command-line args and writes its report to w.
func Run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("mail", flag.ContinueOnError)
	fs.SetOutput(w)
	n := fs.Int("messages", 20_000, "messages delivered")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 100 || *n > 2_000_000 {
		return errors.New("mail: -messages must be 100-2000000")
	}
	dir, err := os.MkdirTemp("", "mail")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	box, err := Open(dir)
	if err != nil {
		return err
	}
	defer func() { box.Close() }()

	all := generate(*n)
	start := time.Now()
	for i := range all {
		if all[i].ID, err = box.Deliver(all[i]); err != nil {
			return err
		}
	}
	took := time.Since(start)
	terms, size := box.IndexBytes()
	fmt.Fprintf(w, "delivered %d messages in %v; index: %d terms, %d KiB of roaring bitmaps (%.1f bytes a message)\n",
		*n, took.Round(time.Millisecond), terms, size>>10, float64(size)/float64(*n))

	queries := []string{"budget report from:alice@corp.example", "meeting is:unread in:inbox", "invoice -in:archive", "launch plan q3"}
	check := func(box *Mailbox) ([]string, error) {
		var lines []string
		for _, q := range queries {
			t0 := time.Now()
			ids, total, err := box.Search(q, 5)
			took := time.Since(t0)
			if err != nil {
				return nil, err
			}
			want := scan(all, q)
			if int(total) != len(want) || !slices.Equal(ids, want[:min(5, len(want))]) {
				return nil, fmt.Errorf("mail: %q: %d matches %v, a full scan finds %d %v", q, total, ids, len(want), want[:min(5, len(want))])
			}
			lines = append(lines, fmt.Sprintf("search %-42q %5d matches in %v, newest %v", q, total, took.Round(time.Microsecond), ids))
		}
		return lines, nil
	}
	lines, err := check(box)
	if err != nil {
		return err
	}
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}

	// Read some mail, trash some: the badges follow.
	before := box.Count("is:unread", "inbox")
	read, trashed := 0, 0
	for i := range all {
		switch {
		case all[i].Unread && all[i].Folder == "inbox" && i%3 == 0:
			if err := box.MarkRead(all[i].ID, true); err != nil {
				return err
			}
			all[i].Unread = false
			read++
		case all[i].Folder == "inbox" && i%10 == 1:
			if err := box.Move(all[i].ID, "trash"); err != nil {
				return err
			}
			all[i].Folder = "trash"
			trashed++
		}
	}
	after := box.Count("is:unread", "inbox")
	fmt.Fprintf(w, "inbox unread badge %d; after reading %d and trashing %d messages: %d (full scan: %d)\n", before, read, trashed, after, len(scan(all, "is:unread in:inbox")))
	if int(after) != len(scan(all, "is:unread in:inbox")) {
		return errors.New("mail: the unread badge disagrees with a full scan")
	}
	if _, err := check(box); err != nil {
		return err
	}

	if err := box.Close(); err != nil {
		return err
	}
	start = time.Now()
	if box, err = Open(dir); err != nil {
		return err
	}
	fmt.Fprintf(w, "reopened from the index snapshot in %v; ", time.Since(start).Round(time.Millisecond))
	if _, err := check(box); err != nil {
		return err
	}
	fmt.Fprintln(w, "every search answers as before")
	return nil
}

// generate makes n messages from a few correspondents about a few topics.
func generate(n int) []Message {
	r := rand.New(rand.NewPCG(21, 22))
	people := []string{"alice@corp.example", "bob@corp.example", "carol@partner.example", "dave@vendor.example", "erin@corp.example"}
	topics := []string{"budget report", "meeting notes", "invoice", "launch plan Q3", "lunch", "hiring update", "security review"}
	filler := strings.Fields("please find attached the latest numbers let me know what you think before friday thanks regards draft final version")
	folders := []string{"inbox", "inbox", "inbox", "sent", "archive"}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]Message, n)
	for i := range out {
		topic := topics[r.IntN(len(topics))]
		var body []string
		for range 8 + r.IntN(20) {
			body = append(body, filler[r.IntN(len(filler))])
		}
		if r.IntN(4) == 0 {
			body = append(body, topics[r.IntN(len(topics))])
		}
		out[i] = Message{From: people[r.IntN(len(people))], To: "me@corp.example", Subject: "Re: " + topic,
			Body: strings.Join(body, " "), Date: start.Add(time.Duration(i) * time.Minute),
			Folder: folders[r.IntN(len(folders))], Unread: r.IntN(3) == 0}
	}
	return out
}

// scan answers a query by reading every message, newest first.
func scan(all []Message, query string) []uint32 {
	var out []uint32
	for i := len(all) - 1; i >= 0; i-- {
		msg := all[i]
		have := terms(msg)
		ok := true
		for _, f := range strings.Fields(query) {
			neg := strings.HasPrefix(f, "-")
			f = strings.TrimPrefix(f, "-")
			t := "w:" + strings.ToLower(f)
			if strings.Contains(f, ":") {
				t = strings.ToLower(f)
			}
			if slices.Contains(have, t) == neg {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, msg.ID)
		}
	}
	return out
}
