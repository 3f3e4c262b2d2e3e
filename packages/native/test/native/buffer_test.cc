// InboundBuffer (with a view JavaScript holds on its Blob) and OutboundBuffer.
#include <cstring>
#include <vector>

#include "buffer.h"
#include "check.h"

using nevio::Blob;
using nevio::InboundBuffer;
using nevio::OutboundBuffer;

namespace {

std::vector<uint8_t> Pattern(size_t n, uint8_t seed = 0) {
  std::vector<uint8_t> bytes(n);
  for (size_t i = 0; i < n; i++) bytes[i] = static_cast<uint8_t>(seed + i * 7);
  return bytes;
}

}  // namespace

TEST(inbound_growth_moves_content_to_a_new_blob_and_leaves_the_viewed_one_intact) {
  std::vector<uint8_t> bytes = Pattern(100);
  InboundBuffer in;
  in.Append(bytes.data(), bytes.size());
  // What Reactor.inbound hands JavaScript: a reference and a view of [start, end).
  Blob* viewed = in.blob();
  viewed->Ref();
  const uint8_t* view = in.data();

  in.Consume(40);
  in.Reserve(in.blob()->capacity());  // more than is left after the content: must grow
  CHECK(in.blob() != viewed);
  CHECK_EQ(in.size(), 60u);
  CHECK(std::memcmp(in.data(), bytes.data() + 40, 60) == 0);
  // The view still shows exactly what it showed: the old blob was neither freed nor written.
  CHECK(std::memcmp(view, bytes.data(), 100) == 0);
  viewed->Unref();  // JavaScript lets go last; ASan reports it if the memory was already gone
}

TEST(inbound_reserve_with_room_appends_in_place) {
  std::vector<uint8_t> bytes = Pattern(100);
  InboundBuffer in;
  in.Append(bytes.data(), 50);
  Blob* before = in.blob();
  uint8_t* room = in.Reserve(50);
  CHECK(room == in.data() + 50);
  std::memcpy(room, bytes.data() + 50, 50);
  in.Commit(50);
  CHECK(in.blob() == before);
  CHECK(std::memcmp(in.data(), bytes.data(), 100) == 0);
}

TEST(inbound_doubles_so_a_large_frame_in_pieces_is_copied_a_logarithmic_number_of_times) {
  std::vector<uint8_t> piece = Pattern(64 * 1024, 3);
  InboundBuffer in;
  int moves = 0;
  Blob* last = nullptr;
  for (int i = 0; i < 16; i++) {  // 1 MiB
    in.Append(piece.data(), piece.size());
    if (in.blob() != last) moves++;
    last = in.blob();
  }
  CHECK_EQ(in.size(), 16u * piece.size());
  CHECK_EQ(in.blob()->capacity(), size_t{1} << 20);
  CHECK_EQ(moves, 5);  // 64 KiB, 128, 256, 512 KiB, 1 MiB: five blobs, not sixteen
  for (int i = 0; i < 16; i++) CHECK(std::memcmp(in.data() + i * piece.size(), piece.data(), piece.size()) == 0);
}

TEST(inbound_consumed_entirely_holds_no_memory_but_a_view_outlives_it) {
  std::vector<uint8_t> bytes = Pattern(10);
  InboundBuffer in;
  in.Append(bytes.data(), bytes.size());
  Blob* viewed = in.blob();
  viewed->Ref();
  const uint8_t* view = in.data();
  in.Consume(10);
  CHECK(in.empty());
  CHECK(in.blob() == nullptr);
  CHECK(std::memcmp(view, bytes.data(), 10) == 0);
  viewed->Unref();
}

TEST(outbound_partial_consumption_then_append_compacts_with_memmove) {
  std::vector<uint8_t> first = Pattern(4096, 1);
  std::vector<uint8_t> second = Pattern(2000, 2);
  OutboundBuffer out;
  out.Append(first.data(), first.size());
  const uint8_t* base = out.data();
  CHECK_EQ(out.capacity(), 4096u);
  out.Consume(3000);  // the kernel took 3000 bytes of a write
  // No room at the end, but the consumed front has it: the rest moves down, nothing is allocated.
  out.Append(second.data(), second.size());
  CHECK_EQ(out.capacity(), 4096u);
  CHECK(out.data() == base);
  CHECK_EQ(out.size(), 1096u + 2000u);
  CHECK(std::memcmp(out.data(), first.data() + 3000, 1096) == 0);
  CHECK(std::memcmp(out.data() + 1096, second.data(), 2000) == 0);
}

TEST(outbound_grows_when_the_front_is_not_worth_moving_and_frees_when_drained) {
  std::vector<uint8_t> bytes = Pattern(5000, 4);
  OutboundBuffer out;
  out.Append(bytes.data(), 4096);
  out.Consume(100);  // a small front: moving 3996 bytes to win 100 is not worth it
  out.Append(bytes.data() + 4096, 904);
  CHECK_EQ(out.capacity(), 8192u);
  CHECK_EQ(out.size(), 4900u);
  CHECK(std::memcmp(out.data(), bytes.data() + 100, 4900) == 0);
  out.Consume(out.size());
  CHECK(out.empty());
  CHECK_EQ(out.capacity(), 0u);
}
