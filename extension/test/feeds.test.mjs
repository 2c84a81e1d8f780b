// Tests of src/shared/feeds.js against the table shared with the Go matcher
// (daemon/internal/feeds/testdata/urls.json) and the regexes the Go side
// produces (testdata/regexes.json, regenerated with `go test -update`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compileCatalog, feedRegexes, hostsOf, matchUrl, normalizePath, regexCost, REGEX_BUDGET } from '../src/shared/feeds.js';

const readJson = (rel) => JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));
const TABLE = readJson('../../daemon/internal/feeds/testdata/urls.json');
const REGEXES = readJson('../../daemon/internal/feeds/testdata/regexes.json');
const CATALOG = readJson('../../daemon/internal/feeds/catalog.json');

// The built-in catalog as the daemon sends it: enabled, built in.
const builtin = () => CATALOG.map((f) => ({ ...f, hosts: [...f.hosts], paths: [...f.paths], enabled: true, builtin: true }));
const withMastodon = (...hosts) =>
  builtin().map((f) => (f.id === 'mastodon' ? { ...f, hosts: [...f.hosts, ...hosts] } : f));
const anyMatch = (regexes, url) => regexes.some((re) => new RegExp(re, 'i').test(url));

test('the shared table has enough rows, each well formed', () => {
  assert.ok(TABLE.length >= 80, `${TABLE.length} rows`);
  const ids = new Set(CATALOG.map((f) => f.id));
  for (const row of TABLE) {
    assert.equal(typeof row.url, 'string');
    assert.ok(row.feed === null || ids.has(row.feed), `unknown feed ${row.feed}`);
    assert.equal(typeof row.note, 'string');
  }
});

test('every table row matches the feed it names', () => {
  const catalog = compileCatalog(builtin());
  for (const row of TABLE) {
    const got = matchUrl(catalog, row.url);
    assert.equal(got?.feedId ?? null, row.feed, `${row.url} (${row.note})`);
    if (got) {
      assert.equal(got.key, `${got.feedId} ${normalizePath(new URL(row.url).pathname)}`);
      assert.equal(got.name, CATALOG.find((f) => f.id === got.feedId).name);
    }
  }
});

test('matchUrl takes URL objects and rejects junk', () => {
  const catalog = compileCatalog(builtin());
  assert.deepEqual(matchUrl(catalog, new URL('https://www.reddit.com/r/golang/')), {
    feedId: 'reddit', name: 'Reddit', key: 'reddit /r/golang',
  });
  for (const bad of [undefined, null, 42, {}, 'https://', 'javascript:alert(1)', 'data:text/html,hi']) {
    assert.equal(matchUrl(catalog, bad), null, String(bad));
  }
  assert.equal(matchUrl(null, 'https://www.reddit.com/'), null);
  assert.equal(matchUrl({}, 'https://www.reddit.com/'), null);
});

test("every enabled feed's DNR regexes match a table URL iff the table says that feed", () => {
  for (const feed of builtin()) {
    const regexes = feedRegexes(feed);
    assert.ok(feed.hosts.length ? regexes.length >= feed.paths.length : regexes.length === 0, feed.id);
    for (const row of TABLE) {
      assert.equal(anyMatch(regexes, row.url), row.feed === feed.id, `${feed.id} regexes on ${row.url} (${row.note})`);
    }
  }
});

test('mastodon matches once the user adds an instance', () => {
  const feeds = withMastodon('mastodon.social');
  const catalog = compileCatalog(feeds);
  const regexes = feedRegexes(feeds.find((f) => f.id === 'mastodon'));
  const cases = {
    'https://mastodon.social/home': 'mastodon /home',
    'https://mastodon.social/public': 'mastodon /public',
    'https://mastodon.social/public/local/': 'mastodon /public/local',
    'https://Mastodon.Social/HOME?x=1#y': 'mastodon /home',
    'http://mastodon.social:8080/public#top': 'mastodon /public',
    'https://mastodon.social/@Gargron': null,
    'https://mastodon.social/': null,
    'https://mastodon.social/public/remote': null,
    'https://mastodon.social/home/x': null,
    'https://fosstodon.org/home': null,
    'https://mastodon.social.evil.test/home': null,
    'https://www.reddit.com/': 'reddit /',
  };
  for (const [url, key] of Object.entries(cases)) {
    assert.equal(matchUrl(catalog, url)?.key ?? null, key, url);
    assert.equal(anyMatch(regexes, url), key?.startsWith('mastodon ') ?? false, `regexes on ${url}`);
  }
  assert.ok(hostsOf(catalog).includes('mastodon.social'));
  assert.ok(!hostsOf(compileCatalog(builtin())).includes('mastodon.social'));
});

