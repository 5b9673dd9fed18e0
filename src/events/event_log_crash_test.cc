// Kill -9 mid-append: a child process appends from several threads and reports each acknowledged
// range through a pipe; the parent kills it at a seeded random moment, reopens the log and checks
// that every acknowledged record is present, intact and stored exactly once.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "events/event_log.h"
#include "events/internal/log_testing.h"

namespace banyan::events {
namespace {

constexpr int kIterations = 12;
constexpr int kChildThreads = 4;

// What the child reports for each acknowledged append: 40 bytes, so one write(2) on a pipe is
// atomic (below PIPE_BUF) even from several threads.
struct Ack {
  uint64_t first_sequence;
  uint64_t record_count;
  uint64_t iteration;
  uint64_t thread;
  uint64_t counter;
};

struct Identity {
  uint64_t iteration, thread, counter, index;
  auto operator<=>(const Identity&) const = default;
};

std::string RecordText(const Identity& id) {
  std::string text = fmt::format("i{} t{} c{} r{} ", id.iteration, id.thread, id.counter, id.index);
  text.append(40 + (id.counter * 7 + id.index) % 120, static_cast<char>('a' + id.counter % 26));
  return text;
}

std::optional<Identity> ParseRecord(std::string_view record) {
  Identity id{};
  if (std::sscanf(std::string(record).c_str(), "i%lu t%lu c%lu r%lu", &id.iteration, &id.thread,
                  &id.counter, &id.index) != 4) {
    return std::nullopt;
  }
  return id;
}

EventLogOptions Options(const std::string& dir) {
  return {.dir = dir, .segment_bytes_max = 64 << 10};
}

[[noreturn]] void RunChild(const std::string& dir, uint64_t iteration, int ack_fd) {
  Result<std::unique_ptr<EventLog>> log = EventLog::Open(Options(dir), SystemClock::Get());
  if (!log.ok()) {
    std::fprintf(stderr, "child: %s\n", log.status().ToString().c_str());
    ::_exit(2);
  }
  std::vector<std::thread> threads;
  for (uint64_t t = 0; t < kChildThreads; ++t) {
    threads.emplace_back([&, t] {
      for (uint64_t counter = 0;; ++counter) {
        std::vector<std::string> records;
        for (uint64_t i = 0; i < 1 + counter % 4; ++i) {
          records.push_back(RecordText({iteration, t, counter, i}));
        }
        Result<SequenceRange> range = (*log)->AppendAndWait(records, SystemClock::Get().Now());
        if (!range.ok()) ::_exit(3);
        const Ack ack{range->first, range->count, iteration, t, counter};
        if (::write(ack_fd, &ack, sizeof(ack)) != sizeof(ack)) ::_exit(4);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ::_exit(5);
}

std::vector<Ack> ReadAcks(int fd) {
  std::vector<Ack> acks;
  Ack ack;
  for (;;) {
    const ssize_t got = ::read(fd, &ack, sizeof(ack));
    if (got == 0) break;
    if (got < 0 && errno == EINTR) continue;
    CHECK(got == sizeof(ack), "short read from the child's pipe: {}", got);
    acks.push_back(ack);
  }
  return acks;
}

TEST(EventLogCrash, EveryAcknowledgedAppendSurvivesSigkillExactlyOnce) {
  testing::TempDir temp;
  const std::string dir = temp.Sub("events");
  std::mt19937_64 random(20261122);
  uint64_t total_acks = 0;
  for (uint64_t iteration = 0; iteration < kIterations; ++iteration) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(fds[0]);
      RunChild(dir, iteration, fds[1]);
    }
    ::close(fds[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + random() % 150));
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int wait_status = 0;
    ASSERT_EQ(::waitpid(child, &wait_status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(wait_status))
        << "child exited early with status " << WEXITSTATUS(wait_status);
    const std::vector<Ack> acks = ReadAcks(fds[0]);
    ::close(fds[0]);
    total_acks += acks.size();

    auto log = EventLog::Open(Options(dir), SystemClock::Get()).value();
    std::map<uint64_t, std::string> records;
    std::set<Identity> seen;
    uint64_t expected_sequence = 0;
    ASSERT_TRUE(log->Scan(0,
                          [&](uint64_t sequence, Timestamp, std::string_view record) {
                            EXPECT_EQ(sequence, expected_sequence++) << "sequences must be dense";
                            const std::optional<Identity> id = ParseRecord(record);
                            EXPECT_TRUE(id.has_value()) << "unparsable record at " << sequence;
                            if (!id) return Status::Ok();
                            EXPECT_EQ(record, RecordText(*id)) << "damaged record at " << sequence;
                            EXPECT_TRUE(seen.insert(*id).second)
                                << "record stored twice: " << record;
                            if (id->iteration == iteration) records[sequence] = std::string(record);
                            return Status::Ok();
                          })
                    .ok());
    for (const Ack& ack : acks) {
      for (uint64_t i = 0; i < ack.record_count; ++i) {
        auto it = records.find(ack.first_sequence + i);
        ASSERT_NE(it, records.end()) << "acknowledged record lost: sequence "
                                     << ack.first_sequence + i << " in iteration " << iteration;
        ASSERT_EQ(it->second, RecordText({ack.iteration, ack.thread, ack.counter, i}));
      }
    }
  }
  EXPECT_GT(total_acks, uint64_t{kIterations}) << "the child barely ran; the test proves little";
  std::printf("acknowledged appends checked: %lu over %d kills\n", total_acks, kIterations);
}

}  // namespace
}  // namespace banyan::events
