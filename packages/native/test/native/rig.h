// The test side of a reactor, for the unit tests that drive one over real sockets: the
// shared memory JavaScript would own, a Dispatcher that records each batch, and helpers to
// stage write ops.
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "check.h"
#include "reactor.h"

namespace nevio {

// The JavaScript side, played by the test: records what each batch brought, stages nothing.
struct Recorder : Dispatcher {
  std::vector<std::vector<Record>> batches;
  Record* records = nullptr;
  int Dispatch(int count) override {
    batches.emplace_back(records, records + count);
    return 0;
  }
  // The tests call ExpireLingering themselves when they need it.
  void ScheduleExpiry(int64_t delay_ms) override { expiry_requests.push_back(delay_ms); }
  std::vector<int64_t> expiry_requests;
};

struct Rig {
  std::vector<Record> records = std::vector<Record>(kMaxRecords);
  std::vector<Record> ops = std::vector<Record>(kMaxOps);
  std::vector<uint8_t> read_buffer = std::vector<uint8_t>(kReadBufferSize);
  std::vector<uint8_t> stage = std::vector<uint8_t>(kStageSize);
  Recorder recorder;
  std::unique_ptr<Reactor> reactor;
  size_t staged = 0;
  int op_count = 0;

  // NEVIO_BACKEND=io_uring runs every reactor test on the io_uring poller (run-tests.js does).
  static ReactorOptions WithBackend(ReactorOptions options) {
    const char* backend = std::getenv("NEVIO_BACKEND");
    if (backend != nullptr && std::strcmp(backend, "io_uring") == 0) options.backend = Backend::kIoUring;
    return options;
  }

  explicit Rig(const ReactorOptions& given = {}) {
    ReactorOptions options = WithBackend(given);
    recorder.records = records.data();
    SharedMemory shared{records.data(), kMaxRecords, ops.data(), kMaxOps, read_buffer.data(), kReadBufferSize,
                        stage.data(), kStageSize};
    reactor = std::make_unique<Reactor>(options, shared, &recorder);
    const char* failed = "";
    if (reactor->Open(&failed) != 0) check::Fail(__FILE__, __LINE__, failed);
  }

  // Hands the reactor one end of a new socket pair (as a loop that accepted it would) and
  // returns the other end and the connection's id.
  int Adopt(int type, int32_t* id) {
    int sv[2];
    if (socketpair(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0) check::Fail(__FILE__, __LINE__, "socketpair");
    CHECK(Inbox::Post(reactor->InboxId(), {Message::Kind::kAdopt, 0, sv[0], 0, {}}));
    size_t before = recorder.batches.size();
    reactor->RunOnce();
    CHECK_EQ(recorder.batches.size(), before + 1);
    const Record& open = recorder.batches.back().back();
    CHECK_EQ(open.kind, kRecordOpen);
    *id = open.id;
    return sv[1];
  }

  void StageWrite(int32_t id, const std::string& text) {
    std::memcpy(stage.data() + staged, text.data(), text.size());
    ops[op_count++] = {kOpWrite, id, static_cast<int32_t>(staged), static_cast<int32_t>(text.size())};
    staged += text.size();
  }

  void Apply() {
    reactor->ApplyOps(op_count);
    op_count = 0;
    staged = 0;
  }
};

}  // namespace nevio
