// The four balancing algorithms.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include "balancer.h"
#include "check.h"

using nevio::Balance;
using nevio::Balancer;

namespace {

// Open connections per fake reactor id (index); -1: that reactor is gone.
int64_t loads[8];
int64_t FakeLoad(int32_t reactor) { return loads[reactor]; }

sockaddr_storage Peer(const char* ip, int port) {
  sockaddr_storage peer{};
  if (std::strchr(ip, ':') != nullptr) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&peer);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET6, ip, &v6->sin6_addr);
  } else {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&peer);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, ip, &v4->sin_addr);
  }
  return peer;
}

}  // namespace

TEST(round_robin_takes_each_target_in_turn) {
  auto balancer = Balancer::Make(Balance::kRoundRobin, {5, 6, 7}, &FakeLoad);
  CHECK(!balancer->NeedsPeer());
  int32_t expected[] = {5, 6, 7, 5, 6, 7, 5};
  for (int32_t target : expected) CHECK_EQ(balancer->Pick(nullptr), target);
}

TEST(least_connections_picks_the_fewest_and_skips_reactors_that_are_gone) {
  auto balancer = Balancer::Make(Balance::kLeastConnections, {1, 2, 3}, &FakeLoad);
  loads[1] = 10, loads[2] = 3, loads[3] = 7;
  CHECK_EQ(balancer->Pick(nullptr), 2);
  loads[2] = 12;
  CHECK_EQ(balancer->Pick(nullptr), 3);
  loads[3] = -1;  // gone: however few it reported, it gets nothing
  CHECK_EQ(balancer->Pick(nullptr), 1);
  loads[1] = -1, loads[2] = -1;
  // Every one gone: the first, whose post then fails, so the acceptor serves it itself.
  CHECK_EQ(balancer->Pick(nullptr), 1);
}

TEST(source_addr_hash_keeps_one_address_on_one_target_whatever_the_port) {
  auto balancer = Balancer::Make(Balance::kSourceAddrHash, {1, 2, 3, 4}, &FakeLoad);
  CHECK(balancer->NeedsPeer());
  sockaddr_storage a = Peer("10.0.0.1", 1000);
  sockaddr_storage b = Peer("10.0.0.1", 2000);
  sockaddr_storage c = Peer("2001:db8::1", 3000);
  sockaddr_storage d = Peer("2001:db8::1", 4000);
  CHECK_EQ(balancer->Pick(&a), balancer->Pick(&b));
  CHECK_EQ(balancer->Pick(&c), balancer->Pick(&d));
  // ... and different addresses spread over every target.
  std::set<int32_t> hit;
  for (int i = 0; i < 256; i++) {
    std::string ip = "192.168.1." + std::to_string(i);
    sockaddr_storage peer = Peer(ip.c_str(), 80);
    hit.insert(balancer->Pick(&peer));
  }
  CHECK_EQ(hit.size(), 4u);
}

TEST(random_stays_within_the_targets_and_reaches_each) {
  auto balancer = Balancer::Make(Balance::kRandom, {11, 12, 13}, &FakeLoad);
  std::map<int32_t, int> picks;
  for (int i = 0; i < 3000; i++) picks[balancer->Pick(nullptr)]++;
  CHECK_EQ(picks.size(), 3u);
  for (const auto& [target, count] : picks) {
    CHECK(target >= 11 && target <= 13);
    CHECK(count > 700);  // a third each, give or take
  }
}

TEST(a_balancer_without_targets_is_refused) {
  bool threw = false;
  try {
    Balancer::Make(Balance::kRoundRobin, {}, &FakeLoad);
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  CHECK(threw);
}
