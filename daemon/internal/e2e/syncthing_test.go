package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A Syncthing instance started by a test (docs/sync.md; the facts it
// relies on are in the project's notes on Syncthing). Two instances on
// loopback share one folder, with discovery, relays and NAT off and the
// devices introduced by config.
type syncthing struct {
	t      testing.TB
	name   string
	home   string
	folder string // the shared folder's path on this instance
	id     string
	gui    string // 127.0.0.1:port
	bep    string // 127.0.0.1:port
	key    string
	cmd    *exec.Cmd
	log    *syncBuf
	exited chan error
}

// syncthingPath finds Debian's syncthing, or skips (never under CI, where
// .ci/deps.sh installs it).
func syncthingPath(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("syncthing")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("syncthing is not installed (.ci/deps.sh installs Debian's syncthing)")
		}
		t.Skip("syncthing is not installed (apt-get install syncthing)")
	}
	return p
}

// newSyncthing makes a home with a fresh identity; start it after both
// homes exist, because each config names the other device.
func newSyncthing(t testing.TB, bin, name, root string) *syncthing {
	t.Helper()
	s := &syncthing{t: t, name: name, home: filepath.Join(root, "st-"+name), folder: filepath.Join(root, "folder-"+name),
		gui: freePort(t), bep: freePort(t), key: "k" + name + fmt.Sprint(time.Now().UnixNano()), log: &syncBuf{}, exited: make(chan error, 1)}
	out, err := exec.Command(bin, "generate", "--home", s.home, "--no-default-folder").CombinedOutput()
	if err != nil {
		t.Fatalf("syncthing generate: %v\n%s", err, out)
	}
	out, err = exec.Command(bin, "serve", "--home", s.home, "--device-id").Output()
	if err != nil {
		t.Fatalf("syncthing --device-id: %v", err)
	}
	s.id = strings.TrimSpace(string(out))
	if err := os.MkdirAll(s.folder, 0o700); err != nil {
		t.Fatal(err)
	}
	// mindful's temp files never travel.
	if err := os.WriteFile(filepath.Join(s.folder, ".stignore"), []byte("*.partial\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

// configure writes config.xml before the first start. dial is the peer
// this instance dials; the other side only accepts (dialling from both
// sides sometimes stalls the first connection on loopback).
func (s *syncthing) configure(peer *syncthing, dial bool) {
	peerAddr := "dynamic"
	if dial {
		peerAddr = "tcp://" + peer.bep
	}
	cfg := fmt.Sprintf(`<configuration version="36">
 <folder id="mindful-e2e" label="mindful" path="%s" type="sendreceive" rescanIntervalS="3600" fsWatcherEnabled="true" fsWatcherDelayS="1" autoNormalize="true">
  <device id="%s"/><device id="%s"/><maxConflicts>10</maxConflicts><minDiskFree unit="%%">1</minDiskFree>
 </folder>
 <device id="%s" name="%s"><address>dynamic</address></device>
 <device id="%s" name="%s"><address>%s</address></device>
 <gui enabled="true" tls="false"><address>%s</address><apikey>%s</apikey></gui>
 <options><listenAddress>tcp://%s</listenAddress>
  <globalAnnounceEnabled>false</globalAnnounceEnabled><localAnnounceEnabled>false</localAnnounceEnabled>
  <relaysEnabled>false</relaysEnabled><natEnabled>false</natEnabled><urAccepted>-1</urAccepted>
  <autoUpgradeIntervalH>0</autoUpgradeIntervalH><crashReportingEnabled>false</crashReportingEnabled>
  <startBrowser>false</startBrowser><reconnectionIntervalS>5</reconnectionIntervalS></options>
</configuration>
`, s.folder, s.id, peer.id, s.id, s.name, peer.id, peer.name, peerAddr, s.gui, s.key, s.bep)
	if err := os.WriteFile(filepath.Join(s.home, "config.xml"), []byte(cfg), 0o600); err != nil {
		s.t.Fatal(err)
	}
}

// start runs the instance as one process and waits for its API.
func (s *syncthing) start(bin string) {
	t := s.t
	t.Helper()
	s.cmd = exec.Command(bin, "serve", "--home", s.home, "--no-browser", "--no-restart", "--no-upgrade")
	// One process (no monitor) that SIGTERM stops; skip the hashing
	// benchmark at start.
	s.cmd.Env = append(os.Environ(), "STMONITORED=1", "STHASHING=minio", "STNODEFAULTFOLDER=1")
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	t.Cleanup(s.stop)
	waitFor(t, "syncthing "+s.name+" to answer", 30*time.Second, func() bool {
		var v map[string]string
		return s.get("/rest/system/ping", &v) == nil && v["ping"] == "pong"
	})
}

func (s *syncthing) stop() {
	if s.cmd == nil || s.cmd.ProcessState != nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.exited:
		s.exited <- err
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
	}
	if s.t.Failed() {
		s.t.Logf("syncthing %s log:\n%s", s.name, s.log)
	}
}

func (s *syncthing) req(method, path string, out any) error {
	r, _ := http.NewRequest(method, "http://"+s.gui+path, nil)
	r.Header.Set("X-API-Key", s.key)
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, b.String())
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b.Bytes(), out)
}

func (s *syncthing) get(path string, out any) error { return s.req(http.MethodGet, path, out) }

// connected reports whether this instance is connected to peer.
func (s *syncthing) connected(peer *syncthing) bool {
	var c struct {
		Connections map[string]struct {
			Connected bool `json:"connected"`
		} `json:"connections"`
	}
	return s.get("/rest/system/connections", &c) == nil && c.Connections[peer.id].Connected
}

// startSyncthingPair starts two connected instances sharing one folder.
func startSyncthingPair(t testing.TB) (a, b *syncthing) {
	t.Helper()
	bin := syncthingPath(t)
	root := t.TempDir()
	a, b = newSyncthing(t, bin, "A", root), newSyncthing(t, bin, "B", root)
	a.configure(b, true)
	b.configure(a, false)
	b.start(bin) // the side that only accepts starts first
	a.start(bin)
	waitFor(t, "the two syncthing instances to connect", 60*time.Second, func() bool { return a.connected(b) && b.connected(a) })
	return a, b
}
