package auth_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/internal/auth"
)

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		tok, hash := auth.NewToken()
		if !hex64.MatchString(tok) {
			t.Fatalf("token %q is not 64 lower-case hex digits", tok)
		}
		if seen[tok] {
			t.Fatalf("token %q returned twice", tok)
		}
		seen[tok] = true
		if !bytes.Equal(hash, auth.HashToken(tok)) {
			t.Fatalf("NewToken's hash is not HashToken(token)")
		}
		if !auth.TokenMatches(tok, hash) {
			t.Fatalf("TokenMatches(token, its hash) = false")
		}
	}
}

func TestHashTokenIsSHA256(t *testing.T) {
	tok := "9b7e4c0d1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4"
	want := sha256.Sum256([]byte(tok))
	if got := auth.HashToken(tok); !bytes.Equal(got, want[:]) {
		t.Errorf("HashToken = %x, want %x", got, want)
	}
	// A known vector, so the test does not only compare the code with itself.
	if got := hex.EncodeToString(auth.HashToken("abc")); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("HashToken(abc) = %s", got)
	}
}

func TestTokenMatches(t *testing.T) {
	tok, hash := auth.NewToken()
	other, otherHash := auth.NewToken()
	tests := []struct {
		name  string
		token string
		hash  []byte
		want  bool
	}{
		{"own hash", tok, hash, true},
		{"other token", other, hash, false},
		{"other hash", tok, otherHash, false},
		{"empty token", "", hash, false},
		{"nil hash", tok, nil, false},
		{"truncated hash", tok, hash[:31], false},
		{"upper-case token", string(bytes.ToUpper([]byte(tok))), hash, false},
		{"token with newline", tok + "\n", hash, false},
		{"stored token instead of hash", tok, []byte(tok), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := auth.TokenMatches(tt.token, tt.hash); got != tt.want {
				t.Errorf("TokenMatches = %v, want %v", got, tt.want)
			}
		})
	}
}

var sixDigits = regexp.MustCompile(`^[0-9]{6}$`)

// Codes are always exactly 6 digits, zero-padded. With uniform codes, the
// chance that none of 20000 starts with 0 is 0.9^20000, about 1e-915.
func TestPairingCodesFormat(t *testing.T) {
	var p auth.Pairings
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	leadingZero := 0
	for range 20000 {
		r, err := p.Request(auth.Pending{ClientID: "c"}, now)
		if err != nil {
			t.Fatal(err)
		}
		if !sixDigits.MatchString(r.Code) {
			t.Fatalf("code %q is not 6 digits", r.Code)
		}
		if r.Code[0] == '0' {
			leadingZero++
		}
		p.Cancel(r.Code)
	}
	if leadingZero == 0 {
		t.Errorf("no code of 20000 has a leading zero; codes are not zero-padded or not uniform")
	}
}

