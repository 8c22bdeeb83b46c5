package hashring

import (
	"fmt"
	"slices"
	"testing"
)

// FuzzRingOps drives a small ring through adds and removes decoded from
// the input and compares every lookup with a brute-force model over the
// same points, and every preference list with its definition.
func FuzzRingOps(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 0x81, 4, 0x82, 5})
	f.Add([]byte{7, 7, 0x87, 1})
	f.Fuzz(func(t *testing.T, ops []byte) {
		r, err := New(Options{VNodes: 3})
		if err != nil {
			t.Fatal(err)
		}
		members := map[string]bool{}
		for _, op := range ops {
			id := fmt.Sprint("n", op&15)
			if op&0x80 == 0 {
				err := r.Add(Node{ID: id, Weight: int(op>>4&3) + 1, Zone: fmt.Sprint(op & 1)})
				if members[id] != (err != nil) {
					t.Fatalf("Add(%s) = %v with members %v", id, err, members)
				}
				members[id] = true
			} else {
				err := r.Remove(id)
				if !members[id] != (err != nil) {
					t.Fatalf("Remove(%s) = %v with members %v", id, err, members)
				}
				delete(members, id)
			}
		}
		if r.Len() != len(members) {
			t.Fatalf("Len %d; want %d", r.Len(), len(members))
		}
		st := r.state.Load()
		for i := range 50 {
			key := fmt.Sprint("k", i)
			got, ok := r.Get(key)
			if !ok {
				if len(members) != 0 {
					t.Fatal("Get failed on a non-empty ring")
				}
				continue
			}
			h := HashString(key) &^ ownerMask
			j := slices.IndexFunc(st.points, func(p uint64) bool { return p >= h })
			if j < 0 {
				j = 0
			}
			if want := st.nodes[st.points[j]&ownerMask].ID; got != want || !members[got] {
				t.Fatalf("Get(%s) = %s; want %s", key, got, want)
			}
			list := r.GetN(key, 3)
			if len(list) != min(3, len(members)) || list[0] != got {
				t.Fatalf("GetN(%s) = %v", key, list)
			}
			for a := range list {
				for b := a + 1; b < len(list); b++ {
					if list[a] == list[b] {
						t.Fatalf("GetN(%s) repeats: %v", key, list)
					}
				}
			}
		}
	})
}
