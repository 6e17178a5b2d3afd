#include "daemon/outbox/queue.h"

#include "daemon/base/random.h"
#include "daemon/mail/signature.h"
#include "daemon/store/secret_store.h"

namespace frontdesk {

Result<int64_t> QueueMail(Store& store, const OutboxMail& mail) {
  Result<std::string> secret = SecretStore(store).GetOrCreate(kMailSecret, mail.now);
  if (!secret.ok()) return secret.status();
  return OutboxStore(store).Insert(mail, SignMessageId(*secret, mail.ticket_id, RandomToken(9)));
}

Status QueueMails(Store& store, const std::vector<OutboxMail>& mails) {
  if (mails.empty()) return Status::Ok();
  Result<std::string> secret = SecretStore(store).GetOrCreate(kMailSecret, mails.front().now);
  if (!secret.ok()) return secret.status();
  std::vector<std::string> message_ids;
  message_ids.reserve(mails.size());
  for (const OutboxMail& m : mails) message_ids.push_back(SignMessageId(*secret, m.ticket_id, RandomToken(9)));
  Result<std::vector<int64_t>> ids = OutboxStore(store).InsertMany(mails, message_ids);
  return ids.ok() ? Status::Ok() : ids.status();
}

}  // namespace frontdesk
