// Feed ids (docs/feeds.md): 1 to 32 characters a-z, 0-9 and '-'. The one
// definition in the extension; the daemon's is feeds.ValidID
// (daemon/internal/feeds), and both are tested against
// daemon/internal/feeds/testdata/feed_ids.json.

/** A feed id, unanchored, for building larger patterns. */
export const FEED_ID_PATTERN = '[a-z0-9-]{1,32}';
export const FEED_ID_RE = new RegExp(`^${FEED_ID_PATTERN}$`);

/** Whether x is a feed id. */
export const isFeedId = (x) => typeof x === 'string' && FEED_ID_RE.test(x);
