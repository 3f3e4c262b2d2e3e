// The round: wait, handle every ready descriptor within its budget, hand the batch of records
// to JavaScript in one call, apply the ops it staged. Also the inbox's messages (drained at the
// start of a round) and the stop.
#include "reactor.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace nevio {

namespace {

// writev accepts at most IOV_MAX (1024 on Linux and macOS) chunks; a batch rarely stages more
// than a few per connection, and a longer run of writes simply becomes several sends.
constexpr int kMaxChunks = 64;

}  // namespace

Reactor::Reactor(const ReactorOptions& options, const SharedMemory& shared, Dispatcher* dispatcher)
    : options_(options), shared_(shared), dispatcher_(dispatcher), inbox_(Inbox::Open(&poller_)) {}

Reactor::~Reactor() {
  ReleaseTls();
  // First, while the poller still exists: no other thread can post or wake from here on.
  std::vector<Message> leftover;
  inbox_->Close(&leftover);
  for (Message& m : leftover) {
    if (m.kind == Message::Kind::kAdopt) close(m.fd);
  }
  connections_.ForEach([](Connection* c) { close(c->fd()); });
}

int Reactor::Open(const char** failed) {
  int rc = poller_.Open(options_.backend);
  if (rc < 0) {
    *failed = poller_.FailedCall();
    return rc;
  }
  acceptor_.Open();
  return 0;
}

void Reactor::SetHandle(int fd, Handle handle) {
  if (static_cast<size_t>(fd) >= handles_.size()) handles_.resize(fd + 1);
  handles_[fd] = handle;
}

void Reactor::Emit(const Record& record) {
  // While JavaScript walks `records`, or when the array is full, records wait their turn.
  if (dispatching_ || record_count_ == shared_.max_records) {
    deferred_.push_back(record);
  } else {
    shared_.records[record_count_++] = record;
  }
  // Outside a round (a write or close made from JavaScript), the next round delivers it.
  if (!in_round_) poller_.Wake();
}

void Reactor::Flush() {
  while (record_count_ > 0) {
    int count = record_count_;
    dispatching_ = true;
    int ops = dispatcher_->Dispatch(count);
    if (ops > 0) ApplyOps(ops);
    SettleConsumption(count);
    dispatching_ = false;
    record_count_ = 0;
    read_offset_ = 0;
    size_t take = std::min(deferred_.size(), static_cast<size_t>(shared_.max_records));
    std::copy(deferred_.begin(), deferred_.begin() + take, shared_.records);
    deferred_.erase(deferred_.begin(), deferred_.begin() + take);
    record_count_ = static_cast<int>(take);
    if (stop_pending_) {
      stop_pending_ = false;
      Stop();
    }
  }
}

bool Reactor::EnsureReadSpace(size_t want) {
  if (read_offset_ + want <= shared_.read_buffer_size) return false;
  // The batch so far fills the read buffer: hand it to JavaScript now and start over.
  Flush();
  return true;
}

void Reactor::RunOnce() {
  PollEvent events[kPollBatch];
  in_round_ = true;
  round_++;
  int n = poller_.Wait(events, kPollBatch, 0);
  if (n < 0) {
    Emit({kRecordError, -1, -n, kCallWait});
    n = 0;
  }
  for (int i = 0; i < n; i++) {
    int fd = events[i].fd;
    if (fd == kWakeFd) {
      DrainInbox();
      continue;
    }
    if (fd < 0 || static_cast<size_t>(fd) >= handles_.size()) continue;
    Handle handle = handles_[fd];
    if (handle.owner == Owner::kListener) {
      if (acceptor_.datagram(handle.index)) {
        ReceiveDatagrams(handle.index);
      } else {
        AcceptAll(handle.index);
      }
    } else if (handle.owner == Owner::kConnection) {
      HandleConnection(connections_.AtSlot(handle.index), events[i].mask);
    }
  }
  Flush();
  int rc = poller_.EndRound();
  // The record is delivered by the next round, which the wake-up below makes sure comes.
  in_round_ = false;
  if (rc < 0) Emit({kRecordError, -1, -rc, kCallWait});
}

