-- Reasons are spelt one way, in snake_case, as the API's refusals always were: the room drivers'
-- failure words (`rootfs-missing`, `sandbox-exited`, …) stored before the change follow.
-- The audit log keeps what it recorded: its entries are hashed and signed as they were written.
UPDATE rooms SET failure_reason = replace(failure_reason, '-', '_') WHERE failure_reason LIKE '%-%';
-- Docker's own state words were stored as the reason; they now say whose state they are.
UPDATE rooms SET failure_reason = 'container_' || failure_reason WHERE failure_reason IN ('paused', 'removing');
