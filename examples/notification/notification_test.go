package notification

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sysdesign-go/sysdesign/ratelimit"
	"github.com/sysdesign-go/sysdesign/snowflake"
)

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := Run(context.Background(), &out, []string{"-users", "40"}); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"duplicate events", "opted out of SMS", "reopened from its write-ahead logs", "every accepted notification was delivered"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := Run(context.Background(), new(strings.Builder), []string{"-users", "1"}); err == nil {
		t.Error("Run accepted 1 user")
	}
}

func TestMessageEncoding(t *testing.T) {
	m := Message{ID: 42, EventID: "ev", User: -7, Channel: Email, Body: "hi", Attempt: 2, NotBefore: time.Unix(5, 6)}
	got, err := decodeMessage(appendMessage(nil, m))
	if err != nil || got.ID != m.ID || got.EventID != m.EventID || got.User != m.User || got.Channel != m.Channel ||
		got.Body != m.Body || got.Attempt != m.Attempt || !got.NotBefore.Equal(m.NotBefore) {
		t.Errorf("round trip = %+v, %v", got, err)
	}
	for _, bad := range [][]byte{nil, {2}, append(appendMessage(nil, m)[:18], 9), bytes.Repeat([]byte{1}, 28)} {
		if _, err := decodeMessage(bad); !errors.Is(err, ErrCorrupt) {
			t.Errorf("decodeMessage(%x) error = %v", bad, err)
		}
	}
}

func FuzzDecodeMessage(f *testing.F) {
	f.Add(appendMessage(nil, Message{ID: 1, EventID: "e", Body: "b", NotBefore: time.Unix(1, 0)}))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeMessage(data)
		if err != nil {
			return
		}
		if again := appendMessage(nil, m); !bytes.Equal(again, data) {
			t.Fatalf("decode(%x) re-encodes to %x", data, again)
		}
	})
}

// recorder delivers after failing each message fails times (transient), or
// always fails for messages whose body is "bad" (permanent).
type recorder struct {
	mu       sync.Mutex
	fails    int
	attempts map[snowflake.ID][]time.Time
	ok       map[snowflake.ID]int
}

func newRecorder(fails int) *recorder {
	return &recorder{fails: fails, attempts: map[snowflake.ID][]time.Time{}, ok: map[snowflake.ID]int{}}
}

func (r *recorder) Deliver(ctx context.Context, m Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts[m.ID] = append(r.attempts[m.ID], time.Now())
	if m.Body == "bad" {
		return fmt.Errorf("%w: bounced", ErrPermanent)
	}
	if len(r.attempts[m.ID]) <= r.fails {
		return errors.New("timeout")
	}
	r.ok[m.ID]++
	return nil
}

func (r *recorder) delivered(id snowflake.ID) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ok[id]
}

func providers(p Provider) [numChannels]Provider { return [numChannels]Provider{p, p, p} }

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSendChecks(t *testing.T) {
	if _, err := Open(t.TempDir(), Options{}); err == nil {
		t.Error("Open without providers succeeded")
	}
	svc, err := Open(t.TempDir(), Options{Providers: providers(newRecorder(0)), Limits: [numChannels]ratelimit.Limit{SMS: ratelimit.PerHour(2)}})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	id, err := svc.Send(Message{EventID: "e1", User: 1, Channel: Push})
	if err != nil {
		t.Fatal(err)
	}
	if again, err := svc.Send(Message{EventID: "e1", User: 1, Channel: Push}); !errors.Is(err, ErrDuplicate) || again != id {
		t.Errorf("resend = %v, %v; want %v, ErrDuplicate", again, err, id)
	}
	svc.OptOut(2, Email, true)
	if _, err := svc.Send(Message{User: 2, Channel: Email}); !errors.Is(err, ErrOptedOut) {
		t.Errorf("opted-out send: %v", err)
	}
	if _, err := svc.Send(Message{User: 2, Channel: Push}); err != nil {
		t.Errorf("send on another channel: %v", err)
	}
	for i := range 3 {
		_, err := svc.Send(Message{User: 3, Channel: SMS})
		if i < 2 && err != nil || i == 2 && !errors.Is(err, ErrRateLimited) {
			t.Errorf("SMS %d: %v", i, err)
		}
	}
	if _, err := svc.Send(Message{Channel: 9}); err == nil {
		t.Error("a message on channel 9 was accepted")
	}
	if st := svc.Stats(); st.Accepted != 4 || st.Duplicates != 1 || st.OptedOut != 1 || st.RateLimited != 1 {
		t.Errorf("Stats = %+v", st)
	}
}

