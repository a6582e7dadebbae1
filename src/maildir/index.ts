// Maildir storage (qmail/Courier maildir(5)): delivery, listing, flags.
export { escapeMaildirHost, uniqueName, type UniqueNameOptions } from './unique.ts';
export { MAILDIR_SUBDIRS, initMaildir, isMaildir, beginDelivery, syncDirShared, syncDir, type DeliveryOptions, type Delivery } from './delivery.ts';
export {
  INFO_SEPARATOR, STANDARD_FLAGS, parseFileName, normalizeFlags, fileNameWithFlags, applyFlagChanges, type StandardFlag, type ParsedFileName,
} from './info.ts';
export {
  listFolder, listFolderBatches, listMaildir, findMessage, commitMessage, changeFlags, removeMessage, openMessage, type Folder, type MaildirEntry,
  type FindResult,
} from './store.ts';
export { readHeaderSummary, readHeaderSummarySync, type HeaderSummary } from './summary.ts';
export { summarizeMaildir, summarizeMaildirBatches, countMessages, type MessageSummary } from './listing.ts';
export { beginDeliverySync, syncDirSync, type SyncDeliveryOptions, type SyncDelivery } from './delivery-sync.ts';
export { watchMaildir, type MaildirChange, type MaildirWatcher, type WatchOptions } from './watch.ts';
export { READ_CHUNK, openMessageFile, openMessageAsync, folderFileNames, type MessageFile, type OpenedMessage } from './read.ts';
