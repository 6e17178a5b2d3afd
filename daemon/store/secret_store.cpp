#include "daemon/store/secret_store.h"

#include <openssl/rand.h>

namespace frontdesk {

Result<std::string> SecretStore::Get(const std::string& name) {
  Result<Stmt> st = db_.Prepare("SELECT value FROM secrets WHERE name = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, name);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  return *row ? st->Text(0) : std::string();
}

Result<std::string> SecretStore::GetOrCreate(const std::string& name, Timestamp now) {
  Result<std::string> have = Get(name);
  if (!have.ok() || !have->empty()) return have;
  std::string bytes(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size())) != 1) {
    return Status::Internal("no randomness for a new secret");
  }
  Result<Stmt> st = db_.Prepare("INSERT INTO secrets(name, value, created_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
  if (!st.ok()) return st.status();
  st->Bind(1, name).BindBlob(2, bytes).Bind(3, ToUnix(now));
  Status s = st->Run();
  if (!s.ok()) return s;
  return Get(name);
}

}  // namespace frontdesk
