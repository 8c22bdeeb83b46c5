package chat

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/sysdesign-go/sysdesign/hashring"
	"github.com/sysdesign-go/sysdesign/snowflake"
)

// Frame is what goes over a websocket, both ways.
//
//	client -> server: {"type":"send","channel":...,"text":...,"ref":...}
//	server -> client: {"type":"msg","msg":{...}}              a message (live or synced)
//	                  {"type":"ack","ref":...,"msg":{...}}     your send, stored with its ID
//	                  {"type":"presence","user":...,"online":...}
//	                  {"type":"error","ref":...,"error":...}
type Frame struct {
	Type    string   `json:"type"`
	Channel string   `json:"channel,omitempty"`
	Text    string   `json:"text,omitempty"`
	Ref     string   `json:"ref,omitempty"`
	Msg     *Message `json:"msg,omitempty"`
	User    string   `json:"user,omitempty"`
	Online  bool     `json:"online,omitempty"`
	Error   string   `json:"error,omitempty"`
}

// Cluster is a set of stateful chat servers sharing one message store. A
// user's connections all go to the server the consistent-hash ring
// (hashring) assigns them, which any server tells a client (/discover); a
// server that receives a message for a user connected elsewhere hands it
// to that user's server (here a method call; between machines, an RPC or a
// message queue). Presence is kept per user: online while any of their
// devices is connected, and every user sharing a channel with them hears
// when that changes.
//
// A Cluster is safe for concurrent use.
type Cluster struct {
	store   *Store
	ring    *hashring.Ring
	servers map[string]*Server

	mu     sync.Mutex
	online map[string]int // user -> connected devices
}

// Server is one chat server of a Cluster.
type Server struct {
	Name    string
	URL     string // set by the caller once it listens
	cluster *Cluster

	mu    sync.Mutex
	conns map[string]map[*conn]bool // user -> their device connections
}

type conn struct {
	ws     *websocket.Conn
	device string
	out    chan Frame // drained by the connection's writer
}

// NewCluster makes servers named names over store.
func NewCluster(store *Store, names ...string) (*Cluster, error) {
	c := &Cluster{store: store, servers: map[string]*Server{}, online: map[string]int{}}
	var nodes []hashring.Node
	for _, n := range names {
		c.servers[n] = &Server{Name: n, cluster: c, conns: map[string]map[*conn]bool{}}
		nodes = append(nodes, hashring.Node{ID: n})
	}
	var err error
	if c.ring, err = hashring.New(hashring.Options{}, nodes...); err != nil {
		return nil, err
	}
	return c, nil
}

// Server returns a server by name.
func (c *Cluster) Server(name string) *Server { return c.servers[name] }

// Home returns the server a user connects to.
func (c *Cluster) Home(user string) *Server {
	name, _ := c.ring.Get(user)
	return c.servers[name]
}

// Online reports whether any of a user's devices is connected.
func (c *Cluster) Online(user string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.online[user] > 0
}

// deliver hands a frame to every connected device of user, on their server.
func (c *Cluster) deliver(user string, f Frame, except *conn) {
	s := c.Home(user)
	s.mu.Lock()
	defer s.mu.Unlock()
	for cn := range s.conns[user] {
		if cn == except {
			continue
		}
		select {
		case cn.out <- f:
		default:
			// A device that does not keep up is dropped; it syncs from
			// its last seen ID when it reconnects.
			cn.ws.CloseNow()
		}
	}
}

// contacts returns the users who share a channel with user.
func (c *Cluster) contacts(user string) []string {
	var out []string
	for _, ch := range c.store.Channels(user) {
		for _, m := range c.store.Members(ch) {
			if m != user && !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	return out
}

func (c *Cluster) setPresence(user string, delta int) {
	c.mu.Lock()
	before := c.online[user] > 0
	c.online[user] += delta
	after := c.online[user] > 0
	c.mu.Unlock()
	if before != after {
		for _, u := range c.contacts(user) {
			c.deliver(u, Frame{Type: "presence", User: user, Online: after}, nil)
		}
	}
}

// ServeHTTP serves /discover?user= (the websocket URL of the user's server)
// and /ws?user=&device=&since= (a device's connection: the messages after
// since first, then live traffic).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user := r.URL.Query().Get("user")
	if !validName(user) {
		http.Error(w, "bad user", http.StatusBadRequest)
		return
	}
	switch r.URL.Path {
	case "/discover":
		fmt.Fprint(w, s.cluster.Home(user).URL)
	case "/ws":
		if home := s.cluster.Home(user); home != s {
			http.Error(w, "connect to "+home.URL, http.StatusMisdirectedRequest)
			return
		}
		since, err := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
		if err != nil && r.URL.Query().Get("since") != "" {
			http.Error(w, "bad since", http.StatusBadRequest)
			return
		}
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		s.serveConn(user, r.URL.Query().Get("device"), snowflake.ID(since), ws)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) serveConn(user, device string, since snowflake.ID, ws *websocket.Conn) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cn := &conn{ws: ws, device: device, out: make(chan Frame, 256)}
	// Register before syncing, so nothing sent meanwhile is missed (a
	// message may then arrive twice; clients drop IDs they have).
	s.mu.Lock()
	if s.conns[user] == nil {
		s.conns[user] = map[*conn]bool{}
	}
	s.conns[user][cn] = true
	s.mu.Unlock()
	s.cluster.setPresence(user, +1)
	defer func() {
		s.mu.Lock()
		delete(s.conns[user], cn)
		s.mu.Unlock()
		s.cluster.setPresence(user, -1)
		ws.CloseNow()
	}()

	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		for {
			select {
			case f := <-cn.out:
				wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
				err := wsjson.Write(wctx, ws, f)
				wcancel()
				if err != nil {
					cancel()
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	missed, err := s.cluster.store.Since(user, since)
	if err != nil {
		cn.out <- Frame{Type: "error", Error: err.Error()}
	}
	for i := range missed {
		cn.out <- Frame{Type: "msg", Msg: &missed[i]}
	}
	for {
		var f Frame
		if err := wsjson.Read(ctx, ws, &f); err != nil {
			break
		}
		if f.Type != "send" {
			cn.out <- Frame{Type: "error", Ref: f.Ref, Error: "unknown frame type " + strconv.Quote(f.Type)}
			continue
		}
		msg, err := s.cluster.store.Append(f.Channel, user, f.Text)
		if err != nil {
			cn.out <- Frame{Type: "error", Ref: f.Ref, Error: err.Error()}
			continue
		}
		cn.out <- Frame{Type: "ack", Ref: f.Ref, Msg: &msg}
		for _, m := range s.cluster.store.Members(f.Channel) {
			// The sender's other devices get it too: multi-device sync.
			s.cluster.deliver(m, Frame{Type: "msg", Msg: &msg}, cn)
		}
	}
	cancel()
	<-writerDone
}
