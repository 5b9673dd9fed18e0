// Test-only helpers for the events wire protocol tests: gzip, base64 and form encoding as the
// SDKs do it, realistic request fixtures, and the mutator behind the *_fuzz_test.cc files.
// The fixtures copy the SHAPE of what the real SDKs send (field names, nesting, formats); the
// values are made up.
// Thread safety: stateless functions; a Mutator belongs to one thread.

#ifndef BANYAN_EVENTS_INTERNAL_WIRE_TESTING_H_
#define BANYAN_EVENTS_INTERNAL_WIRE_TESTING_H_

#include <sodium.h>
#include <zlib.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/check.h"
#include "base/clock.h"
#include "base/random.h"
#include "base/status.h"
#include "base/time.h"

namespace banyan::events::testing {

inline std::string Gzip(std::string_view data) {
  z_stream stream{};
  CHECK(deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) ==
        Z_OK);
  std::string out(deflateBound(&stream, data.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  CHECK(deflate(&stream, Z_FINISH) == Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// Standard alphabet with padding, as Node's Buffer.toString('base64') and browsers' btoa.
inline std::string Base64(std::string_view data) {
  std::string out(sodium_base64_encoded_len(data.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()),
                    data.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

// encodeURIComponent: everything but unreserved characters is %XX.
inline std::string UrlEncode(std::string_view data) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out(data.size() * 3, '\0');
  char* next = out.data();
  for (const char c : data) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      *next++ = c;
    } else {
      *next++ = '%';
      *next++ = kHex[u >> 4];
      *next++ = kHex[u & 0xf];
    }
  }
  out.resize(next - out.data());
  return out;
}

inline Timestamp At(std::string_view rfc3339) { return ParseRfc3339(rfc3339).value(); }

// What @segment/analytics-node POSTs to /v1/batch (write key in Basic auth, not the body).
inline constexpr std::string_view kAnalyticsNodeBatch = R"({
  "batch": [
    {
      "type": "track",
      "event": "Loan Application Submitted",
      "userId": "cust-000123",
      "properties": {"product": "consumer_loan", "amount": 50000, "term_months": 12,
                     "channel": "app"},
      "context": {"library": {"name": "@segment/analytics-node", "version": "1.1.0"}},
      "messageId": "node-next-1700000000000-2b2f6e8a-1c0a-4b39-8d5b-0d1b4a3b5b7a",
      "timestamp": "2026-11-22T02:29:58.000Z",
      "integrations": {},
      "_metadata": {"nodeVersion": "18.17.1", "jsRuntime": "node"}
    },
    {
      "type": "identify",
      "userId": "cust-000123",
      "traits": {"name": "Li Wei", "email": "li.wei@example.com", "tier": "gold"},
      "context": {"library": {"name": "@segment/analytics-node", "version": "1.1.0"}},
      "messageId": "node-next-1700000000001-5a1d",
      "timestamp": "2026-11-22T02:29:59.000Z",
      "integrations": {},
      "_metadata": {"nodeVersion": "18.17.1", "jsRuntime": "node"}
    }
  ],
  "sentAt": "2026-11-22T02:30:00.000Z"
})";

// What analytics.js sends to /v1/t (text/plain, write key in the body).
inline constexpr std::string_view kAnalyticsJsTrack =
    R"({"timestamp":"2026-11-22T10:29:59.500+08:00","integrations":{},"type":"track","properties":{"fund_code":"000001","amount":1000.5,"password":"hunter2"},"event":"Fund Purchased","context":{"page":{"path":"/funds/000001","referrer":"","search":"","title":"Fund","url":"https://m.bank.example/funds/000001"},"userAgent":"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.42(0x18002a2b) NetType/WIFI Language/zh_CN","locale":"zh-CN","library":{"name":"analytics.js","version":"next-1.55.0"},"campaign":{}},"messageId":"ajs-next-6d4f1f9e2b6c4c3c8f2b","anonymousId":"0f5d3c4e-6a7b-4c8d-9e0f-1a2b3c4d5e6f","writeKey":"wk_live_abc","userId":null,"sentAt":"2026-11-22T02:30:00.000Z","_metadata":{"bundled":["Segment.io"],"unbundled":[],"bundledIds":[]}})";

// What @rudderstack/rudder-sdk-node POSTs to /v1/batch: lower-case types, originalTimestamp,
// a top-level channel, rudderId.
inline constexpr std::string_view kRudderNodeBatch =
    R"({"batch":[{"type":"track","event":"Card Activated","userId":"cust-9","properties":{"card_type":"credit","cvv":"123","nested":{"pin":"0000","ok":1}},"context":{"library":{"name":"analytics-node","version":"2.0.1"}},"_metadata":{"nodeVersion":"18.17.1"},"messageId":"node-7a1e0b1c-3c6e-4b4e-9a8b-1c2d3e4f5a6b","originalTimestamp":"2026-11-22T02:29:50.000Z","sentAt":"2026-11-22T02:29:55.000Z","channel":"server","rudderId":"3c1a9e2b-5d7f-4a61-8b0c-2f4e6a8c0d13"}],"sentAt":"2026-11-22T02:29:55.000Z"})";

// One Sensors JS SDK record (what `data=` carries on a GET beacon).
inline constexpr std::string_view kSensorsJsRecord =
    R"({"distinct_id":"18b7a1c2d3e4f5-0a1b2c3d4e5f6-1c2d3e4f-2073600-18b7a1c2d3e4f6","lib":{"$lib":"js","$lib_method":"code","$lib_version":"1.25.12"},"properties":{"$timezone_offset":-480,"$screen_height":896,"$screen_width":414,"$lib":"js","$lib_version":"1.25.12","$latest_traffic_source_type":"直接流量","$latest_search_keyword":"未取到值_直接打开","$latest_referrer":"","$latest_utm_source":"wechat","$referrer":"","$url":"https://m.bank.example/wealth","$url_path":"/wealth","$title":"财富","$is_first_day":false,"$is_first_time":false},"anonymous_id":"18b7a1c2d3e4f5-0a1b2c3d4e5f6-1c2d3e4f-2073600-18b7a1c2d3e4f6","type":"track","event":"$pageview","time":1795314598000,"_track_id":583019877,"_flush_time":1795314600000})";

// What sa-sdk-node sends: data_list = base64(gzip(JSON array)), gzip=1, form-encoded.
inline constexpr std::string_view kSensorsNodeRecords =
    R"([{"type":"track","event":"TransferCompleted","time":1795314590000,"distinct_id":"cust-000123","properties":{"amount":2000,"$lib":"Node","$lib_version":"1.2.3","$os":"Linux","$is_login_id":true,"sms_code":"482913"},"lib":{"$lib":"Node","$lib_version":"1.2.3","$lib_method":"code"},"_track_id":1021},{"type":"profile_set","time":1795314591000,"distinct_id":"cust-000123","properties":{"tier":"gold","$city":"上海"},"lib":{"$lib":"Node","$lib_version":"1.2.3","$lib_method":"code"}},{"type":"track_signup","event":"$SignUp","time":1795314592000,"distinct_id":"cust-000123","original_id":"anon-77","properties":{},"lib":{"$lib":"Node","$lib_version":"1.2.3","$lib_method":"code"}}])";

inline std::string SensorsForm(std::string_view records_json, bool gzip) {
  const std::string payload = Base64(gzip ? Gzip(records_json) : std::string(records_json));
  return "data_list=" + UrlEncode(payload) + "&gzip=" + (gzip ? "1" : "0");
}

// Random mutations of valid inputs, for the seeded fuzz tests: bit flips, truncations,
// insertions of structural characters, deletions, duplications and splices.
class Mutator {
 public:
  Mutator(uint64_t seed, std::vector<std::string> seeds)
      : random_(seed), seeds_(std::move(seeds)) {}