test('visit keys: variants of one URL share a key, different feeds and paths do not', () => {
  const catalog = compileCatalog(builtin());
  const groups = [
    [
      'https://www.reddit.com/r/golang',
      'https://www.reddit.com/r/golang/',
      'https://www.reddit.com/r/golang?sort=new',
      'https://www.reddit.com/r/golang/#top',
      'http://WWW.REDDIT.COM/R/GoLang//',
      'https://www.reddit.com:443//r/golang',
      'https://old.reddit.com/r/golang/',
    ],
    ['https://www.reddit.com/', 'https://www.reddit.com', 'https://www.reddit.com/?feed=home#x', 'https://reddit.com//'],
    ['https://news.ycombinator.com/news', 'https://news.ycombinator.com/news?p=2', 'https://news.ycombinator.com/NEWS/'],
    ['https://www.youtube.com/shorts/abc', 'https://m.youtube.com/shorts/ABC/?feature=share'],
    ['https://x.com/home', 'https://twitter.com/home?lang=en', 'https://x.com/home/#'],
  ];
  const seen = new Map();
  groups.forEach((group, gi) => {
    const keys = group.map((u) => matchUrl(catalog, u)?.key);
    for (const [i, k] of keys.entries()) assert.equal(k, keys[0], `${group[i]} vs ${group[0]}`);
    assert.ok(!seen.has(keys[0]), `groups ${seen.get(keys[0])} and ${gi} share ${keys[0]}`);
    seen.set(keys[0], gi);
  });
  const distinct = [
    'https://www.reddit.com/', 'https://www.reddit.com/r/golang', 'https://www.reddit.com/r/golang/new',
    'https://www.reddit.com/r/rust', 'https://www.youtube.com/', 'https://news.ycombinator.com/',
    'https://news.ycombinator.com/news', 'https://news.ycombinator.com/newest', 'https://www.facebook.com/',
    'https://www.facebook.com/home.php', 'https://www.youtube.com/shorts/a', 'https://www.youtube.com/shorts/b',
  ].map((u) => matchUrl(catalog, u).key);
  assert.equal(new Set(distinct).size, distinct.length, distinct.join(', '));
  assert.equal(matchUrl(catalog, 'https://old.reddit.com/R/Golang/?x#y').key, 'reddit /r/golang');
});

test('regex strings are identical to the Go ones in testdata/regexes.json', () => {
  assert.ok(REGEXES.length >= CATALOG.length);
  for (const { feed, regexes } of REGEXES) {
    assert.deepEqual(feedRegexes(feed), regexes, feed.id);
  }
  // The file covers the current catalog, so a catalog edit without -update fails here too.
  for (const [i, f] of CATALOG.entries()) {
    const entry = REGEXES[i];
    assert.equal(entry.feed.id, f.id);
    assert.deepEqual(entry.feed.hosts, f.hosts, f.id);
    assert.deepEqual(entry.feed.paths, f.paths, f.id);
  }
});

