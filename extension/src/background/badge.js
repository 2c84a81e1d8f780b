// The toolbar badge mirrors the connection status.

import { badgeFor } from '../shared/status.js';

export async function showBadge(action, status) {
  if (!action) return;
  const { text, color } = badgeFor(status);
  await action.setBadgeText({ text });
  if (text) await action.setBadgeBackgroundColor({ color });
}