  std::string Next() {
    std::string data = seeds_[random_.Uniform(seeds_.size())];
    const uint64_t rounds = 1 + random_.Uniform(4);
    for (uint64_t i = 0; i < rounds; ++i) Mutate(&data);
    return data;
  }

 private:
  void Mutate(std::string* data) {
    static constexpr std::string_view kStructural = "{}[]\":,\\0123456789-.eE \n%=&+/tfn";
    const size_t pos = data->empty() ? 0 : random_.Uniform(data->size());
    switch (random_.Uniform(6)) {
      case 0:
        if (!data->empty()) (*data)[pos] ^= static_cast<char>(1 << random_.Uniform(8));
        break;
      case 1:
        data->resize(pos);
        break;
      case 2:
        data->insert(pos, 1, kStructural[random_.Uniform(kStructural.size())]);
        break;
      case 3:
        data->erase(pos, 1 + random_.Uniform(16));
        break;
      case 4:
        data->insert(pos, data->substr(pos, random_.Uniform(64)));
        break;
      default: {
        const std::string& other = seeds_[random_.Uniform(seeds_.size())];
        const size_t from = other.empty() ? 0 : random_.Uniform(other.size());
        *data = data->substr(0, pos) + other.substr(from);
        break;
      }
    }
  }

  SeededRandom random_;
  std::vector<std::string> seeds_;
};

// Iterations of each seeded fuzz test: enough to reach the error paths, small enough to run in
// well under 3 s in a debug build. AddressSanitizer makes each iteration about five times
// slower, so sanitizer builds run fewer.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr int kFuzzIterations = 5000;
#else
inline constexpr int kFuzzIterations = 20000;
#endif

// An error a decoder may return for bad input: the input's fault, with a message.
inline bool IsCleanInputError(const Status& status) {
  return (status.code() == StatusCode::kInvalidArgument ||
          status.code() == StatusCode::kTooLarge) &&
         !status.message().empty();
}

}  // namespace banyan::events::testing

#endif  // BANYAN_EVENTS_INTERNAL_WIRE_TESTING_H_
