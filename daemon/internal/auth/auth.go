// Package auth holds the secrets side of pairing: 256-bit tokens (only their
// hash is kept), 6-digit pairing codes, the registry of pairing requests
// waiting for the user's approval, and the slowing of failed hellos.
// It does no I/O beyond reading crypto/rand; time comes from the caller.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"sync"
	"time"
)

// NewToken returns a fresh 256-bit token as 64 hex digits, and its hash.
func NewToken() (token string, hash []byte) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	token = hex.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the form in which a token is stored.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// TokenMatches reports in constant time whether token hashes to hash.
func TokenMatches(token string, hash []byte) bool {
	return subtle.ConstantTimeCompare(HashToken(token), hash) == 1
}

// Pending is a pairing request waiting for approval.
type Pending struct {
	Code           string
	ClientID       string
	Browser        string
	BrowserVersion string
	ExtVersion     string
	Origin         string
	RequestedAt    time.Time
	ExpiresAt      time.Time

	// Approved receives the approval once; the session that asked for the
	// pairing waits on it.
	Approved chan Approval
	// Dropped is closed when the request is dropped to make room: a newer
	// request came from the same origin, or it was the oldest when the
	// registry was full. Its socket should close so the browser asks again.
	Dropped chan struct{}
}

// Approval carries the token to the socket that asked for pairing.
type Approval struct {
	Token string
}

// Errors from the pairing registry.
var (
	ErrNoSuchCode = errors.New("no pending pairing request has this code")
)

// Pairings is the registry of pending pairing requests. Codes are unique
// among pending requests and die with their socket or after TTL.
//
// No origin can lock another out: each origin (compared without case; a
// request with no Origin header, a local program, is one origin too) has
// at most one pending request, and a newer one replaces it; when MaxPending
// requests are pending, a new one drops the oldest. A flood of requests
// from other add-ons therefore only pushes out each other, and mindful's
// own extension, asking again, always gets a code.
type Pairings struct {
	TTL        time.Duration // default 10 minutes
	MaxPending int           // default 32

	mu      sync.Mutex
	pending map[string]*Pending
}

// DefaultMaxPending is how many requests may wait at once by default.
const DefaultMaxPending = 32

func (p *Pairings) init() {
	if p.pending == nil {
		p.pending = make(map[string]*Pending)
	}
	if p.TTL == 0 {
		p.TTL = 10 * time.Minute
	}
	if p.MaxPending == 0 {
		p.MaxPending = DefaultMaxPending
	}
}

// Request registers a pairing request and returns it with a fresh code. It
// drops the pending request of the same origin, if any, and the oldest one
// when the registry is full (closing their Dropped channels).
func (p *Pairings) Request(req Pending, now time.Time) (*Pending, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.init()
	p.expire(now)
	var oldest *Pending
	for _, r := range p.pending {
		if strings.EqualFold(r.Origin, req.Origin) {
			p.drop(r)
			continue
		}
		if oldest == nil || r.RequestedAt.Before(oldest.RequestedAt) || r.RequestedAt.Equal(oldest.RequestedAt) && r.Code < oldest.Code {
			oldest = r
		}
	}
	if len(p.pending) >= p.MaxPending && oldest != nil {
		p.drop(oldest)
	}
	for {
		c := newCode()
		if _, taken := p.pending[c]; !taken {
			req.Code = c
			break
		}
	}
	req.RequestedAt = now
	req.ExpiresAt = now.Add(p.TTL)
	req.Approved = make(chan Approval, 1)
	req.Dropped = make(chan struct{})
	r := req
	p.pending[r.Code] = &r
	return &r, nil
}

func (p *Pairings) drop(r *Pending) {
	delete(p.pending, r.Code)
	close(r.Dropped)
}

// Take removes and returns the pending request with this code, for the
// caller to approve.
func (p *Pairings) Take(code string, now time.Time) (*Pending, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.init()
	p.expire(now)
	r, ok := p.pending[code]
	if !ok {
		return nil, fmt.Errorf("%w %q (codes expire when the browser stops asking; the extension's popup shows the current one)", ErrNoSuchCode, code)
	}
	delete(p.pending, code)
	return r, nil
}

// Cancel removes the pending request with this code.
func (p *Pairings) Cancel(code string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.pending, code)
}

// Withdraw removes r if it is still pending, e.g. when its socket closed. A
// request that was dropped or taken is left alone, and so is a newer request
// that got the same code since.
func (p *Pairings) Withdraw(r *Pending) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pending[r.Code] == r {
		delete(p.pending, r.Code)
	}
}

// List returns the pending requests, oldest first.
func (p *Pairings) List(now time.Time) []Pending {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.init()
	p.expire(now)
	out := make([]Pending, 0, len(p.pending))
	for _, r := range p.pending {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].RequestedAt.Equal(out[j].RequestedAt) {
			return out[i].RequestedAt.Before(out[j].RequestedAt)
		}
		return out[i].Code < out[j].Code
	})
	return out
}

func (p *Pairings) expire(now time.Time) {
	for c, r := range p.pending {
		if !now.Before(r.ExpiresAt) {
			delete(p.pending, c)
		}
	}
}

// newCode returns 6 uniformly random decimal digits; leading zeros count.
func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// FailedHellos slows down token guessing without slowing anyone else. A
// token is checked at once, so a right token is answered at once whatever
// else is going on; a wrong one is answered only after a delay that holds
// the failing connection alone:
//
//	delay = Penalty + the wait for a slot in a bucket shared by all failures
//	        (Burst slots, refilled at Rate per second)
//
// Each guesser waits at least Penalty for its answer, and all guessers
// together learn at most Burst + Rate×t answers in t seconds, however many
// sockets they open. The zero value uses the defaults.
type FailedHellos struct {
	Rate    float64       // failures answered per second, for all connections; default 5
	Burst   int           // default 10
	Penalty time.Duration // default 1 s

	mu     sync.Mutex
	tokens float64
	last   time.Time
	primed bool
}

// Defaults of FailedHellos.
const (
	DefaultFailRate    = 5
	DefaultFailBurst   = 10
	DefaultFailPenalty = time.Second
)

// Delay reserves the answer to one failed hello at now and returns how long
// the failing connection waits before it is answered.
func (f *FailedHellos) Delay(now time.Time) time.Duration {
	rate, burst, penalty := f.Rate, f.Burst, f.Penalty
	if rate <= 0 {
		rate = DefaultFailRate
	}
	if burst <= 0 {
		burst = DefaultFailBurst
	}
	if penalty <= 0 {
		penalty = DefaultFailPenalty
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.primed {
		f.tokens, f.last, f.primed = float64(burst), now, true
	}
	if now.After(f.last) {
		f.tokens = min(float64(burst), f.tokens+now.Sub(f.last).Seconds()*rate)
		f.last = now
	}
	f.tokens--
	wait := time.Duration(0)
	if f.tokens < 0 {
		wait = time.Duration(-f.tokens / rate * float64(time.Second))
	}
	return penalty + wait
}