func TestPairingsLifecycle(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	p := &auth.Pairings{TTL: time.Minute}

	a, err := p.Request(auth.Pending{ClientID: "client-a", Browser: "firefox", Origin: "moz-extension://x"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Request(auth.Pending{ClientID: "client-b", Browser: "chrome", Code: "ignored", RequestedAt: t0.Add(-time.Hour)}, t0.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if a.Code == b.Code {
		t.Fatalf("two pending requests share code %s", a.Code)
	}
	if b.Code == "ignored" || !sixDigits.MatchString(b.Code) {
		t.Errorf("Request keeps the caller's code %q", b.Code)
	}
	if !a.RequestedAt.Equal(t0) || !a.ExpiresAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("a: requested %v expires %v", a.RequestedAt, a.ExpiresAt)
	}
	if !b.RequestedAt.Equal(t0.Add(time.Second)) {
		t.Errorf("b: RequestedAt %v, want the time of Request", b.RequestedAt)
	}
	if a.Approved == nil || cap(a.Approved) != 1 {
		t.Errorf("Approved must be a channel with room for the one approval, got cap %d", cap(a.Approved))
	}
	if a.ClientID != "client-a" || a.Browser != "firefox" || a.Origin != "moz-extension://x" {
		t.Errorf("Request lost the request's fields: %+v", a)
	}

	list := p.List(t0.Add(2 * time.Second))
	if len(list) != 2 || list[0].Code != a.Code || list[1].Code != b.Code {
		t.Fatalf("List = %+v, want a then b", list)
	}

	// Cancel removes one; Cancel of an unknown code is harmless.
	p.Cancel(b.Code)
	p.Cancel("999999x")
	if list := p.List(t0.Add(2 * time.Second)); len(list) != 1 || list[0].Code != a.Code {
		t.Fatalf("after Cancel, List = %+v", list)
	}
	if _, err := p.Take(b.Code, t0.Add(2*time.Second)); !errors.Is(err, auth.ErrNoSuchCode) {
		t.Errorf("Take of a cancelled code: %v, want ErrNoSuchCode", err)
	}

	// Take returns the very request, whose channel the session waits on.
	got, err := p.Take(a.Code, t0.Add(3*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if got != a {
		t.Errorf("Take returned a different *Pending than Request")
	}
	got.Approved <- auth.Approval{Token: "t"}
	if ap := <-a.Approved; ap.Token != "t" {
		t.Errorf("approval %+v did not reach the requester", ap)
	}
	if _, err := p.Take(a.Code, t0.Add(3*time.Second)); !errors.Is(err, auth.ErrNoSuchCode) {
		t.Errorf("second Take: %v, want ErrNoSuchCode", err)
	}
	if list := p.List(t0.Add(3 * time.Second)); len(list) != 0 {
		t.Errorf("List after Take = %+v", list)
	}
}

func TestPairingsTakeUnknown(t *testing.T) {
	var p auth.Pairings
	_, err := p.Take("123456", time.Now())
	if !errors.Is(err, auth.ErrNoSuchCode) {
		t.Fatalf("Take of an unknown code: %v, want ErrNoSuchCode", err)
	}
	if !bytes.Contains([]byte(err.Error()), []byte(`"123456"`)) {
		t.Errorf("error %q does not name the code", err)
	}
}

func TestPairingsExpiry(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		ttl   time.Duration
		after time.Duration
		alive bool
	}{
		{"custom TTL, just before", time.Minute, time.Minute - time.Nanosecond, true},
		{"custom TTL, at ExpiresAt", time.Minute, time.Minute, false},
		{"custom TTL, long after", time.Minute, time.Hour, false},
		{"default TTL is 10 minutes, before", 0, 10*time.Minute - time.Second, true},
		{"default TTL is 10 minutes, at", 0, 10 * time.Minute, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Run("List", func(t *testing.T) {
				p := &auth.Pairings{TTL: tt.ttl}
				r, err := p.Request(auth.Pending{ClientID: "c"}, t0)
				if err != nil {
					t.Fatal(err)
				}
				list := p.List(t0.Add(tt.after))
				if alive := len(list) == 1 && list[0].Code == r.Code; alive != tt.alive {
					t.Errorf("List at +%v = %+v, want alive=%v", tt.after, list, tt.alive)
				}
			})
			t.Run("Take", func(t *testing.T) {
				p := &auth.Pairings{TTL: tt.ttl}
				r, err := p.Request(auth.Pending{ClientID: "c"}, t0)
				if err != nil {
					t.Fatal(err)
				}
				_, err = p.Take(r.Code, t0.Add(tt.after))
				if tt.alive && err != nil {
					t.Errorf("Take at +%v: %v", tt.after, err)
				}
				if !tt.alive && !errors.Is(err, auth.ErrNoSuchCode) {
					t.Errorf("Take at +%v: %v, want ErrNoSuchCode", tt.after, err)
				}
			})
		})
	}
}

// No origin can lock another out of pairing: the same origin (in any case,
// and "no Origin" counting as one) keeps one request, the newest; a full
// registry drops its oldest request. Nothing is ever refused.
func TestPairingsOnePerOriginOldestDropped(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	p := &auth.Pairings{TTL: time.Minute}
	if p.MaxPending != 0 || auth.DefaultMaxPending < 16 {
		t.Fatalf("default cap %d is too small to outlast a few add-ons", auth.DefaultMaxPending)
	}
	// One origin asking again replaces its own request.
	first, _ := p.Request(auth.Pending{Origin: "moz-extension://aaaa"}, t0)
	second, err := p.Request(auth.Pending{Origin: "MOZ-EXTENSION://AAAA"}, t0.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if !closed(first.Dropped) || closed(second.Dropped) {
		t.Fatal("a newer request of the same origin must drop the older one, and only it")
	}
	local1, _ := p.Request(auth.Pending{}, t0.Add(2*time.Second))
	local2, _ := p.Request(auth.Pending{}, t0.Add(3*time.Second))
	if !closed(local1.Dropped) || closed(local2.Dropped) {
		t.Fatal("requests with no Origin are one origin")
	}
	if l := p.List(t0.Add(3 * time.Second)); len(l) != 2 || l[0].Code != second.Code || l[1].Code != local2.Code {
		t.Fatalf("List = %+v, want the newest request of each origin", l)
	}

	// A flood from many origins fills the registry and then pushes out its
	// own oldest requests; mindful's extension still gets a code, and the
	// newest requests stay.
	p = &auth.Pairings{TTL: time.Minute, MaxPending: 3}
	var flood []*auth.Pending
	for i := range 10 {
		r, err := p.Request(auth.Pending{Origin: fmt.Sprintf("moz-extension://%d", i)}, t0.Add(time.Duration(i)*time.Second))
		if err != nil {
			t.Fatalf("request %d refused: %v", i, err)
		}
		flood = append(flood, r)
	}
	mine, err := p.Request(auth.Pending{Origin: "chrome-extension://mindful"}, t0.Add(20*time.Second))
	if err != nil {
		t.Fatalf("mindful's request refused: %v", err)
	}
	l := p.List(t0.Add(20 * time.Second))
	if len(l) != 3 || l[0].Code != flood[8].Code || l[1].Code != flood[9].Code || l[2].Code != mine.Code {
		t.Fatalf("List = %+v, want the two newest of the flood and mindful's", l)
	}
	for i, r := range flood {
		if closed(r.Dropped) != (i < 8) {
			t.Errorf("flood request %d: dropped %v", i, closed(r.Dropped))
		}
	}
	// A withdrawn request that was dropped does not take a newer one with it.
	p.Withdraw(flood[0])
	if n := len(p.List(t0.Add(20 * time.Second))); n != 3 {
		t.Fatalf("Withdraw of a dropped request removed another: %d left", n)
	}
	p.Withdraw(mine)
	if n := len(p.List(t0.Add(20 * time.Second))); n != 2 {
		t.Fatalf("Withdraw of a pending request: %d left, want 2", n)
	}
	// Expired requests do not count.
	if n := len(p.List(t0.Add(time.Hour))); n != 0 {
		t.Errorf("%d pending after expiry, want 0", n)
	}
}

func closed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func TestPairingsCodesUnique(t *testing.T) {
	// With 3000 pending codes out of a million, the birthday bound makes a
	// collision of fresh draws likely (p ~ 0.99), so the retry is exercised.
	p := &auth.Pairings{TTL: time.Hour, MaxPending: 3000}
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	for i := range 3000 {
		r, err := p.Request(auth.Pending{Origin: fmt.Sprint(i)}, now)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if seen[r.Code] {
			t.Fatalf("code %s handed out twice while pending", r.Code)
		}
		seen[r.Code] = true
	}
	if n := len(p.List(now)); n != 3000 {
		t.Errorf("List has %d, want 3000", n)
	}
}

func TestPairingsConcurrent(t *testing.T) {
	const workers, max = 64, 8
	p := &auth.Pairings{TTL: time.Hour, MaxPending: max}
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)

	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		codes []string
		full  int
	)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := p.Request(auth.Pending{ClientID: fmt.Sprint(i), Origin: fmt.Sprint(i)}, now)
			_ = p.List(now)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Errorf("Request: %v", err)
			case closed(r.Dropped):
				full++
			}
		}()
	}
	wg.Wait()
	for _, r := range p.List(now) {
		codes = append(codes, r.Code)
	}
	if len(codes) != max {
		t.Fatalf("%d pending, want %d", len(codes), max)
	}

	// Every code is taken by exactly one of many concurrent takers.
	var taken [max]int
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, c := range codes {
				if _, err := p.Take(c, now); err == nil {
					mu.Lock()
					taken[i]++
					mu.Unlock()
				} else if !errors.Is(err, auth.ErrNoSuchCode) {
					t.Errorf("Take: %v", err)
				}
				p.Cancel(c)
			}
		}()
	}
	wg.Wait()
	for i, n := range taken {
		if n != 1 {
			t.Errorf("code %s taken %d times", codes[i], n)
		}
	}
}

