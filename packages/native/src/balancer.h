// How a reactor that accepts spreads connections over the reactors of its group (gnet's
// load balancers): one class per algorithm behind one interface. Targets are reactor ids (see
// inbox.h); the accepting reactor may be among them.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace nevio {

// The values JavaScript passes to setBalancer (and index.d.ts names).
enum class Balance : int32_t { kRoundRobin = 0, kLeastConnections = 1, kSourceAddrHash = 2, kRandom = 3 };
constexpr int32_t kBalanceCount = 4;

class Balancer {
 public:
  // Open connections of a reactor, or -1 if it is gone; Inbox::Load in the reactor.
  using LoadFn = int64_t (*)(int32_t reactor);

  // `targets` must not be empty.
  static std::unique_ptr<Balancer> Make(Balance balance, std::vector<int32_t> targets, LoadFn load);
  virtual ~Balancer() = default;

  // Whether Pick needs the peer's address (accept then asks the kernel for it).
  virtual bool NeedsPeer() const { return false; }
  // The reactor the next connection goes to. `peer` is null unless NeedsPeer().
  virtual int32_t Pick(const sockaddr_storage* peer) = 0;

 protected:
  const std::vector<int32_t> targets_;

 public:
  // Public so the algorithms can inherit it; the class is abstract all the same.
  explicit Balancer(std::vector<int32_t> targets) : targets_(std::move(targets)) {}
};

}  // namespace nevio
