package chat

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sysdesign-go/sysdesign/snowflake"
)

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := Run(context.Background(), &out, nil); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"delivered live", "arrives first", "syncs her 2 earlier messages", "each get it once", "exactly the one message he missed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := Run(context.Background(), new(strings.Builder), []string{"-nope"}); err == nil {
		t.Error("Run accepted an unknown flag")
	}
}

func TestStore(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if DM("bob", "alice") != "dm:alice:bob" || len(s.Members("dm:bob:alice")) != 0 || len(s.Members("dm:alice:bob")) != 2 {
		t.Error("DM names are not canonical")
	}
	for _, bad := range [][]string{{"solo"}, {"a", "b:c"}, {"a", ""}} {
		if _, err := s.CreateGroup("g", bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("CreateGroup(%v): %v", bad, err)
		}
	}
	g, err := s.CreateGroup("g", []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	m1, _ := s.Append(DM("a", "b"), "a", "one")
	m2, _ := s.Append(g, "c", "two")
	m3, _ := s.Append(DM("a", "b"), "b", "three")
	if _, err := s.Append(DM("a", "b"), "c", "intruder"); !errors.Is(err, ErrNotMember) {
		t.Errorf("a non-member wrote: %v", err)
	}
	if _, err := s.Append(g, "a", ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("an empty message was stored: %v", err)
	}
	s.Close()
	s, err = OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tt := range []struct {
		user  string
		after int64
		want  []string
	}{
		{"a", 0, []string{"one", "two", "three"}},
		{"a", int64(m1.ID), []string{"two", "three"}},
		{"c", 0, []string{"two"}},
		{"b", int64(m3.ID), nil},
	} {
		got, err := s.Since(tt.user, snowflake.ID(tt.after))
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, m := range got {
			texts = append(texts, m.Text)
		}
		if strings.Join(texts, ",") != strings.Join(tt.want, ",") {
			t.Errorf("Since(%s, %d) = %v; want %v", tt.user, tt.after, texts, tt.want)
		}
	}
	if got, _ := s.Since("c", m2.ID); len(got) != 0 {
		t.Errorf("Since after the newest = %v", got)
	}
}

func TestWrongServerIsRefused(t *testing.T) {
	_, cluster, stop, err := start(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	home := cluster.Home("alice")
	for _, n := range []string{"chat-1", "chat-2", "chat-3"} {
		s := cluster.Server(n)
		resp, err := http.Get(s.URL + "/ws?user=alice")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if s != home && resp.StatusCode != http.StatusMisdirectedRequest {
			t.Errorf("%s accepted alice, who lives on %s: %s", n, home.Name, resp.Status)
		}
	}
	resp, err := http.Get(home.URL + "/ws?user=bad:name")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("a bad user name: %s", resp.Status)
		}
	}
	c, err := Dial(context.Background(), cluster.Server("chat-3").URL, "alice", "x", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Send(ctx, "group:none", "hello"); err == nil || !strings.Contains(err.Error(), "not a member") {
		t.Errorf("sending to a group alice is not in: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(encode(Message{ID: 5, From: "a", Text: "hi"}))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decode(b)
		if err == nil && !bytes.Equal(encode(m), b) {
			t.Fatalf("decode(%x) = %+v re-encodes differently", b, m)
		}
	})
}
