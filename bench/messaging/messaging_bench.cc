// bench/messaging: the messaging hot paths over real parts (SQLite in a temporary directory, the
// customer service, the policy gate with every rule evaluated, our HTTP server as a loopback fake
// provider reached through libcurl), one line per figure:
//
//   accept     Send (the send API below HTTP: resolve, template, gate, outbox write) latency,
//              one caller at a time, then BENCH_SENDERS (4) callers at once (group commit)
//   dispatch   messages handed to the fake provider per second by the dispatcher threads, and
//              the process's CPU time per message
//   timeline   one page (50) of the timeline of a customer with 10,000 messages
//
// Marketing messages with consent at 10:00 Shanghai, the frequency cap raised so none is refused:
// consent, opt-out, suppression, quiet hours, cap and rate-limit checks all run for each message.
// Built as a gtest program to reuse the test fixture; run by bench/messaging/run.sh.

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "tests/messaging/fake_provider.h"
#include "tests/messaging/messaging_fixture.h"

namespace banyan::messaging {
namespace {

using Clock = std::chrono::steady_clock;

int Env(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value ? std::atoi(value) : fallback;
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

class MessagingBench : public testing::MessagingFixture {
 protected:
  MessagingOptions MessagingOptionsForTest() const override {
    MessagingOptions options = MessagingFixture::MessagingOptionsForTest();
    options.policy.frequency_cap = 1000;
    options.dispatch_threads = Env("BENCH_THREADS", 8);
    options.claim_batch = 200;
    options.idle_poll = std::chrono::milliseconds(5);
    return options;
  }
};

TEST_F(MessagingBench, Run) {
  const int customers = Env("BENCH_CUSTOMERS", 200);
  const int messages = Env("BENCH_MESSAGES", 20000);
  const int timeline_entries = Env("BENCH_TIMELINE", 10000);
  testing::FakeProvider provider({"/send"}, R"({"id":"x"})");
  Channel("hook", "webhook",
          {{"url", provider.Url("/send")},
           {"address_type", "phone"},
           {"consent_channel", "sms"},
           {"rate_per_second", 1e6},
           {"body", {{"to", "{{address}}"}, {"text", "{{content.text}}"}}}});
  const int64_t tpl = Template("promo", "hook", Purpose::kMarketing, {{"text", "利率 {{rate}}"}},
                               {{{"name", "rate"}}});
  std::vector<int64_t> ids;
  for (int i = 0; i < customers; ++i) {
    ids.push_back(Customer(fmt::format("b{}", i), fmt::format("1390000{:04}", i)));
    Consent(ids.back(), "sms", true);
  }
  // accept
  std::vector<double> accept_ms;
  for (int i = 0; i < messages; ++i) {
    SendRequest r;
    r.one_id = ids[i % customers];
    r.channel = "hook";
    r.template_id = tpl;
    r.variables = {{"rate", "3.1%"}};
    const auto start = Clock::now();
    auto accepted = messaging_->Send(auth::Principal::System(), fmt::format("k{}", i), r);
    accept_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    ASSERT_TRUE(accepted.ok() && accepted->message.state == MessageState::kQueued)
        << (accepted.ok() ? accepted->message.reason : accepted.status().ToString());
  }
  std::printf("accept_p50_ms %.3f\naccept_p99_ms %.3f\n", Percentile(accept_ms, 0.5),
              Percentile(accept_ms, 0.99));
  // accept under load: BENCH_SENDERS callers at once (the API's threads), sharing commits.
  const int senders = Env("BENCH_SENDERS", 4);
  const int concurrent = Env("BENCH_CONCURRENT_MESSAGES", 4000);
  std::vector<std::vector<double>> per_sender(senders);
  std::vector<std::thread> threads;
  const auto load_start = Clock::now();
  for (int t = 0; t < senders; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < concurrent; i += senders) {
        SendRequest r;
        r.one_id = ids[i % customers];
        r.channel = "hook";
        r.template_id = tpl;
        r.variables = {{"rate", "3.1%"}};
        const auto t0 = Clock::now();
        auto accepted = messaging_->Send(auth::Principal::System(), fmt::format("c{}", i), r);
        per_sender[t].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (!accepted.ok()) std::abort();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const double load_s = std::chrono::duration<double>(Clock::now() - load_start).count();
  std::vector<double> loaded;
  for (const auto& v : per_sender) loaded.insert(loaded.end(), v.begin(), v.end());
  std::printf(
      "accept_concurrent_p50_ms %.3f\naccept_concurrent_p99_ms %.3f\n"
      "accept_concurrent_per_s %.0f\n",
      Percentile(loaded, 0.5), Percentile(loaded, 0.99), concurrent / load_s);
  // dispatch
  const auto start = Clock::now();
  const double cpu_before = CpuSeconds();
  messaging_->Start();
  const size_t total = static_cast<size_t>(messages + concurrent);
  while (provider.Count() < total) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ASSERT_LT(Clock::now() - start, std::chrono::seconds(300));
  }
  messaging_->Stop();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("dispatch_messages_per_s %.0f\n", total / seconds);
  // CPU (user + system, every thread: dispatcher, libcurl, the fake provider) per message: what
  // bounds throughput when the process has the cores to itself, whatever else the host runs.
  std::printf("dispatch_cpu_us_per_message %.1f\n", (CpuSeconds() - cpu_before) * 1e6 / total);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM message WHERE state = 'sent'"),
            static_cast<int64_t>(total));
  // timeline: one customer with `timeline_entries` messages
  const int64_t busy = Customer("busy", "13911112222");
  Consent(busy, "sms", true);
  ASSERT_TRUE(db_->Write([&](store::Transaction& tx) -> Status {
                   for (int i = 0; i < timeline_entries; ++i) {
                     RETURN_IF_ERROR(tx.Execute(
                         "INSERT INTO message (idempotency_scope, idempotency_key, request_hash, "
                         "person_id, purpose, personalised, channel_requested, channel, send_at, "
                         "state, requested_by_kind, created_at, updated_at) VALUES ('bench', ?, "
                         "'', ?, 'service', 0, 'hook', 'hook', ?, 'sent', 'system', ?, ?)",
                         {fmt::format("t{}", i), busy, i, i + 1, i + 1}));
                   }
                   return Status::Ok();
                 })
                  .ok());
  std::vector<double> timeline_ms;
  std::string cursor;
  for (int i = 0; i < 200; ++i) {
    MessagingService::TimelineQuery query;
    query.cursor = i % 20 == 0 ? "" : cursor;  // first pages and deep pages
    const auto t0 = Clock::now();
    auto page = messaging_->Timeline(auth::Principal::System(), busy, query);
    timeline_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    cursor = (*page)["next_cursor"].is_string() ? (*page)["next_cursor"].get<std::string>() : "";
  }
  std::printf("timeline_p50_ms %.3f\ntimeline_p99_ms %.3f\n", Percentile(timeline_ms, 0.5),
              Percentile(timeline_ms, 0.99));
}

}  // namespace
}  // namespace banyan::messaging
