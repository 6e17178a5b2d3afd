// mail_loader.h: reads the mail sections of the config: [mail] (size caps,
// charsets, the subject tag, the reopen window) and [[mailbox]] (the IMAP
// folders to poll). Errors are added to the shared ConfigErrors, with places.
// Used only by the loader; not thread-safe.
#pragma once

#include "config/config.h"
#include "config/table_reader.h"

namespace frontdesk {

void ReadMail(TableReader& root, Config& config, ConfigErrors& errors);
// Needs the queues read first: a mailbox may name its queue.
void ReadMailboxes(TableReader& root, Config& config, ConfigErrors& errors);
void ReadSmtp(TableReader& root, Config& config, ConfigErrors& errors);
// [csat], the satisfaction survey.
void ReadCsat(TableReader& root, Config& config, ConfigErrors& errors);

}  // namespace frontdesk
