package redisfleet

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sysdesign-go/sysdesign/internal/redistest"
	"github.com/sysdesign-go/sysdesign/snowflake"
)

func TestLeasesAreExclusiveAndReleased(t *testing.T) {
	s := redistest.Start(t)
	c := s.Client(t)
	ctx := context.Background()
	opts := LeaseOptions{Prefix: "test", IDs: 4, TTL: time.Second}
	var leases []*Lease
	seen := map[int64]bool{}
	for i := 0; i < 4; i++ {
		l, err := Acquire(ctx, c, opts)
		if err != nil {
			t.Fatalf("Acquire %d: %v", i, err)
		}
		if seen[l.ID()] {
			t.Fatalf("machine id %d leased twice", l.ID())
		}
		seen[l.ID()] = true
		leases = append(leases, l)
	}
	if _, err := Acquire(ctx, c, opts); !errors.Is(err, ErrNoFreeID) {
		t.Fatalf("fifth Acquire of 4 ids: %v; want ErrNoFreeID", err)
	}
	// Leases outlive their TTL while renewed.
	time.Sleep(1500 * time.Millisecond)
	for _, l := range leases {
		if !l.Valid() {
			t.Fatalf("lease %d invalid while renewing: %v", l.ID(), l.Err())
		}
	}
	freed := leases[2].ID()
	if err := leases[2].Release(ctx); err != nil {
		t.Fatal(err)
	}
	if leases[2].Valid() {
		t.Fatal("released lease still valid")
	}
	l, err := Acquire(ctx, c, opts)
	if err != nil || l.ID() != freed {
		t.Fatalf("Acquire after release: %v, %v; want id %d", l, err, freed)
	}
}

func TestLeaseLapsesWhenRedisIsGone(t *testing.T) {
	s := redistest.Start(t)
	c := s.Client(t)
	l, err := Acquire(context.Background(), c, LeaseOptions{Prefix: "gone", IDs: 2, TTL: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	g, err := snowflake.New(snowflake.Config{Machine: l.ID(), Guard: l})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Next(); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	deadline := time.Now().Add(2 * time.Second)
	for l.Valid() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if l.Valid() {
		t.Fatal("lease still valid 2s after Redis went away (TTL 300ms)")
	}
	if _, err := g.Next(); !errors.Is(err, snowflake.ErrLeaseLost) {
		t.Fatalf("Next after the lease lapsed: %v; want ErrLeaseLost", err)
	}
	if l.Err() == nil {
		t.Fatal("Err() is nil after failed renewals")
	}
}

func TestHighWaterOnlyRises(t *testing.T) {
	s := redistest.Start(t)
	hw := HighWater{Client: s.Client(t), Key: "{snowflake}:hw:1"}
	if got, err := hw.Load(); err != nil || !got.IsZero() {
		t.Fatalf("Load of a missing key = %v, %v; want zero time", got, err)
	}
	t1 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := hw.Store(t1); err != nil {
		t.Fatal(err)
	}
	if err := hw.Store(t1.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, err := hw.Load(); err != nil || !got.Equal(t1) {
		t.Fatalf("Load = %v, %v; want %v (a lower Store must not lower it)", got, err, t1)
	}
	// A generator restarted with the mark ahead of its clock refuses.
	future := HighWater{Client: s.Client(t), Key: "{snowflake}:hw:2"}
	if err := future.Store(time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := snowflake.New(snowflake.Config{HighWater: future}); !errors.Is(err, snowflake.ErrClockMovedBackwards) {
		t.Fatalf("New with a mark an hour ahead: %v; want ErrClockMovedBackwards", err)
	}
}
