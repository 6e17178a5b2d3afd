// mime_body.h: the body of a message GMime has parsed. Its text parts are
// read in the order they come, each multipart/alternative reduced to one
// version (the plain one when it has text), HTML read as text; every other
// part is an attachment, and a forwarded message stays whole, as an .eml
// file. A text part the sender named as a file is a file, unless it is the
// first text of the mail.
#pragma once

#include <gmime/gmime.h>

#include <string>
#include <vector>

#include "daemon/mail/mime.h"

namespace frontdesk {

struct MailBody {
  std::string text;  // LF line ends are left to the caller
  bool from_html = false;  // every part of the text was HTML
  std::vector<MailAttachment> attachments;
  bool is_dsn = false;  // a multipart/report of delivery status
  // GMime's own count of parts and nesting, a second guard beside the scan
  // of mime_limits.h; `over` when either passed the options' caps, and the
  // walk stopped there.
  int parts = 0;
  int depth = 0;
  bool over = false;
};

// Walks the tree under `top`; repairs and unreadable parts are noted in
// `problems`.
MailBody ReadBody(GMimeObject* top, const MailParseOptions& options, std::vector<std::string>& problems);

}  // namespace frontdesk
