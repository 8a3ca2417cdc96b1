-- The operators' room history (rooms/room-store.ts roomHistory): newest first, of all rooms or of one project.
CREATE INDEX rooms_created ON rooms (created_at);
CREATE INDEX rooms_project_created ON rooms (project_id, created_at);
