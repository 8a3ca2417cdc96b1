-- Standby rooms: sandboxes started ahead of demand for one member (their own home, data mount and
-- fresh token), handed over when that member starts a room. Never reachable before the hand-over.
ALTER TABLE rooms DROP CONSTRAINT rooms_wanted_check;
ALTER TABLE rooms ADD CONSTRAINT rooms_wanted_check CHECK (wanted IN ('running', 'stopped', 'standby'));
-- The data folder the runtime was given, so a standby made before a new data copy is recycled.
ALTER TABLE rooms ADD COLUMN data_dir text;
