package web

import (
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/admission"
	"github.com/mindful-app/mindful/daemon/internal/clocktest"
	"github.com/mindful-app/mindful/daemon/internal/schedule"
)

type rig struct {
	t     *testing.T
	f     *fakes
	clock *clocktest.Clock
	srv   *Server
	url   string
	c     *http.Client // with a cookie jar; does not follow redirects
}

func newRig(t *testing.T) *rig {
	t.Helper()
	f := newFakes()
	ck := clocktest.New(time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC))
	s := New(Config{Summaries: f, Settings: f, Data: f, Breaks: f, Feeds: f, Checkin: f, Now: ck.Now, Loc: time.UTC, Logger: slog.New(slog.DiscardHandler)})
	// The dashboard runs behind the daemon's Host check, as in daemon.go.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	hs := httptest.NewUnstartedServer(admission.Hosts(port, s.Handler()))
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(hs.Close)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &rig{t: t, f: f, clock: ck, srv: s, url: hs.URL, c: c}
}

func (r *rig) get(path string) (*http.Response, string) {
	r.t.Helper()
	resp, err := r.c.Get(r.url + path)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (r *rig) post(path string, form url.Values, hdr ...string) (*http.Response, string) {
	r.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := r.c.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// login mints a link and redeems it; it returns the CSRF token.
func (r *rig) login(page string) string {
	r.t.Helper()
	path, _, err := r.srv.Link(page, "")
	if err != nil {
		r.t.Fatal(err)
	}
	resp, _ := r.get(path)
	if resp.StatusCode != http.StatusSeeOther {
		r.t.Fatalf("login: status %d, want 303", resp.StatusCode)
	}
	resp, body := r.get(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusOK {
		r.t.Fatalf("after login: status %d: %s", resp.StatusCode, body)
	}
	return csrfOf(r.t, body)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token in the page:\n%s", body)
	}
	return m[1]
}

func TestLoginExchangeIsSingleUseAndClean(t *testing.T) {
	r := newRig(t)
	path, exp, err := r.srv.Link("history", "")
	if err != nil {
		t.Fatal(err)
	}
	if !exp.Equal(r.clock.Now().Add(LinkTTL)) {
		t.Fatalf("link expires %v, want in %v", exp, LinkTTL)
	}
	secret := strings.TrimPrefix(path, "/login?token=")
	if len(secret) < 43 { // 32 random bytes, base64url: 256 bits
		t.Fatalf("link secret %q is shorter than 256 bits", secret)
	}
	resp, _ := r.get(path)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/history" {
		t.Fatalf("login answered %d, Location %q; want 303 to the clean /history", resp.StatusCode, resp.Header.Get("Location"))
	}
	var sc *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == cookieName {
			sc = c
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteStrictMode || sc.Path != "/" || len(sc.Value) < 43 {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, Path=/, 256-bit value", sc)
	}
	if resp, body := r.get("/history"); resp.StatusCode != 200 || !strings.Contains(body, "Feed opens per day") {
		t.Fatalf("history with the session: %d\n%s", resp.StatusCode, body)
	}

	// The same link again, from a browser without the session: refused.
	other := newClient()
	resp2, err := other.Get(r.url + path)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp2.Body)
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusForbidden || len(resp2.Cookies()) != 0 || !strings.Contains(string(body), "already used or has expired") {
		t.Fatalf("second use of a link: %d, cookies %v", resp2.StatusCode, resp2.Cookies())
	}
}

func newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func TestLinkExpires(t *testing.T) {
	r := newRig(t)
	path, _, _ := r.srv.Link("", "")
	r.clock.Add(LinkTTL)
	if resp, _ := r.get(path); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("expired link: %d, want 403", resp.StatusCode)
	}
	// A link that was tried after it expired is gone for good.
	r.clock.Add(-LinkTTL)
	if resp, _ := r.get(path); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a link refused once worked later: %d", resp.StatusCode)
	}
	// A made-up token never works.
	if resp, _ := r.get("/login?token=" + strings.Repeat("A", 43)); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("made-up token: %d", resp.StatusCode)
	}
}

