// A libFuzzer target for the mail parse path: every byte string must parse
// without a crash, a leak or undefined behaviour, into text that is valid
// UTF-8, and into JSON that serialises. packaging/fuzz.sh builds and runs it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "daemon/base/text.h"
#include "daemon/mail/dsn.h"
#include "daemon/mail/mime.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  frontdesk::ParsedMail m = frontdesk::ParseMail(raw);
  if (!frontdesk::IsValidUtf8(m.subject) || !frontdesk::IsValidUtf8(m.body_text) ||
      !frontdesk::IsValidUtf8(m.from.name) || !frontdesk::IsValidUtf8(m.from.address)) {
    std::abort();
  }
  for (const frontdesk::MailAttachment& a : m.attachments) {
    if (!frontdesk::IsValidUtf8(a.filename) || a.filename.empty()) std::abort();
  }
  std::string json = frontdesk::ParsedMailJson(m);
  if (json.empty() || !frontdesk::IsValidUtf8(json)) std::abort();
  (void)frontdesk::ReadDsn(m);
  (void)frontdesk::HtmlToText(raw);
  return 0;
}