// Failed hellos: each waits at least the penalty; together they are
// answered no faster than the bucket allows, however many arrive at once.
func TestFailedHellosBoundTheRate(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	f := &auth.FailedHellos{Rate: 4, Burst: 2, Penalty: time.Second}
	var got []time.Duration
	for range 6 {
		got = append(got, f.Delay(t0))
	}
	want := []time.Duration{time.Second, time.Second, 1250 * time.Millisecond, 1500 * time.Millisecond, 1750 * time.Millisecond, 2 * time.Second}
	if !slices.Equal(got, want) {
		t.Fatalf("delays of 6 failures at once = %v, want %v", got, want)
	}
	// Ten seconds later the bucket is full again, not fuller.
	for i, w := range []time.Duration{time.Second, time.Second, 1250 * time.Millisecond} {
		if d := f.Delay(t0.Add(10 * time.Second)); d != w {
			t.Fatalf("after a quiet spell, failure %d waits %v, want %v", i, d, w)
		}
	}
	// Over a long attack, answers come at Rate per second.
	f = &auth.FailedHellos{}
	var last time.Duration
	for range 1000 {
		last = f.Delay(t0)
	}
	if want := auth.DefaultFailPenalty + time.Duration(float64(1000-auth.DefaultFailBurst)/auth.DefaultFailRate*float64(time.Second)); last != want {
		t.Fatalf("the 1000th failure at once waits %v, want %v", last, want)
	}
}

// Concurrent failures each take their own slot (run with -race).
func TestFailedHellosConcurrent(t *testing.T) {
	f := &auth.FailedHellos{Rate: 1, Burst: 1, Penalty: time.Nanosecond}
	t0 := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	const n = 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[time.Duration]bool{}
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := f.Delay(t0)
			mu.Lock()
			seen[d] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("%d concurrent failures got %d distinct delays, want each its own slot", n, len(seen))
	}
}
