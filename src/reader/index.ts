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
export { type DateGranularity, type ResolvedDate, type ResolvedText, resolveRelativeDates } from "./dates.js";
export { chunkDocument, type DocChunk, readDocument } from "./document.js";
export { FastMemReader } from "./fast-reader.js";
export {
  type FineFallback,
  FineMemReader,
  type FineReaderOptions,
  type FineReaderStats,
  type FineReadReport,
  type FineUpgrade,
} from "./fine-reader.js";
export {
  checkMessageSize,
  checkRequestSize,
  MAX_MESSAGE_BYTES,
  MAX_REQUEST_BYTES,
  SEGMENT_SLICE_CHARS,
} from "./limits.js";
export { htmlToMarkdown } from "./parsers/html.js";
export {
  documentFormatOf,
  type LoadedDocument,
  loadDocumentBytes,
  loadDocumentFile,
  PAGE_BREAK,
} from "./parsers/load.js";
export { extractPdfPages, type PdfPage } from "./parsers/pdf.js";
export {
  boundedSlices,
  firstWords,
  formatClock,
  formatStamp,
  splitSentences,
  splitToBudget,
  splitToFit,
} from "./text.js";
export { countTokens, decodeTokens, encodeTokens } from "./tokens.js";
export {
  DEFAULT_OVERLAP_TOKENS,
  DEFAULT_WINDOW_TOKENS,
  type DocumentFormat,
  type DocumentReadOptions,
  type FastReaderOptions,
  type MemReader,
  type ReadContext,
} from "./types.js";
