-- A roster an administrator sent to the bot in Telegram (issue 13): the file waits,
-- checked, under the data directory's files/ until they press 导入 or 取消 (or it
-- expires); the row says who sent it and where it is, so a forged, late or repeated
-- press is refused, and two presses at once import it once (the state moves once).
CREATE TABLE roster_uploads (
    id          INTEGER PRIMARY KEY,
    token       TEXT    NOT NULL UNIQUE,  -- in the buttons' data
    user_id     INTEGER NOT NULL,         -- the administrator who sent it
    file_id     TEXT    NOT NULL,         -- Telegram's, to download it
    file_name   TEXT    NOT NULL,         -- as sent (shown in problems)
    suffix      TEXT    NOT NULL,         -- xlsx | zip
    received_at TEXT    NOT NULL,
    -- checking -> ready | refused; ready -> importing -> done; ready -> cancelled | expired
    state       TEXT    NOT NULL DEFAULT 'checking'
);
