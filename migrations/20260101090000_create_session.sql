-- A chat application's first schema: sessions hold messages.
CREATE TABLE `session` (
	`id` text PRIMARY KEY,
	`title` text NOT NULL,
	`time_created` integer NOT NULL
);
