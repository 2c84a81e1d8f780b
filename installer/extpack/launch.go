package extpack

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The launch ruleset (docs/enforcement.md): a static declarativeNetRequest
// ruleset, generated here from the built-in feed catalog
// (daemon/internal/feeds/catalog.json, beside extension/ in the module), so
// that it is never kept by hand. It holds from the first navigation after
// the browser starts, before the background has run and after a crash that
// lost the dynamic rules:
//
//	rule 1, priority LaunchGatePriority, main_frame on every catalog host
//	    (requestDomains: the host and its subdomains), http and https
//	    → the break page as a gate: break.html?k=<GateKey>&u=<the whole URL>
//
// The background lifts it with session rules once it has decided (session
// rules vanish when the browser quits, so at the next launch the gate holds
// again), and sends the tab on or shows the break. The ruleset is enabled in
// the manifest and never toggled: whether a toggle survives a restart is up
// to the browser.
const (
	// LaunchRulesetID is the ruleset's id in the manifest.
	LaunchRulesetID = "launch"
	// LaunchRulesPath is the ruleset's file in the built extension.
	LaunchRulesPath = "rules/launch.json"
	// LaunchGatePriority matches GATE_PRIORITY in extension/src/background/rulesync.js.
	LaunchGatePriority = 50
	// GateKey is the break key the gate sends (GATE_KEY in extension/src/shared/break-url.js).
	GateKey = "mindful-gate"
	// BreakPagePath is the break page in the extension (BREAK_PATH in break-url.js).
	BreakPagePath = "src/pages/break/break.html"
)

// catalogPath is where the built-in catalog is, relative to the extension dir.
var catalogPath = filepath.Join("..", "daemon", "internal", "feeds", "catalog.json")

// CatalogHosts returns the sorted unique hosts of the built-in catalog
// beside extDir, or fs.ErrNotExist when there is none (an extension tree
// outside the module).
func CatalogHosts(extDir string) ([]string, error) {
	path := filepath.Join(extDir, catalogPath)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var feeds []struct {
		ID    string   `json:"id"`
		Hosts []string `json:"hosts"`
	}
	if err := json.Unmarshal(b, &feeds); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	seen := map[string]bool{}
	var hosts []string
	for _, f := range feeds {
		for _, h := range f.Hosts {
			h = strings.ToLower(strings.TrimSpace(h))
			if h == "" || strings.ContainsAny(h, "/:*? ") {
				return nil, fmt.Errorf("%s: feed %q: bad host %q", path, f.ID, h)
			}
			if !seen[h] {
				seen[h] = true
				hosts = append(hosts, h)
			}
		}
	}
	if len(hosts) == 0 {
		return nil, fmt.Errorf("%s: no hosts", path)
	}
	sort.Strings(hosts)
	return hosts, nil
}

// ChromeExtensionID is the extension id Chromium derives from the manifest
// key: the first 32 hex digits of sha256(DER), written with a-p.
func ChromeExtensionID(key string) (string, error) {
	der, err := base64.StdEncoding.DecodeString(key)
	if err != nil {
		return "", fmt.Errorf("manifest key: %w", err)
	}
	sum := sha256.Sum256(der)
	var b strings.Builder
	for _, c := range fmt.Sprintf("%x", sum[:16]) {
		if c <= '9' {
			b.WriteByte(byte('a' + c - '0'))
		} else {
			b.WriteByte(byte('a' + 10 + c - 'a'))
		}
	}
	return b.String(), nil
}

// launchRules is the launch ruleset for a manifest m (rendered for one
// browser). The gate's target must keep the original URL, so it is a
// regexSubstitution, which takes a whole URL: Chromium's is fixed by the
// manifest key. Firefox gives each profile its own moz-extension:// origin,
// unknown here, so there the gate is a plain redirect to the page (the
// background finds the tab's URL from webNavigation; docs/enforcement.md).
func launchRules(m map[string]any, hosts []string) ([]any, error) {
	cond := map[string]any{
		"regexFilter":    "^https?://.*$",
		"requestDomains": hosts,
		"resourceTypes":  []string{"main_frame"},
	}
	var redirect map[string]any
	if key, ok := m["key"].(string); ok && key != "" {
		id, err := ChromeExtensionID(key)
		if err != nil {
			return nil, err
		}
		redirect = map[string]any{"regexSubstitution": "chrome-extension://" + id + "/" + BreakPagePath + "?k=" + GateKey + "&u=\\0"}
	} else {
		delete(cond, "regexFilter")
		redirect = map[string]any{"extensionPath": "/" + BreakPagePath + "?k=" + GateKey}
	}
	return []any{map[string]any{
		"id":        1,
		"priority":  LaunchGatePriority,
		"action":    map[string]any{"type": "redirect", "redirect": redirect},
		"condition": cond,
	}}, nil
}

// addLaunchRuleset adds the launch ruleset to manifest m and returns the
// file's bytes; nil without a catalog beside extDir.
func addLaunchRuleset(extDir string, m map[string]any) ([]byte, error) {
	hosts, err := CatalogHosts(extDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rules, err := launchRules(m, hosts)
	if err != nil {
		return nil, err
	}
	dnr, _ := m["declarative_net_request"].(map[string]any)
	if dnr == nil {
		dnr = map[string]any{}
	}
	res, _ := dnr["rule_resources"].([]any)
	dnr["rule_resources"] = append(res, map[string]any{"id": LaunchRulesetID, "enabled": true, "path": LaunchRulesPath})
	m["declarative_net_request"] = dnr
	b, err := json.MarshalIndent(rules, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