void Reactor::ApplyOps(int count) {
  struct iovec chunks[kMaxChunks];
  for (int i = 0; i < count;) {
    const Record& op = shared_.ops[i];
    Connection* c = Find(op.id);
    if (op.kind == kOpWrite) {
      // Consecutive writes to one connection go out in one writev. A write outside the stage
      // buffer (a bug in JavaScript) is skipped rather than read out of bounds.
      int n = 0;
      for (; i < count && n < kMaxChunks && shared_.ops[i].kind == kOpWrite && shared_.ops[i].id == op.id; i++) {
        const Record& w = shared_.ops[i];
        if (w.a < 0 || w.b < 0 || static_cast<size_t>(w.a) + static_cast<size_t>(w.b) > shared_.stage_size) continue;
        chunks[n].iov_base = const_cast<uint8_t*>(shared_.stage + w.a);
        chunks[n].iov_len = static_cast<size_t>(w.b);
        n++;
      }
      if (n > 0 && c != nullptr && !c->closing && !c->close_write && !c->opening()) Send(c, chunks, n);
      continue;
    }
    i++;
    // JavaScript learns a dialed connection's id only when it opens: an op for one still
    // connecting is stale.
    if (c == nullptr || c->opening()) continue;
    if (op.kind == kOpClose) {
      c->closing = true;
      FinishIfDrained(c);
    } else if (op.kind == kOpConsume) {
      c->SetConsumed(static_cast<uint32_t>(op.a));
    } else if (op.kind == kOpCloseWrite && !c->closing) {
      c->close_write = true;
      FinishIfDrained(c);
    }
  }
}

void Reactor::SettleConsumption(int count) {
  for (int i = 0; i < count; i++) {
    const Record& r = shared_.records[i];
    if (r.kind != kRecordData && r.kind != kRecordInbound && r.kind != kRecordWake) continue;
    Connection* c = Find(r.id);
    if (c != nullptr) c->Settle(shared_.read_buffer);
  }
}

void Reactor::DrainInbox() {
  std::vector<Message> messages;
  inbox_->Drain(&messages);
  for (Message& m : messages) {
    switch (m.kind) {
      case Message::Kind::kAdopt:
        if (stopping_) {
          close(m.fd);
          inbox_->live().fetch_sub(1, std::memory_order_relaxed);
        } else {
          Adopt(m.fd, m.listener, true);
        }
        break;
      case Message::Kind::kWrite:
        Write(m.id, m.bytes.data(), m.bytes.size());
        break;
      case Message::Kind::kClose:
        Close(m.id);
        break;
      case Message::Kind::kWake: {
        Connection* c = Find(m.id);
        // Already presented this round (read before the wake was seen): that react covers it.
        if (c == nullptr || c->closing || c->opening() || c->presented()) break;
        c->PresentInbound();
        Emit({kRecordWake, m.id, 0, static_cast<int32_t>(c->presented_length())});
        break;
      }
    }
  }
}

void Reactor::Wake(int32_t id) { Inbox::Post(InboxId(), {Message::Kind::kWake, id, -1, 0, {}}); }

void Reactor::SetBalancer(const std::vector<int32_t>& targets, Balance balance) {
  balancer_ = targets.size() > 1 ? Balancer::Make(balance, targets, &Inbox::Load) : nullptr;
}

void Reactor::EmitStoppedIfDone() {
  if (stopping_ && ConnectionCount() == 0 && half_closed_count_ == 0 && !stopped_emitted_) {
    stopped_emitted_ = true;
    Emit({kRecordStopped, 0, 0, 0});
  }
}

void Reactor::Stop() {
  if (dispatching_) {
    // Ops staged earlier in this batch would be refused by closing connections.
    stop_pending_ = true;
    return;
  }
  stopping_ = true;
  CloseListeners();
  connections_.ForEach([this](Connection* c) {
    if (c->opening()) {
      Destroy(c, ECANCELED, kCallConnect);  // the application has nothing on it: nothing to drain
      return;
    }
    c->closing = true;
    FinishIfDrained(c);
  });
  EmitStoppedIfDone();
}

void Reactor::CloseAll() {
  connections_.ForEach([this](Connection* c) { Destroy(c, 0, kCallNone); });
}

}  // namespace nevio
