package e2e

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// siteHosts are served by the fake sites; the browser maps them to loopback
// with --host-resolver-rules.
var (
	tlsHosts  = []string{"www.reddit.com", "old.reddit.com", "www.facebook.com", "www.youtube.com", "x.com", "mastodon.test"}
	httpHosts = []string{"offline.test", "evil.test", "plain.test"}
)

// sites is one HTTPS and one HTTP server that log every request.
type sites struct {
	httpsAddr, httpAddr string
	spki                string // base64 SHA-256 of the certificate's public key

	mu   sync.Mutex
	reqs []string // "host path"
	page map[string]string
	// noStore sends Cache-Control: no-store with every page (setNoStore).
	noStore bool
}

func startSites(t testing.TB) *sites {
	t.Helper()
	s := &sites{page: map[string]string{}}
	cert, spki := selfSigned(t, tlsHosts)
	s.spki = spki

	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := strings.Split(r.Host, ":")[0]
		s.mu.Lock()
		s.reqs = append(s.reqs, host+" "+r.URL.Path)
		body, ok := s.page[host+r.URL.Path]
		noStore := s.noStore
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if noStore {
			w.Header().Set("Cache-Control", "no-store")
		}
		if !ok {
			// The data: icon keeps the browser from fetching /favicon.ico
			// at its own time, so request counts are only navigations.
			body = fmt.Sprintf(`<!doctype html><link rel="icon" href="data:,"><title>%s</title><h1>fake %s%s</h1>`, host, host, r.URL.Path)
		}
		fmt.Fprint(w, body)
	})
	tl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.httpsAddr, s.httpAddr = tl.Addr().String(), pl.Addr().String()
	tlsConns, plainConns := splitTLS(tl)
	hs := &http.Server{Handler: h}
	ps := &http.Server{Handler: h}
	hs2 := &http.Server{Handler: h}
	go hs.Serve(tls.NewListener(tlsConns, &tls.Config{Certificates: []tls.Certificate{cert}}))
	go ps.Serve(pl)
	go hs2.Serve(plainConns)
	t.Cleanup(func() { tl.Close(); hs.Close(); ps.Close(); hs2.Close() })
	return s
}

// splitTLS sorts the connections that l accepts by their first byte: a TLS
// handshake goes to tlsConns, anything else to plainConns. A browser that
// sends plain http:// to a host mapped to the TLS server (Chromium, whose
// HTTPS upgrades the tests turn off, for x.com) then reaches a server that
// logs the request, instead of failing the handshake unseen. Closing l
// ends both.
func splitTLS(l net.Listener) (tlsConns, plainConns net.Listener) {
	done := make(chan struct{})
	tc := &connQueue{l: l, c: make(chan net.Conn), done: done}
	pc := &connQueue{l: l, c: make(chan net.Conn), done: done}
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				br := bufio.NewReader(c)
				c.SetReadDeadline(time.Now().Add(30 * time.Second))
				first, err := br.Peek(1)
				c.SetReadDeadline(time.Time{})
				if err != nil {
					c.Close()
					return
				}
				to := tc
				if first[0] != 0x16 { // not a TLS handshake record
					to = pc
				}
				select {
				case to.c <- peekedConn{c, br}:
				case <-done:
					c.Close()
				}
			}()
		}
	}()
	return tc, pc
}

// connQueue is a net.Listener whose connections come from a channel.
type connQueue struct {
	l    net.Listener
	c    chan net.Conn
	done <-chan struct{}
}

func (q *connQueue) Accept() (net.Conn, error) {
	select {
	case c := <-q.c:
		return c, nil
	case <-q.done:
		return nil, net.ErrClosed
	}
}

func (q *connQueue) Close() error   { return nil }
func (q *connQueue) Addr() net.Addr { return q.l.Addr() }

// peekedConn is a connection whose first bytes were read into r.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// setPage serves body at host+path instead of the default page.
func (s *sites) setPage(hostPath, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.page[hostPath] = body
}

// setNoStore makes every page uncacheable, as the HTML of real feeds is: a
// browser that reloads a page (a restored tab, back and forward) has to ask
// the site again instead of its cache, so the request log sees every load.
func (s *sites) setNoStore() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noStore = true
}

// requests returns how many requests reached host so far.
func (s *sites) requests(host string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.reqs {
		if strings.HasPrefix(r, host+" ") {
			n++
		}
	}
	return n
}

// resolverRules maps every fake host to its server.
func (s *sites) resolverRules() string {
	var rules []string
	for _, h := range tlsHosts {
		rules = append(rules, "MAP "+h+" "+s.httpsAddr)
	}
	for _, h := range httpHosts {
		rules = append(rules, "MAP "+h+" "+s.httpAddr)
	}
	return strings.Join(rules, ", ")
}

func selfSigned(t testing.TB, hosts []string) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mindful e2e"},
		DNSNames:     hosts,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(pub)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, base64.StdEncoding.EncodeToString(sum[:])
}
