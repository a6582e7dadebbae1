// Maildir storage (qmail/Courier maildir(5)): delivery, listing, flags.
export * from './unique.ts';
export * from './delivery.ts';
export * from './info.ts';
export * from './store.ts';
export * from './summary.ts';
export * from './listing.ts';
export * from './delivery-sync.ts';
export * from './watch.ts';
export * from './read.ts';
