// The chat app's drizzle schema, as the build that shipped before the `seq`
// migration knew it: session_message has no `seq` column here.
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const SessionTable = sqliteTable("session", {
  id: text("id").primaryKey(),
  title: text("title").notNull(),
  time_created: integer("time_created").notNull(),
});

export const SessionMessageTable = sqliteTable("session_message", {
  id: text("id").primaryKey(),
  session_id: text("session_id")
    .notNull()
    .references(() => SessionTable.id, { onDelete: "cascade" }),
  type: text("type").notNull(),
  time_created: integer("time_created").notNull(),
  data: text("data", { mode: "json" }).notNull(),
});
