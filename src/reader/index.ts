export {
  CHAT_FILE_HINT,
  ChatMessage,
  type ChatMessageInput,
  type ChatSession,
  decodeUtf8Strict,
  parseChatFile,
  parseChatSessions,
  validateChatMessages,
} from "./chat-schema.js";
export { MIN_WINDOW_TOKENS, type ResolvedSizes } from "./common.js";
export { chunkDocument, type DocChunk, readDocument } from "./document.js";
export { FastMemReader } from "./fast-reader.js";
export { firstWords, formatClock, formatStamp, splitSentences, splitToBudget, splitToFit } from "./text.js";
export { countTokens, decodeTokens, encodeTokens } from "./tokens.js";
export {
  DEFAULT_OVERLAP_TOKENS,
  DEFAULT_WINDOW_TOKENS,
  type DocumentReadOptions,
  type FastReaderOptions,
  type MemReader,
  type ReadContext,
} from "./types.js";