func TestLinkPages(t *testing.T) {
	r := newRig(t)
	if _, _, err := r.srv.Link("secrets", ""); err == nil || !strings.Contains(err.Error(), "today, history") {
		t.Fatalf("unknown page: %v", err)
	}
	if _, _, err := r.srv.Link("history", "2026-11-22"); err == nil {
		t.Fatal("a date for the history page was accepted")
	}
	if _, _, err := r.srv.Link("today", "22/11/2026"); err == nil {
		t.Fatal("a malformed date was accepted")
	}
	path, _, err := r.srv.Link("today", "2026-11-22")
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := r.get(path); resp.Header.Get("Location") != "/today?date=2026-11-22" {
		t.Fatalf("landed on %q", resp.Header.Get("Location"))
	}
}

func TestSessionExpires(t *testing.T) {
	r := newRig(t)
	r.login("today")
	r.clock.Add(SessionTTL)
	if resp, body := r.get("/today"); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "mindful dashboard") {
		t.Fatalf("after the session's lifetime: %d", resp.StatusCode)
	}
}

func TestWithoutSessionNoData(t *testing.T) {
	r := newRig(t)
	r.f.days["2026-11-23"] = api.Summary{Date: "2026-11-23", Opens: api.Opens{Total: 4242, Habit: 4242}}
	r.f.reflections["2026-11-23"] = "a private thought"
	for _, p := range []string{"/", "/today", "/history", "/breaks", "/feeds", "/settings", "/data", "/data/export?format=json", "/nope"} {
		resp, body := r.get(p)
		if p == "/" && resp.StatusCode != 200 || p != "/" && resp.StatusCode < 400 {
			t.Errorf("GET %s without a session: %d", p, resp.StatusCode)
		}
		if strings.Contains(body, "4242") || strings.Contains(body, "private thought") || strings.Contains(body, "csrf") {
			t.Errorf("GET %s without a session shows data:\n%s", p, body)
		}
		if !strings.Contains(body, "mindful dashboard") {
			t.Errorf("GET %s without a session does not say how to get in", p)
		}
	}
	if r.f.exported != 0 {
		t.Fatal("export ran without a session")
	}
}

func TestHeaders(t *testing.T) {
	r := newRig(t)
	r.login("today")
	for _, p := range []string{"/", "/today", "/history", "/breaks", "/feeds", "/settings", "/data", "/login?token=x", "/static/style.css"} {
		resp, _ := r.get(p)
		h := resp.Header
		want := map[string]string{
			"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
			"X-Frame-Options":         "DENY",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
		}
		for k, v := range want {
			if h.Get(k) != v {
				t.Errorf("GET %s: %s = %q, want %q", p, k, h.Get(k), v)
			}
		}
		cc := h.Get("Cache-Control")
		if p == "/static/style.css" {
			if cc != "no-cache" || !strings.HasPrefix(h.Get("Content-Type"), "text/css") {
				t.Errorf("stylesheet: Cache-Control %q, Content-Type %q", cc, h.Get("Content-Type"))
			}
		} else if cc != "no-store" {
			t.Errorf("GET %s: Cache-Control %q, want no-store", p, cc)
		}
	}
}

func TestHostHeaderRefused(t *testing.T) {
	r := newRig(t)
	for _, host := range []string{"evil.test", "evil.test:" + strings.Split(r.url, ":")[2], "127.0.0.1:1"} {
		req, _ := http.NewRequest(http.MethodGet, r.url+"/today", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMisdirectedRequest {
			t.Errorf("Host %q: %d, want 421", host, resp.StatusCode)
		}
	}
	// The login link too: a rebinding page cannot redeem one.
	path, _, _ := r.srv.Link("", "")
	req, _ := http.NewRequest(http.MethodGet, r.url+path, nil)
	req.Host = "evil.test"
	resp, _ := http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Fatalf("login with a foreign Host: %d", resp.StatusCode)
	}
	if resp, _ := r.get(path); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the link was used up by the refused request: %d", resp.StatusCode)
	}
}

