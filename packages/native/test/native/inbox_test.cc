// Cross-thread posts: delivery, a reactor that is gone, a slot that a newer reactor took.
#include <unistd.h>

#include <thread>
#include <vector>

#include "check.h"
#include "inbox.h"
#include "poller.h"

using nevio::Inbox;
using nevio::Message;
using nevio::Poller;

namespace {

Message WakeFor(int32_t connection) { return {Message::Kind::kWake, connection, -1, 0, {}}; }

// Whether the poller reports its wake-up now.
bool Woken(Poller* poller) {
  nevio::PollEvent events[4];
  int n = poller->Wait(events, 4, 0);
  for (int i = 0; i < n; i++) {
    if (events[i].fd == nevio::kWakeFd) return true;
  }
  return false;
}

}  // namespace

TEST(a_post_from_another_thread_is_queued_and_wakes_the_poller) {
  Poller poller;
  CHECK_EQ(poller.Open(), 0);
  Inbox* inbox = Inbox::Open(&poller);
  int32_t id = inbox->id();
  bool posted = false;
  std::thread other([&] { posted = Inbox::Post(id, {Message::Kind::kWrite, 7, -1, 0, {1, 2, 3}}); });
  other.join();
  CHECK(posted);
  CHECK(Woken(&poller));
  std::vector<Message> messages;
  inbox->Drain(&messages);
  CHECK_EQ(messages.size(), 1u);
  CHECK_EQ(messages[0].id, 7);
  CHECK(messages[0].bytes == std::vector<uint8_t>({1, 2, 3}));
  std::vector<Message> leftover;
  inbox->Close(&leftover);
  CHECK(leftover.empty());
}

TEST(an_adopt_post_is_counted_before_it_is_adopted) {
  Poller poller;
  CHECK_EQ(poller.Open(), 0);
  Inbox* inbox = Inbox::Open(&poller);
  CHECK_EQ(Inbox::Load(inbox->id()), 0);
  CHECK(Inbox::Post(inbox->id(), {Message::Kind::kAdopt, 0, -1, 0, {}}));
  CHECK_EQ(Inbox::Load(inbox->id()), 1);
  std::vector<Message> leftover;
  inbox->Close(&leftover);
  CHECK_EQ(leftover.size(), 1u);  // the reactor's destructor closes these descriptors
}

TEST(a_post_to_a_reactor_that_is_gone_fails_and_so_does_one_to_its_slots_next_owner) {
  Poller poller;
  CHECK_EQ(poller.Open(), 0);
  Inbox* first = Inbox::Open(&poller);
  int32_t old_id = first->id();
  std::vector<Message> leftover;
  first->Close(&leftover);
  CHECK(!Inbox::Post(old_id, WakeFor(1)));
  CHECK_EQ(Inbox::Load(old_id), -1);
  CHECK(!Woken(&poller));

  // The free slot goes to the next reactor, under an id of another generation.
  Inbox* second = Inbox::Open(&poller);
  CHECK(second == first);
  CHECK(second->id() != old_id);
  CHECK(!Inbox::Post(old_id, WakeFor(1)));
  CHECK(Inbox::Post(second->id(), WakeFor(1)));
  second->Close(&leftover);
  CHECK_EQ(leftover.size(), 1u);
}

TEST(ids_that_were_never_handed_out_are_refused) {
  CHECK(!Inbox::Post(0, WakeFor(1)));
  CHECK(!Inbox::Post(-5, WakeFor(1)));
  CHECK(!Inbox::Post(0x7fff0000 | 60000, WakeFor(1)));  // a slot no chunk holds yet
  CHECK_EQ(Inbox::Load(0), -1);
}

TEST(many_threads_post_concurrently_and_every_message_arrives) {
  Poller poller;
  CHECK_EQ(poller.Open(), 0);
  Inbox* inbox = Inbox::Open(&poller);
  int32_t id = inbox->id();
  constexpr int kThreads = 4, kPosts = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([id, t] {
      for (int i = 0; i < kPosts; i++) Inbox::Post(id, WakeFor(t * kPosts + i));
    });
  }
  std::vector<bool> seen(kThreads * kPosts);
  size_t total = 0;
  std::vector<Message> batch;
  auto take = [&] {
    inbox->Drain(&batch);
    for (const Message& m : batch) {
      CHECK(!seen[m.id]);
      seen[m.id] = true;
    }
    total += batch.size();
    batch.clear();
  };
  while (total < seen.size() / 2) take();  // drain while they post
  for (std::thread& t : threads) t.join();
  take();
  CHECK_EQ(total, seen.size());
  std::vector<Message> leftover;
  inbox->Close(&leftover);
}
