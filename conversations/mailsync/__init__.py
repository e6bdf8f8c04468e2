"""Per-user mailbox sync: Gmail (`gmail`: history from a stored historyId, a full pass first)
and Microsoft 365 (`graph`: message delta per folder). Each message is fetched whole (RFC 822)
and handed to the inbound e-mail path (`sink.message_ingest`), which threads, matches and
stores it once however often it arrives; the cursor is saved after every page, so an
interrupted run resumes where it stopped."""
