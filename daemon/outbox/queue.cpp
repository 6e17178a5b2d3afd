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

}  // namespace frontdesk
