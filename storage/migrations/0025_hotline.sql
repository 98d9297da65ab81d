-- Contact cards (issue 13): a region's service hotline (乡镇服务热线), from the optional
-- hotline column of the roster's regions sheet. A household's card shows the nearest
-- region at or above its own that has one, else [cards] hotline.

ALTER TABLE regions ADD COLUMN hotline TEXT;
