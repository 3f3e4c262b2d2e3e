#include "balancer.h"

#include <netinet/in.h>

#include <stdexcept>

namespace nevio {

namespace {

class RoundRobin final : public Balancer {
 public:
  using Balancer::Balancer;
  int32_t Pick(const sockaddr_storage*) override { return targets_[next_++ % targets_.size()]; }

 private:
  size_t next_ = 0;
};

// The target with the fewest open connections. Each reactor publishes its count in an atomic of
// its inbox, so this reads one atomic per target and takes no lock: with 2-64 loops that is
// cheaper than any shared structure, and a count a few connections stale only makes the choice
// slightly less even.
class LeastConnections final : public Balancer {
 public:
  LeastConnections(std::vector<int32_t> targets, LoadFn load) : Balancer(std::move(targets)), load_(load) {}
  int32_t Pick(const sockaddr_storage*) override {
    int32_t best = targets_[0];  // every target gone: the post fails and the acceptor keeps it
    int64_t fewest = -1;
    for (int32_t target : targets_) {
      int64_t live = load_(target);
      if (live >= 0 && (fewest < 0 || live < fewest)) {
        fewest = live;
        best = target;
      }
    }
    return best;
  }

 private:
  LoadFn load_;
};

// FNV-1a over the peer's IP (not its port): one client address always lands on one loop.
class SourceAddrHash final : public Balancer {
 public:
  using Balancer::Balancer;
  bool NeedsPeer() const override { return true; }
  int32_t Pick(const sockaddr_storage* peer) override {
    uint64_t h = 1469598103934665603ull;  // FNV-1a 64-bit offset basis
    const uint8_t* bytes = nullptr;
    size_t length = 0;
    if (peer->ss_family == AF_INET) {
      bytes = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in*>(peer)->sin_addr);
      length = 4;
    } else if (peer->ss_family == AF_INET6) {
      bytes = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in6*>(peer)->sin6_addr);
      length = 16;
    }
    for (size_t i = 0; i < length; i++) h = (h ^ bytes[i]) * 1099511628211ull;  // FNV prime
    return targets_[h % targets_.size()];
  }
};

// xorshift64*: cheap, and good enough to spread connections.
class Random final : public Balancer {
 public:
  using Balancer::Balancer;
  int32_t Pick(const sockaddr_storage*) override {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return targets_[(state_ * 2685821657736338717ull >> 33) % targets_.size()];
  }

 private:
  uint64_t state_ = 0x9e3779b97f4a7c15ull;
};

}  // namespace

std::unique_ptr<Balancer> Balancer::Make(Balance balance, std::vector<int32_t> targets, LoadFn load) {
  if (targets.empty()) throw std::invalid_argument("a balancer needs at least one target");
  switch (balance) {
    case Balance::kLeastConnections: return std::make_unique<LeastConnections>(std::move(targets), load);
    case Balance::kSourceAddrHash: return std::make_unique<SourceAddrHash>(std::move(targets));
    case Balance::kRandom: return std::make_unique<Random>(std::move(targets));
    case Balance::kRoundRobin: break;
  }
  return std::make_unique<RoundRobin>(std::move(targets));
}

}  // namespace nevio
