// Generated from daemon/internal/feeds/catalog.json by
// `go test ./daemon/internal/feeds/ -run TestBuiltinCatalogModule -update`: do not edit.
// The built-in feeds as the daemon's state lists them, used until the first
// state arrives, so that a browser that never reached mindful still asks.

export const BUILTIN_FEEDS = Object.freeze([
  Object.freeze({"id":"facebook","name":"Facebook","hosts":["facebook.com","www.facebook.com","m.facebook.com","web.facebook.com"],"paths":["/","/home.php"],"enabled":true}),
  Object.freeze({"id":"instagram","name":"Instagram","hosts":["instagram.com","www.instagram.com","m.instagram.com"],"paths":["/","/explore","/reels/**"],"enabled":true}),
  Object.freeze({"id":"x","name":"X (Twitter)","hosts":["x.com","www.x.com","mobile.x.com","twitter.com","www.twitter.com","mobile.twitter.com"],"paths":["/home","/explore"],"enabled":true}),
  Object.freeze({"id":"reddit","name":"Reddit","hosts":["reddit.com","www.reddit.com","old.reddit.com","new.reddit.com","m.reddit.com","np.reddit.com"],"paths":["/","/best","/hot","/new","/top","/rising","/r/popular/**","/r/all/**","/r/*","/r/*/hot","/r/*/new","/r/*/top","/r/*/rising"],"enabled":true}),
  Object.freeze({"id":"linkedin","name":"LinkedIn","hosts":["linkedin.com","www.linkedin.com"],"paths":["/feed"],"enabled":true}),
  Object.freeze({"id":"youtube","name":"YouTube","hosts":["youtube.com","www.youtube.com","m.youtube.com"],"paths":["/","/shorts/**","/feed/trending"],"enabled":true}),
  Object.freeze({"id":"tiktok","name":"TikTok","hosts":["tiktok.com","www.tiktok.com","m.tiktok.com"],"paths":["/","/foryou","/explore"],"enabled":true}),
  Object.freeze({"id":"pinterest","name":"Pinterest","hosts":["pinterest.com","www.pinterest.com"],"paths":["/"],"enabled":true}),
  Object.freeze({"id":"threads","name":"Threads","hosts":["threads.net","www.threads.net","threads.com","www.threads.com"],"paths":["/"],"enabled":true}),
  Object.freeze({"id":"bluesky","name":"Bluesky","hosts":["bsky.app"],"paths":["/"],"enabled":true}),
  Object.freeze({"id":"mastodon","name":"Mastodon","hosts":[],"paths":["/home","/public","/public/local"],"enabled":true}),
  Object.freeze({"id":"hackernews","name":"Hacker News","hosts":["news.ycombinator.com"],"paths":["/","/news","/newest"],"enabled":true}),
]);
