// Package chat is the chat system: 1:1 and group messages over websockets
// (github.com/coder/websocket) to stateful chat servers chosen per user on
// a consistent-hash ring (hashring), message IDs from snowflake that order
// messages in time across channels, every channel's history in a
// write-ahead log (wal), presence for the people you share a channel with,
// offline delivery, and several devices per user kept in sync from "the
// last ID I saw".
//
// The run starts three chat servers on loopback ports and plays a day of a
// three-person team: direct and group messages, someone coming online to
// their missed messages, a second device catching up, presence changes,
// and a restart of every server with nothing lost.
//
//	go run ./examples/tour chat
package chat

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/sysdesign-go/sysdesign/internal/loopback"
)

// Run runs the system with command-line args and writes its report to w.
func Run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(w)
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "chat")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	store, cluster, stop, err := start(dir)
	if err != nil {
		return err
	}
	defer func() { stop() }()
	entry := cluster.Server("chat-1").URL
	team, err := store.CreateGroup("team", []string{"alice", "bob", "carol"})
	if err != nil {
		return err
	}

	alice, err := Dial(ctx, entry, "alice", "phone", 0)
	if err != nil {
		return err
	}
	bob, err := Dial(ctx, entry, "bob", "laptop", 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "3 chat servers; asked chat-1, alice lands on %s and bob on %s (their place on the hash ring)\n",
		serverName(cluster, alice.Server), serverName(cluster, bob.Server))

	dm, err := alice.Send(ctx, DM("alice", "bob"), "hi bob, lunch?")
	if err != nil {
		return err
	}
	got, err := bob.Messages(ctx, 1)
	if err != nil || got[0].ID != dm.ID {
		return fmt.Errorf("chat: bob did not get the DM: %v %v", got, err)
	}
	fmt.Fprintf(w, "alice -> bob %q: stored as ID %d, delivered live\n", dm.Text, dm.ID)

	standup, err := alice.Send(ctx, team, "standup moved to 10:30")
	if err != nil {
		return err
	}
	if _, err := bob.Messages(ctx, 1); err != nil {
		return err
	}
	fmt.Fprintf(w, "alice -> team %q: bob gets it live; carol is offline (online: %v)\n", standup.Text, cluster.Online("carol"))

	// Carol comes online: her missed message arrives, her contacts see her.
	carol, err := Dial(ctx, entry, "carol", "phone", 0)
	if err != nil {
		return err
	}
	missed, err := carol.Messages(ctx, 1)
	if err != nil || missed[0].ID != standup.ID {
		return fmt.Errorf("chat: carol's offline message: %v %v", missed, err)
	}
	for _, c := range []*Client{alice, bob} {
		if _, err := c.Next(ctx, func(f Frame) bool { return f.Type == "presence" && f.User == "carol" && f.Online }); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "carol connects: the team message waiting for her arrives first; alice and bob are told she is online\n")

	// A second device catches up from nothing.
	laptop, err := Dial(ctx, entry, "alice", "laptop", 0)
	if err != nil {
		return err
	}
	history, err := laptop.Messages(ctx, 2)
	if err != nil || history[0].ID != dm.ID || history[1].ID != standup.ID {
		return fmt.Errorf("chat: alice's laptop history: %v %v", history, err)
	}
	fmt.Fprintf(w, "alice opens her laptop: it syncs her %d earlier messages, sent from her phone, in order\n", len(history))

	reply, err := bob.Send(ctx, team, "ok, see you at 10:30")
	if err != nil {
		return err
	}
	for _, c := range []*Client{alice, laptop, carol} {
		if m, err := c.Messages(ctx, 1); err != nil || m[0].ID != reply.ID {
			return fmt.Errorf("chat: %s/%s missed bob's reply: %v %v", c.User, c.Device, m, err)
		}
	}
	fmt.Fprintf(w, "bob replies in team: alice's phone and laptop and carol's phone each get it once\n")
	if _, err := carol.Send(ctx, DM("alice", "bob"), "can I join?"); err == nil {
		return errors.New("chat: carol wrote into alice and bob's DM")
	}

	carol.Close()
	if _, err := alice.Next(ctx, func(f Frame) bool { return f.Type == "presence" && f.User == "carol" && !f.Online }); err != nil {
		return err
	}
	bobSaw := bob.LastID
	bob.Close()
	late, err := alice.Send(ctx, DM("alice", "bob"), "saved you a seat")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "carol leaves (alice sees her go offline); bob closes his laptop, and alice writes to him\n")

	// Every server restarts; the store is reopened from its logs.
	alice.Close()
	laptop.Close()
	stop()
	if store, cluster, stop, err = start(dir); err != nil {
		return err
	}
	bob, err = Dial(ctx, cluster.Server("chat-2").URL, "bob", "laptop", bobSaw)
	if err != nil {
		return err
	}
	caught, err := bob.Messages(ctx, 1)
	if err != nil || caught[0].ID != late.ID {
		return fmt.Errorf("chat: bob's catch-up after the restart: %v %v", caught, err)
	}
	defer bob.Close()
	chans := store.Channels("bob")
	fmt.Fprintf(w, "all servers restarted; bob reconnects from the last ID he saw and gets exactly the one message he missed: %q\n", caught[0].Text)
	fmt.Fprintf(w, "bob's channels: %s\n", strings.Join(chans, ", "))
	if !slices.Equal(chans, []string{DM("alice", "bob"), team}) {
		return fmt.Errorf("chat: bob's channels %v", chans)
	}
	return nil
}

// start opens the store in dir and serves three chat servers on loopback.
func start(dir string) (*Store, *Cluster, func(), error) {
	store, err := OpenStore(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	names := []string{"chat-1", "chat-2", "chat-3"}
	cluster, err := NewCluster(store, names...)
	if err != nil {
		store.Close()
		return nil, nil, nil, err
	}
	var stops []func()
	stop := func() {
		for _, s := range stops {
			s()
		}
		store.Close()
	}
	for _, n := range names {
		url, stopServer, err := loopback.Serve(cluster.Server(n))
		if err != nil {
			stop()
			return nil, nil, nil, err
		}
		cluster.Server(n).URL = url
		stops = append(stops, stopServer)
	}
	return store, cluster, stop, nil
}

func serverName(c *Cluster, url string) string {
	for _, n := range []string{"chat-1", "chat-2", "chat-3"} {
		if c.Server(n).URL == url {
			return n
		}
	}
	return url
}