test('regexes are small, ASCII, anchored and free of lookaround', () => {
  for (const { feed, regexes } of REGEXES) {
    for (const re of regexes) {
      assert.ok(re.length < 2048, `${feed.id}: ${re.length} bytes`);
      assert.ok(re.startsWith('^https?://'), re);
      assert.ok(re.endsWith('(?:[?#].*)?$'), re);
      assert.ok(!/\(\?[=!<]/.test(re), `lookaround in ${re}`);
      assert.ok(/^[\x20-\x7e]*$/.test(re), `non-ASCII in ${re}`);
      assert.doesNotThrow(() => new RegExp(re, 'i'));
    }
  }
  for (const feed of builtin()) {
    for (const re of feedRegexes(feed)) assert.ok(regexCost(re) <= REGEX_BUDGET, `${feed.id}: cost ${regexCost(re)}: ${re}`);
  }
  assert.deepEqual(feedRegexes({ hosts: ['a.example'], paths: ['/', '/r/*', '/s/**'] }), [
    String.raw`^https?://a\.example(?::\d+)?/*(?:[?#].*)?$`,
    String.raw`^https?://a\.example(?::\d+)?/+r/+[^/?#]+/*(?:[?#].*)?$`,
    String.raw`^https?://a\.example(?::\d+)?/+s(?:/[^?#]*)?(?:[?#].*)?$`,
  ]);
  assert.deepEqual(
    feedRegexes({ hosts: ['reddit.com', 'www.reddit.com', 'm.reddit.com', 'other.example', 'x.co.uk', 'y.co.uk'], paths: ['/'] }),
    [
      String.raw`^https?://(?:(?:www|m)\.)?reddit\.com(?::\d+)?/*(?:[?#].*)?$`,
      String.raw`^https?://other\.example(?::\d+)?/*(?:[?#].*)?$`,
      String.raw`^https?://(?:x|y)\.co\.uk(?::\d+)?/*(?:[?#].*)?$`,
    ],
  );
  assert.deepEqual(feedRegexes({ id: 'm', paths: ['/'] }), []);
  assert.deepEqual(feedRegexes(null), []);
  assert.deepEqual(feedRegexes({ hosts: ['a.example'] }), []);
});

test('many hosts of one site are split over regexes that each fit the budget', () => {
  const hosts = [...Array.from({ length: 40 }, (_, i) => `instance-${String(i).padStart(2, '0')}.social.example`), 'social.example'];
  const regexes = feedRegexes({ hosts, paths: ['/', '/r/*/rising'] });
  assert.ok(regexes.length > 2, `${regexes.length} regexes`);
  for (const re of regexes) assert.ok(regexCost(re) <= REGEX_BUDGET, `cost ${regexCost(re)}: ${re}`);
  for (const h of [...hosts, 'instance-40.social.example', 'xsocial.example', 'social.example.evil']) {
    const want = hosts.includes(h);
    for (const u of [`https://${h}/`, `https://${h}/r/golang/rising?x`]) assert.equal(anyMatch(regexes, u), want, u);
  }
});

test('normalizePath', () => {
  const cases = {
    '': '/', '/': '/', '//': '/', '///': '/', '/R/Golang//': '/r/golang', '/r/golang': '/r/golang',
    'r/golang/': '/r/golang', '//a//b//c': '/a/b/c', '/%C3%A9': '/%c3%a9', '/Shorts/AbC': '/shorts/abc',
    '/home.php': '/home.php', '/feed/': '/feed', '/a/b/': '/a/b', '/MiXeD//Case/': '/mixed/case',
  };
  for (const [input, want] of Object.entries(cases)) assert.equal(normalizePath(input), want, input);
});

test('disabled feeds do not match and their hosts are not listed', () => {
  const feeds = builtin().map((f) => (f.id === 'reddit' ? { ...f, enabled: false } : f));
  const catalog = compileCatalog(feeds);
  assert.equal(matchUrl(catalog, 'https://www.reddit.com/'), null);
  assert.equal(matchUrl(catalog, 'https://www.youtube.com/').feedId, 'youtube');
  assert.ok(!hostsOf(catalog).includes('www.reddit.com'));
  assert.ok(hostsOf(catalog).includes('www.youtube.com'));
});

test('compileCatalog tolerates missing and odd fields', () => {
  const catalog = compileCatalog([
    null,
    'reddit',
    { name: 'no id', hosts: ['noid.example'], paths: ['/'] },
    { id: 'nohosts', paths: ['/'] },
    { id: 'nopaths', hosts: ['nopaths.example'] },
    { id: 'bad', hosts: ['Bad.Example', 7, ''], paths: ['/**/x', 3, '/Ok/'] },
    { id: 'a', name: 'A', hosts: ['shared.example'], paths: ['/x'] },
    { id: 'b', name: 'B', hosts: ['shared.example'], paths: ['/', '/x', '/y/**'] },
  ]);
  assert.deepEqual(hostsOf(catalog), ['bad.example', 'nopaths.example', 'shared.example']);
  assert.equal(matchUrl(catalog, 'https://noid.example/'), null);
  assert.equal(matchUrl(catalog, 'https://nopaths.example/'), null);
  assert.equal(matchUrl(catalog, 'https://bad.example/x'), null);
  assert.deepEqual(matchUrl(catalog, 'https://bad.example/ok'), { feedId: 'bad', name: 'bad', key: 'bad /ok' });
  // When two feeds share a host, the earlier one wins.
  assert.equal(matchUrl(catalog, 'https://shared.example/x').key, 'a /x');
  assert.equal(matchUrl(catalog, 'https://shared.example/').key, 'b /');
  assert.equal(matchUrl(catalog, 'https://shared.example/y/z').key, 'b /y/z');
  for (const junk of [undefined, null, {}, 'x']) {
    const c = compileCatalog(junk);
    assert.deepEqual(hostsOf(c), []);
    assert.equal(matchUrl(c, 'https://www.reddit.com/'), null);
  }
  assert.deepEqual(hostsOf(null), []);
});

test('hostsOf is sorted and unique', () => {
  const hosts = hostsOf(compileCatalog(builtin()));
  assert.deepEqual(hosts, [...new Set(hosts)].sort());
  assert.equal(hosts.length, CATALOG.reduce((n, f) => n + f.hosts.length, 0));
  assert.ok(hosts.includes('news.ycombinator.com'));
});