func TestCSRF(t *testing.T) {
	r := newRig(t)
	tok := r.login("settings")
	good := url.Values{"csrf": {tok}, "day_start": {"05:00"}, "checkin_time": {"20:30"}, "prompt_pause_seconds": {"5"}, "retention_days": {"90"}}
	without := url.Values{}
	for k, v := range good {
		if k != "csrf" {
			without[k] = v
		}
	}
	wrong := url.Values{}
	for k, v := range good {
		wrong[k] = v
	}
	wrong.Set("csrf", tok[:len(tok)-1]+"x")
	for _, c := range []struct {
		name string
		form url.Values
		hdr  []string
	}{
		{"no token", without, nil},
		{"wrong token", wrong, nil},
		{"cross-site", good, []string{"Sec-Fetch-Site", "cross-site"}},
		{"same-site", good, []string{"Sec-Fetch-Site", "same-site"}},
		{"foreign origin", good, []string{"Origin", "http://evil.test"}},
		{"null origin", good, []string{"Origin", "null"}},
		{"null origin, cross-site", good, []string{"Origin", "null", "Sec-Fetch-Site", "cross-site"}},
		{"other port", good, []string{"Origin", "http://127.0.0.1:1"}},
	} {
		resp, _ := r.post("/settings", c.form, c.hdr...)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", c.name, resp.StatusCode)
		}
	}
	if r.f.settings.DayStart != "04:00" {
		t.Fatalf("a refused request changed the settings: %+v", r.f.settings)
	}
	// Without a session the token alone is worthless.
	other := newClient()
	req, _ := http.NewRequest(http.MethodPost, r.url+"/settings", strings.NewReader(good.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, _ := other.Do(req)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("token without session: %d", resp.StatusCode)
	}
	// The real form, same origin: saved. (Chromium sends Origin: null
	// under Referrer-Policy: no-referrer; Sec-Fetch-Site vouches for it.)
	resp, _ = r.post("/settings", good, "Origin", "null", "Sec-Fetch-Site", "same-origin")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("good POST with Origin null: %d", resp.StatusCode)
	}
	resp, _ = r.post("/settings", good, "Origin", r.url, "Sec-Fetch-Site", "same-origin")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("good POST: %d", resp.StatusCode)
	}
	want := api.Settings{DayStart: "05:00", CheckinTime: "20:30", PromptPauseSeconds: 5, RetentionDays: 90}
	if r.f.settings != want {
		t.Fatalf("settings = %+v, want %+v", r.f.settings, want)
	}
	if r.f.refreshed == 0 {
		t.Fatal("the check-in was not told the settings changed")
	}
	// Another session has another token.
	r2 := *r
	r2.c = newClient()
	if tok2 := r2.login("settings"); tok2 == tok {
		t.Fatal("two sessions share a CSRF token")
	}
}

