-- How a browser was paired: 'code' (the user approved a 6-digit code) or
-- 'native' (the extension asked mindful's native-messaging host, which only
-- the browser can start and only for mindful's own extension).
ALTER TABLE clients ADD COLUMN paired_via TEXT NOT NULL DEFAULT 'code';
