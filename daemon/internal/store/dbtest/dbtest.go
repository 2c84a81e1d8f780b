// Package dbtest makes real mindful databases for tests: filled with paired
// browsers and events, and damaged on purpose the way a bad sector or a
// botched copy would leave them.
package dbtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/store"
)

// GarbageSize is how much Garble overwrites: 64 KiB.
const GarbageSize = 64 << 10

// Fill creates (or opens) the database at path and stores the given paired
// clients and n tab events for the first of them, then closes it cleanly.
func Fill(t testing.TB, path string, clients []store.Client, n int) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range clients {
		if err := st.PutClient(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetSetting(ctx, "dbtest.filled", "yes"); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	const batch = 500
	for i := 0; i < n; i += batch {
		evs := make([]store.Event, 0, batch)
		for j := i; j < min(n, i+batch); j++ {
			tab := int64(j % 7)
			evs = append(evs, store.Event{
				ID: fmt.Sprintf("fill-%07d", j), ClientID: clients[0].ID, TS: base.Add(time.Duration(j) * time.Second),
				Type: api.EventTabActivated, Domain: fmt.Sprintf("site-%d.example", j%50), ReceivedAt: base, EventFields: api.EventFields{TabID: &tab},
			})
		}
		if _, err := st.InsertEvents(ctx, evs); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// Client is a paired client for Fill, with the token hash of token.
func Client(id, origin, token string) store.Client {
	h := sha256.Sum256([]byte(token))
	return store.Client{ID: id, Browser: "chromium", BrowserVersion: "140", Origin: origin,
		TokenHash: h[:], PairedAt: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)}
}

// Garble writes GarbageSize bytes of (seeded) garbage into the middle of
// the file at path and returns the file's new contents.
func Garble(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 4*GarbageSize {
		t.Fatalf("%s is only %d bytes: fill it with more data first", path, len(b))
	}
	r := rand.New(rand.NewPCG(14, 64))
	mid := (len(b) / 2) &^ 4095 // page aligned, as a bad sector would be
	for i := mid; i < mid+GarbageSize; i++ {
		b[i] = byte(r.Uint32())
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return b
}

// Same fails the test unless the file at path still holds exactly want.
func Same(t testing.TB, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s was changed (%d bytes, was %d)", path, len(got), len(want))
	}
}