func TestRetriesBackOffThenDeadLetter(t *testing.T) {
	rec := newRecorder(2)
	svc, err := Open(t.TempDir(), Options{Providers: providers(rec), MaxAttempts: 4, RetryDelay: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	svc.Start()
	good, err := svc.Send(Message{User: 1, Channel: Email, Body: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	bad, err := svc.Send(Message{User: 2, Channel: Email, Body: "bad"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		dead, _ := svc.DeadLetters()
		return rec.delivered(good) == 1 && len(dead) == 1
	})
	rec.mu.Lock()
	at := rec.attempts[good]
	rec.mu.Unlock()
	if len(at) != 3 {
		t.Fatalf("%d attempts; want 3 (two failures, then success)", len(at))
	}
	if d1, d2 := at[1].Sub(at[0]), at[2].Sub(at[1]); d1 < 10*time.Millisecond || d2 < 40*time.Millisecond {
		t.Errorf("retry delays %v, %v; want at least 10ms then 40ms", d1, d2)
	}
	dead, _ := svc.DeadLetters()
	if dead[0].ID != bad || dead[0].Attempt != 1 {
		t.Errorf("dead letter %+v; want message %v after one attempt", dead[0], bad)
	}
	if st := svc.Stats(); st.Delivered != 1 || st.Retried != 2 || st.Dead != 1 {
		t.Errorf("Stats = %+v", st)
	}
}

func TestRestartLosesNothing(t *testing.T) {
	dir := t.TempDir()
	slow := providerFunc(func(ctx context.Context, m Message) error {
		select {
		case <-time.After(time.Millisecond):
			return errors.New("busy")
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	opts := Options{Providers: providers(slow), RetryDelay: time.Millisecond, MaxAttempts: 16}
	svc, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	var ids []snowflake.ID
	for u := range 100 {
		id, err := svc.Send(Message{User: int64(u), Channel: Channel(u % 3), EventID: fmt.Sprint(u)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	svc.Start()
	time.Sleep(10 * time.Millisecond)
	if err := svc.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopen with a provider that works: every message arrives, from the
	// main queue or from a retry queue.
	rec := newRecorder(0)
	opts.Providers = providers(rec)
	svc, err = Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if _, err := svc.Send(Message{User: 1, Channel: Push, EventID: "5"}); !errors.Is(err, ErrDuplicate) {
		t.Errorf("dedupe after reopen: %v", err)
	}
	svc.Start()
	waitFor(t, func() bool {
		for _, id := range ids {
			if rec.delivered(id) == 0 {
				return false
			}
		}
		return true
	})
}

type providerFunc func(context.Context, Message) error

func (f providerFunc) Deliver(ctx context.Context, m Message) error { return f(ctx, m) }

func TestCorruptCursorIsAnError(t *testing.T) {
	dir := t.TempDir()
	svc, err := Open(dir, Options{Providers: providers(newRecorder(0))})
	if err != nil {
		t.Fatal(err)
	}
	svc.Close()
	if err := os.WriteFile(filepath.Join(dir, "sms", "main.cursor"), []byte{1, 2, 3}, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, Options{Providers: providers(newRecorder(0))}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Open with a damaged cursor: %v; want ErrCorrupt", err)
	}
}
