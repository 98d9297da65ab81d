-- A photo sent within minutes of /visit or /stay is that entry's picture (issue 12:
-- "a photo or a location optional"), by Telegram file id, as the location is.
ALTER TABLE cadre_days ADD COLUMN photo_file_id TEXT;
