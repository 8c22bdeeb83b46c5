package snowflake

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"testing"
)

func TestIDTextForms(t *testing.T) {
	for _, id := range []ID{0, 1, 1541815603606036480, math.MaxInt64} {
		if got, err := ParseID(id.String()); err != nil || got != id {
			t.Errorf("ParseID(%q) = %d, %v", id.String(), got, err)
		}
		if got, err := ParseBase62(id.Base62()); err != nil || got != id {
			t.Errorf("ParseBase62(%q) = %d, %v", id.Base62(), got, err)
		}
		b, err := json.Marshal(struct{ ID ID }{id})
		if err != nil || string(b) != `{"ID":"`+strconv.FormatInt(int64(id), 10)+`"}` {
			t.Errorf("json.Marshal = %s, %v; want the id as a string", b, err)
		}
		var back struct{ ID ID }
		if err := json.Unmarshal(b, &back); err != nil || back.ID != id {
			t.Errorf("json round trip of %d: %d, %v", id, back.ID, err)
		}
	}
	var v struct{ ID ID }
	if err := json.Unmarshal([]byte(`{"ID":12345}`), &v); err != nil || v.ID != 12345 {
		t.Errorf("bare JSON number: %d, %v", v.ID, err)
	}
}

func TestIDParseErrors(t *testing.T) {
	for _, s := range []string{"", "-1", "+1", "12a", "9223372036854775808", " 1"} {
		if _, err := ParseID(s); !errors.Is(err, ErrInvalidID) {
			t.Errorf("ParseID(%q) error = %v; want ErrInvalidID", s, err)
		}
	}
	for _, s := range []string{"", "LygHa16AHYF", "zzzzzzzzzzzz", "a_b"} { // 2^64-1 is above 2^63-1
		if _, err := ParseBase62(s); !errors.Is(err, ErrInvalidID) {
			t.Errorf("ParseBase62(%q) error = %v; want ErrInvalidID", s, err)
		}
	}
	var id ID
	if err := json.Unmarshal([]byte(`"abc"`), &id); !errors.Is(err, ErrInvalidID) {
		t.Errorf("json.Unmarshal(\"abc\") error = %v; want ErrInvalidID", err)
	}
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{"0", "1541815603606036480", "-1", "9223372036854775808", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseID(s)
		if err != nil {
			return
		}
		if id < 0 {
			t.Fatalf("ParseID(%q) = %d: negative", s, id)
		}
		if back, err := ParseID(id.String()); err != nil || back != id {
			t.Fatalf("round trip of %q: %d, %v", s, back, err)
		}
	})
}

func FuzzParseBase62(f *testing.F) {
	for _, s := range []string{"0", "1Vs3QEEJpA6", "AzL8n0Y58m7", "LygHa16AHYF", "!"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseBase62(s)
		if err != nil {
			return
		}
		if id < 0 {
			t.Fatalf("ParseBase62(%q) = %d: negative", s, id)
		}
		if back, err := ParseBase62(id.Base62()); err != nil || back != id {
			t.Fatalf("round trip of %q: %d, %v", s, back, err)
		}
	})
}
