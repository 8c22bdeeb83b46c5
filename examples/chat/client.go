package chat

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/sysdesign-go/sysdesign/snowflake"
)

// Client is one device of a user, as an app would be: it asks any server
// where its user lives, connects there, and keeps the highest message ID it
// has seen, to sync from after a reconnect. A Client is not safe for
// concurrent use, apart from its reader goroutine.
type Client struct {
	User, Device string
	Server       string // the websocket URL it connected to
	LastID       snowflake.ID

	ws     *websocket.Conn
	frames chan Frame
	seen   map[snowflake.ID]bool
}

// Dial connects a device through any server's base URL, syncing everything
// after since.
func Dial(ctx context.Context, anyServer, user, device string, since snowflake.ID) (*Client, error) {
	resp, err := http.Get(anyServer + "/discover?user=" + url.QueryEscape(user))
	if err != nil {
		return nil, err
	}
	home, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("chat: discover %s: %s %v", user, resp.Status, err)
	}
	q := url.Values{"user": {user}, "device": {device}, "since": {fmt.Sprint(int64(since))}}
	ws, _, err := websocket.Dial(ctx, "ws"+string(home)[len("http"):]+"/ws?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	c := &Client{User: user, Device: device, Server: string(home), LastID: since, ws: ws, frames: make(chan Frame, 256), seen: map[snowflake.ID]bool{}}
	go func() {
		defer close(c.frames)
		for {
			var f Frame
			if err := wsjson.Read(context.Background(), ws, &f); err != nil {
				return
			}
			c.frames <- f
		}
	}()
	return c, nil
}

// Send sends a message and waits for its acknowledgement.
func (c *Client) Send(ctx context.Context, channel, text string) (Message, error) {
	ref := fmt.Sprint(time.Now().UnixNano())
	if err := wsjson.Write(ctx, c.ws, Frame{Type: "send", Channel: channel, Text: text, Ref: ref}); err != nil {
		return Message{}, err
	}
	f, err := c.Next(ctx, func(f Frame) bool { return (f.Type == "ack" || f.Type == "error") && f.Ref == ref })
	if err != nil {
		return Message{}, err
	}
	if f.Type == "error" {
		return Message{}, fmt.Errorf("chat: %s", f.Error)
	}
	return *f.Msg, nil
}

// Next returns the next frame that want accepts, skipping others (and
// messages it has already seen), or an error after ctx ends.
func (c *Client) Next(ctx context.Context, want func(Frame) bool) (Frame, error) {
	for {
		select {
		case f, ok := <-c.frames:
			if !ok {
				return Frame{}, fmt.Errorf("chat: %s/%s disconnected", c.User, c.Device)
			}
			if f.Msg != nil {
				if f.Type == "msg" && c.seen[f.Msg.ID] {
					continue // a duplicate from the sync/live overlap
				}
				c.seen[f.Msg.ID] = true
				c.LastID = max(c.LastID, f.Msg.ID)
			}
			if want(f) {
				return f, nil
			}
		case <-ctx.Done():
			return Frame{}, ctx.Err()
		}
	}
}

// Messages collects the next n message frames.
func (c *Client) Messages(ctx context.Context, n int) ([]Message, error) {
	var out []Message
	for len(out) < n {
		f, err := c.Next(ctx, func(f Frame) bool { return f.Type == "msg" })
		if err != nil {
			return out, err
		}
		out = append(out, *f.Msg)
	}
	return out, nil
}

// Close disconnects the device.
func (c *Client) Close() error { return c.ws.Close(websocket.StatusNormalClosure, "bye") }