func TestSettingsErrorsNameTheField(t *testing.T) {
	r := newRig(t)
	tok := r.login("settings")
	resp, body := r.post("/settings", url.Values{"csrf": {tok}, "day_start": {"25:00"}, "checkin_time": {"21:00"}, "prompt_pause_seconds": {"3"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "day_start: want HH:MM") || !strings.Contains(body, `value="25:00"`) {
		t.Fatalf("bad day start: %d\n%s", resp.StatusCode, body)
	}
	resp, body = r.post("/settings", url.Values{"csrf": {tok}, "day_start": {"04:00"}, "checkin_time": {"21:00"}, "prompt_pause_seconds": {"soon"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "prompt pause") {
		t.Fatalf("bad pause: %d\n%s", resp.StatusCode, body)
	}
}

func TestTodayAndReflection(t *testing.T) {
	r := newRig(t)
	end := time.Date(2026, 11, 23, 21, 0, 0, 0, time.UTC)
	r.f.days["2026-11-23"] = api.Summary{
		Date: "2026-11-23", Opens: api.Opens{Total: 7, Habit: 3, HabitContinued: 1, Need: 2, LeftDuringPause: 1},
		Feeds:          []api.FeedDay{{ID: "reddit", Opens: 5, Seconds: 1260}, {ID: "youtube", Opens: 2, Seconds: 300}},
		SecondsOnFeeds: 1560,
		Needs:          []api.NeedOpen{{FeedID: "youtube", Purpose: "the <b>recipe</b> video", TimeboxMinutes: 15, SecondsOnFeed: 300}},
		Breaks: api.BreakDay{Planned: 2, Kept: 1, EndedEarly: 1, Windows: []api.BreakEntry{{Name: "Evening", End: &end, EndedEarly: true, Reason: "sister's link"}},
			Attempts: []api.SiteCount{{Domain: "www.reddit.com", Count: 2}}, NotEnforced: []api.Period{{Seconds: 600}, {Seconds: 300},
				{Seconds: 1800, Client: "f1", Browser: "Firefox", Reason: api.NotConnected}, {Seconds: 900, Client: "f1", Browser: "Firefox", Reason: api.LimitedAccess},
				{Seconds: 600, Client: "f1", Browser: "Firefox", Reason: api.NotConnected}}},
		Usual: &api.Usual{Days: 7, Text: "7 opens, 3 fewer than your usual"},
		Notes: []api.Note{{Note: "went for a walk"}},
	}
	r.f.checkin = api.Checkin{Due: true, Date: "2026-11-23"}
	tok := r.login("today")
	_, body := r.get("/today")
	for _, want := range []string{
		`<p class="big" id="opens-total">7</p>`, `data-answer="habit">3</span>`, `data-answer="need">2</span>`,
		"3 fewer than your usual", "26 min", "21 min", "the &lt;b&gt;recipe&lt;/b&gt; video", "sister&#39;s link",
		"went for a walk", "What did you notice today?", "www.reddit.com: 2 visits waited", "Not enforced for 15 min: no browser was connected", "Not enforced in Firefox for 40 min: not connected to mindful", "Not enforced in Firefox for 15 min: connected, without access to some sites", "Not tonight", `class="minibar"`, `data-feed="reddit">21 min</span>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("today lacks %q", want)
		}
	}
	resp, _ := r.post("/today/reflection", url.Values{"csrf": {tok}, "date": {"2026-11-23"}, "reflection": {"  I reached for it when bored.  "}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/today?date=2026-11-23&done=reflection" {
		t.Fatalf("save: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := r.f.reflections["2026-11-23"]; got != "I reached for it when bored." {
		t.Fatalf("stored %q", got)
	}
	if r.f.refreshed == 0 {
		t.Fatal("the check-in was not refreshed after the reflection")
	}
	_, body = r.get("/today?date=2026-11-23&done=reflection")
	if !strings.Contains(body, ">I reached for it when bored.</textarea>") || !strings.Contains(body, "Thank you for noticing") {
		t.Fatalf("the saved reflection is not shown:\n%s", body)
	}
	// Too long: refused, nothing stored.
	resp, _ = r.post("/today/reflection", url.Values{"csrf": {tok}, "reflection": {strings.Repeat("x", 2001)}})
	if resp.StatusCode != http.StatusBadRequest || r.f.reflections["2026-11-23"] != "I reached for it when bored." {
		t.Fatalf("too long: %d", resp.StatusCode)
	}
	// Not tonight.
	resp, _ = r.post("/checkin/dismiss", url.Values{"csrf": {tok}, "date": {"2026-11-23"}})
	if resp.StatusCode != http.StatusSeeOther || r.f.dismissed != "2026-11-23" {
		t.Fatalf("dismiss: %d, dismissed %q", resp.StatusCode, r.f.dismissed)
	}
	// Another day, and no day after today.
	_, body = r.get("/today?date=2026-11-20")
	if !strings.Contains(body, "Friday 20 November") || !strings.Contains(body, "What did you notice that day?") || !strings.Contains(body, `/today?date=2026-11-21`) {
		t.Fatalf("another day:\n%s", body)
	}
	_, body = r.get("/today")
	if strings.Contains(body, "Day after") {
		t.Fatal("today links to tomorrow")
	}
}

func TestCheckinBannerOnOtherPages(t *testing.T) {
	r := newRig(t)
	r.f.checkin = api.Checkin{Due: true, Date: "2026-11-22"}
	r.login("history")
	_, body := r.get("/history")
	if !strings.Contains(body, `href="/today?date=2026-11-22">What did you notice today?`) {
		t.Fatalf("no check-in banner:\n%s", body)
	}
	// Today (another day) points to it too; the day it asks about does not.
	if _, body := r.get("/today"); !strings.Contains(body, `class="banner"`) {
		t.Fatal("no banner on Today for a check-in of yesterday")
	}
	if _, body := r.get("/today?date=2026-11-22"); strings.Contains(body, `class="banner"`) || !strings.Contains(body, "Not tonight") {
		t.Fatal("the check-in's own day shows a banner, or no Not tonight")
	}
}

func TestBreaksAddEditRemove(t *testing.T) {
	r := newRig(t)
	tok := r.login("breaks")
	add := url.Values{"csrf": {tok}, "name": {"Friday off"}, "kind": {"weekly"}, "start": {"Fri 15:30"}, "end": {"Sat 16:00"}}
	if resp, body := r.post("/breaks/add", add); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d\n%s", resp.StatusCode, body)
	}
	// The same validation as the CLI: the error names the field, the form keeps what was typed.
	bad := url.Values{"csrf": {tok}, "name": {"Oops"}, "kind": {"weekly"}, "start": {"Caturday 15:30"}, "end": {"Sat 16:00"}}
	resp, body := r.post("/breaks/add", bad)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "start") || !strings.Contains(body, `value="Caturday 15:30"`) {
		t.Fatalf("bad add: %d\n%s", resp.StatusCode, body)
	}
	if len(r.f.rules) != 1 {
		t.Fatalf("rules after a refused add: %+v", r.f.rules)
	}
	_, body = r.get("/breaks")
	if !strings.Contains(body, `value="Friday off"`) || !strings.Contains(body, `id="rule-1"`) {
		t.Fatalf("the rule is not listed:\n%s", body)
	}
	// Edit replaces the rule.
	edit := url.Values{"csrf": {tok}, "id": {"1"}, "name": {"Weekend"}, "kind": {"weekly"}, "start": {"Sat 10:00"}, "end": {"Sun 18:00"}, "locked": {"on"}, "sites": {"www.reddit.com, x.com"}}
	if resp, body := r.post("/breaks/edit", edit); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", resp.StatusCode, body)
	}
	want := schedule.Rule{ID: 2, Name: "Weekend", Kind: "weekly", Start: "Sat 10:00", End: "Sun 18:00", Locked: true, Sites: []string{"www.reddit.com", "x.com"}, Enabled: true}
	if len(r.f.rules) != 1 || r.f.rules[0].Name != want.Name || !r.f.rules[0].Locked || len(r.f.rules[0].Sites) != 2 {
		t.Fatalf("after edit: %+v", r.f.rules)
	}
	// An invalid edit changes nothing.
	edit.Set("id", "2")
	edit.Set("end", "whenever")
	if resp, _ := r.post("/breaks/edit", edit); resp.StatusCode != http.StatusBadRequest || len(r.f.rules) != 1 || r.f.rules[0].End != "Sun 18:00" {
		t.Fatalf("invalid edit: %d %+v", resp.StatusCode, r.f.rules)
	}
	// An edit of a rule that cannot be removed takes the new one back.
	r.f.rules[0].Name, r.f.rules[0].Locked = "running locked", true
	edit.Set("end", "Sun 19:00")
	resp, body = r.post("/breaks/edit", edit)
	if resp.StatusCode != http.StatusBadRequest || len(r.f.rules) != 1 || r.f.rules[0].End != "Sun 18:00" || !strings.Contains(body, "locked") {
		t.Fatalf("edit of a running locked break: %d %+v", resp.StatusCode, r.f.rules)
	}
	r.f.rules[0].Name = "Weekend"
	if resp, _ := r.post("/breaks/remove", url.Values{"csrf": {tok}, "id": {"2"}}); resp.StatusCode != http.StatusSeeOther || len(r.f.rules) != 0 {
		t.Fatalf("remove: %d %+v", resp.StatusCode, r.f.rules)
	}
	if resp, _ := r.post("/breaks/remove", url.Values{"csrf": {tok}, "id": {"2"}}); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("remove twice: %d", resp.StatusCode)
	}
}

func TestFeeds(t *testing.T) {
	r := newRig(t)
	tok := r.login("feeds")
	_, body := r.get("/feeds")
	if !strings.Contains(body, "www.reddit.com") || !strings.Contains(body, "Turn off Reddit: stop asking about it") || !strings.Contains(body, "Turn on YouTube: ask about it again") {
		t.Fatalf("catalog:\n%s", body)
	}
	if resp, _ := r.post("/feeds/toggle", url.Values{"csrf": {tok}, "id": {"reddit"}, "enabled": {"false"}}); resp.StatusCode != http.StatusSeeOther || r.f.feeds[0].Enabled {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if resp, _ := r.post("/feeds/toggle", url.Values{"csrf": {tok}, "id": {"youtube"}, "enabled": {"true"}}); resp.StatusCode != http.StatusSeeOther || !r.f.feeds[1].Enabled {
		t.Fatalf("enable: %d", resp.StatusCode)
	}
	if resp, _ := r.post("/feeds/add", url.Values{"csrf": {tok}, "id": {"mastodon"}, "hosts": {"mastodon.social"}}); resp.StatusCode != http.StatusSeeOther || len(r.f.feeds) != 3 {
		t.Fatalf("add: %d", resp.StatusCode)
	}
	if resp, body := r.post("/feeds/add", url.Values{"csrf": {tok}, "id": {"lonely"}}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "hosts:") {
		t.Fatalf("add without hosts: %d\n%s", resp.StatusCode, body)
	}
}

func TestDataExportAndDelete(t *testing.T) {
	r := newRig(t)
	tok := r.login("data")
	resp, body := r.get("/data/export?format=csv")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Disposition") != `attachment; filename="mindful-2026-11-23.csv"` || !strings.HasPrefix(body, "type,ts") {
		t.Fatalf("csv export: %d %q\n%s", resp.StatusCode, resp.Header.Get("Content-Disposition"), body)
	}
	resp, body = r.get("/data/export?format=json")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || body != `{"events":[]}` {
		t.Fatalf("json export: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := r.get("/data/export?format=xml"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("xml export: %d", resp.StatusCode)
	}
	// Delete is a second step: its own page, where the word is typed.
	_, body = r.get("/data")
	if !strings.Contains(body, `href="/data/delete"`) || strings.Contains(body, `action="/data/delete"`) {
		t.Fatalf("the data page should link to the second step, not delete itself:\n%s", body)
	}
	if resp, body := r.get("/data/delete"); resp.StatusCode != 200 || !strings.Contains(body, `action="/data/delete"`) || !strings.Contains(body, "type <strong>delete</strong>") || r.f.deleted {
		t.Fatalf("second step: %d\n%s", resp.StatusCode, body)
	}
	// Delete needs the typed word.
	for _, word := range []string{"", "yes", "delet"} {
		if resp, _ := r.post("/data/delete", url.Values{"csrf": {tok}, "confirm": {word}}); resp.StatusCode != http.StatusBadRequest || r.f.deleted {
			t.Fatalf("confirm %q: %d, deleted %v", word, resp.StatusCode, r.f.deleted)
		}
	}
	if resp, _ := r.post("/data/delete", url.Values{"confirm": {"delete"}}); resp.StatusCode != http.StatusForbidden || r.f.deleted {
		t.Fatalf("delete without CSRF token: %d, deleted %v", resp.StatusCode, r.f.deleted)
	}
	if resp, _ := r.post("/data/delete", url.Values{"csrf": {tok}, "confirm": {" Delete "}}); resp.StatusCode != http.StatusSeeOther || !r.f.deleted {
		t.Fatalf("delete: %d, deleted %v", resp.StatusCode, r.f.deleted)
	}
}

func TestLogout(t *testing.T) {
	r := newRig(t)
	tok := r.login("today")
	if resp, _ := r.post("/logout", url.Values{"csrf": {tok}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if resp, _ := r.get("/today"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("after logout: %d", resp.StatusCode)
	}
}

// Every page renders with data, and as well-formed markup.
func TestEveryPageRenders(t *testing.T) {
	r := newRig(t)
	fillDays(r.f, 90)
	r.f.rules = []schedule.Rule{{ID: 1, Name: "Evenings", Kind: "weekly", Start: "weekdays 21:00", End: "07:00", Enabled: true}}
	r.login("today")
	for _, p := range Pages {
		resp, body := r.get("/" + p)
		if resp.StatusCode != 200 {
			t.Errorf("/%s: %d", p, resp.StatusCode)
			continue
		}
		if !strings.Contains(body, `aria-current="page">`+strings.ToUpper(p[:1])+p[1:]+"</a>") {
			t.Errorf("/%s is not marked current in the menu", p)
		}
		if !strings.Contains(body, "<h1") || !strings.Contains(body, `<link rel="stylesheet" href="/static/style.css">`) {
			t.Errorf("/%s lacks a heading or the stylesheet", p)
		}
		if strings.Contains(body, "<script") || strings.Contains(body, "style=") || strings.Contains(body, "http://") || strings.Contains(body, "https://") {
			t.Errorf("/%s has a script, an inline style or a remote URL", p)
		}
	}
	_, body := r.get("/history?days=90")
	if n := strings.Count(body, `class="bar"`); n < 90 {
		t.Fatalf("90-day history has %d bars", n)
	}
}

// fillDays gives every one of the n days up to today some activity.
func fillDays(f *fakes, n int) {
	end, _ := time.Parse(time.DateOnly, f.today)
	for i := range n {
		d := end.AddDate(0, 0, -i).Format(time.DateOnly)
		f.days[d] = api.Summary{
			Date: d, Opens: api.Opens{Total: 3 + i%7, Habit: 1 + i%4, HabitContinued: i % 2, Need: 1, LeftDuringPause: 1 + i%7 - i%4 - i%2},
			Feeds:          []api.FeedDay{{ID: "reddit", Seconds: int64(600 + 60*(i%5))}, {ID: "youtube", Seconds: int64(300 * (i % 3))}},
			SecondsOnFeeds: int64(600 + 60*(i%5) + 300*(i%3)),
			Breaks:         api.BreakDay{Planned: 1, Kept: i % 2, EndedEarly: 1 - i%2},
		}
	}
}

// svgOK parses an SVG as XML.
func svgOK(t *testing.T, svg string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed: %v\n%s", err, svg)
		}
	}
}

func TestChartZeroData(t *testing.T) {
	days := make([]api.Summary, 30)
	for i := range days {
		days[i] = api.Summary{Date: time.Date(2026, 10, 25+i, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)}
	}
	h := history(days, 30, days[0].Date, days[29].Date)
	svg := string(h.Opens.SVG())
	svgOK(t, svg)
	if strings.Contains(svg, `class="bar"`) || !strings.Contains(svg, "No feed opens in these days.") || strings.Contains(svg, "NaN") {
		t.Fatalf("zero-data chart:\n%s", svg)
	}
	for _, want := range []string{`role="img"`, "<title id=\"opens-t\">", "<desc", ">Habit</text>", ">opens</text>", ">day</text>"} {
		if !strings.Contains(svg, want) {
			t.Errorf("zero-data chart lacks %q", want)
		}
	}
	fsvg := string(h.FeedTime.SVG())
	svgOK(t, fsvg)
	if !strings.Contains(fsvg, "No time on feeds in these days.") {
		t.Fatalf("zero-data feed chart:\n%s", fsvg)
	}
	// No data at all (a fresh install).
	svgOK(t, string(history(nil, 30, "2026-10-25", "2026-11-23").Opens.SVG()))
}

func TestChartFull90Days(t *testing.T) {
	f := newFakes()
	fillDays(f, 90)
	end, _ := time.Parse(time.DateOnly, f.today)
	from := end.AddDate(0, 0, -89).Format(time.DateOnly)
	days, _ := f.Days(nil, from, f.today)
	h := history(days, 90, from, f.today)
	svg := string(h.Opens.SVG())
	svgOK(t, svg)
	total := 0
	nonzero := 0
	for _, d := range days {
		total += d.Opens.Total
		for _, v := range answerValues(d.Opens) {
			if v > 0 {
				nonzero++
			}
		}
	}
	if n := strings.Count(svg, `class="bar"`); n != nonzero {
		t.Fatalf("%d bar segments, want %d (one per non-zero answer per day)", n, nonzero)
	}
	if h.TotalOpens != total || !strings.Contains(h.Opens.Desc, itoa(total)+" feed opens") {
		t.Fatalf("total %d, desc %q", h.TotalOpens, h.Opens.Desc)
	}
	// At most about ten x labels, so they do not overlap; the first is the first day.
	if n := strings.Count(svg, `text-anchor="middle">`) - 2; n > 11 || !strings.Contains(svg, ">"+shortDay(from)+"<") {
		t.Fatalf("%d x labels; first day %s labelled: %v", n, shortDay(from), strings.Contains(svg, shortDay(from)))
	}
	// Every series has a distinct pattern, not colour alone.
	for j := range answers {
		if !strings.Contains(svg, `<pattern id="opens-p`+itoa(j)+`"`) {
			t.Fatalf("no pattern for series %d", j)
		}
	}
	// Bars never leave the plot.
	for _, m := range regexp.MustCompile(`<rect x="[^"]+" y="([-0-9.]+)" width="[^"]+" height="([-0-9.]+)"`).FindAllStringSubmatch(svg, -1) {
		if strings.HasPrefix(m[1], "-") || strings.HasPrefix(m[2], "-") {
			t.Fatalf("bar out of the plot: %s", m[0])
		}
	}
	svgOK(t, string(h.FeedTime.SVG()))
	svgOK(t, string(h.Breaks.SVG()))
	if h.FeedTime.Bars[0].Label != "reddit" {
		t.Fatalf("feeds not sorted by time: %+v", h.FeedTime.Bars)
	}
}

func itoa(n int) string { return fmtNum(float64(n)) }

func TestNiceMax(t *testing.T) {
	for _, c := range []struct{ max, top, step float64 }{
		{0, 4, 1}, {3, 3, 1}, {7, 8, 2}, {10, 10, 5}, {23, 30, 10}, {97, 100, 50}, {130, 150, 50},
	} {
		top, step := niceMax(c.max, 4)
		if top != c.top || step != c.step {
			t.Errorf("niceMax(%v) = %v, %v; want %v, %v", c.max, top, step, c.top, c.step)
		}
	}
}

func TestFmtDur(t *testing.T) {
	for secs, want := range map[int64]string{0: "0 min", 30: "under a minute", 60: "1 min", 3599: "59 min", 3600: "1 h", 4500: "1 h 15 min"} {
		if got := fmtDur(secs); got != want {
			t.Errorf("fmtDur(%d) = %q, want %q", secs, got, want)
		}
	}
}

func TestTodayFollowsDayStart(t *testing.T) {
	r := newRig(t)
	for _, c := range []struct {
		at       time.Time
		dayStart string
		want     string
	}{
		{time.Date(2026, 11, 23, 3, 59, 0, 0, time.UTC), "04:00", "2026-11-22"},
		{time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC), "04:00", "2026-11-23"},
		{time.Date(2026, 11, 23, 5, 30, 0, 0, time.UTC), "06:15", "2026-11-22"},
		{time.Date(2026, 11, 23, 0, 10, 0, 0, time.UTC), "00:00", "2026-11-23"},
		{time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC), "garbage", "2026-11-22"}, // the default, 04:00
	} {
		r.clock.Set(c.at)
		r.f.settings.DayStart = c.dayStart
		if got := r.srv.today(t.Context()); got != c.want {
			t.Errorf("today at %s with day start %s = %s, want %s", c.at.Format("15:04"), c.dayStart, got, c.want)
		}
	}
}

// A fresh install: no data at all, every page still says something calm.
func TestEmptyPages(t *testing.T) {
	r := newRig(t)
	r.login("today")
	_, body := r.get("/today")
	for _, want := range []string{`id="opens-total">0<`, "No feed was opened this day.", "No time with a feed in view this day.", "No break this day.", "What did you notice today?"} {
		if !strings.Contains(body, want) {
			t.Errorf("empty Today lacks %q", want)
		}
	}
	_, body = r.get("/history")
	for _, want := range []string{"0 feed opens in the last 30 days", "No feed opens in these days.", "No time on feeds in these days.", "No breaks were planned"} {
		if !strings.Contains(body, want) {
			t.Errorf("empty History lacks %q", want)
		}
	}
	if strings.Contains(body, "NaN") || strings.Contains(body, "Inf") {
		t.Fatal("empty History has NaN or Inf")
	}
	_, body = r.get("/breaks")
	if !strings.Contains(body, "No break is scheduled yet.") {
		t.Error("empty Breaks does not say so")
	}
}

func TestPageDataErrorIsSaid(t *testing.T) {
	r := newRig(t)
	r.login("today")
	r.f.mu.Lock()
	r.f.fail = errors.New("database unavailable: disk full")
	r.f.mu.Unlock()
	for _, p := range []string{"/today", "/history"} {
		resp, body := r.get(p)
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "could not be read just now: database unavailable: disk full") {
			t.Errorf("GET %s with a failing summary: %d\n%s", p, resp.StatusCode, body)
		}
	}
}
