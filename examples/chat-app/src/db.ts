// The database handle the app shares (bun:sqlite through drizzle).
import { Database } from "bun:sqlite";
import { drizzle } from "drizzle-orm/bun-sqlite";

export const db = drizzle(new Database("chat.db"));
