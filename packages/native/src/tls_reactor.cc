// The reactor's TLS step: a TLS connection's reads, writes, close_notify, handshake deadline and
// failures. It runs in the same round as plain connections, with the same budgets and batching:
// the handshake's messages are answered inline, `open` is emitted in the round the handshake
// completes (so `opened` runs in that round's one JavaScript call), and decrypted bytes are
// presented like plain ones. No OpenSSL here: sessions are TlsSession (tls.h).
#include <cerrno>
#include <string>

#include "reactor.h"

namespace nevio {

namespace {

// Failure notes waiting for JavaScript to take them (one per failed connection, taken in the
// batch that reports the close); the bound only matters if a batch is never dispatched.
constexpr size_t kMaxTlsNotes = 1024;
// The scratch buffer is kept between calls up to this size; a 16 MiB write's is given back.
constexpr size_t kKeptScratch = 1 << 20;

}  // namespace

// --- TlsOutput ---

void TlsOutput::Put(const uint8_t* bytes, size_t length) {
  if (connection_ == nullptr || error_ != 0) return;
  scratch_.insert(scratch_.end(), bytes, bytes + length);
  if (scratch_.size() >= kFlushAt) Drain();
}

void TlsOutput::Drain() {
  struct iovec chunk = {scratch_.data(), scratch_.size()};
  int rc = connection_->Send(&chunk, 1);
  if (rc < 0) error_ = rc;
  scratch_.clear();
}

int TlsOutput::Finish() {
  if (connection_ != nullptr && error_ == 0 && !scratch_.empty()) Drain();
  scratch_.clear();
  if (scratch_.capacity() > kKeptScratch) std::vector<uint8_t>().swap(scratch_);
  connection_ = nullptr;
  return error_;
}

// --- The reactor's TLS step ---

void Reactor::SetListenerTls(int listener, TlsEndpoint* endpoint) {
  if (listener < 0) return;
  if (static_cast<size_t>(listener) >= listener_tls_.size()) listener_tls_.resize(listener + 1, nullptr);
  if (endpoint != nullptr) endpoint->Ref();
  if (listener_tls_[listener] != nullptr) listener_tls_[listener]->Unref();
  listener_tls_[listener] = endpoint;
}

TlsEndpoint* Reactor::ListenerTls(int listener) const {
  return listener >= 0 && static_cast<size_t>(listener) < listener_tls_.size() ? listener_tls_[listener] : nullptr;
}

void Reactor::ReleaseTls() {
  for (TlsEndpoint* endpoint : listener_tls_) {
    if (endpoint != nullptr) endpoint->Unref();
  }
  listener_tls_.clear();
}

bool Reactor::BeginTls(Connection* c, TlsEndpoint* endpoint, const std::string& servername) {
  c->tls = endpoint->NewSession(&tls_output_, servername);
  if (c->tls == nullptr) {
    Destroy(c, ENOMEM, kCallTls);
    return false;
  }
  // A dial's handshake starts when its connect ends (StartClientTls).
  if (endpoint->server()) WatchHandshake(c);
  return true;
}

void Reactor::WatchHandshake(Connection* c) {
  int64_t deadline = NowMs() + c->tls->handshake_timeout_ms();
  handshakes_.push({deadline, c->id()});
  WantExpiry(deadline);
}

bool Reactor::SecureDial(int32_t id, TlsEndpoint* endpoint, const std::string& servername) {
  Connection* c = Find(id);
  if (c == nullptr || !c->connecting || c->tls != nullptr || endpoint->server()) return false;
  return BeginTls(c, endpoint, servername);
}

void Reactor::StartClientTls(Connection* c) {
  WatchHandshake(c);
  tls_output_.Begin(c);
  bool ok = c->tls->Start();
  int sent = tls_output_.Finish();
  if (!ok) {
    FailTls(c, 0, c->tls->Failure());
    return;
  }
  if (sent < 0) {
    Destroy(c, -sent, kCallWrite);
    return;
  }
  UpdateInterest(c);
}

void Reactor::ReadTls(Connection* c) {
  int32_t id = c->id();
  // Decryption never yields more than the ciphertext read plus what the session had buffered.
  size_t room = options_.read_chunk + kTlsReadSlack;
  if (c->in().empty() && EnsureReadSpace(room)) {
    c = Find(id);
    if (c == nullptr || c->closing || c->paused || c->held) return;
  }
  c->round = round_;
  bool shared = c->in().empty();
  if (!shared && c->in().size() + room > options_.max_inbound) {
    Destroy(c, ENOBUFS, kCallRead);
    return;
  }
  if (tls_cipher_.size() < options_.read_chunk) tls_cipher_.resize(options_.read_chunk);
  ssize_t n = c->Read(tls_cipher_.data(), options_.read_chunk);
  if (n < 0 && WouldBlock(n)) return;
  if (n <= 0) {
    TlsStreamEnded(c, n == 0 ? 0 : static_cast<int>(-n));
    return;
  }
  uint8_t* target = shared ? shared_.read_buffer + read_offset_ : c->in().Reserve(room);
  bool opened = false;
  bool peer_closed = false;
  tls_output_.Begin(c);
  ssize_t produced = c->tls->Receive(tls_cipher_.data(), static_cast<size_t>(n), target, room, &opened, &peer_closed);
  // Handshake messages, alerts, tickets: they go out before anything else happens to c.
  int sent = tls_output_.Finish();
  if (produced < 0) {
    FailTls(c, 0, c->tls->Failure());
    return;
  }
  if (sent < 0) {
    Destroy(c, -sent, kCallWrite);
    return;
  }
  if (opened) Emit({kRecordOpen, id, c->listener(), 0});
  if (produced > 0) {
    if (shared) {
      c->PresentShared(static_cast<uint32_t>(read_offset_), static_cast<uint32_t>(produced));
      Emit({kRecordData, id, static_cast<int32_t>(read_offset_), static_cast<int32_t>(produced)});
      read_offset_ += static_cast<size_t>(produced);
    } else {
      c->in().Commit(static_cast<size_t>(produced));
      c->PresentInbound();
      Emit({kRecordInbound, id, 0, static_cast<int32_t>(c->presented_length())});
    }
  }
  if (peer_closed) {
    // close_notify: the peer's stream ended, as with FIN on a plain connection.
    PeerFinished(c);
    return;
  }
  if (!c->out().empty()) UpdateInterest(c);
}

void Reactor::TlsStreamEnded(Connection* c, int err) {
  if (c->tls->handshaking()) {
    if (!c->tls->received_any() && err == 0) {
      Destroy(c, 0, kCallNone);  // connected and left without a byte: a probe, not a TLS client
      return;
    }
    // The reasons below are phrased like OpenSSL's own (its "unexpected eof while reading" is
    // what a truncated stream reports), so JavaScript derives codes from all of them alike.
    FailTls(c, err, {err != 0 ? "connection reset during handshake" : "unexpected eof during handshake", ""});
    return;
  }
  if (c->tls->MidRecord()) {
    FailTls(c, err, {err != 0 ? "connection reset while reading" : "unexpected eof while reading", ""});
    return;
  }
  if (err != 0) {
    Destroy(c, err, kCallRead);
    return;
  }
  PeerFinished(c);
}

bool Reactor::SendTls(Connection* c, const struct iovec* chunks, int count) {
  tls_output_.Begin(c);
  bool ok = c->tls->Send(chunks, count);
  int sent = tls_output_.Finish();
  if (!ok) {
    FailTls(c, 0, c->tls->Failure());
    return false;
  }
  if (sent < 0) {
    Destroy(c, -sent, kCallWrite);
    return false;
  }
  if (!c->out().empty()) UpdateInterest(c);
  return true;
}

bool Reactor::NotifyTls(Connection* c) {
  if (c->tls->notified() || c->tls->handshaking()) return true;
  tls_output_.Begin(c);
  c->tls->Notify();
  int sent = tls_output_.Finish();
  if (sent < 0) {
    Destroy(c, -sent, kCallWrite);
    return false;
  }
  return true;
}

void Reactor::FailTls(Connection* c, int err, const TlsFailure& failure) {
  TlsNote note{c->id(), failure, {}};
  const char* ignored;
  PeerEndpoint(c->fd(), &note.peer, &ignored);
  if (tls_failures_.size() >= kMaxTlsNotes) tls_failures_.pop_front();
  tls_failures_.push_back(std::move(note));
  // JavaScript tells the cases apart: a dial still pending rejects, an accepted connection that
  // never opened is reported to the `error` event, an open one gets the error in `closed`.
  Destroy(c, err != 0 ? err : EPROTO, kCallTls);
}

bool Reactor::TakeTlsFailure(int32_t id, TlsNote* out) {
  for (auto it = tls_failures_.begin(); it != tls_failures_.end(); ++it) {
    if (it->id != id) continue;
    *out = std::move(*it);
    tls_failures_.erase(it);
    return true;
  }
  return false;
}

void Reactor::ExpireHandshakes(int64_t now) {
  while (!handshakes_.empty() && handshakes_.top().deadline <= now) {
    Deadline expired = handshakes_.top();
    handshakes_.pop();
    Connection* c = Find(expired.id);
    if (c == nullptr || c->tls == nullptr || !c->tls->handshaking() || c->connecting) continue;
    FailTls(c, ETIMEDOUT, {"handshake timeout", ""});
  }
}

int64_t Reactor::NextHandshakeDeadline() const { return handshakes_.empty() ? -1 : handshakes_.top().deadline; }

}  // namespace nevio
